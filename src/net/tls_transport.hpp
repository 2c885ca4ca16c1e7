// TLS on a connected, non-blocking socket, as NATS does it: the server's INFO goes out in
// plaintext, then the client starts a TLS handshake, which the reads drive inside the worker's
// event loop (no thread, no blocking), then everything is TLS records.
//
// Loop thread only. Batching is the caller's: one write() is one SSL_write of the whole
// outbound buffer (OpenSSL cuts it into 16 KB records), one read() decrypts as many records as
// fit the caller's buffer.
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "net/transport.hpp"

namespace gnatsd::net {

class TlsTransport final : public Transport {
 public:
  enum class State : std::uint8_t {
    Greeting,     // plaintext writes (INFO); the client's first byte decides what comes next
    Handshaking,  // reads drive the handshake; writes wait for it
    Established,  // TLS records both ways
    NotTls,       // the client spoke plaintext: reads fail; a plaintext -ERR may still go out
    Failed,       // the handshake failed (error() says why)
    Closed,       // shut down: reads only drain the socket, writes fail
  };

  // Who starts and when. Client ports: the server greets in plaintext (INFO) and the client
  // starts TLS. Routes: TLS before any NATS byte, the dialler being the TLS client.
  enum class Role : std::uint8_t { ServerAfterGreeting, ServerFirst, Client };

  // Takes ownership of `fd`. `context` is shared by every connection; each holds its own
  // reference to it (SSL_new), so the server may drop its handle first. `peer_host`: for
  // Client, the name or address dialled, which the peer's certificate must match.
  TlsTransport(int fd, SSL_CTX* context, Role role = Role::ServerAfterGreeting,
               const std::string& peer_host = {});
  bool is_client() const noexcept { return role_ == Role::Client; }
  ~TlsTransport() override;
  TlsTransport(const TlsTransport&) = delete;
  TlsTransport& operator=(const TlsTransport&) = delete;

  IoResult read(char* buffer, std::size_t capacity) override;
  IoResult write(const char* data, std::size_t size) override;
  // Sends close_notify if the handshake was done, then a TCP FIN.
  void shutdown_write() override;
  int fd() const noexcept override { return fd_; }

  State state() const noexcept { return state_; }
  bool established() const noexcept { return state_ == State::Established; }
  // Input that OpenSSL already holds (decrypted, read ahead, or a deferred end of stream): the
  // socket will not signal it again, so whoever stopped reading early must come back for it.
  bool has_buffered_input() const noexcept override;
  bool writable_from_other_threads() const noexcept override { return false; }
  // Once established: "1.2"/"1.3" and the suite's IANA name, as nats-server shows them.
  std::string_view version() const noexcept { return version_; }
  std::string_view cipher_suite() const noexcept { return cipher_suite_; }
  // Why the handshake failed or the client was refused, in nats-server's wording.
  const std::string& error() const noexcept { return error_; }

 private:
  IoResult greet();  // Greeting: peeks at the client's first byte
  IoResult handshake();
  IoResult read_records(char* buffer, std::size_t capacity);
  IoResult send_plain(const char* data, std::size_t size);
  IoResult drain_plain(char* buffer, std::size_t capacity);
  void fail(std::string error);

  int fd_;
  Role role_;
  SSL* ssl_ = nullptr;
  State state_ = State::Greeting;
  // A read that returned data but also met the end of the stream, an error, or a pending
  // write: reported by the next read.
  bool read_again_ = false;
  std::string_view version_;
  std::string_view cipher_suite_;
  std::string error_;
};

}  // namespace gnatsd::net
