#!/usr/bin/env python3
"""Builds a large coverage report from real ones by repeating their file records under new
paths (`copyN/rI/<path>`), so the result has the real reports' shape (line hits, branches,
functions, several producers' dialects) at any size and every source path is distinct.

usage: make-coverage.py lcov TARGET.info MEGABYTES SOURCE.info...
       make-coverage.py cobertura TARGET.xml MEGABYTES SOURCE.xml...
prints: the number of file records written and the line totals they carry
"""
import re
import sys


def lcov(target, limit, sources):
    records = []
    for path in sources:
        text = open(path, encoding="utf-8").read()
        records += re.findall(r"^SF:.*?^end_of_record\n", text, flags=re.S | re.M)
    if not records:
        sys.exit("no lcov records in the sources")
    written = found = hit = size = copy = 0
    with open(target, "w", encoding="utf-8") as out:
        while size < limit:
            copy += 1
            for i, record in enumerate(records):
                renamed = re.sub(r"^SF:/?", f"SF:copy{copy}/r{i}/", record, count=1, flags=re.M)
                out.write("TN:\n" + renamed)
                size += len(renamed) + 4
                written += 1
                for m in re.finditer(r"^DA:\d+,(\d+)", record, flags=re.M):
                    found += 1
                    hit += m.group(1) != "0"
    print(f"{written} records from {len(records)} real ones: {hit} of {found} DA lines hit")


def cobertura(target, limit, sources):
    classes = []
    for path in sources:
        text = open(path, encoding="utf-8").read()
        classes += re.findall(r"<class\b.*?</class>", text, flags=re.S)
    if not classes:
        sys.exit("no <class> elements in the sources")
    lines = [len(re.findall(r"<line\b[^>]*\bnumber=", c)) for c in classes]
    lines_in_methods = [
        sum(len(re.findall(r"<line\b", m)) for m in re.findall(r"<methods>.*?</methods>", c, flags=re.S))
        for c in classes
    ]
    valid = [n - m for n, m in zip(lines, lines_in_methods)]
    covered = [
        len(re.findall(r'<line\b[^>]*\bhits="[1-9]', re.sub(r"<methods>.*?</methods>", "", c, flags=re.S)))
        for c in classes
    ]
    body = []
    written = size = copy = total_valid = total_covered = 0
    while size < limit:
        copy += 1
        body.append(f'<package name="copy{copy}" line-rate="0" branch-rate="0" complexity="0">\n<classes>\n')
        for i, (c, v, k) in enumerate(zip(classes, valid, covered)):
            renamed = re.sub(r'filename="/?', f'filename="copy{copy}/r{i}/', c, count=1)
            body.append(renamed + "\n")
            size += len(renamed) + 1
            written += 1
            total_valid += v
            total_covered += k
        body.append("</classes>\n</package>\n")
    rate = total_covered / total_valid if total_valid else 1
    with open(target, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" ?>\n')
        out.write(
            f'<coverage version="bench" timestamp="0" lines-valid="{total_valid}" '
            f'lines-covered="{total_covered}" line-rate="{rate:.4f}" branch-rate="0" complexity="0">\n'
        )
        out.write("<sources>\n<source>.</source>\n</sources>\n<packages>\n")
        out.writelines(body)
        out.write("</packages>\n</coverage>\n")
    print(f"{written} classes from {len(classes)} real ones: {total_covered} of {total_valid} lines hit")


kind, target, megabytes, sources = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
{"lcov": lcov, "cobertura": cobertura}[kind](target, megabytes * 1024 * 1024, sources)
