#!/usr/bin/env bash
# Debian packages the test suite uses: Chromium (browser tests of the report and the review app),
# a CJK font (PDF and chart rendering), poppler-utils (pdftotext in the report tests) and the PostgreSQL
# server (the review store's second backend; Debian's postgresql is usually on the base image already).
# Safe to run again: it installs only what is missing.
set -euo pipefail

want=(chromium chromium-driver fonts-wqy-microhei poppler-utils postgresql)
missing=()
for pkg in "${want[@]}"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing Debian packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
