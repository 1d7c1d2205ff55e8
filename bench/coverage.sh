#!/usr/bin/env bash
# Benchmark: totals of a >= 50 MB lcov tracefile and a >= 50 MB Cobertura file with
# `decoder-ops coverage-check` against the peers named by the coverage-check issue:
# `lcov --summary` (Debian lcov 1.16) and `pycobertura show`, on the same files, side by side.
# decoder-ops runs twice per file: outside any git repository, and inside a git checkout of
# 20,000 files (CHECKOUT_FILES) half of which are paths of the reports, as in CI, where every
# report path is resolved against the tracked files.
#
# Needs lcov, pycobertura (PyPI) and GNU time.
# Usage: bash bench/coverage.sh [MEGABYTES] [RUNS]   (defaults 55 and 5; decoder-ops runs 3 x RUNS)
set -euo pipefail
cd "$(dirname "$0")/.."
mb="${1:-55}"
runs="${2:-5}"
repo="$PWD"

command -v lcov >/dev/null || { apt-get update -qq && apt-get install -y -qq lcov >/dev/null; }
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
command -v pycobertura >/dev/null || python3 -m pip install --quiet pycobertura
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release --locked --quiet
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/decoder-ops"

# Built from the real reports in tests/fixtures/coverage (gcovr, lcov, c8, nyc, cargo-llvm-cov,
# coverage.py): every file record repeated under copyN/rI/ so all paths are distinct.
fx=tests/fixtures/coverage
python3 bench/make-coverage.py lcov "$work/big.info" "$mb" \
  $fx/lcov/lcov.info $fx/gcovr/gcovr.lcov $fx/c8/lcov.info $fx/nyc/lcov.info \
  $fx/cargo-llvm-cov/branch/lcov.info $fx/coveragepy/branch/coverage.lcov
python3 bench/make-coverage.py cobertura "$work/big.xml" "$mb" \
  $fx/gcovr/gcovr-cobertura.xml $fx/c8/cobertura-coverage.xml $fx/nyc/cobertura-coverage.xml \
  $fx/cargo-llvm-cov/branch/cobertura.xml $fx/coveragepy/branch/coverage.xml
ls -l "$work/big.info" "$work/big.xml" | awk '{printf "%s: %.1f MB\n", $9, $5/1048576}'
# The checkout: only its index matters (what `git ls-files` reads), so no file is written.
checkout_files="${CHECKOUT_FILES:-20000}"
git init -q "$work/checkout"
python3 bench/make-checkout.py "$checkout_files" "$work/big.info" "$work/big.xml" \
  | git -C "$work/checkout" update-index --add --index-info
echo "checkout: $(git -C "$work/checkout" ls-files | wc -l) tracked files"

# Written out and in the page cache before anything is timed.
sync
cat "$work/big.info" "$work/big.xml" >/dev/null

# decoder-ops runs outside any git repository (no path resolution against tracked files) and
# prints the totals (no --json: writing the per-file result is not part of reading a report);
# --min 0 makes it judge the total and nothing else.
cd "$work"
ours() { "$bin" coverage-check "$1" --min 0 --no-comment; }
lcov_summary() { lcov --summary "$1" --rc lcov_branch_coverage=1; }
pycob() { pycobertura show "$1"; }

echo "## what each prints"
echo "\$ decoder-ops coverage-check big.info --min 0"; ours "$work/big.info" | head -n 7
echo "\$ lcov --summary big.info"; lcov_summary "$work/big.info" 2>&1 | tail -n 4
echo "\$ decoder-ops coverage-check big.xml --min 0"; ours "$work/big.xml" | head -n 3
echo "\$ (in the checkout) decoder-ops coverage-check big.info --min 0"
(cd "$work/checkout" && ours "$work/big.info" | grep -A 12 'not found' | head -n 13)
echo "\$ pycobertura show big.xml"; pycob "$work/big.xml" | tail -n 1
lcov --version; pycobertura --help >/dev/null && python3 -c "import importlib.metadata as m; print('pycobertura', m.version('pycobertura'), 'lxml', m.version('lxml'))"
"$bin" --version

# Median wall time and median / largest peak RSS of N runs (GNU time: elapsed s, max KiB);
# the median is left in $median.
measure() {
  local runs="$1" name="$2"; shift 2
  : >"$work/runs"
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -o "$work/t" "$@" >/dev/null 2>&1
    cat "$work/t" >>"$work/runs"
  done
  local mid=$(( (runs + 1) / 2 ))
  local t m lo hi max
  t=$(cut -d' ' -f1 "$work/runs" | sort -n | sed -n "${mid}p")
  lo=$(cut -d' ' -f1 "$work/runs" | sort -n | head -n1)
  hi=$(cut -d' ' -f1 "$work/runs" | sort -n | tail -n1)
  m=$(cut -d' ' -f2 "$work/runs" | sort -n | sed -n "${mid}p")
  max=$(cut -d' ' -f2 "$work/runs" | sort -n | tail -n1)
  printf '%-40s median %s s (min %s, max %s)  peak RSS median %s KiB, max %s KiB\n' \
    "$name" "$t" "$lo" "$hi" "$m" "$max"
  median="$t"
}
# decoder-ops runs three times as often as the peers: its runs are short, and a median of more
# of them is steadier against other load on the machine.
ours_runs=$((runs * 3))
echo "## $runs runs each of the peers, $ours_runs of decoder-ops"
measure "$ours_runs" "decoder-ops coverage-check big.info" "$bin" coverage-check "$work/big.info" --min 0 --no-comment
ours_lcov="$median"
cd "$work/checkout"
measure "$ours_runs" "  the same, in the checkout" "$bin" coverage-check "$work/big.info" --min 0 --no-comment
ours_lcov_git="$median"
cd "$work"
measure "$runs" "lcov --summary big.info" lcov --summary "$work/big.info" --rc lcov_branch_coverage=1
peer_lcov="$median"
measure "$ours_runs" "decoder-ops coverage-check big.xml" "$bin" coverage-check "$work/big.xml" --min 0 --no-comment
ours_xml="$median"
cd "$work/checkout"
measure "$ours_runs" "  the same, in the checkout" "$bin" coverage-check "$work/big.xml" --min 0 --no-comment
ours_xml_git="$median"
cd "$work"
measure "$runs" "pycobertura show big.xml" "$(command -v pycobertura)" show "$work/big.xml"
peer_xml="$median"
awk -v a="$peer_lcov" -v b="$ours_lcov" -v c="$peer_xml" -v d="$ours_xml" -v e="$ours_lcov_git" -v f="$ours_xml_git" 'BEGIN {
  printf "## medians outside a checkout: %.1fx faster than lcov --summary, %.1fx faster than pycobertura show\n", a / b, c / d
  printf "## medians in the checkout:    %.1fx faster than lcov --summary, %.1fx faster than pycobertura show\n", a / e, c / f }'
cd "$repo"
