#!/usr/bin/env bash
# Installs what building and testing gnatsd needs, from Debian's packages and npm.
# Idempotent: does nothing when everything is already present.
# With --bench, also what `make bench` needs: nats-server, to measure against.
# With --fuzz, also what `make fuzz` needs: clang and its libFuzzer/sanitizer runtimes.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  g++ cmake ninja-build pkg-config make
  libssl-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libabsl-dev            # Abseil: flat hash maps for the subject index and route interest
  openssl                # the CLI: TLS tests make throwaway certificates with it
  libcpp-httplib-dev     # the monitoring HTTP server (and the tests' HTTP client)
  libcrypt-dev           # libxcrypt: bcrypt for passwords and tokens
  zlib1g-dev             # zlib: WebSocket permessage-deflate
  libgtest-dev libgmock-dev libbenchmark-dev
  libnats-dev            # cnats: a stock client for the integration tests
  nodejs npm             # nats.js: a stock client for the integration tests
  chromium fonts-dejavu-core  # a real browser (headless) for the WebSocket example's test
  python3                # bench/side_by_side.py, the driver of `make bench`
)
if [ "${1:-}" = "--fuzz" ]; then
  # libFuzzer ships in libclang-rt-<major>-dev, which clang only recommends.
  if ! command -v clang++ >/dev/null; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q --no-install-recommends clang
  fi
  major=$(clang++ -dumpversion | cut -d. -f1)
  packages+=(clang "libclang-rt-$major-dev")
fi
if [ "${1:-}" = "--bench" ]; then
  packages+=(nats-server)  # the reference server `make bench` compares against
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A machine may carry Node.js outside dpkg (e.g. NodeSource); don't fight it.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The nats.js client (and the Prometheus text parser of the monitoring tests), pinned by the
# committed lock file. Node trusts only its bundled CA list unless told otherwise; on machines
# that reach the registry through a proxy whose CA the admin added to the system store, that
# store is what must be trusted.
# Installed again whenever a dependency pinned in package.json is missing or at another version.
js_deps_current() {
  node -e '
    const deps = require("./tests/js/package.json").dependencies || {};
    for (const [name, version] of Object.entries(deps)) {
      let got;
      try { got = require(`./tests/js/node_modules/${name}/package.json`).version; } catch { process.exit(1); }
      if (got !== version) process.exit(1);
    }' 2>/dev/null
}
if [ -f tests/js/package-lock.json ] && ! js_deps_current; then
  if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
  fi
  (cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
fi
