#!/usr/bin/env bash
# Builds one release target and packages it as the action's install script expects:
#   dist/decoder-ops-<version>-<target>.tar.gz  (the binary at the archive root)
#   dist/decoder-ops-<version>-<target>.zip     (Windows)
# Environment: TARGET (a Rust target triple), VERSION (the tag, e.g. v0.2.0). Used by
# .github/workflows/release.yml on each runner of the build matrix.
set -euo pipefail
: "${TARGET:?TARGET is required}" "${VERSION:?VERSION is required}"
cd "$(dirname "$0")/../.."

case "$TARGET" in
  *-linux-musl)
    sudo apt-get update -qq
    sudo apt-get install -y -qq musl-tools
    ;;
esac
rustup target add "$TARGET"
# `decoder-ops init` pins the action to the commit its release was built from.
DECODER_OPS_RELEASE_COMMIT="$(git rev-parse HEAD)" cargo build --release --locked --target "$TARGET" --bin decoder-ops

name="decoder-ops-${VERSION}-${TARGET}"
mkdir -p dist
if [[ "$TARGET" == *windows* ]]; then
  7z a -tzip "dist/$name.zip" "./target/$TARGET/release/decoder-ops.exe" >/dev/null
else
  tar -czf "dist/$name.tar.gz" -C "target/$TARGET/release" decoder-ops
fi
ls -l dist
