// A non-blocking TCP listening socket: bind (IPv4, IPv6 or a host name), accept in batches.
#pragma once

#include <string>

namespace gnatsd::net {

struct AcceptedSocket {
  int fd = -1;
  int error = 0;  // errno when fd == -1 and the failure was not just "nothing pending"
  std::string ip;
  int port = 0;
};

class Listener {
 public:
  Listener() = default;
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Binds and listens; port 0 or -1 asks the OS for a free port. Returns an error text or "".
  std::string open(const std::string& host, int port);
  void close();

  // One pending connection, non-blocking and close-on-exec with TCP_NODELAY set;
  // fd == -1 when none is waiting (or on a transient error).
  AcceptedSocket accept();

  int fd() const noexcept { return fd_; }
  int port() const noexcept { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace gnatsd::net
