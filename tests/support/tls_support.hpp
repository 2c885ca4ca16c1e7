// TLS test support: a throwaway PKI per test (fresh keys from the openssl CLI, deleted after),
// and a raw TLS client that speaks NATS's opening (plaintext INFO, then the client starts TLS)
// with full control over protocol versions, cipher suites, client certificates and records.
#pragma once

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace gnatsd::test {

// A temp directory holding make-test-certs.sh's files: ca.pem, server-cert.pem/-key.pem,
// client-cert.pem/-key.pem, rogue-ca.pem, rogue-cert.pem/-key.pem. Removed on destruction.
class TestPki {
 public:
  TestPki();  // throws std::runtime_error if the certificates cannot be made
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  const std::string& dir() const { return dir_; }
  std::string path(std::string_view file) const { return dir_ + "/" + std::string(file); }
  // Copies a generated file to `to` (creating its directories), for the spec's fixed paths.
  void copy(std::string_view file, const std::string& to) const;

  // --tls --tlscert ... --tlskey ...
  std::vector<std::string> tls_flags() const;
  // --tlsverify --tlscert ... --tlskey ... --tlscacert ...
  std::vector<std::string> verify_flags() const;

 private:
  std::string dir_;
};

struct TlsClientOptions {
  int min_version = 0;  // TLS1_2_VERSION, ...; 0: OpenSSL's default
  int max_version = 0;
  std::string ciphers;  // TLS 1.2 suites, OpenSSL names ("AES128-SHA"); empty: default
  std::string groups;   // key exchange groups ("X25519:P-256"); empty: default
  bool legacy = false;  // security level 0, so that TLS 1.0/1.1 can be offered at all
  std::string ca_file;  // verify the server (for 127.0.0.1) against this CA
  std::string cert_file;
  std::string key_file;
};

class TlsClient {
 public:
  static constexpr std::chrono::milliseconds kDefaultTimeout = std::chrono::seconds(5);

  // Connects to 127.0.0.1:port and reads the plaintext INFO line; no TLS yet.
  TlsClient(int port, TlsClientOptions options = {});
  ~TlsClient();
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  const std::string& info() const { return info_; }
  // The TLS handshake; false (with error()) if the server refused it.
  bool handshake(std::chrono::milliseconds timeout = kDefaultTimeout);
  // Handshake, CONNECT {"verbose":false} and a PING/PONG round trip.
  bool connect(std::chrono::milliseconds timeout = kDefaultTimeout);
  const std::string& error() const { return error_; }
  std::string version() const;  // "TLSv1.2"
  std::string cipher() const;   // OpenSSL's name of the negotiated suite

  // TLS 1.3: sends a KeyUpdate asking the server to update its sending keys as well.
  bool request_key_update();
  // One SSL_write: the bytes leave as one or more records (16 KB each at most).
  bool send(std::string_view bytes, std::chrono::milliseconds timeout = kDefaultTimeout);
  // Decrypted input up to and including `needle`; everything buffered on timeout or close.
  std::string read_until(std::string_view needle,
                         std::chrono::milliseconds timeout = kDefaultTimeout);
  std::string read_bytes(std::size_t n, std::chrono::milliseconds timeout = kDefaultTimeout);
  // The server closes the connection (alert, close_notify or EOF) within `timeout`.
  ::testing::AssertionResult expect_closed(std::chrono::milliseconds timeout = kDefaultTimeout);
  bool closed() const { return closed_; }

 private:
  // One SSL_read into buffer_; false on timeout or close.
  bool fill(std::chrono::steady_clock::time_point deadline);
  // Waits for what the last SSL call asked for; false at the deadline.
  bool wait(int ssl_error, std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string info_;
  std::string buffer_;
  std::string error_;
  bool closed_ = false;
};

// The OpenSSL error queue as text (and cleared), for failure messages.
std::string openssl_errors();

}  // namespace gnatsd::test
