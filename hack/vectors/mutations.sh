#!/usr/bin/env bash
# Regenerates the mutation-engine test vectors: runs every case of
# test/fixtures/vectors/mutations.input.json through the Go libraries the
# upstream agent's mutations are built on (gjson, sjson, cel-go and Go's
# regexp; hack/vectors/mutations, our generator) and writes the answers to
# test/fixtures/vectors/mutations.golden.json, which the unit tests compare
# against. Needs Go; the module cache and the build cache live outside the
# repository.
#
#   hack/vectors/mutations.sh          regenerate the golden file
#   hack/vectors/mutations.sh --check  fail if the committed golden file is stale
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
GENERATOR="$ROOT/hack/vectors/mutations"
INPUT="$ROOT/test/fixtures/vectors/mutations.input.json"
GOLDEN="$ROOT/test/fixtures/vectors/mutations.golden.json"
CACHE="${API_SYNCAGENT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/api-syncagent-ts}"

export GOFLAGS="-mod=mod -buildvcs=false"
export CGO_ENABLED=0

command -v go >/dev/null || { echo "mutations.sh: go is not installed; it is needed to regenerate the vectors" >&2; exit 1; }
mkdir -p "$CACHE/bin"
BIN="$CACHE/bin/mutation-vectors"
(cd "$GENERATOR" && go build -trimpath -o "$BIN" .)

if [[ "${1:-}" == "--check" ]]; then
  tmp="$(mktemp)"
  trap 'rm -f "$tmp"' EXIT
  "$BIN" "$INPUT" "$tmp"
  if ! cmp -s "$tmp" "$GOLDEN"; then
    echo "mutations.sh: $GOLDEN is stale; run hack/vectors/mutations.sh and commit the result" >&2
    exit 1
  fi
  echo "mutations.sh: golden vectors are up to date"
  exit 0
fi

"$BIN" "$INPUT" "$GOLDEN"
echo "mutations.sh: wrote $(grep -c '"name"' "$GOLDEN") vectors to ${GOLDEN#"$ROOT"/}"
