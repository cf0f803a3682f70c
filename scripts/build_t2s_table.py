"""Build the character-level traditional→simplified table the normaliser ships with.

Run with the dev extra installed (it needs the ``opencc`` package):
    python scripts/build_t2s_table.py
It converts every CJK code point on its own with OpenCC's ``t2s`` configuration and keeps the ones that
map to a single, different character. Matching needs consistency (text and terms go through the same
table), not phrase-level conversion, so a character table is the right tool and keeps the runtime free
of OpenCC.
"""

from __future__ import annotations

from pathlib import Path

import opencc

RANGES = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2EBEF), (0x2F800, 0x2FA1F)]
OUT = Path(__file__).resolve().parents[1] / "src/safecorpus/data/t2s_chars.tsv"


def main() -> None:
    converter = opencc.OpenCC("t2s")
    rows = []
    for low, high in RANGES:
        for cp in range(low, high + 1):
            ch = chr(cp)
            out = converter.convert(ch)
            if len(out) == 1 and out != ch:
                rows.append(f"{ch}\t{out}\n")
    header = f"# traditional<TAB>simplified from scripts/build_t2s_table.py, OpenCC {opencc.__version__}\n"
    OUT.write_text(header + "".join(rows), "utf-8")
    print(f"wrote {len(rows)} pairs to {OUT}")


if __name__ == "__main__":
    main()
