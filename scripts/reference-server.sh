#!/usr/bin/env bash
# reference-server.sh DIR — puts nats-server 2.9.10 (Debian bookworm's package) at
# DIR/nats-server-2.9.10 and prints that path; the tests that compare gnatsd's answers with
# nats-server's run it. Idempotent. The package is downloaded and unpacked, never installed:
# installing it would also enable its systemd service on port 4222, where `make run` listens.
set -euo pipefail
dir=$(mkdir -p "${1:?usage: reference-server.sh DIR}" && cd "$1" && pwd)
out=$dir/nats-server-2.9.10
if [ -x "$out" ] && "$out" --version >/dev/null 2>&1; then
  echo "$out"
  exit 0
fi
work=$dir/.download
rm -rf "$work"
mkdir -p "$work"
if ! (cd "$work" && apt-get -q download nats-server >/dev/null 2>&1); then
  # The package lists may be empty on a fresh machine: refresh them (root, or sudo) once.
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q >/dev/null
  (cd "$work" && apt-get -q download nats-server >/dev/null)
fi
dpkg -x "$work"/nats-server_*.deb "$work/x"
cp "$work/x/usr/sbin/nats-server" "$out"
rm -rf "$work"
"$out" --version >/dev/null
echo "$out"
