#!/usr/bin/env python3
"""Builds a large JUnit XML file from a real report by repeating its test cases under new
names, so the result has the real report's shape (suites, failures with messages, skips,
system-out) at any size.

usage: make-junit.py SOURCE.xml TARGET.xml MEGABYTES
prints: the number of test cases written and how many fail / error / skip
"""
import re
import sys

source, target, megabytes = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = open(source, encoding="utf-8").read()
cases = re.findall(r"<testcase\b.*?(?:/>|</testcase>)", text, flags=re.S)
if not cases:
    sys.exit(f"{source}: no <testcase> elements")
limit = megabytes * 1024 * 1024
written = failed = errors = skipped = 0
with open(target, "w", encoding="utf-8") as out:
    out.write('<?xml version="1.0" encoding="utf-8"?>\n<testsuites name="bench">\n')
    size = 0
    suite = 0
    while size < limit:
        suite += 1
        out.write(f'<testsuite name="suite{suite}">\n')
        for case in cases:
            renamed = re.sub(r'name="([^"]*)"', lambda m: f'name="{m.group(1)} #{suite}"', case, count=1)
            out.write(renamed + "\n")
            size += len(renamed) + 1
            written += 1
            failed += "<failure" in case
            errors += "<error" in case
            skipped += "<skipped" in case
        out.write("</testsuite>\n")
    out.write("</testsuites>\n")
print(f"{written} testcases: {failed} with <failure>, {errors} with <error>, {skipped} with <skipped>")
