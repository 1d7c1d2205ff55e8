#!/usr/bin/env bash
# Tests scripts/action/install.sh against a fake release served over HTTPS on 127.0.0.1.
#
# A throwaway CA and server certificate are made with openssl; python3's http.server wrapped in
# ssl serves the release directory; curl trusts the CA through CURL_CA_BUNDLE. Cases:
#   1. good checksum   -> the archive is installed in the tool cache, on GITHUB_PATH, and runs
#   2. cached          -> a second run uses the tool cache without downloading
#   3. bad checksum    -> refused with a clear error, nothing installed
#   4. missing asset   -> falls back to a source build
#   5. branch ref      -> source build without any download; --resolve gives the cache key
#   6. `@v9`           -> the exact version from the action's Cargo.toml
#   7. Windows         -> the .zip archive, decoder-ops.exe
#   8. http:// base    -> refused (curl --proto '=https'), no fallback
#   9. server down     -> an error, not a silent source build
#  10. DECODER_OPS_ACT_BIN -> used under act (ACT=true) only; ignored on a real runner
# The source build is NOT run for real here (a release build takes minutes): a fake `cargo` on
# PATH records its arguments and writes a stand-in binary, and the test asserts it was called
# with `build --release --locked`. The real build is exercised by .github/workflows/selftest.yml.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

failures=0
pass() { printf 'ok   %s\n' "$1"; }
fail() {
  printf 'FAIL %s\n' "$1"
  failures=$((failures + 1))
}

# --- certificates -------------------------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=decoder-ops test CA" \
  -keyout "$work/ca.key" -out "$work/ca.pem" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
  -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$work/ext.cnf"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
  -CAcreateserial -days 2 -extfile "$work/ext.cnf" -out "$work/server.pem" 2>/dev/null

# --- fake release ---------------------------------------------------------------------------
version="v9.9.9"
target="x86_64-unknown-linux-musl"
asset="decoder-ops-${version}-${target}.tar.gz"
mkdir -p "$work/pkg" "$work/www/$version"
printf '#!/bin/sh\necho "decoder-ops 9.9.9 (fake release)"\n' >"$work/pkg/decoder-ops"
chmod +x "$work/pkg/decoder-ops"
tar -czf "$work/www/$version/$asset" -C "$work/pkg" decoder-ops
good_sum="$(sha256sum "$work/www/$version/$asset" | cut -d' ' -f1)"

# --- HTTPS server ---------------------------------------------------------------------------
cat >"$work/serve.py" <<'PY'
import functools, http.server, ssl, sys
root, cert, key, port_file = sys.argv[1:5]
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
handler = functools.partial(Quiet, directory=root)
httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
with open(port_file + ".tmp", "w") as f:
    f.write(str(httpd.server_address[1]))
import os; os.rename(port_file + ".tmp", port_file)
httpd.serve_forever()
PY
python3 "$work/serve.py" "$work/www" "$work/server.pem" "$work/server.key" "$work/port" &
server_pid=$!
for _ in $(seq 1 100); do [[ -s "$work/port" ]] && break; sleep 0.1; done
[[ -s "$work/port" ]] || { echo "FAIL https server did not start"; exit 1; }
base="https://127.0.0.1:$(cat "$work/port")"

# --- fake cargo -----------------------------------------------------------------------------
mkdir -p "$work/fakebin"
cat >"$work/fakebin/cargo" <<'SH'
#!/usr/bin/env bash
# Stand-in for cargo: records the call and writes a binary where cargo would.
printf '%s\n' "$*" >>"$FAKE_CARGO_LOG"
mkdir -p "$CARGO_TARGET_DIR/release"
printf '#!/bin/sh\necho "decoder-ops 0.0.0 (fake source build)"\n' >"$CARGO_TARGET_DIR/release/decoder-ops"
chmod +x "$CARGO_TARGET_DIR/release/decoder-ops"
SH
chmod +x "$work/fakebin/cargo"

# A copy of the action with the test's own committed checksums.
make_action() {
  local dir="$work/action-$1"
  mkdir -p "$dir/scripts/action" "$dir/checksums"
  cp "$repo/scripts/action/install.sh" "$dir/scripts/action/"
  cp "$repo/Cargo.toml" "$repo/Cargo.lock" "$dir/"
  printf '%s  %s\n' "$2" "$asset" >"$dir/checksums/$version.sha256"
  printf '%s' "$dir"
}

# run_install CASE ACTION_DIR REF -> sets rc, out (stdout+stderr); runner files in $work/CASE
run_install() {
  local case_dir="$work/run-$1"
  mkdir -p "$case_dir/temp"
  : >"$case_dir/output"
  : >"$case_dir/path"
  rc=0
  out="$(env -i PATH="$work/fakebin:$PATH" HOME="$HOME" \
    CURL_CA_BUNDLE="$work/ca.pem" \
    GITHUB_ACTION_PATH="$2" DECODER_OPS_ACTION_REF="$3" \
    DECODER_OPS_ACTION_REPO="acme/decoder-ops" DECODER_OPS_DOWNLOAD_BASE="${RUN_BASE:-$base}" \
    RUNNER_OS="${RUN_OS:-Linux}" RUNNER_ARCH=X64 RUNNER_TEMP="$case_dir/temp" \
    RUNNER_TOOL_CACHE="$work/toolcache-$1" GITHUB_OUTPUT="$case_dir/output" \
    GITHUB_PATH="$case_dir/path" FAKE_CARGO_LOG="$case_dir/cargo.log" \
    ACT="${RUN_ACT:-}" DECODER_OPS_ACT_BIN="${RUN_ACT_BIN:-}" \
    bash "$2/scripts/action/install.sh" 2>&1)" || rc=$?
}
bin_of() { sed -n 's/^bin=//p' "$work/run-$1/output" | tail -n 1; }

# 1. good checksum
good="$(make_action good "$good_sum")"
run_install good "$good" "$version"
bin="$(bin_of good)"
if [[ $rc -eq 0 && -x "$bin" && "$("$bin" --version)" == *"fake release"* \
  && "$bin" == "$work/toolcache-good/decoder-ops/9.9.9/x64/decoder-ops" \
  && -f "$work/toolcache-good/decoder-ops/9.9.9/x64.complete" \
  && "$(cat "$work/run-good/path")" == "$(dirname "$bin")" \
  && ! -e "$work/run-good/cargo.log" && "$out" == *"sha256 verified"* ]]; then
  pass "good checksum: installed in the tool cache and runs"
else
  fail "good checksum (rc=$rc, bin=$bin): $out"
fi

# 2. second run hits the tool cache (the server's copy is gone, so a download would fail)
mv "$work/www/$version/$asset" "$work/asset.bak"
run_install good "$good" "$version"
if [[ $rc -eq 0 && "$out" == *"found in the tool cache"* && "$(bin_of good)" == "$bin" ]]; then
  pass "second run uses the tool cache"
else
  fail "tool cache (rc=$rc): $out"
fi
mv "$work/asset.bak" "$work/www/$version/$asset"

# 3. bad checksum
bad="$(make_action bad "$(printf '0%.0s' $(seq 1 64))")"
run_install bad "$bad" "$version"
if [[ $rc -ne 0 && "$out" == *"checksum mismatch for $asset"* && "$out" == *"refused"* \
  && ! -e "$work/toolcache-bad/decoder-ops/9.9.9/x64/decoder-ops" \
  && ! -s "$work/run-bad/path" && ! -e "$work/run-bad/cargo.log" ]]; then
  pass "bad checksum refused, nothing installed"
else
  fail "bad checksum (rc=$rc): $out"
fi

# 4. asset missing on the server (404) -> source build
missing="$(make_action missing "$good_sum")"
rm "$work/www/$version/$asset"
run_install missing "$missing" "$version"
bin="$(bin_of missing)"
if [[ $rc -eq 0 && "$(cat "$work/run-missing/cargo.log" 2>/dev/null)" == "build --release --locked --manifest-path $missing/Cargo.toml --bin decoder-ops" \
  && "$out" == *"HTTP 404"* && "$("$bin" --version)" == *"fake source build"* \
  && "$bin" == "$work/run-missing/temp/decoder-ops-bin/decoder-ops" ]]; then
  pass "missing asset falls back to cargo build --release --locked"
else
  fail "missing asset (rc=$rc): $out; cargo: $(cat "$work/run-missing/cargo.log" 2>/dev/null)"
fi

# 5. a branch ref never downloads; --resolve reports the source mode and the cache key
run_install branch "$good" "main"
if [[ $rc -eq 0 && "$out" == *"is not a release"* && -s "$work/run-branch/cargo.log" ]]; then
  pass "branch ref builds from source"
else
  fail "branch ref (rc=$rc): $out"
fi
: >"$work/run-branch/output"
env -i PATH="$PATH" GITHUB_ACTION_PATH="$good" DECODER_OPS_ACTION_REF=main RUNNER_OS=Linux \
  RUNNER_ARCH=X64 RUNNER_TEMP="$work/run-branch/temp" GITHUB_OUTPUT="$work/run-branch/output" \
  bash "$good/scripts/action/install.sh" --resolve
lock_sum="$(sha256sum "$repo/Cargo.lock" | cut -d' ' -f1)"
if grep -qx 'mode=source' "$work/run-branch/output" \
  && grep -qx "cache-key=decoder-ops-cargo-Linux-X64-$lock_sum" "$work/run-branch/output"; then
  pass "--resolve: source mode, cache key on Cargo.lock's hash"
else
  fail "--resolve output: $(cat "$work/run-branch/output")"
fi

# 6. a moving major tag resolves to the exact version in the action's Cargo.toml
major="$(make_action major "$good_sum")"
sed -i 's/^version = ".*"/version = "9.9.9"/' "$major/Cargo.toml"
: >"$work/run-branch/output"
env -i PATH="$PATH" GITHUB_ACTION_PATH="$major" DECODER_OPS_ACTION_REF=v9 RUNNER_OS=Linux \
  RUNNER_ARCH=X64 RUNNER_TEMP="$work/run-branch/temp" GITHUB_OUTPUT="$work/run-branch/output" \
  bash "$major/scripts/action/install.sh" --resolve
if grep -qx 'mode=download' "$work/run-branch/output" && grep -qx "version=$version" "$work/run-branch/output"; then
  pass "@v9 resolves to $version from Cargo.toml"
else
  fail "major tag: $(cat "$work/run-branch/output")"
fi

# 7. Windows: a .zip holding decoder-ops.exe (a shell script stands in for the executable)
win_asset="decoder-ops-${version}-x86_64-pc-windows-msvc.zip"
mkdir -p "$work/winpkg"
cp "$work/pkg/decoder-ops" "$work/winpkg/decoder-ops.exe"
(cd "$work/winpkg" && python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1], "w"); z.write("decoder-ops.exe"); z.close()' "$work/www/$version/$win_asset")
win="$(make_action win "$(sha256sum "$work/www/$version/$win_asset" | cut -d' ' -f1)")"
printf '%s  %s\n' "$(sha256sum "$work/www/$version/$win_asset" | cut -d' ' -f1)" "$win_asset" >"$win/checksums/$version.sha256"
RUN_OS=Windows run_install win "$win" "$version"
bin="$(bin_of win)"
if [[ $rc -eq 0 && "$bin" == */decoder-ops/9.9.9/x64/decoder-ops.exe && "$("$bin" --version)" == *"fake release"* ]]; then
  pass "windows: zip archive verified and installed as decoder-ops.exe"
else
  fail "windows zip (rc=$rc, bin=$bin): $out"
fi

# 8. plain http is refused by curl (--proto '=https'): no download, no fallback build
tar -czf "$work/www/$version/$asset" -C "$work/pkg" decoder-ops
RUN_BASE="http://127.0.0.1:$(cat "$work/port")" run_install http "$good" "$version"
if [[ $rc -ne 0 && "$out" == *"download of http://"*"failed"* && ! -e "$work/run-http/cargo.log" ]]; then
  pass "plain http base refused"
else
  fail "http base (rc=$rc): $out"
fi

# 9. a server that cannot be reached is an error, not a silent source build
RUN_BASE="https://127.0.0.1:1" run_install down "$good" "$version"
if [[ $rc -ne 0 && "$out" == *"failed (curl exit"* && ! -e "$work/run-down/cargo.log" ]]; then
  pass "unreachable server is an error"
else
  fail "unreachable server (rc=$rc): $out"
fi

# 10. the act test's prebuilt binary: honoured only when ACT=true, ignored otherwise
printf '#!/bin/sh\necho "decoder-ops 0.0.0 (prebuilt for act)"\n' >"$work/prebuilt"
chmod +x "$work/prebuilt"
RUN_ACT=true RUN_ACT_BIN="$work/prebuilt" run_install act "$good" "main"
bin="$(bin_of act)"
if [[ $rc -eq 0 && "$("$bin" --version)" == *"prebuilt for act"* && ! -e "$work/run-act/cargo.log" ]]; then
  pass "DECODER_OPS_ACT_BIN is used under act, without a build"
else
  fail "DECODER_OPS_ACT_BIN under act (rc=$rc): $out"
fi
RUN_ACT_BIN="$work/prebuilt" run_install noact "$good" "main"
bin="$(bin_of noact)"
if [[ $rc -eq 0 && "$("$bin" --version)" == *"fake source build"* && -s "$work/run-noact/cargo.log" ]]; then
  pass "DECODER_OPS_ACT_BIN is ignored outside act"
else
  fail "DECODER_OPS_ACT_BIN outside act (rc=$rc): $out"
fi

if [[ $failures -ne 0 ]]; then
  echo "$failures install test(s) failed"
  exit 1
fi
echo "all install tests passed"
