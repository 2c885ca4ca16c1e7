// The server side of TLS, built once from a tls {} block (or the --tls* flags): certificate and
// key, client verification against a CA, protocol floor, cipher suites and curves. One context
// is shared by every connection it accepts (OpenSSL contexts are thread-safe once built); the
// client port, HTTPS monitoring and routes each build theirs from their own TlsOptions.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "config/options.hpp"

namespace gnatsd::net {

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const noexcept { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

struct TlsContextResult {
  SslCtxPtr context;  // null on failure
  std::string error;  // nats-server's wording, naming the file at fault
};

// Policy: TLS 1.2 minimum; TLS 1.2 suites from `cipher_suites` (nats-server names) or the
// defaults (ECDHE with AES-GCM, then ChaCha20), chosen in the server's order; TLS 1.3's AEAD
// suites; `curve_preferences` or X25519/P-256/P-384/P-521. With `verify`, a client must
// present a certificate that chains to `ca_file` (or the system store when there is none).
// Renegotiation is refused. I/O modes suit a non-blocking event loop: reads are buffered
// (read-ahead), so a caller must keep reading while SSL_has_pending() says so, and SSL_write
// may write part of what it is given (partial writes), so a caller loops on what it returns.
TlsContextResult make_server_tls_context(const config::TlsOptions& options);

// The dialling side, for routes: the same protocol floor, suites and curves; the certificate
// and key presented to the peer (route TLS is mutual); the peer's certificate checked against
// `ca_file` (or the system store) and, per connection, against the host dialled.
TlsContextResult make_client_tls_context(const config::TlsOptions& options);

// The same policy applied to a context someone else created (an HTTPS library's, say).
// Returns the error text, or "" on success.
std::string configure_server_tls_context(SSL_CTX* context, const config::TlsOptions& options);

}  // namespace gnatsd::net
