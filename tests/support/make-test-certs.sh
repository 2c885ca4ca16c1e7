#!/bin/sh
# Writes a throwaway PKI for the TLS tests into DIR (created if needed), valid for two days:
#   ca.pem ca-key.pem                 the test CA
#   server-cert.pem server-key.pem    CN=localhost, SANs localhost, 127.0.0.1, ::1 (from the CA)
#   client-cert.pem client-key.pem    a client certificate from the CA
#   route-cert.pem route-key.pem      a cluster member's (server and client auth, the server SANs)
#   rogue-ca.pem rogue-ca-key.pem     an unrelated CA
#   rogue-cert.pem rogue-key.pem      a client certificate from the rogue CA
# Keys are generated fresh on every run and never committed. Usage: make-test-certs.sh DIR
set -eu
dir=${1:?usage: make-test-certs.sh DIR}
mkdir -p "$dir"
cd "$dir"

# No system openssl.cnf: the extensions below are all the certificates carry.
OPENSSL_CONF=/dev/null
export OPENSSL_CONF

# The server key is RSA, so that TLS 1.2 negotiates the ECDHE_RSA suites the spec's logs show;
# the others are P-256, which is quick to generate.
rsa_key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }
ec_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

ca() {  # ca NAME CN
  ec_key "$1-key.pem"
  openssl req -x509 -new -key "$1-key.pem" -out "$1.pem" -days 2 -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash"
}

leaf() {  # leaf KEYTYPE CERT KEY CA CN EXTENSIONS
  "$1_key" "$3"
  shift
  openssl req -new -key "$2" -out "$1.csr" -subj "/CN=$4"
  printf '%s\n' "$5" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3-key.pem" -CAcreateserial \
    -out "$1" -days 2 -extfile "$1.ext" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

ca ca "gnatsd test CA"
ca rogue-ca "rogue test CA"
leaf rsa server-cert.pem server-key.pem ca localhost \
  "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"
leaf ec client-cert.pem client-key.pem ca "test client" \
  "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
leaf ec route-cert.pem route-key.pem ca "route" \
  "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"
leaf ec rogue-cert.pem rogue-key.pem rogue-ca "rogue client" \
  "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
rm -f ./*.srl
