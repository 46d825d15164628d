# The Makefile is the only entry point: `make test` and `make demo` work on a
# fresh machine that has Go, Node and npm. The project runs on the Node LTS it
# installs from the npm registry (node_modules/.bin/node), not the machine's.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: help
help: ## show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

node_modules/.install-stamp: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

.PHONY: deps
deps: node_modules/.install-stamp ## install npm dependencies (and the project's Node)

.PHONY: tools
tools: ## build the test servers (kcp, kube-apiserver, kube-controller-manager, etcd, helm, crossplane) into the cache
	bash hack/build-tools.sh

.PHONY: build
build: deps ## compile the agent to dist/ (run it with ./bin/api-syncagent)
	@# From scratch: a stale file of a removed or renamed source would still load.
	rm -rf dist
	tsc -p tsconfig.build.json

.PHONY: typecheck
typecheck: deps ## type-check src, tests and scripts
	tsc -p tsconfig.json --noEmit

.PHONY: lint
lint: deps ## eslint (floating promises, no any, size limits) and prettier's check of the formatting
	eslint .
	prettier --check --log-level warn .

.PHONY: fmt
fmt: deps ## format the TypeScript and JavaScript with prettier (make lint checks it)
	prettier --write --log-level warn .

.PHONY: test-unit
test-unit: deps ## fast unit tests
	mocha --config .mocharc.unit.json

.PHONY: test-e2e
test-e2e: deps tools build ## e2e tests against real servers (E2E=test/e2e/x.e2e.ts for one file)
	bash hack/build-tools.sh upstream-syncagent # compat.e2e.ts runs upstream's agent next to ours
	mocha --config .mocharc.e2e.json $(or $(E2E),'test/e2e/**/*.e2e.ts')

.PHONY: test-faults
test-faults: deps tools build ## fault injection against real servers (FAULTS_SCALE=short|medium|long, FAULTS_SEED=n, FAULTS=test/faults/x.faults.ts)
	mocha --config .mocharc.faults.json $(or $(FAULTS),'test/faults/**/*.faults.ts')

.PHONY: bench
bench: deps tools build ## benchmark upstream v0.7.0 and ours on the same fresh servers (BENCH_ARGS="--workspaces 20 …"; not in make test)
	bash hack/build-tools.sh upstream-syncagent
	node bench/run.ts $(BENCH_ARGS)

.PHONY: bench-curve
bench-curve: deps tools build ## memory/CPU curve of upstream and ours at growing sizes (BENCH_ARGS="--curve-sizes 0,200,500 …"; bench/README.md)
	bash hack/build-tools.sh upstream-syncagent
	node bench/run.ts --memory-curve $(BENCH_ARGS)

.PHONY: vectors
vectors: ## regenerate the Go-produced test vectors (templates; mutations, paths, regexes, CEL)
	bash hack/vectors/templates.sh
	bash hack/vectors/mutations.sh

.PHONY: codegen
codegen: deps ## regenerate src/apis/*/zz_generated.types.ts and the chart's CRDs from crds/
	node hack/codegen.ts

.PHONY: verify-codegen
verify-codegen: deps ## fail if the generated files differ from what crds/ produces
	@tmp="$$(mktemp -d)"; trap 'rm -rf "$$tmp"' EXIT; \
	node hack/codegen.ts --out-dir "$$tmp/out" > "$$tmp/generated"; \
	drifted=(); \
	while IFS= read -r f; do \
	  cmp -s "$$tmp/out/$$f" "$$f" || drifted+=("$$f"); \
	done < "$$tmp/generated"; \
	while IFS= read -r f; do \
	  grep -qxF "$$f" "$$tmp/generated" || drifted+=("$$f (no longer generated; delete it)"); \
	done < <({ find src/apis -name 'zz_generated.*'; find charts/api-syncagent/crds -type f 2>/dev/null || true; } | sort); \
	if (( $${#drifted[@]} > 0 )); then \
	  echo "verify-codegen: these generated files do not match crds/; run 'make codegen' and commit the result:" >&2; \
	  printf '  %s\n' "$${drifted[@]}" >&2; \
	  exit 1; \
	fi; \
	echo "verify-codegen: generated files are up to date"

.PHONY: test
test: verify-codegen typecheck lint test-unit test-e2e test-faults ## everything CI runs (the faults at FAULTS_SCALE=short)

.PHONY: demo
demo: deps tools build ## local kcp + service cluster, the chart, the agent, the getting-started flow to Ready (Ctrl-C ends it)
	node hack/demo.ts

.PHONY: demo-platform
demo-platform: deps tools build ## the platform story: Crossplane behind three agents, a workspace tree, claims to Ready (Ctrl-C ends it)
	node hack/demo-platform.ts

.PHONY: clean
clean: ## remove build output and test artifacts (the server cache stays)
	rm -rf dist .e2e
