#!/usr/bin/env bash
# Opens a pull request that adds checksums/<version>.sha256 to the default branch, through the
# GitHub API only (no git credentials on disk). Until it is merged, the action builds that
# version from source instead of downloading it.
# Usage: checksums-pr.sh FILE   Environment: GH_TOKEN, VERSION, REPO (owner/name).
set -euo pipefail
file="${1:?usage: checksums-pr.sh FILE}"
: "${GH_TOKEN:?}" "${VERSION:?}" "${REPO:?}"
[[ "$VERSION" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "not a release version: $VERSION" >&2; exit 2; }

base="$(gh api "repos/$REPO" --jq .default_branch)"
base_sha="$(gh api "repos/$REPO/git/ref/heads/$base" --jq .object.sha)"
branch="checksums/$VERSION"
gh api "repos/$REPO/git/refs" -f ref="refs/heads/$branch" -f sha="$base_sha" >/dev/null
gh api -X PUT "repos/$REPO/contents/checksums/$VERSION.sha256" \
  -f message="checksums: $VERSION" -f branch="$branch" \
  -f content="$(base64 <"$file" | tr -d '\n')" >/dev/null
gh pr create --repo "$REPO" --base "$base" --head "$branch" \
  --title "checksums: $VERSION" \
  --body "SHA-256 of the $VERSION release archives, as built and attested by the release workflow.
Check them against \`gh attestation verify\` before merging: once merged, \`uses: …@$VERSION\` downloads these archives instead of building from source.

\`\`\`
$(cat "$file")
\`\`\`"
