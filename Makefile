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
tools: ## build the test servers (kcp, kube-apiserver, kube-controller-manager, etcd, helm) into the cache
	bash hack/build-tools.sh

.PHONY: build
build: deps ## compile the agent to dist/ (run it with ./bin/api-syncagent)
	tsc -p tsconfig.build.json

.PHONY: typecheck
typecheck: deps ## type-check src, tests and scripts
	tsc -p tsconfig.json --noEmit

.PHONY: lint
lint: deps ## eslint (floating promises, no any, size limits)
	eslint .

.PHONY: test-unit
test-unit: deps ## fast unit tests
	mocha --config .mocharc.unit.json

.PHONY: test-e2e
test-e2e: deps tools build ## e2e tests against real servers (E2E=test/e2e/x.e2e.ts for one file)
	mocha --config .mocharc.e2e.json $(or $(E2E),'test/e2e/**/*.e2e.ts')

.PHONY: test
test: typecheck lint test-unit test-e2e ## everything CI runs

.PHONY: clean
clean: ## remove build output and test artifacts (the server cache stays)
	rm -rf dist .e2e
