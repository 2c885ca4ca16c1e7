// Names at the TLS boundary: the cipher-suite and curve names operators write in a tls {} block
// (IANA/Go spelling, as nats-server accepts them) mapped to OpenSSL's, and the names the logs
// and /connz show for a negotiated connection. No OpenSSL types here: config uses it too.
#pragma once

#include <optional>
#include <string_view>

namespace gnatsd::net {

// OpenSSL's name ("ECDHE-RSA-AES128-GCM-SHA256") for a TLS 1.2 suite named as nats-server
// names it ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"); nullopt for a name nats-server rejects.
std::optional<std::string_view> openssl_cipher_name(std::string_view config_name);

// OpenSSL's group name ("P-256") for a curve_preferences entry ("CurveP256"); nullopt when unknown.
std::optional<std::string_view> openssl_group_name(std::string_view config_name);

// The suite's name as nats-server logs and reports it, from OpenSSL's RFC name
// (SSL_CIPHER_standard_name): the same IANA name, except that Go drops "_SHA256" from the
// ChaCha20 suites of TLS 1.2.
std::string_view reported_cipher_name(std::string_view rfc_name);

// "1.2" / "1.3" for OpenSSL's protocol version number, as in "TLS version 1.2".
std::string_view tls_version_name(int version);

// The defaults when the config names none. TLS 1.2: the spec's ECDHE AES-GCM suites first,
// then ChaCha20 (nats-server 2.x's default list): forward secrecy and AEAD only, no CBC, no
// static RSA. TLS 1.3 has only AEAD suites; AES-128-GCM first, as Go picks it.
inline constexpr std::string_view kDefaultTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
inline constexpr std::string_view kDefaultTls13Ciphers =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
// nats-server's default curve order: X25519 first, then the NIST curves.
inline constexpr std::string_view kDefaultGroups = "X25519:P-256:P-384:P-521";

}  // namespace gnatsd::net
