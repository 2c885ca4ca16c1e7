// Non-blocking TCP client used by protocol tests; every wait is a poll() with a deadline.
#include "raw_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace gnatsd::test {
namespace {

using Clock = std::chrono::steady_clock;

int ms_left(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// poll() one fd for `events` until the deadline; true if ready (or in error/hangup).
bool wait_ready(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, ms_left(deadline));
    if (r > 0) return true;
    if (r == 0) return false;
    if (errno != EINTR) return false;
  }
}

}  // namespace

RawClient::RawClient(int port) : RawClient(port, Options{}) {}

int connect_loopback(int port, RawClient::Options options, std::chrono::milliseconds timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  if (options.no_delay) ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (options.rcvbuf > 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &options.rcvbuf, sizeof options.rcvbuf);
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  if (rc != 0 && errno == EINPROGRESS) {
    if (!wait_ready(fd, POLLOUT, Clock::now() + timeout)) {
      ::close(fd);
      throw std::runtime_error("connect to port " + std::to_string(port) + " timed out");
    }
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    rc = err == 0 ? 0 : -1;
    errno = err;
  }
  if (rc != 0) {
    std::string why = std::strerror(errno);
    ::close(fd);
    throw std::runtime_error("connect to port " + std::to_string(port) + ": " + why);
  }
  return fd;
}

RawClient::RawClient(int port, Options options) : fd_(connect_loopback(port, options)) {}

RawClient::~RawClient() {
  if (fd_ >= 0) ::close(fd_);
}

void RawClient::shutdown_write() {
  ::shutdown(fd_, SHUT_WR);
}

bool RawClient::send(std::string_view bytes, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait_ready(fd_, POLLOUT, deadline)) return false;
      continue;
    }
    return false;  // EPIPE, ECONNRESET, ...
  }
  return true;
}

size_t RawClient::fill(std::chrono::milliseconds timeout) {
  if (eof_) return 0;
  auto deadline = Clock::now() + timeout;
  for (;;) {
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      buffer_.append(buf, static_cast<size_t>(n));
      return static_cast<size_t>(n);
    }
    if (n == 0) {
      eof_ = true;
      return 0;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait_ready(fd_, POLLIN, deadline)) return 0;
      continue;
    }
    eof_ = true;  // ECONNRESET and friends: the peer is gone
    return 0;
  }
}

std::string RawClient::read_until(std::string_view needle, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  size_t searched = 0;
  for (;;) {
    size_t at = buffer_.find(needle, searched);
    if (at != std::string::npos) {
      std::string out = buffer_.substr(0, at + needle.size());
      buffer_.erase(0, at + needle.size());
      return out;
    }
    // Resume the search where a match could still start.
    searched = buffer_.size() >= needle.size() ? buffer_.size() - needle.size() + 1 : 0;
    if (eof_ || Clock::now() >= deadline) return take_buffered();
    fill(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
  }
}

std::string RawClient::read_line(std::chrono::milliseconds timeout) {
  return read_until("\r\n", timeout);
}

std::string RawClient::read_bytes(size_t n, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (buffer_.size() < n && !eof_ && Clock::now() < deadline) {
    fill(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
  }
  size_t take = std::min(n, buffer_.size());
  std::string out = buffer_.substr(0, take);
  buffer_.erase(0, take);
  return out;
}

std::string RawClient::read_frame(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  std::string line = read_until("\r\n", timeout);
  if (!line.ends_with("\r\n")) return line;
  if (!line.starts_with("MSG ") && !line.starts_with("HMSG ")) return line;
  // The last argument of MSG/HMSG is the payload size (headers included for HMSG).
  size_t space = line.rfind(' ');
  size_t size = 0;
  try {
    size = std::stoul(line.substr(space + 1));
  } catch (const std::exception&) {
    return line;  // not a frame we understand; let the caller's comparison show it
  }
  return line + read_bytes(size + 2, std::chrono::duration_cast<std::chrono::milliseconds>(
                                         deadline - Clock::now()));
}

std::string RawClient::read_until_pong(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  std::string out;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    std::string frame = read_frame(std::max(left, std::chrono::milliseconds(0)));
    if (frame != "PING\r\n") out += frame;
    if (frame == "PONG\r\n" || !frame.ends_with("\r\n") || Clock::now() >= deadline) {
      return out;
    }
  }
}

std::string RawClient::read_frames(size_t n, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  std::string out;
  while (out.size() < n) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    std::string frame = read_frame(std::max(left, std::chrono::milliseconds(0)));
    if (frame != "PING\r\n") out += frame;
    if (!frame.ends_with("\r\n") || Clock::now() >= deadline) break;
  }
  return out;
}

size_t RawClient::count_until(std::string_view needle, size_t count,
                              std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  size_t seen = 0;
  for (;;) {
    size_t scanned = 0;
    for (size_t at = buffer_.find(needle); at != std::string::npos;
         at = buffer_.find(needle, scanned)) {
      ++seen;
      scanned = at + needle.size();
    }
    buffer_.erase(0, scanned);
    if (seen >= count || eof_ || Clock::now() >= deadline) return seen;
    fill(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
  }
}

::testing::AssertionResult RawClient::expect_closed(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (!eof_ && Clock::now() < deadline) {
    fill(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
  }
  if (eof_) return ::testing::AssertionSuccess();
  std::string tail = buffer_.size() > 512 ? "..." + buffer_.substr(buffer_.size() - 512) : buffer_;
  return ::testing::AssertionFailure()
         << "connection still open after " << timeout.count() << " ms; received " << buffer_.size()
         << " bytes, ending with: " << ::testing::PrintToString(tail);
}

std::string RawClient::take_buffered() {
  std::string out;
  out.swap(buffer_);
  return out;
}

}  // namespace gnatsd::test
