#!/usr/bin/env bash
# Builds Linli (release) and serves it with the demo community at
# http://127.0.0.1:8080/ (PORT=… to change). Installs missing tools first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh build
PORT="${PORT:-8080}"
echo "Linli: http://127.0.0.1:$PORT/  (the demo community is loaded on first start)"
exec trunk serve --release --address 127.0.0.1 --port "$PORT"
