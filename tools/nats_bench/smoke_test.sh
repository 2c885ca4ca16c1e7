#!/usr/bin/env bash
# CTest smoke test for nats-bench: starts a fresh gnatsd on an ephemeral port and runs every
# mode with tiny counts. Each run must exit 0 ("all delivered"); no timing is asserted.
# Usage: smoke_test.sh GNATSD_BINARY NATS_BENCH_BINARY
set -euo pipefail
server_bin=$1
bench_bin=$2
log=$(mktemp)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -f "$log"
}
trap cleanup EXIT

"$server_bin" -a 127.0.0.1 -p -1 2>"$log" &
server_pid=$!
port=""
for _ in $(seq 100); do  # up to 5 s for the listening line
  port=$(grep -oP 'Listening for client connections on 127\.0\.0\.1:\K[0-9]+' "$log" || true)
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$log"; echo "server exited"; exit 1; }
  sleep 0.05
done
[ -n "$port" ] || { cat "$log"; echo "server did not report its port"; exit 1; }
url="nats://127.0.0.1:$port"

run() {
  echo "+ nats-bench $*"
  if ! "$bench_bin" -s "$url" --timeout 5 "$@"; then
    echo "FAILED: nats-bench $*"
    exit 1
  fi
}
run --pub 1 --msgs 20000 --size 16
run --pub 2 --sub 3 --msgs 20000 --size 16
run --pub 1 --sub 4 --queue workers --msgs 20000 --size 16
run --pub 1 --sub 1 --msgs 200 --size 64K
run --pub 1 --sub 1 --msgs 1000 --size 3   # too small for a stamp: counts only
run --request --pub 2 --sub 2 --msgs 500 --size 16
run --conns 200 --idle --hold 0
# --json is what `make bench` reads: it must be one object with "ok":true.
"$bench_bin" -s "$url" --pub 1 --sub 1 --msgs 1000 --size 16 --json | grep -q '"ok":true'
echo "smoke test passed"
