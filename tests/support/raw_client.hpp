// The loopback client of the unit and integration tests: a raw TCP connection to 127.0.0.1 with
// exact bytes out, exact bytes in (line, frame or byte oriented), every wait bounded.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <string_view>

namespace gnatsd::test {

class RawClient {
 public:
  struct Options {
    bool no_delay = false;  // TCP_NODELAY: each send() leaves as its own segment
    int rcvbuf = 0;         // SO_RCVBUF before connect (0 = kernel default)
  };
  static constexpr std::chrono::milliseconds kDefaultTimeout = std::chrono::seconds(5);

  // Connects to 127.0.0.1:port; throws std::runtime_error if that fails within the timeout.
  explicit RawClient(int port);
  RawClient(int port, Options options);
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // Ends the sending side (like `printf ... | nc`); reading goes on.
  void shutdown_write();

  // Writes all of `bytes` (waiting at most `timeout` for the socket to accept them).
  // Returns false if the peer has gone away or the timeout expired.
  bool send(std::string_view bytes, std::chrono::milliseconds timeout = kDefaultTimeout);

  // Reads until `needle` has been received, then returns everything up to and including it;
  // later bytes stay buffered for the next read. On timeout or EOF returns (and consumes)
  // everything buffered, which will not end with `needle`.
  std::string read_until(std::string_view needle,
                         std::chrono::milliseconds timeout = kDefaultTimeout);
  // One protocol line including its "\r\n".
  std::string read_line(std::chrono::milliseconds timeout = kDefaultTimeout);
  // Exactly `n` bytes, or fewer on timeout/EOF.
  std::string read_bytes(size_t n, std::chrono::milliseconds timeout = kDefaultTimeout);

  // One complete server frame: a control line, plus the payload line for MSG/HMSG.
  // Incomplete (possibly empty) on timeout/EOF.
  std::string read_frame(std::chrono::milliseconds timeout = kDefaultTimeout);
  // Frames up to and including the first "PONG\r\n", dropping server "PING\r\n" frames:
  // nats-server pings every client about 2 s after CONNECT whatever its activity, so an exact
  // transcript must not depend on the test finishing before that.
  std::string read_until_pong(std::chrono::milliseconds timeout = kDefaultTimeout);
  // Frames (server PINGs dropped) until at least `n` bytes have been collected.
  std::string read_frames(size_t n, std::chrono::milliseconds timeout = kDefaultTimeout);

  // Counts the occurrences of `needle` received until there are `count` of them, the peer
  // closes or `timeout` passes; returns how many were seen. Everything up to the last one
  // counted is consumed.
  size_t count_until(std::string_view needle, size_t count, std::chrono::milliseconds timeout);

  // Reads (and keeps in buffered()) everything until the peer closes (EOF or reset).
  // Success iff the connection was closed within `timeout`.
  ::testing::AssertionResult expect_closed(std::chrono::milliseconds timeout = kDefaultTimeout);

  // Bytes received but not yet returned by a read_* call.
  const std::string& buffered() const { return buffer_; }
  std::string take_buffered();
  bool closed() const { return eof_; }
  int fd() const { return fd_; }

  // Reads whatever is available within `timeout` into the buffer; returns bytes added.
  // Returns 0 on timeout, EOF (closed() becomes true) or error.
  size_t fill(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  bool eof_ = false;
  std::string buffer_;
};

// A non-blocking TCP socket connected to 127.0.0.1:port (TCP_NODELAY and SO_RCVBUF as
// `options` say), for clients that do their own reading (RawClient, TlsClient); throws
// std::runtime_error if the connection fails or takes longer than `timeout`.
int connect_loopback(int port, RawClient::Options options = {},
                     std::chrono::milliseconds timeout = RawClient::kDefaultTimeout);

}  // namespace gnatsd::test
