#!/usr/bin/env python3
"""Writes `git update-index --index-info` input for a checkout of N files of which half are paths
of the given reports (lcov `SF:` lines, Cobertura `filename=` attributes) and half are other
files, so `coverage-check` run in that checkout resolves a report whose paths half match it.
Every entry is the empty blob: only the index (what `git ls-files` reads) matters.

usage: make-checkout.py FILES REPORT... > index-info
"""
import re
import sys

EMPTY_BLOB = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
total, reports = int(sys.argv[1]), sys.argv[2:]
per_report = total // 2 // len(reports)
paths = []
for report in reports:
    pattern = r"^SF:(.*)$" if report.endswith(".info") else r'filename="([^"]*)"'
    found = []
    with open(report, encoding="utf-8") as f:
        for m in re.finditer(pattern, f.read(), flags=re.M):
            found.append(m.group(1).lstrip("/"))
            if len(found) == per_report:
                break
    paths += found
others = total - len(paths)
paths += [f"vendor/lib{i // 100}/src/module{i % 100}.c" for i in range(others)]
for p in paths:
    print(f"100644 {EMPTY_BLOB}\t{p}")
print(f"{len(paths)} files, {len(paths) - others} of them report paths", file=sys.stderr)
