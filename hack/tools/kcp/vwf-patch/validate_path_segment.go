// This file is ours, not kcp's. It is added to virtual-workspace-framework
// v0.31.2 (the only version the module proxy serves) so that kcp v0.32.3, which
// expects the v0.32 API of this package, compiles. v0.32 added exactly this one
// helper; it validates a path segment the way the apiserver's registry does.

package forwardingregistry

import "k8s.io/apimachinery/pkg/api/validate/content"

// ValidatePathSegmentName reports why name cannot be used as a path segment
// (or, with prefix set, as the prefix of one); nil means it can.
func ValidatePathSegmentName(name string, prefix bool) []string {
	if prefix {
		return content.IsPathSegmentPrefix(name)
	}
	return content.IsPathSegmentName(name)
}
