#!/usr/bin/env bash
# Installs whatever is missing to build (and, with `test`, to test) Linli.
# Idempotent: every tool already at the right version is skipped.
# Usage: source scripts/setup.sh [build|test]   (sourcing also sets PATH)
#        bash scripts/setup.sh [build|test]
set -euo pipefail

LINLI_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LINLI_TOOLS="${LINLI_TOOLS:-$HOME/.cache/linli-tools}"
TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132
mode="${1:-build}"

say() { printf '\033[1;32m[setup]\033[0m %s\n' "$*" >&2; }

export PATH="$HOME/.cargo/bin:$LINLI_TOOLS/binaryen/node_modules/.bin:$PATH"

# wasm target for the stable toolchain
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# trunk, pinned (latest needs a newer rustc)
if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION\$"; then
  say "installing trunk $TRUNK_VERSION (about 10 minutes, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

# wasm-bindgen-cli at exactly the version in Cargo.lock
WBG_VERSION="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' "$LINLI_ROOT/Cargo.lock")"
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WBG_VERSION\$"; then
  say "installing wasm-bindgen-cli $WBG_VERSION (about 4 minutes, once)"
  cargo install wasm-bindgen-cli --version "$WBG_VERSION"
fi

# wasm-opt from npm's binaryen (Debian's 108 produces broken wasm)
if ! wasm-opt --version 2>/dev/null | grep -q "version_$BINARYEN_VERSION"; then
  say "installing wasm-opt (npm binaryen@$BINARYEN_VERSION)"
  mkdir -p "$LINLI_TOOLS/binaryen"
  npm install --prefix "$LINLI_TOOLS/binaryen" --no-save --no-audit --no-fund "binaryen@$BINARYEN_VERSION" >&2
fi

if [ "$mode" = test ]; then
  # Headless Chromium and its driver for wasm-bindgen-test and the e2e tests;
  # CJK fonts so screenshots show Chinese; the reference `age` tool (Go) for the CLI's
  # backup interoperability test (cli/tests/backup_age.rs) and the resident-intake payload
  # test (cli/tests/intake.rs, which prefers `rage` when it is installed and skips, saying
  # so, only when neither tool is there).
  missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
  command -v age >/dev/null && command -v age-keygen >/dev/null || missing+=(age)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]} from Debian"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >&2
  fi
  # playwright-core (no browser download: it drives Debian's Chromium) and axe-core
  # (accessibility rules run inside the pages, issue #17)
  if [ ! -d "$LINLI_ROOT/tests/e2e/node_modules/playwright-core" ] || [ ! -d "$LINLI_ROOT/tests/e2e/node_modules/axe-core" ]; then
    say "installing e2e test dependencies (npm ci)"
    (cd "$LINLI_ROOT/tests/e2e" && npm ci --no-audit --no-fund >&2)
  fi
  export CHROMEDRIVER=/usr/bin/chromedriver
fi
