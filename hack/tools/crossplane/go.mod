// Wrapper module that builds Crossplane's core binary for the platform
// examples: v1.20 is the last line whose Compositions run in Resources mode
// (patch-and-transform inside the core); v2 needs function packages.
module local/build/crossplane

go 1.26.0

require github.com/crossplane/crossplane v1.20.1

tool github.com/crossplane/crossplane/cmd/crossplane
