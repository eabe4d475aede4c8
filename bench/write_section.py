#!/usr/bin/env python3
"""Puts one benchmark's section into docs/benchmarks.md, replacing the section that
starts with the same `<!-- bench/NAME.sh -->` marker (up to the next marker), or adding
it at the end. The other benchmarks' sections stay as they are.

    python3 bench/write_section.py bench/spam.sh "$SECTION"
"""
import sys

name, section = sys.argv[1], sys.argv[2].rstrip() + "\n"
marker = f"<!-- {name} -->"
path = "docs/benchmarks.md"
try:
    text = open(path).read()
except FileNotFoundError:
    text = ""
start = text.find(marker)
if start < 0:
    text = text.rstrip() + "\n\n" + section
else:
    nxt = text.find("<!-- bench/", start + 1)
    text = text[:start] + section + ("\n" + text[nxt:] if nxt >= 0 else "")
open(path, "w").write(text)
