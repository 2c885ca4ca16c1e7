// The OpenSSL calls behind nats-bench's TLS: context set-up, certificate checks, the
// non-blocking handshake and record I/O.
#include "tls_client.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace nats_bench {
namespace {

// With read-ahead, one recv fills this much of OpenSSL's buffer: a busy subscriber takes
// dozens of records per syscall instead of one.
constexpr long kReadAheadBytes = 256 * 1024;

// OpenSSL's reason for the most recent failure on this thread, and clears the queue.
std::string openssl_reason(const char* fallback) {
  unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return fallback;
  const char* reason = ERR_reason_error_string(code);
  if (reason != nullptr) return reason;
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

// OpenSSL says "system lib" for a missing file; errno says which problem it is.
std::string unreadable(const std::string& path) {
  if (::access(path.c_str(), R_OK) == 0) return {};
  return std::strerror(errno);
}

std::string load_files(SSL_CTX* ctx, const TlsSettings& s) {
  const std::pair<const char*, const std::string*> files[] = {
      {"CA file", &s.ca_file}, {"client certificate", &s.cert_file}, {"client key", &s.key_file}};
  for (auto [role, path] : files)
    if (!path->empty())
      if (std::string why = unreadable(*path); !why.empty())
        return std::string("cannot read ") + role + " " + *path + ": " + why;
  if (!s.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, s.ca_file.c_str(), nullptr) != 1)
      return "cannot load CA file " + s.ca_file + ": " + openssl_reason("unreadable");
  } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
    return "cannot load the system's CA certificates: " + openssl_reason("unknown error");
  }
  if (s.cert_file.empty() != s.key_file.empty()) return "--tlscert and --tlskey go together";
  if (s.cert_file.empty()) return {};
  if (SSL_CTX_use_certificate_chain_file(ctx, s.cert_file.c_str()) != 1)
    return "cannot load client certificate " + s.cert_file + ": " + openssl_reason("unreadable");
  if (SSL_CTX_use_PrivateKey_file(ctx, s.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    return "cannot load client key " + s.key_file + ": " + openssl_reason("unreadable");
  if (SSL_CTX_check_private_key(ctx) != 1)
    return "client key " + s.key_file + " does not match " + s.cert_file;
  return {};
}

}  // namespace

TlsClientContext::Made TlsClientContext::make(const TlsSettings& settings) {
  Made made;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) {
    made.error = "cannot create a TLS context: " + openssl_reason("out of memory");
    return made;
  }
  // Owned from here on, so every early return frees it.
  made.context = std::make_unique<TlsClientContext>(Key{}, ctx);
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // Partial writes make SSL_write behave like send() on a full socket; the moving buffer lets a
  // retried write come from a queue that grew (and moved) meanwhile.
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_read_ahead(ctx, 1);
  SSL_CTX_set_default_read_buffer_len(ctx, kReadAheadBytes);
  // Never silently unverified: without --tlsca the system's roots must vouch for the server.
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  made.error = load_files(ctx, settings);
  ERR_clear_error();
  if (!made.error.empty()) made.context.reset();
  return made;
}

TlsClientContext::~TlsClientContext() {
  SSL_CTX_free(ctx_);
}

void TlsClientContext::note_negotiated(const std::string& description) const {
  std::lock_guard lock(negotiated_mutex_);
  if (negotiated_.empty()) negotiated_ = description;
}

std::string TlsClientContext::negotiated() const {
  std::lock_guard lock(negotiated_mutex_);
  return negotiated_;
}

TlsStream::TlsStream(const TlsClientContext& context, int fd, const std::string& host)
    : ssl_(SSL_new(context.native())), fd_(fd) {
  if (ssl_ == nullptr) return;
  SSL_set_fd(ssl_, fd);
  in6_addr ip{};
  bool is_ip =
      ::inet_pton(AF_INET, host.c_str(), &ip) == 1 || ::inet_pton(AF_INET6, host.c_str(), &ip) == 1;
  if (is_ip) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), host.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl_, host.c_str());  // SNI is for names only (RFC 6066)
    SSL_set1_host(ssl_, host.c_str());
  }
}

TlsStream::~TlsStream() {
  if (ssl_ == nullptr) return;
  // Best effort close_notify; the socket is non-blocking, so this never waits.
  if (SSL_is_init_finished(ssl_)) SSL_shutdown(ssl_);
  ERR_clear_error();
  SSL_free(ssl_);
}

TlsStream::Status TlsStream::classify(int rc) {
  int saved_errno = errno;
  switch (SSL_get_error(ssl_, rc)) {
    case SSL_ERROR_WANT_READ:
      return Status::WantRead;
    case SSL_ERROR_WANT_WRITE:
      return Status::WantWrite;
    case SSL_ERROR_ZERO_RETURN:
      error_ = "connection closed by the server";
      return Status::Closed;
    case SSL_ERROR_SYSCALL:
      if (ERR_peek_last_error() == 0) {
        error_ = saved_errno == 0 ? "connection closed by the server" : std::strerror(saved_errno);
        return saved_errno == 0 ? Status::Closed : Status::Failed;
      }
      [[fallthrough]];
    default: {
      long verify = SSL_get_verify_result(ssl_);
      error_ = openssl_reason("TLS failure");
      if (verify != X509_V_OK)
        error_ += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
      return Status::Failed;
    }
  }
}

std::string TlsStream::handshake(std::chrono::steady_clock::time_point deadline) {
  if (ssl_ == nullptr) return "cannot create a TLS session: " + openssl_reason("out of memory");
  for (;;) {
    ERR_clear_error();
    errno = 0;
    int rc = SSL_connect(ssl_);
    if (rc == 1) return {};
    Status s = classify(rc);
    if (s == Status::Closed || s == Status::Failed) return error_;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return "timed out";
    pollfd p{fd_, static_cast<short>(s == Status::WantRead ? POLLIN : POLLOUT), 0};
    if (::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 60'000))) < 0 &&
        errno != EINTR)
      return std::string("poll: ") + std::strerror(errno);
  }
}

TlsStream::Io TlsStream::read(char* buf, std::size_t len) {
  Io io;
  while (io.bytes < len) {
    ERR_clear_error();
    errno = 0;
    std::size_t got = 0;
    int rc = SSL_read_ex(ssl_, buf + io.bytes, len - io.bytes, &got);
    if (rc != 1) {
      io.status = classify(rc);
      break;
    }
    io.bytes += got;
    // Keep going only while records are already buffered: one recv per call, as plain TCP.
    if (!SSL_has_pending(ssl_)) break;
  }
  // Data first; a failure after it shows again on the next call.
  if (io.bytes > 0) io.status = Status::Ok;
  return io;
}

TlsStream::Io TlsStream::write(const char* data, std::size_t len) {
  Io io;
  ERR_clear_error();
  errno = 0;
  if (SSL_write_ex(ssl_, data, len, &io.bytes) != 1) io.status = classify(0);
  return io;
}

bool TlsStream::has_buffered_input() const {
  return SSL_has_pending(ssl_) == 1;
}

std::string TlsStream::negotiated() const {
  return std::string(SSL_get_version(ssl_)) + " " + SSL_get_cipher_name(ssl_);
}

}  // namespace nats_bench
