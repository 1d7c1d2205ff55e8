#!/usr/bin/env python3
"""Builds a large SARIF 2.1.0 file from a real one by repeating its results (with new
locations), so the result has the real report's shape at any size.

usage: make-sarif.py SOURCE.sarif TARGET.sarif MEGABYTES
prints: the number of results written
"""
import copy
import json
import sys

source, target, megabytes = sys.argv[1], sys.argv[2], int(sys.argv[3])
doc = json.load(open(source, encoding="utf-8"))
run = doc["runs"][0]
results = run.get("results") or []
if not results:
    sys.exit(f"{source}: no results")
one = sum(len(json.dumps(r)) for r in results) / len(results)
copies = int(megabytes * 1024 * 1024 / one) // len(results) + 1
out = []
for i in range(copies):
    for r in results:
        r = copy.deepcopy(r)
        for loc in r.get("locations", []):
            phys = loc.get("physicalLocation", {})
            art = phys.get("artifactLocation", {})
            if "uri" in art:
                art["uri"] = f"copy{i}/{art['uri']}"
        out.append(r)
run["results"] = out
with open(target, "w", encoding="utf-8") as f:
    json.dump(doc, f)
print(f"{len(out)} results")
