#!/usr/bin/env bash
# Benchmark: counting a >= 50 MB JUnit file with `decoder-ops quality-gate` against Python
# junitparser (lxml) reading only the suite totals — the peer named by the quality-gate issue.
#
# Needs python3 with pip, hyperfine and GNU time (installed when missing).
# Usage: bash bench/junit.sh [MEGABYTES]   (default 55)
set -euo pipefail
cd "$(dirname "$0")/.."
mb="${1:-55}"

if ! command -v hyperfine >/dev/null || [ ! -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq hyperfine time >/dev/null
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet junitparser lxml

cargo build --release --locked --quiet
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/decoder-ops"

# Built from real gotestsum output (packages as suites, subtests, failures, skips): its small
# test cases give about 350,000 of them in 50 MB, the size the quality-gate issue names.
python3 bench/make-junit.py tests/fixtures/junit/gotestsum/junit.xml "$work/big.xml" "$mb"
ls -l "$work/big.xml" | awk '{printf "file: %.1f MB\n", $5/1048576}'

cat > "$work/peer.py" <<'PY'
import sys
from junitparser import JUnitXml
xml = JUnitXml.fromfile(sys.argv[1])  # lxml under the hood when installed
tests = failures = errors = skipped = 0
for suite in xml:
    tests += suite.tests; failures += suite.failures; errors += suite.errors; skipped += suite.skipped
print(f"tests={tests} failures={failures} errors={errors} skipped={skipped}")
PY
echo "## what each prints"
"$bin" quality-gate "$work/big.xml" | tail -n 2 || true
"$work/venv/bin/python" "$work/peer.py" "$work/big.xml"
"$work/venv/bin/python" -c "import junitparser, lxml.etree as e; print('junitparser', junitparser.version, 'lxml', '.'.join(map(str, e.LXML_VERSION)))"

echo "## wall time"
hyperfine -N -i --warmup 1 --runs 10 \
  -n "decoder-ops quality-gate" "$bin quality-gate $work/big.xml" \
  -n "junitparser (lxml), suite totals" "$work/venv/bin/python $work/peer.py $work/big.xml"

peak() { local max=0 rss; for _ in 1 2 3; do rss=$(/usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -n1); [ "$rss" -gt "$max" ] && max=$rss; done; echo "$max"; }
echo "## peak memory (max RSS of 3 runs)"
echo "decoder-ops: $(peak "$bin" quality-gate "$work/big.xml") KiB"
echo "junitparser: $(peak "$work/venv/bin/python" "$work/peer.py" "$work/big.xml") KiB"
