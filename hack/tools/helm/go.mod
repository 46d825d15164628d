// Wrapper module that builds helm v3 (the chart targets Helm 3's apiVersion v2
// charts, which Helm 4 also installs).
module local/build/helm

go 1.26.0

require helm.sh/helm/v3 v3.22.0

tool helm.sh/helm/v3/cmd/helm
