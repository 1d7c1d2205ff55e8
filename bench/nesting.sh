#!/usr/bin/env bash
# Benchmark: time linear in input size for deeply nested inputs, and refusing 1,000,000-deep
# ones fast (issue 20, "Limits").
#
# - JUnit reports of blocks nested 250 suites deep (the cap is 256), 2 to 32 MB:
#   `decoder-ops quality-gate FILE`.
# - Configs whose check assertions nest 30 flow levels (the cap is 64), 0.25 to 4 MB (the
#   size cap): `decoder-ops --config FILE config check --no-env` (parse and validate; without
#   --no-env every resolved value is also registered as a secret).
# - A 1,000,000-deep JUnit report and YAML config: refused with exit 2.
#
# Each figure is the best of 3 runs of the release binary. Needs python3.
# Usage: bash bench/nesting.sh
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked --quiet
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/decoder-ops"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 - "$bin" "$work" <<'PY'
import os, subprocess, sys, time

bin_, work = sys.argv[1], sys.argv[2]

def best(args, expect):
    times = []
    for _ in range(3):
        t = time.perf_counter()
        r = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - t)
        if r.returncode not in expect:
            sys.exit(f"{args}: exit {r.returncode}: {r.stderr.decode()[:300]}")
    return min(times)

def make(kind, path, kb=None):
    args = ["python3", "bench/make-nesting.py", kind, path] + ([str(kb)] if kb else [])
    subprocess.run(args, check=True)
    return os.path.getsize(path)

def table(title, kind, sizes_kb, command, expect):
    print(f"## {title}")
    print("| size | wall time | per MB |")
    print("|---|---|---|")
    for kb in sizes_kb:
        path = os.path.join(work, f"{kind}-{kb}")
        size = make(kind, path, kb)
        t = best(command(path), expect)
        mb = size / 1048576
        print(f"| {mb:.2f} MB | {t * 1000:.0f} ms | {t * 1000 / mb:.0f} ms |")
    print()

table("JUnit, 250 suites deep, quality-gate", "junit", [2048, 4096, 8192, 16384, 32768],
      lambda p: [bin_, "quality-gate", "--no-comment", p], {1})
table("config, 30 flow levels deep, config check --no-env", "yaml", [256, 512, 1024, 2048, 4000],
      lambda p: [bin_, "--config", p, "config", "check", "--no-env"], {0})

print("## 1,000,000 levels deep: refused")
for kind, command in [
    ("deep-junit", lambda p: [bin_, "quality-gate", p]),
    ("deep-yaml", lambda p: [bin_, "--config", p, "config", "check"]),
]:
    path = os.path.join(work, kind)
    size = make(kind, path)
    t = best(command(path), {2})
    print(f"- {kind}: {size / 1048576:.1f} MB, exit 2 in {t * 1000:.0f} ms")
PY
