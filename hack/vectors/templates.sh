#!/usr/bin/env bash
# Regenerates the Go-template test vectors: renders every case of
# test/fixtures/vectors/templates.input.json with Go's own text/template and
# sprig (hack/vectors/templates, our generator) and writes the results to
# test/fixtures/vectors/templates.golden.json, which the TypeScript engine's
# unit tests compare against. Needs Go; the module cache and the build cache
# live outside the repository.
#
#   hack/vectors/templates.sh          regenerate the golden file
#   hack/vectors/templates.sh --check  fail if the committed golden file is stale
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
GENERATOR="$ROOT/hack/vectors/templates"
INPUT="$ROOT/test/fixtures/vectors/templates.input.json"
GOLDEN="$ROOT/test/fixtures/vectors/templates.golden.json"
CACHE="${API_SYNCAGENT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/api-syncagent-ts}"

export GOFLAGS="-mod=mod -buildvcs=false"
export CGO_ENABLED=0

mkdir -p "$CACHE/bin"
BIN="$CACHE/bin/template-vectors"
(cd "$GENERATOR" && go build -o "$BIN" .)

if [[ "${1:-}" == "--check" ]]; then
  tmp="$(mktemp)"
  trap 'rm -f "$tmp"' EXIT
  "$BIN" "$INPUT" "$tmp"
  if ! cmp -s "$tmp" "$GOLDEN"; then
    echo "templates.sh: $GOLDEN is stale; run hack/vectors/templates.sh and commit the result" >&2
    exit 1
  fi
  echo "templates.sh: golden vectors are up to date"
  exit 0
fi

"$BIN" "$INPUT" "$GOLDEN"
echo "templates.sh: wrote $(grep -c '"name"' "$GOLDEN") vectors to ${GOLDEN#"$ROOT"/}"
