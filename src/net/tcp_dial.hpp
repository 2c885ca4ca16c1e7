// Outgoing TCP connections for a thread that may block: resolve, connect within a timeout, and
// return a non-blocking, close-on-exec socket with TCP_NODELAY, ready for an event loop.
#pragma once

#include <chrono>
#include <string>

namespace gnatsd::net {

struct DialResult {
  int fd = -1;
  std::string ip;  // the peer address connected to
  int port = 0;
  std::string error;  // when fd == -1: Go's wording, "dial tcp HOST:PORT: connect: ..."
};

DialResult dial_tcp(const std::string& host, int port, std::chrono::milliseconds timeout);

}  // namespace gnatsd::net
