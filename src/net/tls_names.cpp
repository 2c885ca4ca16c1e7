// Cipher-suite and curve name tables (the names nats-server's tls {} block accepts).
#include "net/tls_names.hpp"

#include <array>
#include <utility>

namespace gnatsd::net {
namespace {

using NamePair = std::pair<std::string_view, std::string_view>;

// Every suite name nats-server accepts in cipher_suites, with OpenSSL's name for it. The weak
// ones stay accepted so that a nats-server config keeps loading; they are used only when an
// operator lists them explicitly (and OpenSSL 3 has no RC4 at all).
constexpr std::array<NamePair, 21> kCipherNames{{
    {"TLS_RSA_WITH_RC4_128_SHA", "RC4-SHA"},
    {"TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA"},
    {"TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA"},
    {"TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256"},
    {"TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA"},
    {"TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384"},
    {"TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "ECDHE-ECDSA-RC4-SHA"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA"},
    {"TLS_ECDHE_RSA_WITH_RC4_128_SHA", "ECDHE-RSA-RC4-SHA"},
    {"TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-RSA-DES-CBC3-SHA"},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA"},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA-AES128-SHA256"},
    {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA"},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "ECDHE-RSA-CHACHA20-POLY1305"},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "ECDHE-ECDSA-CHACHA20-POLY1305"},
}};

constexpr std::array<NamePair, 4> kGroupNames{{
    {"X25519", "X25519"},
    {"CurveP256", "P-256"},
    {"CurveP384", "P-384"},
    {"CurveP521", "P-521"},
}};

template <std::size_t N>
std::optional<std::string_view> lookup(const std::array<NamePair, N>& table, std::string_view key) {
  for (const auto& [from, to] : table) {
    if (from == key) return to;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> openssl_cipher_name(std::string_view config_name) {
  return lookup(kCipherNames, config_name);
}

std::optional<std::string_view> openssl_group_name(std::string_view config_name) {
  return lookup(kGroupNames, config_name);
}

std::string_view reported_cipher_name(std::string_view rfc_name) {
  constexpr std::string_view kChaChaSuffix = "_CHACHA20_POLY1305_SHA256";
  // TLS 1.3's TLS_CHACHA20_POLY1305_SHA256 keeps its suffix in Go; only the ECDHE ones lose it.
  if (rfc_name.starts_with("TLS_ECDHE_") && rfc_name.ends_with(kChaChaSuffix)) {
    rfc_name.remove_suffix(std::string_view("_SHA256").size());
  }
  return rfc_name;
}

std::string_view tls_version_name(int version) {
  switch (version) {
    case 0x0301:
      return "1.0";
    case 0x0302:
      return "1.1";
    case 0x0303:
      return "1.2";
    case 0x0304:
      return "1.3";
    default:
      return "unknown";
  }
}

}  // namespace gnatsd::net
