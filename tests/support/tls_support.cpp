// Throwaway PKI and raw TLS client for the TLS integration tests.
#include "tls_support.hpp"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "raw_client.hpp"

namespace gnatsd::test {
namespace {

using Clock = std::chrono::steady_clock;

int ms_until(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

bool poll_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, ms_until(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

}  // namespace

std::string openssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(e, text, sizeof text);
    if (!out.empty()) out += "; ";
    out += text;
  }
  return out;
}

// ---- TestPki --------------------------------------------------------------------------------

TestPki::TestPki() {
  std::string name = "/tmp/gnatsd-pki-XXXXXX";
  if (::mkdtemp(name.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = name;
  const std::string command =
      std::string("sh '") + GNATSD_TEST_CERTS_SCRIPT + "' '" + dir_ + "' >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) {
    std::filesystem::remove_all(dir_);
    throw std::runtime_error("cannot generate test certificates: " + command);
  }
}

TestPki::~TestPki() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void TestPki::copy(std::string_view file, const std::string& to) const {
  std::filesystem::path target(to);
  std::filesystem::create_directories(target.parent_path());
  std::filesystem::copy_file(path(file), target, std::filesystem::copy_options::overwrite_existing);
}

std::vector<std::string> TestPki::tls_flags() const {
  return {"--tls", "--tlscert", path("server-cert.pem"), "--tlskey", path("server-key.pem")};
}

std::vector<std::string> TestPki::verify_flags() const {
  return {"--tlsverify",          "--tlscert",   path("server-cert.pem"), "--tlskey",
          path("server-key.pem"), "--tlscacert", path("ca.pem")};
}

// ---- TlsClient ------------------------------------------------------------------------------

TlsClient::TlsClient(int port, TlsClientOptions options) {
  fd_ = connect_loopback(port, RawClient::Options{.no_delay = true});

  // The INFO line, byte by byte, so that nothing after it is taken from OpenSSL.
  const auto deadline = Clock::now() + kDefaultTimeout;
  while (!info_.ends_with("\r\n") && info_.size() < 64 * 1024) {
    char c;
    ssize_t n = ::recv(fd_, &c, 1, 0);
    if (n == 1) {
      info_.push_back(c);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR) && poll_for(fd_, POLLIN, deadline)) continue;
    break;
  }

  ctx_ = SSL_CTX_new(TLS_client_method());
  if (options.legacy) {
    SSL_CTX_set_security_level(ctx_, 0);
    SSL_CTX_set_cipher_list(ctx_, "DEFAULT:@SECLEVEL=0");
  }
  if (options.min_version != 0) SSL_CTX_set_min_proto_version(ctx_, options.min_version);
  if (options.max_version != 0) SSL_CTX_set_max_proto_version(ctx_, options.max_version);
  if (!options.ciphers.empty()) SSL_CTX_set_cipher_list(ctx_, options.ciphers.c_str());
  if (!options.groups.empty()) SSL_CTX_set1_groups_list(ctx_, options.groups.c_str());
  if (!options.ca_file.empty()) {
    SSL_CTX_load_verify_locations(ctx_, options.ca_file.c_str(), nullptr);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
  }
  if (!options.cert_file.empty()) {
    SSL_CTX_use_certificate_chain_file(ctx_, options.cert_file.c_str());
    SSL_CTX_use_PrivateKey_file(ctx_, options.key_file.c_str(), SSL_FILETYPE_PEM);
  }
  ssl_ = SSL_new(ctx_);
  SSL_set_fd(ssl_, fd_);
  if (!options.ca_file.empty()) X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), "127.0.0.1");
  ERR_clear_error();
}

TlsClient::~TlsClient() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  if (fd_ >= 0) ::close(fd_);
}

bool TlsClient::wait(int ssl_error, Clock::time_point deadline) {
  if (ssl_error == SSL_ERROR_WANT_READ) return poll_for(fd_, POLLIN, deadline);
  if (ssl_error == SSL_ERROR_WANT_WRITE) return poll_for(fd_, POLLOUT, deadline);
  return false;
}

bool TlsClient::handshake(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int r = SSL_connect(ssl_);
    if (r == 1) return true;
    int err = SSL_get_error(ssl_, r);
    if (wait(err, deadline)) continue;
    error_ = err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE
                 ? "handshake timed out"
                 : "handshake failed: " + openssl_errors();
    return false;
  }
}

bool TlsClient::connect(std::chrono::milliseconds timeout) {
  if (!handshake(timeout)) return false;
  if (!send("CONNECT {\"verbose\":false}\r\nPING\r\n", timeout)) return false;
  std::string got = read_until("PONG\r\n", timeout);
  if (got.ends_with("PONG\r\n")) return true;
  error_ = "no PONG after CONNECT; got \"" + got + "\" " + openssl_errors();
  return false;
}

std::string TlsClient::version() const {
  return SSL_get_version(ssl_);
}

std::string TlsClient::cipher() const {
  return SSL_get_cipher_name(ssl_);
}

bool TlsClient::request_key_update() {
  if (SSL_key_update(ssl_, SSL_KEY_UPDATE_REQUESTED) != 1) {
    error_ = "key update failed: " + openssl_errors();
    return false;
  }
  return true;  // the KeyUpdate leaves with the next write
}

bool TlsClient::send(std::string_view bytes, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!bytes.empty()) {
    size_t n = 0;
    int r = SSL_write_ex(ssl_, bytes.data(), bytes.size(), &n);
    if (r == 1) {
      bytes.remove_prefix(n);
      continue;
    }
    int err = SSL_get_error(ssl_, r);
    if (!wait(err, deadline)) {
      error_ = "write failed: " + openssl_errors();
      return false;
    }
  }
  return true;
}

bool TlsClient::fill(Clock::time_point deadline) {
  if (closed_) return false;
  for (;;) {
    char buf[64 * 1024];
    size_t n = 0;
    int r = SSL_read_ex(ssl_, buf, sizeof buf, &n);
    if (r == 1) {
      buffer_.append(buf, n);
      return true;
    }
    int err = SSL_get_error(ssl_, r);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      if (wait(err, deadline)) continue;
      return false;  // timeout
    }
    closed_ = true;  // close_notify, an alert, EOF or a reset
    error_ = openssl_errors();
    return false;
  }
}

std::string TlsClient::read_until(std::string_view needle, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (auto at = buffer_.find(needle); at != std::string::npos) {
      std::string out = buffer_.substr(0, at + needle.size());
      buffer_.erase(0, at + needle.size());
      return out;
    }
    if (!fill(deadline)) {
      std::string out;
      out.swap(buffer_);
      return out;
    }
  }
}

std::string TlsClient::read_bytes(std::size_t n, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (buffer_.size() < n && fill(deadline)) {
  }
  std::string out = buffer_.substr(0, std::min(n, buffer_.size()));
  buffer_.erase(0, out.size());
  return out;
}

::testing::AssertionResult TlsClient::expect_closed(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!closed_ && Clock::now() < deadline) fill(deadline);
  if (closed_) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "still open after " << timeout.count() << " ms; received \"" << buffer_ << "\"";
}

}  // namespace gnatsd::test
