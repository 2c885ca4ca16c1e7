// TLS transport: plaintext greeting, non-blocking server handshake, batched record I/O, and
// handshake errors told in the words nats-server's Go TLS stack uses, so logs read the same.
#include "net/tls_transport.hpp"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "net/tls_names.hpp"

namespace gnatsd::net {
namespace {

// Every TLS connection opens with a handshake record; anything else is a plaintext client.
constexpr unsigned char kTlsHandshakeRecord = 0x16;

std::string lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Go's names for the TLS alerts a client may send while refusing the handshake.
std::string_view alert_text(int alert) {
  switch (alert) {
    case SSL_AD_UNEXPECTED_MESSAGE:
      return "unexpected message";
    case SSL_AD_BAD_RECORD_MAC:
      return "bad record MAC";
    case SSL_AD_RECORD_OVERFLOW:
      return "record overflow";
    case SSL_AD_HANDSHAKE_FAILURE:
      return "handshake failure";
    case SSL_AD_BAD_CERTIFICATE:
      return "bad certificate";
    case SSL_AD_UNSUPPORTED_CERTIFICATE:
      return "unsupported certificate";
    case SSL_AD_CERTIFICATE_REVOKED:
      return "revoked certificate";
    case SSL_AD_CERTIFICATE_EXPIRED:
      return "expired certificate";
    case SSL_AD_CERTIFICATE_UNKNOWN:
      return "unknown certificate";
    case SSL_AD_ILLEGAL_PARAMETER:
      return "illegal parameter";
    case SSL_AD_UNKNOWN_CA:
      return "unknown certificate authority";
    case SSL_AD_ACCESS_DENIED:
      return "access denied";
    case SSL_AD_DECODE_ERROR:
      return "error decoding message";
    case SSL_AD_DECRYPT_ERROR:
      return "error decrypting message";
    case SSL_AD_PROTOCOL_VERSION:
      return "protocol version not supported";
    case SSL_AD_INSUFFICIENT_SECURITY:
      return "insufficient security level";
    case SSL_AD_INTERNAL_ERROR:
      return "internal error";
    case SSL_AD_USER_CANCELLED:
      return "user canceled";
    case SSL_AD_NO_RENEGOTIATION:
      return "no renegotiation";
    case SSL_AD_UNRECOGNIZED_NAME:
      return "unrecognized name";
    case SSL_AD_CERTIFICATE_REQUIRED:
      return "certificate required";
    default:
      return {};
  }
}

// Go's x509 wording for why a client certificate was not trusted.
std::string verify_text(long result) {
  switch (result) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return "x509: certificate signed by unknown authority";
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "x509: certificate has expired or is not yet valid";
    case X509_V_ERR_INVALID_PURPOSE:
      return "x509: certificate specifies an incompatible key usage";
    default:
      return "x509: " + lowercase(X509_verify_cert_error_string(result));
  }
}

// The versions a refused client offered, as Go lists them: "[302 301]".
std::string offered_versions(const SSL* ssl) {
  std::string list;
  for (int v = SSL_client_version(ssl); v >= TLS1_VERSION && v <= TLS1_3_VERSION; --v) {
    list += fmt::format("{}{:x}", list.empty() ? "" : " ", v);
  }
  return "[" + list + "]";
}

// Why SSL_do_handshake failed, in the words of Go's crypto/tls.
std::string describe_handshake_error(SSL* ssl, int ssl_error, int saved_errno) {
  if (ssl_error == SSL_ERROR_ZERO_RETURN) return "EOF";
  if (ssl_error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
    if (saved_errno == 0) return "EOF";  // the client closed the connection mid-handshake
    return lowercase(std::strerror(saved_errno));
  }
  unsigned long last = 0;
  while (unsigned long e = ERR_get_error()) last = e;
  const int reason = ERR_GET_REASON(last);
  switch (reason) {
    case SSL_R_NO_SHARED_CIPHER:
      return "tls: no cipher suite supported by both client and server";
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_VERSION_TOO_LOW:
      return "tls: client offered only unsupported versions: " + offered_versions(ssl);
    case SSL_R_HTTPS_PROXY_REQUEST:
    case SSL_R_HTTP_REQUEST:
    case SSL_R_WRONG_VERSION_NUMBER:
      // Plaintext where a TLS record was due (a route port is TLS from the first byte).
      return "tls: first record does not look like a TLS handshake";
    case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
      return "tls: client didn't provide a certificate";
    case SSL_R_CERTIFICATE_VERIFY_FAILED:
      if (SSL_is_server(ssl) == 0) {
        return "tls: failed to verify certificate: " + verify_text(SSL_get_verify_result(ssl));
      }
      return "tls: failed to verify client certificate: " + verify_text(SSL_get_verify_result(ssl));
    default:
      break;
  }
  if (reason >= SSL_AD_REASON_OFFSET) {  // the client sent an alert
    const int alert = reason - SSL_AD_REASON_OFFSET;
    if (auto text = alert_text(alert); !text.empty()) {
      return fmt::format("remote error: tls: {}", text);
    }
    return "remote error: tls: " + lowercase(SSL_alert_desc_string_long(alert));
  }
  const char* text = last != 0 ? ERR_reason_error_string(last) : nullptr;
  return "tls: " + lowercase(text != nullptr ? text : "handshake failure");
}

}  // namespace

TlsTransport::TlsTransport(int fd, SSL_CTX* context, Role role, const std::string& peer_host)
    : fd_(fd), role_(role) {
  ssl_ = SSL_new(context);
  if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_) != 1) {
    ERR_clear_error();
    fail("tls: cannot allocate a connection");
    return;
  }
  if (role == Role::ServerAfterGreeting) {
    SSL_set_accept_state(ssl_);
    return;
  }
  state_ = State::Handshaking;
  if (role == Role::ServerFirst) {
    SSL_set_accept_state(ssl_);
    return;
  }
  SSL_set_connect_state(ssl_);
  if (!peer_host.empty()) {
    // An address is matched against IP SANs; a name is sent as SNI and matched as a host name.
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
    if (X509_VERIFY_PARAM_set1_ip_asc(param, peer_host.c_str()) != 1) {
      ERR_clear_error();
      SSL_set_tlsext_host_name(ssl_, peer_host.c_str());
      SSL_set1_host(ssl_, peer_host.c_str());
    }
  }
}

TlsTransport::~TlsTransport() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (fd_ >= 0) ::close(fd_);
}

void TlsTransport::fail(std::string error) {
  state_ = State::Failed;
  error_ = std::move(error);
}

bool TlsTransport::has_buffered_input() const noexcept {
  return state_ == State::Established && (read_again_ || SSL_has_pending(ssl_) == 1);
}

IoResult TlsTransport::read(char* buffer, std::size_t capacity) {
  switch (state_) {
    case State::Greeting:
      if (auto r = greet(); state_ != State::Handshaking) return r;
      [[fallthrough]];
    case State::Handshaking:
      if (auto r = handshake(); state_ != State::Established) return r;
      [[fallthrough]];
    case State::Established:
      return read_records(buffer, capacity);
    case State::Closed:
      return drain_plain(buffer, capacity);
    case State::NotTls:
    case State::Failed:
      break;
  }
  return {IoStatus::Error};
}

IoResult TlsTransport::greet() {
  for (;;) {
    unsigned char first = 0;
    const ssize_t n = ::recv(fd_, &first, 1, MSG_PEEK);
    if (n == 1) {
      if (first == kTlsHandshakeRecord) {
        state_ = State::Handshaking;
        return {IoStatus::Ok};
      }
      state_ = State::NotTls;
      error_ = "tls: first record does not look like a TLS handshake";
      return {IoStatus::Error};
    }
    if (n == 0) {
      fail("EOF");
      return {IoStatus::Error};
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoStatus::WouldBlock};
    fail(lowercase(std::strerror(errno)));
    return {IoStatus::Error};
  }
}

IoResult TlsTransport::handshake() {
  errno = 0;
  const int r = SSL_do_handshake(ssl_);
  if (r == 1) {
    state_ = State::Established;
    version_ = tls_version_name(SSL_version(ssl_));
    if (const char* rfc_name = SSL_CIPHER_standard_name(SSL_get_current_cipher(ssl_))) {
      cipher_suite_ = reported_cipher_name(rfc_name);
    }
    return {IoStatus::Ok};
  }
  const int saved_errno = errno;
  const int err = SSL_get_error(ssl_, r);
  if (err == SSL_ERROR_WANT_READ) return {IoStatus::WouldBlock};
  if (err == SSL_ERROR_WANT_WRITE) return {IoStatus::WouldBlock, 0, true};
  fail(describe_handshake_error(ssl_, err, saved_errno));
  ERR_clear_error();
  return {IoStatus::Error};
}

IoResult TlsTransport::read_records(char* buffer, std::size_t capacity) {
  read_again_ = false;
  // Decrypt record after record until the caller's buffer is full or OpenSSL needs the socket
  // again: a short result then means "nothing left", as with a plain socket.
  std::size_t total = 0;
  while (total < capacity) {
    std::size_t n = 0;
    const int r = SSL_read_ex(ssl_, buffer + total, capacity - total, &n);
    if (r == 1) {
      total += n;
      continue;
    }
    const int err = SSL_get_error(ssl_, r);
    if (err == SSL_ERROR_WANT_READ) break;
    // Anything else ends this read; what was decrypted before it is delivered first.
    if (total > 0) {
      read_again_ = true;
      if (err != SSL_ERROR_WANT_WRITE) ERR_clear_error();
      return {IoStatus::Ok, total};
    }
    if (err == SSL_ERROR_WANT_WRITE) return {IoStatus::WouldBlock, 0, true};
    ERR_clear_error();
    return {err == SSL_ERROR_ZERO_RETURN ? IoStatus::Closed : IoStatus::Error};
  }
  if (total == 0) return {IoStatus::WouldBlock};
  return {IoStatus::Ok, total};
}

IoResult TlsTransport::write(const char* data, std::size_t size) {
  switch (state_) {
    case State::Greeting:
    case State::NotTls:
      return send_plain(data, size);
    case State::Handshaking:
      // Output queued during the handshake (a PING, an -ERR) waits for it to finish.
      return {IoStatus::WouldBlock, 0, true};
    case State::Established:
      break;
    case State::Failed:
    case State::Closed:
      return {IoStatus::Error};
  }
  std::size_t n = 0;
  const int r = SSL_write_ex(ssl_, data, size, &n);
  if (r == 1) return {IoStatus::Ok, n};
  const int err = SSL_get_error(ssl_, r);
  if (err == SSL_ERROR_WANT_WRITE) return {IoStatus::WouldBlock};
  if (err == SSL_ERROR_WANT_READ) return {IoStatus::WouldBlock, 0, true};
  ERR_clear_error();
  return {IoStatus::Error};
}

IoResult TlsTransport::send_plain(const char* data, std::size_t size) {
  for (;;) {
    const ssize_t n = ::send(fd_, data, size, MSG_NOSIGNAL);
    if (n >= 0) return {IoStatus::Ok, static_cast<std::size_t>(n)};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoStatus::WouldBlock};
    return {IoStatus::Error};
  }
}

IoResult TlsTransport::drain_plain(char* buffer, std::size_t capacity) {
  for (;;) {
    const ssize_t n = ::read(fd_, buffer, capacity);
    if (n > 0) return {IoStatus::Ok, static_cast<std::size_t>(n)};
    if (n == 0) return {IoStatus::Closed};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoStatus::WouldBlock};
    return {IoStatus::Error};
  }
}

void TlsTransport::shutdown_write() {
  if (state_ == State::Established) {
    SSL_shutdown(ssl_);  // best effort: a close_notify if the socket takes it now
    ERR_clear_error();
  }
  state_ = State::Closed;
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

}  // namespace gnatsd::net
