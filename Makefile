# Entry points (see README.md):
#   make pkg    build pkg/ (npm package + classic script), installing tools when missing
#   make test   every test: native, wasm in headless Chromium, conformance vs the reference,
#               package fixtures (Vite, webpack 5, tsc --strict), size and latency budgets
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: pkg test test-native test-wasm test-browser tools

pkg:
	@scripts/ensure-tools.sh build
	wasm-pack --log-level warn build --release --target web --no-pack \
	  --out-dir target/wasm-pack --out-name kombo_connect_wasm
	node scripts/build-pkg.mjs

test: tools pkg test-native test-wasm test-browser

tools:
	@scripts/ensure-tools.sh test

test-native:
	cargo test

test-wasm:
	wasm-pack test --headless --chrome --chromedriver "$$(command -v chromedriver)"

test-browser:
	node --test --test-concurrency=1 tests/*.test.mjs
	@echo; cat tests/out/conformance.md; echo; cat tests/out/budget.md
