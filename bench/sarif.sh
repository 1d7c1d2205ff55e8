#!/usr/bin/env bash
# Benchmark: counting a >= 50 MB SARIF file with `decoder-ops quality-gate` against Python reading
# it with the standard json module and counting results by level (what SARIF summary scripts and
# sarif-tools do).
#
# Needs python3, hyperfine and GNU time (installed when missing).
# Usage: bash bench/sarif.sh [MEGABYTES]   (default 55)
set -euo pipefail
cd "$(dirname "$0")/.."
mb="${1:-55}"
if ! command -v hyperfine >/dev/null || [ ! -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq hyperfine time >/dev/null
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --release --locked --quiet
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/decoder-ops"

# Built from real bandit output (levels, rule metadata, suppressions by # nosec).
python3 bench/make-sarif.py tests/fixtures/sarif/bandit/bandit.sarif "$work/big.sarif" "$mb"
ls -l "$work/big.sarif" | awk '{printf "file: %.1f MB\n", $5/1048576}'
cat > "$work/peer.py" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
levels = {}
for run in doc["runs"]:
    for r in run.get("results", []):
        levels[r.get("level", "warning")] = levels.get(r.get("level", "warning"), 0) + 1
print(levels)
PY
echo "## what each prints"
"$bin" quality-gate --no-comment "$work/big.sarif" | grep -E 'vulnerabilities|quality' || true
python3 "$work/peer.py" "$work/big.sarif"
python3 --version
echo "## wall time"
hyperfine -N -i --warmup 1 --runs 10 \
  -n "decoder-ops quality-gate" "$bin quality-gate --no-comment $work/big.sarif" \
  -n "python json.load + count" "python3 $work/peer.py $work/big.sarif"
peak() { local max=0 rss; for _ in 1 2 3; do rss=$(/usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -n1); [ "$rss" -gt "$max" ] && max=$rss; done; echo "$max"; }
echo "## peak memory (max RSS of 3 runs)"
echo "decoder-ops: $(peak "$bin" quality-gate --no-comment "$work/big.sarif") KiB"
echo "python json: $(peak python3 "$work/peer.py" "$work/big.sarif") KiB"
