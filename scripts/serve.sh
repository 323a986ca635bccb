#!/usr/bin/env bash
# Builds Linli (release) and serves it with the demo community at
# http://127.0.0.1:8080/ (PORT=… to change). Installs missing tools first.
#   /           the workspace (the demo community is loaded on first start)
#   /public/    the residents' dashboard, published from the same demo community
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh build
PORT="${PORT:-8080}"
trunk build --release
trunk build dashboard/index.html --release --dist dist/site
cargo build --release -p linli-cli
linli="${CARGO_TARGET_DIR:-target}/release/linli"
mkdir -p target
"$linli" demo --seed 2026 --out target/serve-demo.json
rm -rf dist/public
"$linli" publish target/serve-demo.json --out dist/public --site dist/site --url "http://127.0.0.1:$PORT/public/" >/dev/null
echo "Linli workspace:        http://127.0.0.1:$PORT/"
echo "Residents' dashboard:   http://127.0.0.1:$PORT/public/"
exec node tests/e2e/serve.mjs dist / "$PORT"
