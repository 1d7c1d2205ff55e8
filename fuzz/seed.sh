#!/usr/bin/env bash
# Copies the real reports under tests/fixtures (and past findings from fuzz/regressions) into
# fuzz/corpus/<target>/ as seed inputs.
# Usage: fuzz/seed.sh [target...]   (all targets when none is given)
set -euo pipefail
cd "$(dirname "$0")/.."
fx=tests/fixtures

seeds() {
  case "$1" in
    lcov) find $fx/coverage -name '*.info' -o -name '*.lcov' ;;
    cobertura) find $fx/coverage -name '*cobertura*.xml' -o -name 'coverage.xml' ;;
    jacoco) find $fx/coverage/jacoco -name '*.xml' ;;
    llvm_json) find $fx/coverage/cargo-llvm-cov -name 'llvm-cov*.json' ;;
    go) find $fx/coverage/go -name '*.out' ;;
    coveragepy_json) find $fx/coverage/coveragepy -name 'coverage.json' ;;
    istanbul) find $fx/coverage -name 'coverage-summary.json' ;;
    detect) for t in lcov cobertura jacoco llvm_json go coveragepy_json istanbul; do seeds $t; done ;;
    junit) find $fx/junit -name '*.xml' ;;
    sarif) find $fx/sarif -name '*.sarif' ;;
    k6) find $fx/perf/k6 -name '*.json' ;;
    audit_npm) find $fx/audit/npm-audit -maxdepth 1 -name '*.json' ;;
    audit_cargo) find $fx/audit/cargo-audit -maxdepth 1 -name '*.json' ;;
    audit_pip) find $fx/audit/pip-audit -maxdepth 1 -name '*.json' ;;
    audit_trivy) find $fx/audit/trivy -maxdepth 1 -name '*.json' ;;
    *) echo "unknown target $1" >&2; return 1 ;;
  esac
}

all="lcov cobertura jacoco llvm_json go coveragepy_json istanbul detect junit sarif k6 audit_npm audit_cargo audit_pip audit_trivy"
for t in ${@:-$all}; do
  mkdir -p "fuzz/corpus/$t"
  seeds "$t" | while read -r f; do
    cp "$f" "fuzz/corpus/$t/seed-$(echo "$f" | tr '/' '_')"
  done
  # Inputs that once failed stay in every corpus (see docs/fuzzing.md).
  if [ -d "fuzz/regressions/$t" ]; then cp fuzz/regressions/"$t"/* "fuzz/corpus/$t/"; fi
done
