#!/usr/bin/env bash
# Installs what `make pkg` / `make test` need when it is missing, so that the
# README's commands work on a fresh Debian machine. Each step checks first and
# does nothing when the tool is already there.
#   scripts/ensure-tools.sh build   # Rust wasm target, wasm-pack, npm dev deps
#   scripts/ensure-tools.sh test    # the above + Chromium and chromedriver
set -euo pipefail
cd "$(dirname "$0")/.."
want=${1:-build}

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

command -v cargo >/dev/null || die "cargo not found: install Rust with rustup (https://rustup.rs) first."
command -v node >/dev/null && command -v npm >/dev/null || die "node and npm not found: install Node.js 20 or newer."

if command -v rustup >/dev/null; then
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown Rust target"
    rustup target add wasm32-unknown-unknown
  fi
  # The JavaScript fallback (for pages whose CSP refuses WebAssembly) is an
  # MVP build of the standard library itself: -Z build-std needs its source.
  if ! rustup component list --installed | grep -q '^rust-src'; then
    say "adding the rust-src component"
    rustup component add rust-src
  fi
else
  rustc --print target-list >/dev/null # no rustup: assume the target is provided
fi

if ! command -v wasm-pack >/dev/null; then
  say "installing wasm-pack (cargo install, about 2 minutes)"
  cargo install wasm-pack || die "could not install wasm-pack; install it by hand: cargo install wasm-pack"
fi

if [ ! -x node_modules/.bin/esbuild ] || [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/wasm2js ] || [ package.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dev dependencies"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
fi

if [ "$want" = test ]; then
  # Three engines: Chromium, Firefox ESR and WebKitGTK (under Xvfb: it has no
  # headless mode), each with its WebDriver.
  have() { command -v "$1" >/dev/null; }
  if ! { have chromium || have google-chrome; } || ! have chromedriver || ! have firefox-esr \
    || ! have WebKitWebDriver || ! have xvfb-run; then
    if [ "$(id -u)" = 0 ] && have apt-get; then
      say "installing Chromium, Firefox ESR, WebKitGTK, their drivers and Xvfb (apt-get)"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq chromium chromium-driver firefox-esr webkit2gtk-driver xvfb >/dev/null
    else
      die "the browser tests need Chromium, Firefox ESR and WebKitGTK with their drivers (Debian: sudo apt-get install chromium chromium-driver firefox-esr webkit2gtk-driver xvfb) and run again."
    fi
  fi
  # geckodriver's npm package downloads from GitHub; crates.io works.
  if ! have geckodriver; then
    say "installing geckodriver (cargo install, about 2 minutes)"
    cargo install --locked geckodriver || cargo install geckodriver \
      || die "could not install geckodriver; install it by hand: cargo install geckodriver"
  fi
fi
