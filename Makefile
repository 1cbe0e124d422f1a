# Entry points (see README.md):
#   make pkg    build pkg/ (npm package + classic script), installing tools when missing
#   make test   every test: native, wasm in headless Chromium, conformance vs the reference,
#               package fixtures (Vite, webpack 5, esbuild, Next.js, Jest, tsc --strict), byte and leak budgets,
#               the demo server and an end-to-end run of the demo
#   make demo   the demo on http://127.0.0.1:8080 (PORT to change), offline, Ctrl-C to stop
#   make bench  size, start-up, latency and memory against @kombo-api/connect 1.3.0 -> bench/RESULTS.md,
#               the demo back-end under load -> bench/SERVER.md;
#               fails over any budget (bench/budgets.mjs, www/server/examples/load.rs), timing budgets included
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: pkg deps test test-native test-wasm test-browser tools demo bench rustflags

# Panic locations name std's and the dependencies' source files by absolute
# path: the rust-src component (which the JavaScript build needs) turns
# std's into this machine's, longer ones. Remapped to short, fixed prefixes,
# the .wasm is the same on every machine, and smaller. Each registry's own
# directory (`index.crates.io-<hash>`) says nothing either, so the crates
# read /crates/<crate>-<version>/…. Expanded when a recipe uses it, after
# `deps` has installed Rust and fetched the crates, so those directories exist.
CARGO_HOME_DIR := $(or $(CARGO_HOME),$(HOME)/.cargo)
REMAP = --remap-path-prefix=$(shell rustc --print sysroot)/lib/rustlib/src/rust=/rust \
  $(foreach d,$(wildcard $(CARGO_HOME_DIR)/registry/src/*),--remap-path-prefix=$(d)=/crates)

# The remapping alone, for bench/crate-costs.sh, which builds the same way.
rustflags:
	@echo $(REMAP)

deps:
	@scripts/ensure-tools.sh build
	cargo fetch -q

pkg: deps
	RUSTFLAGS="$(REMAP)" wasm-pack --log-level warn build --release --target web --no-pack \
	  --out-dir target/wasm-pack --out-name kombo_connect_wasm
	# The same crate as WebAssembly 1.0 (MVP), standard library included, for
	# wasm2js: the JavaScript build pages without 'wasm-unsafe-eval' get.
	RUSTC_BOOTSTRAP=1 RUSTFLAGS="-C target-cpu=mvp $(REMAP)" CARGO_TARGET_DIR=target/mvp \
	  wasm-pack --log-level warn build . --release --target web --no-pack \
	  --out-dir target/wasm-pack-mvp --out-name kombo_connect_wasm -- -Z build-std=std,panic_abort
	node scripts/build-pkg.mjs

test: tools pkg test-native test-wasm test-browser

tools:
	@scripts/ensure-tools.sh test

bench: tools pkg
	cargo build --release -q -p kombo-connect-demo --bins --examples
	target/release/examples/load
	node bench/preconnect.mjs
	node bench/bench.mjs

# pkg/package.json is written last by scripts/build-pkg.mjs: `make demo`
# rebuilds pkg/ only when something it is built from changed.
PKG_SOURCES := $(shell find src js scripts -type f) Cargo.toml Cargo.lock package-lock.json README.md CHANGELOG.md LICENSE
pkg/package.json: $(PKG_SOURCES)
	$(MAKE) pkg

demo: pkg/package.json
	cargo build -q -p kombo-connect-demo
	exec target/debug/kombo-connect-demo

test-native:
	cargo test --workspace

# tests/web.rs in each engine; WebKitGTK needs a display, hence Xvfb. The
# runner's default time-out per test is tight for the 10,000-call test on a
# slow or busy machine, and its 5 s for a WebDriver to start listening was
# once too short for chromedriver in a fresh clone here.
test-wasm: export WASM_BINDGEN_TEST_TIMEOUT = 300
test-wasm: export WASM_BINDGEN_TEST_DRIVER_TIMEOUT = 60
test-wasm:
	wasm-pack test --headless --chrome --chromedriver "$$(command -v chromedriver)"
	wasm-pack test --headless --firefox --geckodriver "$$(command -v geckodriver)"
	xvfb-run -a -s "-screen 0 1280x1024x24" \
	  wasm-pack test --headless --safari --safaridriver "$$(command -v WebKitWebDriver)"

test-browser:
	node --test --test-concurrency=1 tests/*.test.mjs
