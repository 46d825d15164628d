// Wrapper module that builds the upstream Go api-syncagent v0.7.0, the agent we
// are compatible with and benchmark against. Its kcp-dev dependencies ask for
// v0.32.0 versions the proxy does not serve; v0.32.3 is used instead, and
// virtual-workspace-framework is the same patched copy the kcp build uses.
module local/build/upstream-syncagent

go 1.26.3

require github.com/kcp-dev/api-syncagent v0.7.0

tool github.com/kcp-dev/api-syncagent/cmd/api-syncagent

replace (
	k8s.io/apiextensions-apiserver => github.com/kcp-dev/kubernetes/staging/src/k8s.io/apiextensions-apiserver v0.0.0-20260602065202-e006560fc76a
	k8s.io/apiserver => github.com/kcp-dev/kubernetes/staging/src/k8s.io/apiserver v0.0.0-20260602065202-e006560fc76a
	k8s.io/component-base => github.com/kcp-dev/kubernetes/staging/src/k8s.io/component-base v0.0.0-20260602065202-e006560fc76a
	github.com/kcp-dev/api-syncagent/sdk => github.com/kcp-dev/api-syncagent/sdk v0.7.0
	github.com/kcp-dev/sdk => github.com/kcp-dev/sdk v0.32.3
	github.com/kcp-dev/client-go => github.com/kcp-dev/client-go v0.32.3
	github.com/kcp-dev/apimachinery/v2 => github.com/kcp-dev/apimachinery/v2 v2.32.3
	github.com/kcp-dev/virtual-workspace-framework => ./vwf
)
