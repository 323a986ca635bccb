#!/usr/bin/env bash
# Runs every Linli test. Installs missing tools first (scripts/setup.sh).
#  1. format and lints; the domain crate's dependency tree stays free of web crates
#  2. native domain and CLI tests: unit, property, doc, pabulib reference
#  3. browser tests (wasm-bindgen-test in headless Chromium): storage, shell
#  4. release builds with Trunk (workspace, residents' dashboard) and first-load sizes
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

step "translation catalogue: every key in zh and en, no visible text outside locales/"
node --test tests/catalogue.test.mjs

step "domain stays pure (no web crates in its tree)"
if cargo tree -p linli-domain -e normal --prefix none | grep -Ei '^(leptos|web-sys|js-sys|wasm-bindgen|gloo|rexie|idb|getrandom) '; then
  echo "domain/ must not depend on web crates" >&2
  exit 1
fi

step "clippy"
cargo clippy -p linli-domain -p linli-cli --all-targets -- -D warnings
cargo clippy -p linli -p linli-dashboard --no-deps --target wasm32-unknown-unknown --all-targets -- -D warnings

step "domain, CLI and dashboard tests (native)"
cargo test -p linli-domain -p linli-cli -p linli-dashboard --profile ci
# The workspace's own unit tests that need no browser (age backups, layout, names).
cargo test -p linli --lib --profile ci

step "browser tests (headless Chromium)"
# Each test file gets 120 s instead of the runner's 20 s: the 10,000-household
# benchmarks in vault.rs take about 16 s on an idle 2-core machine.
WASM_BINDGEN_TEST_TIMEOUT=120 cargo test --target wasm32-unknown-unknown --release --test storage --test vault --test web --test needs_bench --test workshop_bench -- --nocapture

step "release build: workspace (dist/) and residents' dashboard (dist/site/)"
trunk build --release
node scripts/size.mjs dist
trunk build dashboard/index.html --release --dist dist/site
# The dashboard's first load with the demo's snapshot: budget 200 KiB brotli (#6).
size_dir="$(mktemp -d)"
"${CARGO_TARGET_DIR:-target}/ci/linli" demo --seed 2026 --created-at 1795492800000 --out "$size_dir/demo.json"
"${CARGO_TARGET_DIR:-target}/ci/linli" publish "$size_dir/demo.json" --out "$size_dir/site" --site dist/site --at 1795492800000
node scripts/size.mjs "$size_dir/site" --also snapshot.json --also sw.js --budget-kib 200
rm -rf "$size_dir"

step "end-to-end (release build under /community-a/)"
# needs.test.mjs compares the app's scores with the CLI built by the native tests.
LINLI_CLI="${CARGO_TARGET_DIR:-target}/ci/linli" node --test --test-concurrency=1 tests/e2e/

echo
echo "FIGURE test_command_seconds $(( $(date +%s) - start ))"
