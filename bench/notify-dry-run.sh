#!/usr/bin/env bash
# Benchmark: `decoder-ops notify --dry-run` against a Node.js notifier doing the same work
# (load @slack/webhook, build the Block Kit payload from the same inputs, print it, send nothing),
# which is what a JavaScript action such as slackapi/slack-github-action does at startup.
#
# Needs: hyperfine and GNU time (Debian packages), node + npm. Installs them when missing.
# Usage: bash bench/notify-dry-run.sh        (results go to stdout; copy into docs/benchmarks.md)
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1; }
if ! need hyperfine || [ ! -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq hyperfine time >/dev/null
fi

cargo build --release --locked --quiet
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/decoder-ops"

peer="$(mktemp -d)"
trap 'rm -rf "$peer"' EXIT
(cd "$peer" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund @slack/webhook@7 >/dev/null)
cat > "$peer/notify.js" <<'JS'
// The same job as `decoder-ops notify --dry-run`: load the Slack client, read the text,
// build the Block Kit payload, print it.
const { IncomingWebhook } = require('@slack/webhook');
const fs = require('fs');
const text = fs.readFileSync(process.argv[2], 'utf8');
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const webhook = new IncomingWebhook(process.env.SLACK_WEBHOOK || 'https://hooks.slack.com/services/T-EXAMPLE/B-EXAMPLE/not-a-real-token');
const payload = {
  text: esc('✅ Deploy to staging succeeded'),
  attachments: [{ color: '#2eb886', blocks: [
    { type: 'header', text: { type: 'plain_text', text: 'Deploy to staging succeeded' } },
    { type: 'section', text: { type: 'mrkdwn', text: esc(text).slice(0, 3000) } },
    { type: 'section', fields: [{ type: 'mrkdwn', text: '*Environment*\nstaging' }] },
  ] }],
};
void webhook;
process.stdout.write(JSON.stringify(payload, null, 2) + '\n');
JS

ours=("$bin" notify --dry-run --config examples/decoder-ops.yml --channel deploys --event deploy --status success --environment staging --text-file examples/commit-message.txt)
theirs=(node "$peer/notify.js" examples/commit-message.txt)

echo "## versions"
"$bin" --version
echo "node $(node --version), @slack/webhook $(node -p "require('$peer/node_modules/@slack/webhook/package.json').version")"
hyperfine --version

echo "## wall time"
hyperfine -N --warmup 10 --runs 100 \
  -n "decoder-ops notify --dry-run" "$(printf '%q ' "${ours[@]}")" \
  -n "node + @slack/webhook (same payload)" "$(printf '%q ' "${theirs[@]}")"

peak() { # max RSS in KiB over 20 runs
  local max=0 rss
  for _ in $(seq 20); do
    rss=$(/usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -n1)
    [ "$rss" -gt "$max" ] && max=$rss
  done
  echo "$max"
}
echo "## peak memory (max RSS over 20 runs)"
echo "decoder-ops: $(peak "${ours[@]}") KiB"
echo "node + @slack/webhook: $(peak "${theirs[@]}") KiB"
