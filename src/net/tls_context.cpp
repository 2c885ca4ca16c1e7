// Builds the server SSL_CTX from TlsOptions; start-up errors use nats-server's wording (the Go
// TLS stack's texts) and name the file that failed.
#include "net/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string_view>

#include <fmt/format.h>

#include "net/tls_names.hpp"

namespace gnatsd::net {
namespace {

constexpr std::string_view kKeyPairError = "error parsing X509 certificate/key pair";
// Tells OpenSSL's session cache which contexts' sessions may be resumed here; required once
// client certificates are verified, or a resumed session fails the handshake.
constexpr unsigned char kSessionIdContext[] = "gnatsd";

// Never prompt on the terminal for a key's passphrase: an encrypted key is a load error.
int refuse_passphrase(char*, int, int, void*) {
  return 0;
}

// Go's error for a file it cannot open: "open <path>: no such file or directory".
std::string open_error(const std::string& path) {
  const int err = errno;
  std::string text = std::strerror(err);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return fmt::format("open {}: {}", path, text);
}

// Checks that `path` can be opened for reading, so that a missing or unreadable file gets
// Go's "open ..." text rather than an OpenSSL error code.
bool readable(const std::string& path, std::string& error) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    error = open_error(path);
    return false;
  }
  std::fclose(f);
  return true;
}

// Whether the file holds a PEM block at all: Go's "failed to find any PEM data" case.
bool has_pem_block(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text.find("-----BEGIN ") != std::string::npos;
}

// The innermost OpenSSL reason text, for failures without a Go equivalent; clears the queue.
std::string last_reason() {
  unsigned long last = 0;
  while (unsigned long e = ERR_get_error()) last = e;
  const char* reason = last != 0 ? ERR_reason_error_string(last) : nullptr;
  return reason != nullptr ? reason : "unknown error";
}

std::string load_key_pair(SSL_CTX* ctx, const config::TlsOptions& options) {
  std::string error;
  if (!readable(options.cert_file, error) || !readable(options.key_file, error)) {
    return fmt::format("{}: {}", kKeyPairError, error);
  }
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(ctx, options.cert_file.c_str()) != 1) {
    ERR_clear_error();
    const char* what = has_pem_block(options.cert_file)
                           ? "tls: failed to parse certificate"
                           : "tls: failed to find any PEM data in certificate input";
    return fmt::format("{}: {} ({})", kKeyPairError, what, options.cert_file);
  }
  // The key is read here rather than by SSL_CTX_use_PrivateKey_file, to tell apart the cases
  // Go's texts distinguish.
  EVP_PKEY* key = nullptr;
  if (BIO* in = BIO_new_file(options.key_file.c_str(), "r")) {
    key = PEM_read_bio_PrivateKey(in, nullptr, refuse_passphrase, nullptr);
    BIO_free(in);
  }
  const char* what = nullptr;
  if (key == nullptr) {
    what = has_pem_block(options.key_file) ? "tls: failed to parse private key"
                                           : "tls: failed to find any PEM data in key input";
  } else {
    const EVP_PKEY* public_key = X509_get0_pubkey(SSL_CTX_get0_certificate(ctx));
    if (public_key == nullptr || EVP_PKEY_get_base_id(public_key) != EVP_PKEY_get_base_id(key)) {
      what = "tls: private key type does not match public key type";
    } else if (EVP_PKEY_eq(public_key, key) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1) {
      what = "tls: private key does not match public key";
    }
    EVP_PKEY_free(key);
  }
  ERR_clear_error();
  if (what != nullptr) return fmt::format("{}: {} ({})", kKeyPairError, what, options.key_file);
  return {};
}

std::string load_client_ca(SSL_CTX* ctx, const config::TlsOptions& options) {
  if (options.ca_file.empty()) {
    // nats-server verifies against the system roots when no CA is configured.
    if (options.verify) SSL_CTX_set_default_verify_paths(ctx);
    return {};
  }
  std::string error;
  if (!readable(options.ca_file, error)) return error;
  ERR_clear_error();
  if (SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr) != 1) {
    ERR_clear_error();
    return fmt::format("failed to parse root ca certificate ({})", options.ca_file);
  }
  // Tell clients which CAs are accepted, so that one holding several certificates picks right.
  if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(options.ca_file.c_str())) {
    SSL_CTX_set_client_CA_list(ctx, names);
  }
  ERR_clear_error();
  return {};
}

std::string set_ciphers(SSL_CTX* ctx, const config::TlsOptions& options) {
  std::string list;
  for (const auto& name : options.cipher_suites) {
    auto openssl_name = openssl_cipher_name(name);
    if (!openssl_name) return fmt::format("unrecognized cipher {}", name);
    if (!list.empty()) list += ':';
    list += *openssl_name;
  }
  if (list.empty()) list = kDefaultTls12Ciphers;
  if (SSL_CTX_set_cipher_list(ctx, list.c_str()) != 1) {
    ERR_clear_error();
    return fmt::format("no usable cipher suite in cipher_suites ({})", list);
  }
  // TLS 1.3 suites are not configurable, in Go as here: all of them are AEAD with ECDHE.
  SSL_CTX_set_ciphersuites(ctx, std::string(kDefaultTls13Ciphers).c_str());
  return {};
}

std::string set_curves(SSL_CTX* ctx, const config::TlsOptions& options) {
  std::string list;
  for (const auto& name : options.curve_preferences) {
    auto group = openssl_group_name(name);
    if (!group) return fmt::format("unrecognized curve preference {}", name);
    if (!list.empty()) list += ':';
    list += *group;
  }
  if (list.empty()) list = kDefaultGroups;
  if (SSL_CTX_set1_groups_list(ctx, list.c_str()) != 1) {
    ERR_clear_error();
    return fmt::format("unusable curve_preferences ({})", list);
  }
  return {};
}

}  // namespace

TlsContextResult make_client_tls_context(const config::TlsOptions& options) {
  TlsContextResult result;
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) {
    result.error = fmt::format("cannot create a TLS context: {}", last_reason());
    return result;
  }
  SSL_CTX* c = ctx.get();
  SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
  SSL_CTX_set_options(
      c, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                          SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_read_ahead(c, 1);
  SSL_CTX_set_default_passwd_cb(c, refuse_passphrase);
  for (auto* step : {set_ciphers, set_curves}) {
    if (auto error = step(c, options); !error.empty()) {
      result.error = error;
      return result;
    }
  }
  if (!options.cert_file.empty() || !options.key_file.empty()) {
    if (auto error = load_key_pair(c, options); !error.empty()) {
      result.error = error;
      return result;
    }
  }
  if (options.ca_file.empty()) {
    SSL_CTX_set_default_verify_paths(c);
  } else if (SSL_CTX_load_verify_locations(c, options.ca_file.c_str(), nullptr) != 1) {
    ERR_clear_error();
    result.error = fmt::format("failed to parse root ca certificate ({})", options.ca_file);
    return result;
  }
  SSL_CTX_set_verify(c, SSL_VERIFY_PEER, nullptr);
  result.context = std::move(ctx);
  return result;
}

std::string configure_server_tls_context(SSL_CTX* ctx, const config::TlsOptions& options) {
  if (options.cert_file.empty()) return "TLS Server certificate must be present and valid";
  if (options.key_file.empty()) return "TLS Server private key must be present and valid";
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF);
  // Partial writes: SSL_write reports what whole records went out before the socket filled,
  // like send(). Moving buffer: a retried write may come from a reallocated outbound buffer.
  // Release buffers: idle connections do not pin 34 KB of record buffers each.
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                            SSL_MODE_RELEASE_BUFFERS);
  // Read-ahead: one recv() takes as many records as the socket holds, not a header then a body.
  SSL_CTX_set_read_ahead(ctx, 1);
  SSL_CTX_set_default_passwd_cb(ctx, refuse_passphrase);
  SSL_CTX_set_session_id_context(ctx, kSessionIdContext, sizeof kSessionIdContext - 1);

  for (auto* step : {set_ciphers, set_curves, load_key_pair, load_client_ca}) {
    if (auto error = step(ctx, options); !error.empty()) return error;
  }
  if (options.verify) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  return {};
}

TlsContextResult make_server_tls_context(const config::TlsOptions& options) {
  TlsContextResult result;
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) {
    result.error = fmt::format("cannot create a TLS context: {}", last_reason());
    return result;
  }
  result.error = configure_server_tls_context(ctx.get(), options);
  if (result.error.empty()) result.context = std::move(ctx);
  return result;
}

}  // namespace gnatsd::net
