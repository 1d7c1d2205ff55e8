#!/usr/bin/env bash
# Benchmark: one `decoder-ops health-monitor` run with 200 HTTP checks against a local nginx and
# 20 PromQL metric checks against a local Prometheus (Debian packages), state in a file, no
# notifications. The target: the whole run in under 2 s (issue: health-monitor, acceptance 6).
#
# Needs: nginx (nginx-light), prometheus, hyperfine, python3. Installs the first three when
# missing. Usage: bash bench/monitor.sh   (results on stdout; copy into docs/benchmarks.md)
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
if ! need nginx || ! need prometheus || ! need hyperfine; then
  apt-get update -qq && apt-get install -y -qq --no-install-recommends nginx-light prometheus hyperfine >/dev/null
fi
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"

cargo build --release --locked --quiet
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/decoder-ops"

work="$(mktemp -d)"
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
ready() { python3 - "$1" <<'PY'
import sys, time, urllib.request
for _ in range(400):
    try:
        urllib.request.urlopen(sys.argv[1], timeout=1); sys.exit(0)
    except Exception:
        time.sleep(0.05)
sys.exit(1)
PY
}

port="$(free_port)"
mkdir -p "$work/nginx"
printf 'http_requests_total{code="200"} 990\nhttp_requests_total{code="500"} 10\n' > "$work/metrics.txt"
chmod 644 "$work/metrics.txt"
cat > "$work/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fcgi; uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$port;
    location /health/ { default_type application/json; return 200 '{"status":"ok"}'; }
    location = /metrics { default_type text/plain; alias $work/metrics.txt; }
  }
}
EOF
"$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' & pids+=($!)
ready "http://127.0.0.1:$port/health/0"

prom_port="$(free_port)"
cat > "$work/prometheus.yml" <<EOF
global: {scrape_interval: 1s}
scrape_configs:
  - job_name: app
    static_configs: [{targets: ["127.0.0.1:$port"]}]
EOF
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" >/dev/null 2>&1 & pids+=($!)
ready "http://127.0.0.1:$prom_port/-/ready"
sleep 6 # a few scrapes, so the 2-second baseline offset has data

{
  echo "environments:"
  echo "  production: {base-url: \"http://127.0.0.1:$port\"}"
  echo "checks:"
  for i in $(seq 0 199); do
    echo "  - {name: check-$i, url: \"{base-url}/health/$i\", assert: [{jsonpath: {path: \$.status, equals: ok}}]}"
  done
  echo "monitor:"
  echo "  prometheus: {url: \"http://127.0.0.1:$prom_port\"}"
  echo "  metrics:"
  for i in $(seq 0 19); do
    echo "    - {name: metric-$i, query: 'sum(http_requests_total{code=\"500\"}) / sum(http_requests_total) + $i', critical: \"> 100\"}"
  done
} > "$work/decoder-ops.yml"

"$bin" config check --no-env "$work/decoder-ops.yml" >/dev/null
run=("$bin" -q health-monitor --config "$work/decoder-ops.yml" --state "file:$work/state.json" --no-notify --json "$work/result.json")
"${run[@]}" >/dev/null
python3 - "$work/result.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
kinds = {}
for c in r["checks"]:
    kinds.setdefault(c["kind"], []).append(c["health"])
print("checks:", {k: (len(v), sorted(set(v))) for k, v in kinds.items()}, "verdict:", r["verdict"], [c["detail"] for c in r["checks"] if c["kind"] == "metric"][:1])
assert len(kinds["http"]) == 200 and len(kinds["metric"]) == 20, kinds
assert set(kinds["http"]) == {"up"} and set(kinds["metric"]) == {"up"}, kinds
PY
echo "decoder-ops $("$bin" --version | cut -d' ' -f2), nginx $("$nginx_bin" -v 2>&1 | cut -d/ -f2), $(prometheus --version 2>&1 | head -n1 | cut -d' ' -f1-3), $(nproc) cores"
hyperfine --warmup 2 --runs 15 --export-markdown "$work/monitor.md" \
  -n "health-monitor: 200 HTTP + 20 PromQL metric checks" "${run[*]} > /dev/null"
cat "$work/monitor.md"
/usr/bin/time -f 'peak RSS %M KiB, %e s' "${run[@]}" > /dev/null
