#!/usr/bin/env python3
"""Writes inputs for bench/nesting.sh: JUnit reports and decoder-ops configs nested close to
decoder-ops' caps, repeated until they reach a size, and 1,000,000-deep ones it must refuse.

usage: make-nesting.py junit|yaml|deep-junit|deep-yaml TARGET [KILOBYTES]
"""
import sys

kind, target = sys.argv[1], sys.argv[2]
limit = int(sys.argv[3]) * 1024 if len(sys.argv) > 3 else 0

with open(target, "w", encoding="utf-8") as out:
    if kind == "junit":
        # Blocks of 250 nested suites (the cap is 256 elements), each with a failing and a
        # passing case at the bottom.
        out.write("<testsuites>\n")
        size, block = 0, 0
        while size < limit:
            block += 1
            opening = "".join(f'<testsuite name="s{block}-{d}">' for d in range(250))
            cases = (f'<testcase classname="c{block}" name="ok"/>'
                     f'<testcase classname="c{block}" name="bad"><failure message="x"/></testcase>')
            text = opening + cases + "</testsuite>" * 250 + "\n"
            out.write(text)
            size += len(text)
        out.write("</testsuites>\n")
    elif kind == "yaml":
        # Checks whose assertion values nest 30 flow levels (the cap is 64 levels; deeper
        # values would reach the cap of 1,000,000 values before the 4 MiB size cap).
        out.write("checks:\n")
        size, n = 0, 0
        while size < limit:
            n += 1
            deep = "[" * 30 + "1" + "]" * 30
            text = (f"  - name: check-{n}\n    url: http://127.0.0.1:8080/health/{n}\n"
                    f"    assert:\n      - jsonpath: {{path: $.a, equals: {deep}}}\n")
            out.write(text)
            size += len(text)
    elif kind == "deep-junit":
        out.write("<testsuites>" + '<testsuite name="s">' * 1_000_000 + "</testsuite>" * 1_000_000 + "</testsuites>\n")
    elif kind == "deep-yaml":
        out.write("quality-gate:\n  inputs: " + "[" * 1_000_000 + "]" * 1_000_000 + "\n")
    else:
        sys.exit(f"unknown kind {kind}")
