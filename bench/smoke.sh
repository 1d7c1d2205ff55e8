#!/usr/bin/env bash
# Benchmark: `decoder-ops smoke` running 1,000 checks against a local nginx at concurrency 50,
# side by side with the seed approach (a sequential `curl -f` loop) and `xargs -P 50 curl`;
# then the per-check timing against a server that waits a known time before answering.
#
# Needs: nginx (nginx-light), hyperfine, curl, python3 (Debian packages). Installs the first three
# when missing. Usage: bash bench/smoke.sh   (results on stdout; copy into docs/benchmarks.md)
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
if ! need nginx || ! need hyperfine || ! need curl; then
  apt-get update -qq && apt-get install -y -qq nginx-light hyperfine curl >/dev/null
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
wait_port() { for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1$2" && return 0; sleep 0.05; done; echo "port $1 not up" >&2; exit 1; }

# The delay server: answers `/delay?ms=N&n=I` after sleeping N ms, and logs how long it really
# held request I by its own clock (sleep overshoot included), so the check's timing is compared
# with what the server did, not only with what it was asked to do. Nagle's algorithm is off:
# with it, the body (sent after the headers) waits for the client's delayed ACK, about 40 ms.
delay_port="$(free_port)"
cat > "$work/delay.py" <<'PY'
import http.server, sys, time, urllib.parse
log = open(sys.argv[2], "a", buffering=1)
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    def do_GET(self):
        t0 = time.perf_counter()
        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        time.sleep(int(q.get("ms", ["0"])[0]) / 1000)
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        log.write(f"{q.get('n', ['-'])[0]} {(time.perf_counter() - t0) * 1000:.3f}\n")
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
python3 "$work/delay.py" "$delay_port" "$work/held.log" & pids+=($!)

port="$(free_port)"
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<EOF
worker_processes 1;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work/nginx/client_body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    keepalive_requests 100000;
    server {
        listen 127.0.0.1:$port;
        location = /health { return 200 "ok"; }
    }
}
EOF
"$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" \
  -g "daemon off; pid $work/nginx/nginx.pid; error_log stderr;" & pids+=($!)
wait_port "$port" /health
wait_port "$delay_port" /delay

url="http://127.0.0.1:$port/health"
{
  printf 'environments:\n  bench:\n    base-url: http://127.0.0.1:%s\nchecks:\n' "$port"
  for i in $(seq -w 1 1000); do printf '  - name: health-%s\n    url: "{base-url}/health"\n' "$i"; done
} > "$work/checks.yml"

echo "## versions"
"$bin" --version
"$nginx_bin" -v 2>&1
curl --version | head -n1
hyperfine --version
echo "cores: $(nproc)"

echo "## 1,000 checks of $url"
hyperfine -N --warmup 2 --runs 10 \
  -n "decoder-ops smoke (1,000 checks, --concurrency 50)" \
  "$bin --config $work/checks.yml smoke --env bench --concurrency 50 --json $work/result.json"
hyperfine --warmup 1 --runs 10 \
  -n "xargs -P 50 curl -f (1,000 requests)" \
  "seq 1000 | xargs -P 50 -I{} curl -fsS -o /dev/null $url"
hyperfine --warmup 1 --runs 3 \
  -n "sequential curl -f loop (1,000 requests)" \
  "for i in \$(seq 1000); do curl -fsS -o /dev/null $url || exit 1; done"
python3 - "$work/result.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["stats"]
print(f"decoder-ops last run: {s['passed']}/{s['total']} passed, run {r['elapsed_ms']:.1f} ms, "
      f"per check p50 {s['p50_ms']:.2f} ms, p95 {s['p95_ms']:.2f} ms, max {s['max_ms']:.2f} ms")
PY

echo "## per-check timing vs injected server delay"
for ms in 50 200 1000; do
  : > "$work/held.log"
  {
    printf 'checks:\n'
    for i in $(seq -w 1 20); do
      printf '  - name: "%s"\n    url: http://127.0.0.1:%s/delay?ms=%s&n=%s\n' "$i" "$delay_port" "$ms" "$i"
    done
  } > "$work/delay.yml"
  "$bin" --config "$work/delay.yml" smoke --concurrency 1 --json "$work/delay.json" > /dev/null
  python3 - "$work/delay.json" "$ms" "$work/held.log" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); delay = int(sys.argv[2])
held = dict(line.split() for line in open(sys.argv[3]))
vs_delay = [c["timings"]["total_ms"] - delay for c in r["checks"]]
vs_held = [c["timings"]["total_ms"] - float(held[c["name"]]) for c in r["checks"]]
fmt = lambda xs: f"min {min(xs):.2f}, mean {sum(xs)/len(xs):.2f}, max {max(xs):.2f} ms"
print(f"delay {delay:>4} ms, 20 checks: total_ms - injected delay: {fmt(vs_delay)}; "
      f"total_ms - server-measured hold: {fmt(vs_held)}; "
      f"all within 5 ms of the injected delay: {all(0 <= d <= 5 for d in vs_delay)}")
PY
done
