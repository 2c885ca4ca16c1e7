#!/usr/bin/env bash
# CTest smoke test for nats-bench: starts fresh gnatsd servers on ephemeral ports (plain,
# WebSocket, TLS, and TLS that verifies clients, with throwaway certificates) and runs every
# mode with tiny counts. Each run must exit 0 ("all delivered"); no timing is asserted.
# Usage: smoke_test.sh GNATSD_BINARY NATS_BENCH_BINARY
set -euo pipefail
server_bin=$1
bench_bin=$2
certs_script="$(cd "$(dirname "$0")/../../tests/support" && pwd)/make-test-certs.sh"
work=$(mktemp -d)
server_pids=()
cleanup() {
  for pid in "${server_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# start_server NAME [GNATSD FLAGS...]: sets $port once the server listens on 127.0.0.1.
start_server() {
  local log="$work/$1.log"
  shift
  "$server_bin" -a 127.0.0.1 -p -1 "$@" 2>"$log" &
  local pid=$!
  server_pids+=("$pid")
  port=""
  for _ in $(seq 100); do  # up to 5 s for the listening line
    port=$(grep -oP 'Listening for client connections on 127\.0\.0\.1:\K[0-9]+' "$log" || true)
    [ -n "$port" ] && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "server exited"; exit 1; }
    sleep 0.05
  done
  cat "$log"
  echo "server did not report its port"
  exit 1
}

run() {
  echo "+ nats-bench $*"
  if ! "$bench_bin" -s "$url" --timeout 5 "$@"; then
    echo "FAILED: nats-bench $*"
    exit 1
  fi
}

# expect_refusal TEXT ARGS...: nats-bench must exit 2 and say TEXT on stderr.
expect_refusal() {
  local want=$1 status=0
  shift
  echo "+ nats-bench $* (must fail: $want)"
  "$bench_bin" --timeout 5 "$@" >"$work/out" 2>"$work/err" || status=$?
  if [ "$status" -ne 2 ] || ! grep -qF "$want" "$work/err"; then
    cat "$work/out" "$work/err"
    echo "FAILED: expected exit 2 and \"$want\", got exit $status"
    exit 1
  fi
}

start_server plain
plain_port=$port
url="nats://127.0.0.1:$port"
run --pub 1 --msgs 20000 --size 16
run --pub 2 --sub 3 --msgs 20000 --size 16
run --pub 1 --sub 4 --queue workers --msgs 20000 --size 16
run --pub 1 --sub 1 --msgs 200 --size 64K
run --pub 1 --sub 1 --msgs 1000 --size 3   # too small for a stamp: counts only
run --request --pub 2 --sub 2 --msgs 500 --size 16
run --conns 200 --idle --hold 0
# --json is what `make bench` reads: it must be one object with "ok":true.
"$bench_bin" -s "$url" --pub 1 --sub 1 --msgs 1000 --size 16 --json | grep -q '"ok":true'

# WebSocket: a websocket {} listener beside the client port; nats-bench does the upgrade and
# the framing itself (masked frames out, the server's frames unwrapped in).
printf 'websocket { host: "127.0.0.1", port: -1, no_tls: true }\n' >"$work/ws.conf"
start_server ws -c "$work/ws.conf"
ws_port=""
for _ in $(seq 100); do
  ws_port=$(grep -oP 'Listening for websocket clients on ws://127\.0\.0\.1:\K[0-9]+' \
    "$work/ws.log" || true)
  [ -n "$ws_port" ] && break
  sleep 0.05
done
[ -n "$ws_port" ] || { cat "$work/ws.log"; echo "no websocket port"; exit 1; }
url="ws://127.0.0.1:$ws_port"
run --pub 1 --sub 1 --msgs 20000 --size 1K
run --pub 2 --sub 3 --msgs 20000 --size 16
run --pub 1 --sub 1 --msgs 200 --size 64K  # NATS frames span WebSocket frames
run --request --pub 1 --sub 1 --msgs 300 --size 16
# The subscriber on WebSocket, the publisher on the plain port of the same server.
run --sub-server "ws://127.0.0.1:$ws_port" -s "nats://127.0.0.1:$port" --pub 1 --sub 1 \
  --msgs 5000 --size 128
expect_refusal "WebSocket upgrade at ws://127.0.0.1:$plain_port failed" \
  -s "ws://127.0.0.1:$plain_port" --pub 1
expect_refusal "not supported" -s "wss://127.0.0.1:$ws_port" --pub 1

# TLS: the same certificates the server tests use, made afresh for this run.
"$certs_script" "$work/certs" >/dev/null
certs="$work/certs"
start_server tls --tls --tlscert "$certs/server-cert.pem" --tlskey "$certs/server-key.pem"
tls_port=$port
url="tls://127.0.0.1:$tls_port"
run --tlsca "$certs/ca.pem" --pub 1 --sub 1 --msgs 20000 --size 1K
run --tlsca "$certs/ca.pem" --pub 2 --sub 2 --msgs 20000 --size 16
run --tlsca "$certs/ca.pem" --pub 1 --sub 1 --msgs 200 --size 64K  # frames span records
run --tlsca "$certs/ca.pem" --request --pub 1 --sub 1 --msgs 300 --size 16
"$bench_bin" -s "$url" --tlsca "$certs/ca.pem" --pub 1 --sub 1 --msgs 100 --json \
  | grep -q '"tls":"TLSv1'
# --tls on a nats:// URL, and the name in the certificate rather than its IP address (where
# the name resolves: a bare chroot may have no /etc/hosts).
if getent hosts localhost >/dev/null; then
  url="nats://localhost:$tls_port"
  run --tls --tlsca "$certs/ca.pem" --pub 1 --sub 1 --msgs 1000 --size 16
else
  echo "smoke: \"localhost\" does not resolve here; host-name verification not exercised"
fi
# The server is always verified: another CA, or none but the system's, must not pass.
expect_refusal "TLS handshake with 127.0.0.1:$tls_port failed" \
  -s "tls://127.0.0.1:$tls_port" --tlsca "$certs/rogue-ca.pem" --pub 1
expect_refusal "TLS handshake with 127.0.0.1:$tls_port failed" \
  -s "tls://127.0.0.1:$tls_port" --pub 1
expect_refusal "requires TLS" -s "nats://127.0.0.1:$tls_port" --pub 1
expect_refusal "does not offer TLS" -s "tls://127.0.0.1:$plain_port" --tlsca "$certs/ca.pem"
expect_refusal "cannot read CA file" -s "tls://127.0.0.1:$tls_port" --tlsca "$work/none.pem"

# A server that verifies clients: the client certificate gets in, none does not.
start_server verify --tlsverify --tlscert "$certs/server-cert.pem" \
  --tlskey "$certs/server-key.pem" --tlscacert "$certs/ca.pem"
url="tls://127.0.0.1:$port"
run --tlsca "$certs/ca.pem" --tlscert "$certs/client-cert.pem" --tlskey "$certs/client-key.pem" \
  --pub 1 --sub 1 --msgs 5000 --size 128
expect_refusal "certificate required" -s "$url" --tlsca "$certs/ca.pem" --pub 1 --sub 1 --msgs 10
echo "smoke test passed"
