#!/usr/bin/env bash
# Builds the real servers the tests and the demo run (kcp, kube-apiserver,
# kube-controller-manager, etcd, helm, crossplane) from their Go modules, into a cache
# outside the repository. A binary that is already cached for the current pin
# is not rebuilt; changing a wrapper module under hack/tools changes its
# fingerprint and so triggers a rebuild.
#
#   hack/build-tools.sh [TOOL...]     build what is missing (default: all but upstream-syncagent,
#                                     which only the compatibility e2e and the bench need)
#   hack/build-tools.sh --path TOOL   print the cached binary's path (exit 1 if missing)
#   hack/build-tools.sh --list        print the tool names
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WRAPPERS="$ROOT/hack/tools"
CACHE="${API_SYNCAGENT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/api-syncagent-ts}"

# Module settings: the proxy is a partial mirror and the checksum database does
# not know some kcp-dev versions; every other module is still verified, and
# each wrapper's committed go.sum pins all hashes.
export GOFLAGS="-mod=mod -buildvcs=false"
export GONOSUMDB="github.com/kcp-dev"
export CGO_ENABLED=0

# The sharded-kcp parts (cache-server, kcp-front-proxy, sharded-test-server)
# come from the kcp wrapper too; virtual-workspaces is only needed when shards
# run their virtual workspaces as separate processes, which our tests do not.
KCP_SHARDED=(cache-server kcp-front-proxy sharded-test-server)
ALL_TOOLS=(etcd kube-apiserver kube-controller-manager helm kcp "${KCP_SHARDED[@]}" virtual-workspaces crossplane upstream-syncagent)
DEFAULT_TOOLS=(etcd kube-apiserver kube-controller-manager helm kcp "${KCP_SHARDED[@]}" crossplane)

# tool -> "wrapper-dir package version ldflags"
describe() {
  local k8s="v1.36.3" kcp="v0.32.3"
  case "$1" in
    kcp|cache-server|kcp-front-proxy|virtual-workspaces|sharded-test-server)
      local v="v1.36.0+kcp-$kcp"
      echo "kcp github.com/kcp-dev/kcp/cmd/$1 $kcp" \
        "-X k8s.io/component-base/version.gitVersion=$v -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=36" \
        "-X k8s.io/client-go/pkg/version.gitVersion=$v -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=36" ;;
    kube-apiserver|kube-controller-manager)
      echo "kube k8s.io/kubernetes/cmd/$1 $k8s" \
        "-X k8s.io/component-base/version.gitVersion=$k8s -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=36" \
        "-X k8s.io/client-go/pkg/version.gitVersion=$k8s -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=36" ;;
    etcd) echo "etcd go.etcd.io/etcd/server/v3 v3.6.16" ;;
    helm) echo "helm helm.sh/helm/v3/cmd/helm v3.22.0 -X helm.sh/helm/v3/internal/version.version=v3.22.0" ;;
    crossplane) echo "crossplane github.com/crossplane/crossplane/cmd/crossplane v1.20.1 -X github.com/crossplane/crossplane/internal/version.version=v1.20.1" ;;
    upstream-syncagent) echo "upstream-syncagent github.com/kcp-dev/api-syncagent/cmd/api-syncagent v0.7.0 -X github.com/kcp-dev/api-syncagent/internal/version.gitVersion=v0.7.0" ;;
    *) echo "unknown tool '$1' (known: ${ALL_TOOLS[*]})" >&2; return 1 ;;
  esac
}

# The fingerprint covers what decides the binary: the wrapper's go.mod, our
# patch files and the build description (version and ldflags).
fingerprint() {
  local dir="$WRAPPERS/$1" desc="$2"
  { echo "$desc"; cat "$dir/go.mod"; find "$dir" -name '*.go' -print0 | sort -z | xargs -0 -r cat; } \
    | sha256sum | cut -c1-12
}

binary_path() {
  local desc dir pkg version fp
  desc="$(describe "$1")" || return 1
  read -r dir pkg version _ <<<"$desc"
  fp="$(fingerprint "$dir" "$desc")"
  echo "$CACHE/bin/$1-$version-$fp"
}

# Copies virtual-workspace-framework v0.31.2 out of the module cache and adds
# our one-function compatibility file (hack/tools/kcp/vwf-patch). The wrapper's
# go.mod replaces the module with this ./vwf directory.
prepare_kcp() {
  local work="$1" src
  src="$(cd "$work" && go mod download -json github.com/kcp-dev/virtual-workspace-framework@v0.31.2 \
    | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
  [[ -n "$src" && -d "$src" ]] || { echo "failed to download github.com/kcp-dev/virtual-workspace-framework@v0.31.2" >&2; return 1; }
  cp -r "$src" "$work/vwf"
  chmod -R u+w "$work/vwf"
  cp "$WRAPPERS/kcp/vwf-patch/"*.go "$work/vwf/pkg/forwardingregistry/"
}

# Crossplane's `core init` reads its CRDs from /crds, a path of its container
# image; the harness applies them itself, from this copy of the module's
# cluster/crds next to the binary (<binary>.crds/).
copy_crossplane_crds() {
  local work="$1" out="$2" src
  src="$(cd "$work" && go mod download -json github.com/crossplane/crossplane@v1.20.1 \
    | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
  [[ -n "$src" && -d "$src/cluster/crds" ]] || { echo "failed to find cluster/crds of github.com/crossplane/crossplane@v1.20.1" >&2; return 1; }
  rm -rf "$out.crds"
  cp -r "$src/cluster/crds" "$out.crds"
  chmod -R u+w "$out.crds"
}

build() {
  local tool="$1" desc dir pkg version ldflags out work log
  desc="$(describe "$tool")"
  read -r dir pkg version ldflags <<<"$desc"
  out="$(binary_path "$tool")"
  if [[ -x "$out" ]]; then
    echo "$tool $version: cached ($out)"
    return 0
  fi
  mkdir -p "$CACHE/bin" "$CACHE/build" "$CACHE/logs"
  work="$CACHE/build/$dir"
  log="$CACHE/logs/$tool-$version.log"
  rm -rf "$work"
  mkdir -p "$work"
  cp "$WRAPPERS/$dir/go.mod" "$work/"
  [[ -f "$WRAPPERS/$dir/go.sum" ]] && cp "$WRAPPERS/$dir/go.sum" "$work/"
  echo "$tool $version: building from $pkg (log: $log)…"
  local start=$SECONDS
  if ! (
    cd "$work"
    if [[ "$dir" == kcp || "$dir" == upstream-syncagent ]]; then prepare_kcp "$work"; fi
    go build -trimpath -ldflags "-s -w $ldflags" -o "$out.tmp" "$pkg"
    if [[ "$dir" == crossplane ]]; then copy_crossplane_crds "$work" "$out"; fi
  ) >"$log" 2>&1; then
    echo "failed to build $tool: module $pkg@$version (wrapper hack/tools/$dir); last lines of $log:" >&2
    tail -n 30 "$log" >&2
    return 1
  fi
  mv "$out.tmp" "$out"
  # First build of a new pin: keep the resolved hashes so they can be committed.
  if ! cmp -s "$work/go.sum" "$WRAPPERS/$dir/go.sum" 2>/dev/null; then
    cp "$work/go.sum" "$WRAPPERS/$dir/go.sum"
    echo "$tool: updated hack/tools/$dir/go.sum (commit it)"
  fi
  echo "$tool $version: built in $((SECONDS - start))s ($out)"
}

case "${1:-}" in
  --path)
    [[ $# -eq 2 ]] || { echo "usage: $0 --path TOOL" >&2; exit 2; }
    p="$(binary_path "$2")"
    [[ -x "$p" ]] || { echo "$2 is not built yet (expected $p); run 'make tools'" >&2; exit 1; }
    echo "$p" ;;
  --list) printf '%s\n' "${ALL_TOOLS[@]}" ;;
  *)
    command -v go >/dev/null || { echo "go is not installed; it is needed to build the test servers" >&2; exit 1; }
    tools=("$@")
    [[ ${#tools[@]} -gt 0 ]] || tools=("${DEFAULT_TOOLS[@]}")
    for t in "${tools[@]}"; do build "$t"; done ;;
esac
