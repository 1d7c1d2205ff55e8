#!/usr/bin/env bash
# Tests scripts/action/run.sh with a stand-in binary that records its argv: `args` lines become
# separate arguments untouched by any shell, `--json` is added where the subcommand takes it,
# and `exit-code`/`result` are outputs even when the command fails.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0
check() {
  if [[ "$2" == "$3" ]]; then
    printf 'ok   %s\n' "$1"
  else
    printf 'FAIL %s\n  expected: %q\n  actual:   %q\n' "$1" "$3" "$2"
    failures=$((failures + 1))
  fi
}

cat >"$work/fake" <<'SH'
#!/usr/bin/env bash
# Records one argument per line, then behaves as FAKE_MODE says.
printf '%s\n' "$@" >"$FAKE_ARGV"
pwd >"$FAKE_ARGV.pwd"
case "${FAKE_MODE:-ok}" in
  ok)
    for ((i = 1; i <= $#; i++)); do
      if [[ "${!i}" == --json ]]; then j=$((i + 1)); printf '{"verdict":"pass"}\n' >"${!j}"; fi
    done
    printf 'verdict=pass\n' >>"$GITHUB_OUTPUT" ;;
  usage) exit 2 ;;
esac
SH
chmod +x "$work/fake"

run() { # run MODE COMMAND ARGS [CONFIG] [WORKDIR]
  : >"$work/output"
  rc=0
  env -i PATH="$PATH" DECODER_OPS_BIN="$work/fake" FAKE_ARGV="$work/argv" FAKE_MODE="$1" \
    DECODER_OPS_COMMAND="$2" DECODER_OPS_ARGS="$3" DECODER_OPS_CONFIG="${4:-}" \
    DECODER_OPS_WORKING_DIRECTORY="${5:-}" RUNNER_TEMP="$work" GITHUB_OUTPUT="$work/output" \
    bash "$repo/scripts/action/run.sh" >/dev/null 2>&1 || rc=$?
}

hostile=$'--text\n$(touch pwned) `id` "quoted" \'single\' ; touch pwned &&\n\n--field\nname=a b  c\r'
run ok notify "$hostile" cfg.yml "$work"
check "args: one argument per line, no shell evaluation" "$(cat "$work/argv")" \
  "$(printf '%s\n' --config cfg.yml notify --json "$work/decoder-ops-notify.json" --text \
    "\$(touch pwned) \`id\` \"quoted\" 'single' ; touch pwned &&" --field 'name=a b  c')"
check "nothing was executed from the arguments" "$(find "$work" -name pwned | wc -l | tr -d " ")" "0"
check "working-directory honoured" "$(cat "$work/argv.pwd")" "$work"
check "outputs on success" "$(cat "$work/output")" \
  "$(printf 'verdict=pass\nexit-code=0\nresult=%s\n' "$work/decoder-ops-notify.json")"

run usage smoke $'--env\nstaging'
check "exit code passed through" "$rc" "2"
check "outputs on failure" "$(grep -E '^(exit-code|result|verdict)=' "$work/output")" \
  "$(printf 'verdict=error\nexit-code=2\nresult=%s\n' "$work/decoder-ops-smoke.json")"
check "a result file exists even when the command wrote none" \
  "$(grep -c '"verdict": "error"' "$work/decoder-ops-smoke.json")" "1"

run ok config $'check\n.github/decoder-ops.yml'
check "config check gets --json after check" "$(cat "$work/argv")" \
  "$(printf '%s\n' config check --json "$work/decoder-ops-config.json" .github/decoder-ops.yml)"
run ok config schema
check "config schema has no --json" "$(cat "$work/argv")" "$(printf '%s\n' config schema)"

run ok quality-gate $'--json\nmine.json' "" "$work"
check "a caller's own --json is kept and reported" "$(grep '^result=' "$work/output")" \
  "result=$work/mine.json"

run ok 'notify; id' ""
check "unknown command refused with exit 2" "$rc" "2"

if [[ $failures -ne 0 ]]; then
  echo "$failures run test(s) failed"
  exit 1
fi
echo "all run tests passed"
