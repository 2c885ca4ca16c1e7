// The seam under a connection: plain TCP or TLS (tls_transport.hpp), without the protocol code
// knowing. One virtual call per read or write system call, never per message.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>

namespace gnatsd::net {

enum class IoStatus { Ok, WouldBlock, Closed, Error };

struct IoResult {
  IoStatus status;
  std::size_t bytes = 0;
  // WouldBlock only: the call waits for the socket's *other* readiness. TLS has both cases: a
  // read that must first send (a handshake flight, an alert) waits to be writable; a write held
  // back by a handshake in progress waits for the handshake's next read.
  bool other_direction = false;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual IoResult read(char* buffer, std::size_t capacity) = 0;
  virtual IoResult write(const char* data, std::size_t size) = 0;
  // Half-close: no more writes (FIN after what was sent); the fd closes on destruction.
  virtual void shutdown_write() = 0;
  virtual int fd() const noexcept = 0;
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
  void shutdown_write() override;
  int fd() const noexcept override { return fd_; }

 private:
  int fd_;
};

}  // namespace gnatsd::net
