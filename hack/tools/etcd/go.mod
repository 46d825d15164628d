// Wrapper module that builds the etcd server for the service cluster. The
// server module's own replaces point at sibling directories; its requires
// already name the published siblings at the same version.
module local/build/etcd

go 1.26.0

require go.etcd.io/etcd/server/v3 v3.6.16

tool go.etcd.io/etcd/server/v3
