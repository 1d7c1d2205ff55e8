#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for FUZZ_SECONDS each (default 600), one after the
# other: the fuzzers are meant to share a small machine, so never two at once.
# Full output goes to fuzz/logs/<target>.log; one summary line per run to fuzz/logs/summary.log.
# Needs cargo-fuzz; RUSTC_BOOTSTRAP=1 lets the stable toolchain build with sanitizers.
# Usage: fuzz/run-all.sh [target...]
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-600}
all="lcov go cobertura jacoco llvm_json coveragepy_json istanbul istanbul_json clover simplecov gcovr_json opencover junit dotnet_tests sarif k6 audit_npm audit_cargo audit_pip audit_trivy detect"
targets=${*:-$all}
mkdir -p fuzz/logs
export RUSTC_BOOTSTRAP=1

dict() {
  case "$1" in
    lcov|go) echo fuzz/dict/lines.dict ;;
    cobertura|jacoco|junit|clover|opencover|dotnet_tests) echo fuzz/dict/xml.dict ;;
    detect) echo fuzz/dict/lines.dict ;;
    *) echo fuzz/dict/json.dict ;;
  esac
}

# -a: debug assertions and overflow checks, so arithmetic overflow on input counts is a finding.
# `cargo fuzz build` takes one target or none (= all).
build=${*:+$targets}
for t in ${build:-""}; do
  nice -n 19 cargo fuzz build -a $t >>fuzz/logs/build.log 2>&1 || { echo "build failed, see fuzz/logs/build.log"; exit 1; }
done
for t in $targets; do
  fuzz/seed.sh "$t"
  start=$(date -u +%FT%TZ)
  t0=$(date +%s)
  nice -n 19 cargo fuzz run -a "$t" "fuzz/corpus/$t" -- \
    -max_total_time="$secs" -rss_limit_mb=512 -max_len=1048576 -timeout=10 \
    -dict="$(dict "$t")" -print_final_stats=1 >"fuzz/logs/$t.log" 2>&1
  rc=$?
  t1=$(date +%s)
  last=$(grep -E '^#[0-9]+' "fuzz/logs/$t.log" | tail -1)
  stats=$(grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "fuzz/logs/$t.log" | tr '\n' ' ')
  crash=$(grep -oE 'Test unit written to [^ ]+' "fuzz/logs/$t.log" | sed 's/.*written to //' | tr '\n' ' ')
  echo "$t start=$start seconds=$((t1 - t0)) rc=$rc | $last | $stats ${crash:+| artifact=$crash}" >>fuzz/logs/summary.log
done
