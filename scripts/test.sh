#!/usr/bin/env bash
# Runs every Linli test. Installs missing tools first (scripts/setup.sh).
#  1. format and lints; the domain crate's dependency tree stays free of web crates
#  2. native domain and CLI tests: unit, property, doc, pabulib reference
#  3. browser tests (wasm-bindgen-test in headless Chromium): storage, shell
#  4. release build with Trunk and its first-load size
#  5. end-to-end: the release build under a sub-path in headless Chromium
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
source scripts/setup.sh test
# Keep build caches across fresh clones (CI) under $HOME.
if [ -z "${CARGO_TARGET_DIR:-}" ] && [ "${CI:-}" = true ]; then
  export CARGO_TARGET_DIR="$HOME/.cache/linli/target"
fi
step() { printf '\n\033[1;34m== %s\033[0m\n' "$*"; }

step "format"
cargo fmt --all -- --check

step "domain stays pure (no web crates in its tree)"
if cargo tree -p linli-domain -e normal --prefix none | grep -Ei '^(leptos|web-sys|js-sys|wasm-bindgen|gloo|rexie|idb|getrandom) '; then
  echo "domain/ must not depend on web crates" >&2
  exit 1
fi

step "clippy"
cargo clippy -p linli-domain -p linli-cli --all-targets -- -D warnings
cargo clippy -p linli --no-deps --target wasm32-unknown-unknown --all-targets -- -D warnings

step "domain and CLI tests (native)"
cargo test -p linli-domain -p linli-cli --profile ci

step "browser tests (headless Chromium)"
cargo test --target wasm32-unknown-unknown --release --test storage --test web --test needs_bench -- --nocapture

step "release build"
trunk build --release
node scripts/size.mjs dist

step "end-to-end (release build under /community-a/)"
# needs.test.mjs compares the app's scores with the CLI built by the native tests.
LINLI_CLI="${CARGO_TARGET_DIR:-target}/ci/linli" node --test --test-concurrency=1 tests/e2e/

echo
echo "FIGURE test_command_seconds $(( $(date +%s) - start ))"
