# otp-server — see README.md. `make help` lists the targets.

VENV      := .tools/venv
STAMP     := $(VENV)/.installed
PYTHON    ?= python3
CARGO     ?= cargo
SPECS     := $(wildcard specs/*.yaml)
ARGS      ?=

.DEFAULT_GOAL := help
.PHONY: help tools generate build run conform bench bench-instructions test test-rust test-redis check-specs check-spectral check-generated check-schemathesis check-recipe check-pact check-browser check-readme image check-image check-compose lint clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' \
	  '{ name[NR] = $$1; what[NR] = $$2; if (length($$1) > w) w = length($$1) } \
	   END { for (i = 1; i <= NR; i++) printf "  make %-" w "s  %s\n", name[i], what[i] }'

tools: $(STAMP) ## install the pinned generator and validators into .tools/

$(STAMP): scripts/requirements.txt
	@scripts/check-java.sh
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements.txt
	cp scripts/requirements.txt $@

generate: $(STAMP) ## regenerate generated/ from specs/ (never edit generated/ by hand)
	scripts/generate.sh generated
	@echo "generated/ is up to date with specs/ ($$(cat generated/*/.openapi-generator/VERSION | sort -u | tr '\n' ' '))"

build: ## build the release binary: target/release/otp-server
	$(CARGO) build --release --bin otp-server

run: ## start the server in sandbox mode on 127.0.0.1:8080 (extra flags: ARGS="...")
	$(CARGO) run --bin otp-server -- serve $(ARGS)

TARGET    ?= http://127.0.0.1:8080
conform: ## run the conformance kit against TARGET (default: a sandbox on 127.0.0.1:8080; extra flags: ARGS="...")
	$(CARGO) run --bin otp-server -- conform --target $(TARGET) $(ARGS)

test: check-specs check-spectral check-generated test-rust test-redis check-schemathesis check-pact check-recipe check-browser check-readme ## everything CI checks but lint

# CI must run the Redis-process tests: without redis-server they fail here
# instead of skipping (plain `cargo test` skips them with a printed reason).
export OTP_REQUIRE_REDIS := 1

test-rust: ## unit and integration tests, memory store (plus the Redis process tests)
	$(CARGO) test --all-targets
	$(CARGO) test -p otp-bench

test-redis: ## the integration suite again, on the Redis store
	@scripts/test-redis.sh

check-specs: $(STAMP) ## validate every spec as Swagger 2.0
	@for spec in $(SPECS); do $(VENV)/bin/openapi-spec-validator --schema 2.0 $$spec || exit 1; done

check-spectral: ## lint every spec with Spectral's spectral:oas ruleset (.spectral.yaml): no error, no warning
	@modules=$$(scripts/node-tools.sh) && $$modules/.bin/spectral lint --ruleset .spectral.yaml --fail-severity warn --quiet $(SPECS) \
	  && echo "spectral: specs/ pass spectral:oas (.spectral.yaml)"

check-generated: $(STAMP) ## regenerate into a temp folder and diff against generated/
	@scripts/check-generated.sh

check-schemathesis: $(STAMP) ## run schemathesis against a sandbox server, one run per spec
	@scripts/with-sandbox.sh scripts/schemathesis.sh

check-pact: $(STAMP) ## verify the consumer pacts of tests/pacts/ against a sandbox with the Pact verifier (JUnit: target/pact/junit.xml)
	@scripts/with-sandbox.sh scripts/pact-verify.sh

check-recipe: $(STAMP) ## add a throw-away operation to a copy of a spec: only the spec, generated/ and one impl method change
	@scripts/check-new-operation.sh

check-browser: ## the sandbox console and API docs in headless Chromium against a sandbox (screenshots: target/screenshots/)
	@scripts/vendor-swagger-ui.sh --check
	@scripts/with-sandbox.sh scripts/browser-tests.sh

check-readme: $(STAMP) ## run README.md's sh blocks, in order, against a sandbox; check every path the README names
	@scripts/with-sandbox.sh scripts/readme-snippets.sh

image: ## the container image otp-server:VERSION (Containerfile; static release build on the host, FROM scratch)
	@scripts/image.sh

check-image: ## build the image and check running containers: sandbox, conformance kit, production config, two instances on one Redis
	@scripts/check-image.sh

check-compose: ## run compose.yaml with podman-compose (two instances, one Redis) and check a flow across both (after make image)
	@scripts/check-compose.sh

bench: ## benchmarks: full flows under load against a baseline, and memory per challenge
	@scripts/bench.sh

bench-instructions: ## instructions per request under callgrind (production config, vs bare hyper) and where they go
	@scripts/bench-instructions.sh

lint: ## rustfmt and clippy on our crate (not on generated/)
	$(CARGO) fmt --check -p otp-server -p otp-bench
	$(CARGO) clippy --all-targets -p otp-server -p otp-bench -- -D warnings

clean: ## remove build output and the local tools
	$(CARGO) clean
	rm -rf .tools
