#!/usr/bin/env bash
# A CouchDB-compatible development server for `linli sync` and its tests:
# pouchdb-server 4.2.0 from npm, in memory, on loopback only, CORS enabled.
#
#   bash scripts/couch.sh [--port P]      (default 5984; or PORT=P)
#
# Installs pouchdb-server on first use under $HOME/.cache/linli-tools/pouchdb
# (skipped when present; npm here skips native install scripts, which the
# in-memory mode does not need). Prints the server's URL on standard output
# once it answers, then runs until stopped (Ctrl-C or SIGTERM), when it stops
# the server and removes its temporary folder. Every database is lost on stop.
# Not for production: see README.md, "Real CouchDB deployment".
set -euo pipefail

PORT=${PORT:-5984}
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT=${2:?--port needs a number}; shift 2 ;;
    *) echo "couch.sh: unknown option $1 (usage: couch.sh [--port P])" >&2; exit 2 ;;
  esac
done
case "$PORT" in ''|*[!0-9]*) echo "couch.sh: --port must be a number" >&2; exit 2 ;; esac

TOOLS=${LINLI_TOOLS:-$HOME/.cache/linli-tools}/pouchdb
BIN=$TOOLS/node_modules/.bin/pouchdb-server
if [ ! -x "$BIN" ]; then
  command -v npm >/dev/null || { echo "couch.sh: npm is required (apt-get install npm)" >&2; exit 1; }
  mkdir -p "$TOOLS"
  # Several test processes may start at once: one installs, the others wait.
  exec 9>"$TOOLS/.install.lock"
  flock 9
  if [ ! -x "$BIN" ]; then
    echo "couch.sh: installing pouchdb-server@4.2.0 into $TOOLS" >&2
    [ -f "$TOOLS/package.json" ] || echo '{"private": true}' > "$TOOLS/package.json"
    (cd "$TOOLS" && npm install --no-audit --no-fund --loglevel=error pouchdb-server@4.2.0 >&2)
  fi
  flock -u 9
  exec 9>&-
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/linli-couch.XXXXXX")
# /_config backing file: CORS for the workspace in a browser, logs kept out of the
# current folder.
cat > "$WORK/config.json" <<JSON
{
  "httpd": {"enable_cors": true},
  "cors": {"origins": "*", "credentials": true,
           "methods": "GET, PUT, POST, HEAD, DELETE",
           "headers": "accept, authorization, content-type, origin, referer"},
  "log": {"file": "$WORK/log.txt", "level": "warning"}
}
JSON

PID=
stop() {
  trap - EXIT INT TERM
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
    kill "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap stop EXIT
trap 'stop; exit 0' INT TERM

(cd "$WORK" && exec "$BIN" --in-memory --host 127.0.0.1 --port "$PORT" \
  --config "$WORK/config.json" --dir "$WORK" --no-stdout-logs >"$WORK/stdout.txt" 2>&1) &
PID=$!

for _ in $(seq 1 300); do
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "couch.sh: pouchdb-server exited:" >&2
    cat "$WORK/stdout.txt" >&2 || true
    exit 1
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    echo "http://127.0.0.1:$PORT"
    wait "$PID"
    exit $?
  fi
  sleep 0.1
done
echo "couch.sh: pouchdb-server did not answer on port $PORT within 30 s" >&2
exit 1
