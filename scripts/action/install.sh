#!/usr/bin/env bash
# Installs the decoder-ops binary for the composite action (action.yml).
#
#   install.sh --resolve   decide how to install and print step outputs (for the cache step)
#   install.sh             install: a verified release binary, else a build from source
#
# A release binary is used only when the action's version names a release AND this repository
# has the archive's SHA-256 committed under checksums/<version>.sha256: the checksum never comes
# from the server that serves the archive, so a tampered release asset is refused. Anything else
# (a branch, a commit SHA, `uses: ./`, an asset that is not there) builds the action's own source
# with `cargo build --release --locked`.
#
# Inputs (environment only; action.yml maps every input through `env:`):
#   GITHUB_ACTION_PATH        the action's checkout (required)
#   DECODER_OPS_VERSION       explicit version (input `version`), e.g. v0.2.0; default: the ref
#   DECODER_OPS_ACTION_REF    the action's own ref (github.action_ref)
#   DECODER_OPS_ACTION_REPO   owner/name of the action (github.action_repository)
#   DECODER_OPS_DOWNLOAD_BASE release download base URL (tests point it at a local server)
#   DECODER_OPS_ACT_BIN       test-only: an already built binary to use instead of installing
#                             one. Honoured only under nektos/act (ACT=true, which act sets and
#                             GitHub's runners never do), so `.ci/run` can run the templates
#                             without a release build inside act; ignored everywhere else.
#   RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, RUNNER_TOOL_CACHE, GITHUB_OUTPUT, GITHUB_PATH
set -euo pipefail

action_path="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: run this from action.yml}"
runner_temp="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
output_file="${GITHUB_OUTPUT:-/dev/null}"

die() {
  printf '::error title=decoder-ops install::%s\n' "$*" >&2
  exit 1
}
note() { printf '%s\n' "$*" >&2; }

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

# The ref the action runs at: explicit input, else github.action_ref, else the last component
# of the runner's action checkout path (`.../_actions/<owner>/<repo>/<ref>`).
action_ref() {
  if [[ -n "${DECODER_OPS_ACTION_REF:-}" ]]; then
    printf '%s' "$DECODER_OPS_ACTION_REF"
  elif [[ "$action_path" == */_actions/*/*/* ]]; then
    printf '%s' "${action_path##*/}"
  fi
}

# The package version in the action's own Cargo.toml (first `version = "…"` line).
cargo_version() {
  sed -n 's/^version *= *"\([^"]*\)".*/\1/p' "$action_path/Cargo.toml" 2>/dev/null | head -n 1
}

# Prints the release version (v-prefixed) to download, or nothing when the ref is not a release.
resolve_version() {
  local ref="${DECODER_OPS_VERSION:-}"
  if [[ -z "$ref" ]]; then
    ref="$(action_ref)"
  fi
  if [[ "$ref" =~ ^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]]; then
    printf 'v%s' "${ref#v}"
  elif [[ "$ref" =~ ^v([0-9]+)(\.[0-9]+)?$ ]]; then
    # A moving major/minor tag (`@v1`): it points at a released commit, whose Cargo.toml names
    # the exact release.
    local exact
    exact="$(cargo_version)"
    if [[ -n "$exact" && "v$exact" == "$ref"* ]]; then
      printf 'v%s' "$exact"
    fi
  fi
}

resolve_target() {
  case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
    Linux/X64) printf 'x86_64-unknown-linux-musl' ;;
    Linux/ARM64) printf 'aarch64-unknown-linux-musl' ;;
    macOS/X64) printf 'x86_64-apple-darwin' ;;
    macOS/ARM64) printf 'aarch64-apple-darwin' ;;
    Windows/X64) printf 'x86_64-pc-windows-msvc' ;;
  esac
}

version="$(resolve_version)"
target="$(resolve_target)"
exe=""
ext="tar.gz"
if [[ "${RUNNER_OS:-}" == "Windows" ]]; then
  exe=".exe"
  ext="zip"
fi
asset=""
expected=""
mode="source"
reason=""
if [[ -z "$version" ]]; then
  reason="the action ref \`$(action_ref)\` is not a release"
elif [[ -z "$target" ]]; then
  reason="no release binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}"
else
  asset="decoder-ops-${version}-${target}.${ext}"
  sums="$action_path/checksums/${version}.sha256"
  if [[ ! -f "$sums" ]]; then
    reason="no committed checksums for $version (checksums/${version}.sha256)"
  else
    expected="$(awk -v a="$asset" '$2 == a || $2 == "*" a { print tolower($1) }' "$sums" | head -n 1)"
    if [[ "$expected" =~ ^[0-9a-f]{64}$ ]]; then
      mode="download"
    else
      reason="checksums/${version}.sha256 has no entry for $asset"
    fi
  fi
fi

# The local template test (tests/action/act_test.sh) hands over the binary it already built.
if [[ "${ACT:-}" == "true" && -n "${DECODER_OPS_ACT_BIN:-}" ]]; then
  mode="prebuilt"
  reason="DECODER_OPS_ACT_BIN under act"
fi

cargo_target_dir="$runner_temp/decoder-ops-target"
lock_hash=""
if [[ -f "$action_path/Cargo.lock" ]]; then
  lock_hash="$(sha256_of "$action_path/Cargo.lock")"
fi

if [[ "${1:-}" == "--resolve" ]]; then
  {
    printf 'mode=%s\n' "$mode"
    printf 'version=%s\n' "$version"
    printf 'cargo-target-dir=%s\n' "$cargo_target_dir"
    printf 'cache-key=decoder-ops-cargo-%s-%s-%s\n' "${RUNNER_OS:-os}" "${RUNNER_ARCH:-arch}" "$lock_hash"
  } >>"$output_file"
  exit 0
fi

# Puts the directory holding the binary on PATH for later steps and names the binary.
publish() {
  local dir="$1"
  if [[ -n "${GITHUB_PATH:-}" ]]; then
    printf '%s\n' "$dir" >>"$GITHUB_PATH"
  fi
  printf 'bin=%s\n' "$dir/decoder-ops$exe" >>"$output_file"
  note "decoder-ops installed: $("$dir/decoder-ops$exe" --version)"
}

build_from_source() {
  note "building decoder-ops from source ($1)"
  command -v cargo >/dev/null 2>&1 ||
    die "cannot build decoder-ops from source: cargo is not installed ($1); install a Rust toolchain first or use a released version of the action"
  CARGO_TARGET_DIR="$cargo_target_dir" cargo build --release --locked \
    --manifest-path "$action_path/Cargo.toml" --bin decoder-ops
  local built="$cargo_target_dir/release/decoder-ops$exe"
  [[ -x "$built" ]] || die "cargo build finished but $built is missing"
  local dir="$runner_temp/decoder-ops-bin"
  mkdir -p "$dir"
  cp "$built" "$dir/decoder-ops$exe"
  publish "$dir"
}

if [[ "$mode" == "prebuilt" ]]; then
  [[ -x "$DECODER_OPS_ACT_BIN" ]] || die "DECODER_OPS_ACT_BIN=$DECODER_OPS_ACT_BIN is not an executable file"
  note "using the prebuilt binary from DECODER_OPS_ACT_BIN (act test run)"
  dir="$runner_temp/decoder-ops-bin"
  mkdir -p "$dir"
  cp "$DECODER_OPS_ACT_BIN" "$dir/decoder-ops$exe"
  publish "$dir"
  exit 0
fi

if [[ "$mode" == "source" ]]; then
  build_from_source "$reason"
  exit 0
fi

arch_dir="$(printf '%s' "${RUNNER_ARCH:-x64}" | tr '[:upper:]' '[:lower:]')"
cache_dir="${RUNNER_TOOL_CACHE:-$runner_temp/tool-cache}/decoder-ops/${version#v}/$arch_dir"
if [[ -f "$cache_dir.complete" && -x "$cache_dir/decoder-ops$exe" ]]; then
  note "decoder-ops $version found in the tool cache"
  publish "$cache_dir"
  exit 0
fi

base="${DECODER_OPS_DOWNLOAD_BASE:-https://github.com/${DECODER_OPS_ACTION_REPO:-decoder-ops/decoder-ops}/releases/download}"
url="${base%/}/$version/$asset"
work="$(mktemp -d "$runner_temp/decoder-ops-dl.XXXXXX")"
trap 'rm -rf "$work"' EXIT
note "downloading $url"
status=0
http_code="$(curl --proto '=https' --tlsv1.2 --retry 3 -fsSL -w '%{http_code}' -o "$work/$asset" "$url")" || status=$?
if [[ "$status" -ne 0 ]]; then
  if [[ "$http_code" == "404" ]]; then
    build_from_source "release asset $asset not found (HTTP 404)"
    exit 0
  fi
  die "download of $url failed (curl exit $status, HTTP ${http_code:-none}); re-run the job, or pin a released version"
fi

actual="$(sha256_of "$work/$asset")"
if [[ "$actual" != "$expected" ]]; then
  die "checksum mismatch for $asset: expected $expected (checksums/${version}.sha256 in the action), got $actual. The download was refused and nothing was installed; report this to the maintainers"
fi
note "sha256 verified: $actual"

mkdir -p "$work/x"
if [[ "$ext" == "zip" ]]; then
  if command -v unzip >/dev/null 2>&1; then
    unzip -q "$work/$asset" -d "$work/x"
  else
    tar -xf "$work/$asset" -C "$work/x"
  fi
else
  tar -xzf "$work/$asset" -C "$work/x"
fi
[[ -f "$work/x/decoder-ops$exe" ]] || die "$asset does not contain decoder-ops$exe at its root"
rm -rf "$cache_dir"
mkdir -p "$cache_dir"
cp "$work/x/decoder-ops$exe" "$cache_dir/decoder-ops$exe"
chmod +x "$cache_dir/decoder-ops$exe"
touch "$cache_dir.complete"
publish "$cache_dir"
