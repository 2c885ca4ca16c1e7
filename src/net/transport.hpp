// The seam under a connection: plain TCP, TLS (tls_transport.hpp) or WebSocket frames over
// either (websocket/websocket_transport.hpp), without the protocol code knowing. One virtual
// call per read or write system call, never per message.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>
#include <string_view>

namespace gnatsd::net {

enum class IoStatus { Ok, WouldBlock, Closed, Error };

struct IoResult {
  IoStatus status;
  std::size_t bytes = 0;
  // WouldBlock only: the call waits for the socket's *other* readiness. TLS has both cases: a
  // read that must first send (a handshake flight, an alert) waits to be writable; a write held
  // back by a handshake in progress waits for the handshake's next read.
  bool other_direction = false;
  // Ok reads: the read took as many bytes off the socket as there was room for, though it
  // returns fewer (a WebSocket read drops frame headers): the peer has more, read on.
  bool filled = false;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual IoResult read(char* buffer, std::size_t capacity) = 0;
  virtual IoResult write(const char* data, std::size_t size) = 0;
  // Several buffers in one call where the transport can (TCP: one sendmsg); bytes is the total
  // taken, in order. By default one write() per buffer until one falls short.
  virtual IoResult write_gather(const iovec* parts, int count);
  // Half-close: no more writes (FIN after what was sent); the fd closes on destruction.
  virtual void shutdown_write() = 0;
  virtual int fd() const noexcept = 0;

  // Input the transport already took off the socket (decrypted TLS records, the rest of a
  // WebSocket read): the socket will not signal it again, so a reader that stopped early
  // must come back for it.
  virtual bool has_buffered_input() const noexcept { return false; }
  // Bytes of the transport's own to send even when the connection queues nothing (WebSocket
  // pongs); flush_pending() writes them.
  virtual bool has_pending_output() const noexcept { return false; }
  virtual IoResult flush_pending() { return {IoStatus::Ok}; }
  // Why the latest read failed with Error, when the transport can tell (a WebSocket protocol
  // error); empty for a plain socket error.
  virtual std::string_view read_error() const noexcept { return {}; }
  // Another thread may write while the owner reads (a plain socket); not with TLS or
  // WebSocket, whose state both directions share.
  virtual bool writable_from_other_threads() const noexcept { return true; }
};

// Plain TCP on a connected, non-blocking socket it owns.
class TcpTransport final : public Transport {
 public:
  explicit TcpTransport(int fd) noexcept : fd_(fd) {}
  ~TcpTransport() override;
  TcpTransport(const TcpTransport&) = delete;
  TcpTransport& operator=(const TcpTransport&) = delete;

  IoResult read(char* buffer, std::size_t capacity) override;
  IoResult write(const char* data, std::size_t size) override;
  IoResult write_gather(const iovec* parts, int count) override;
  void shutdown_write() override;
  int fd() const noexcept override { return fd_; }

 private:
  int fd_;
};

}  // namespace gnatsd::net
