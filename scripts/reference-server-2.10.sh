#!/usr/bin/env bash
# reference-server-2.10.sh DIR — puts nats-server 2.10.27 at DIR/nats-server-2.10.27 and prints
# that path, for the mixed-cluster tests and `make bench`. It is Debian trixie's package (a
# static Go binary that runs on bookworm), fetched through a private apt state under DIR: the
# machine's apt sources and lists are never touched, and nothing is installed. Idempotent.
set -euo pipefail
dir=$(mkdir -p "${1:?usage: reference-server-2.10.sh DIR}" && cd "$1" && pwd)
out=$dir/nats-server-2.10.27
if [ -x "$out" ] && "$out" --version >/dev/null 2>&1; then
  echo "$out"
  exit 0
fi
state=$dir/.apt-trixie
mkdir -p "$state/lists/partial"
# The Debian mirror this machine already uses (deb822 sources or the classic list).
mirror=$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null |
  awk '{print $2}' | grep -v security | head -1 || true)
if [ -z "$mirror" ]; then
  mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
fi
mirror=${mirror:-http://deb.debian.org/debian}
echo "deb $mirror trixie main" >"$state/sources.list"
apt_private=(-q -o Dir::Etc::sourcelist="$state/sources.list" -o Dir::Etc::sourceparts=-
  -o Dir::State::Lists="$state/lists" -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root)
apt-get "${apt_private[@]}" update >/dev/null
rm -rf "$state/pkg" && mkdir -p "$state/pkg"
(cd "$state/pkg" && apt-get "${apt_private[@]}" download nats-server=2.10.27-1+b2 >/dev/null)
dpkg -x "$state/pkg"/nats-server_2.10.27*.deb "$state/pkg/x"
cp "$state/pkg/x/usr/sbin/nats-server" "$out"
rm -rf "$state/pkg"
"$out" --version >/dev/null
echo "$out"
