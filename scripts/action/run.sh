#!/usr/bin/env bash
# Runs one decoder-ops subcommand for the composite action (action.yml).
#
# Every input arrives through the environment; `args` is split on newlines into a bash array and
# passed as separate arguments, so nothing a workflow passes is ever parsed by a shell. The result
# JSON path and the exit code are step outputs even when the command fails; the step then exits
# with the command's own code.
#
#   DECODER_OPS_BIN                the binary (from the install step; default: decoder-ops on PATH)
#   DECODER_OPS_COMMAND            subcommand (input `command`)
#   DECODER_OPS_ARGS               newline-separated extra arguments (input `args`)
#   DECODER_OPS_CONFIG             config file (input `config`), optional
#   DECODER_OPS_WORKING_DIRECTORY  where to run (input `working-directory`), optional
#   RUNNER_TEMP, GITHUB_OUTPUT
set -euo pipefail

bin="${DECODER_OPS_BIN:-decoder-ops}"
command="${DECODER_OPS_COMMAND:-}"
output_file="${GITHUB_OUTPUT:-/dev/null}"

fail_usage() {
  printf '::error title=decoder-ops::%s\n' "$1" >&2
  printf 'exit-code=2\nverdict=error\n' >>"$output_file"
  exit 2
}

case "$command" in
  notify | config | init | coverage-check | quality-gate | smoke | health-monitor) ;;
  "") fail_usage "input \`command\` is required (notify, coverage-check, quality-gate, smoke, health-monitor, config, init)" ;;
  *) fail_usage "unknown command \`${command//[^A-Za-z0-9_-]/?}\`: use notify, coverage-check, quality-gate, smoke, health-monitor, config or init" ;;
esac

if [[ -n "${DECODER_OPS_WORKING_DIRECTORY:-}" ]]; then
  cd -- "$DECODER_OPS_WORKING_DIRECTORY" ||
    fail_usage "working-directory \`$DECODER_OPS_WORKING_DIRECTORY\` does not exist"
fi

# One argument per line, exactly as written (a trailing CR from a Windows editor is dropped);
# empty lines are ignored.
args=()
while IFS= read -r line || [[ -n "$line" ]]; do
  line="${line%$'\r'}"
  [[ -n "$line" ]] && args+=("$line")
done <<<"${DECODER_OPS_ARGS:-}"

result="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/decoder-ops-${command}.json"
user_json=false
for a in ${args[@]+"${args[@]}"}; do
  [[ "$a" == "--" ]] && break
  if [[ "$a" == "--json" || "$a" == --json=* ]]; then
    user_json=true
  fi
done

cmd=("$bin")
if [[ -n "${DECODER_OPS_CONFIG:-}" ]]; then
  cmd+=(--config "$DECODER_OPS_CONFIG")
fi
cmd+=("$command")
if [[ "$command" == "config" ]]; then
  # `config check` writes a result; `config schema` has none.
  if [[ "${args[0]:-}" == "check" ]]; then
    cmd+=(check)
    args=(${args[@]+"${args[@]:1}"})
    if [[ "$user_json" == false ]]; then cmd+=(--json "$result"); fi
  else
    result=""
  fi
elif [[ "$user_json" == false ]]; then
  cmd+=(--json "$result")
fi
if [[ "$user_json" == true ]]; then
  # The caller chose the result path; report that one.
  for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[i]}" in
      --json) result="${args[i + 1]:-}" ;;
      --json=*) result="${args[i]#--json=}" ;;
    esac
  done
  [[ "$result" == "-" || -z "$result" ]] && result=""
  [[ -n "$result" && "$result" != /* ]] && result="$PWD/$result"
fi
# `${a[@]+…}` keeps bash 3.2 (macOS) happy with an empty array under `set -u`.
cmd+=(${args[@]+"${args[@]}"})

if [[ -n "$result" ]]; then rm -f -- "$result"; fi
status=0
"${cmd[@]}" || status=$?

if [[ -n "$result" && ! -s "$result" ]]; then
  # The command stopped before writing its result (e.g. a usage error caught by the argument
  # parser): write a minimal one so `result` always names a readable file.
  printf '{\n  "schema": "decoder-ops/%s/v1",\n  "command": "%s",\n  "verdict": "error",\n  "exit_code": %d,\n  "error": "decoder-ops exited with code %d before writing a result; see the step log"\n}\n' \
    "$command" "$command" "$status" "$status" >"$result"
  printf 'verdict=error\n' >>"$output_file"
fi
{
  printf 'exit-code=%d\n' "$status"
  printf 'result=%s\n' "$result"
} >>"$output_file"
exit "$status"
