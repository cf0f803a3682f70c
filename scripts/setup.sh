#!/usr/bin/env bash
# Set up safecorpus on a fresh Debian machine with Python 3.11+: a virtual environment in .venv with the
# package installed (editable). `--test` also installs what the test suite needs (Python test extras and
# the Debian packages some tests use). Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    *) echo "usage: scripts/setup.sh [--test]" >&2; exit 2 ;;
  esac
done

PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "safecorpus needs Python 3.11 or newer (found: $("$PY" --version 2>&1))" >&2
  exit 1
fi

apt_install() {
  # Install Debian packages that are missing, as root or through sudo.
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

if [ ! -x .venv/bin/python ]; then
  if ! "$PY" -m venv .venv 2>/dev/null; then
    apt_install python3-venv
    "$PY" -m venv .venv
  fi
fi

if [ "$want_test" -eq 1 ]; then
  extras=".[dev]"
  stamp=".venv/.safecorpus-installed-test"
else
  extras="."
  stamp=".venv/.safecorpus-installed"
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e "$extras"
  touch "$stamp"
fi

# `safecorpus report` writes its PDF with WeasyPrint (Pango) and needs a CJK font for Chinese.
apt_install fonts-wqy-microhei libpango-1.0-0 libpangoft2-1.0-0

if [ "$want_test" -eq 1 ] && [ -f scripts/setup-test-system.sh ]; then
  bash scripts/setup-test-system.sh
fi
