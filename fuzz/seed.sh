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
    istanbul_json) find $fx/coverage -name 'coverage-final.json' ;;
    clover) find $fx/coverage -name 'clover.xml' ;;
    simplecov) find $fx/coverage/simplecov -name 'resultset.json' ;;
    gcovr_json) find $fx/coverage/gcovr -name 'gcovr.json' ;;
    opencover) find $fx/coverage/dotnet -name 'opencover.xml' ;;
    detect) for t in lcov cobertura jacoco llvm_json go coveragepy_json istanbul istanbul_json clover simplecov gcovr_json opencover; do seeds $t; done ;;
    junit) find $fx/junit -name '*.xml' ;;
    # The first byte picks the format (0 NUnit, 1 xUnit.net, 2 TRX); see the target.
    dotnet_tests) find $fx/junit/dotnet -name '*.xml' -o -name '*.trx' ;;
    sarif) find $fx/sarif -name '*.sarif' ;;
    k6) find $fx/perf/k6 -name '*.json' ;;
    audit_npm) find $fx/audit/npm-audit -maxdepth 1 -name '*.json' ;;
    audit_cargo) find $fx/audit/cargo-audit -maxdepth 1 -name '*.json' ;;
    audit_pip) find $fx/audit/pip-audit -maxdepth 1 -name '*.json' ;;
    audit_trivy) find $fx/audit/trivy -maxdepth 1 -name '*.json' ;;
    *) echo "unknown target $1" >&2; return 1 ;;
  esac
}

all="lcov cobertura jacoco llvm_json go coveragepy_json istanbul istanbul_json clover simplecov gcovr_json opencover detect junit dotnet_tests sarif k6 audit_npm audit_cargo audit_pip audit_trivy"
for t in ${@:-$all}; do
  mkdir -p "fuzz/corpus/$t"
  seeds "$t" | while read -r f; do
    out="fuzz/corpus/$t/seed-$(echo "$f" | tr '/' '_')"
    case "$t:$f" in
      dotnet_tests:*nunit3*) { printf '\0'; cat "$f"; } >"$out" ;;
      dotnet_tests:*xunit2*) { printf '\1'; cat "$f"; } >"$out" ;;
      dotnet_tests:*) { printf '\2'; cat "$f"; } >"$out" ;;
      *) cp "$f" "$out" ;;
    esac
  done
  # Inputs that once failed stay in every corpus (see docs/fuzzing.md).
  if [ -d "fuzz/regressions/$t" ]; then cp fuzz/regressions/"$t"/* "fuzz/corpus/$t/"; fi
done
