// Shared by the in-process server tests: the real Server on an ephemeral loopback port, a
// blocking loopback client with bounded reads, and a bounded wait for a condition.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "server/server.hpp"

namespace gnatsd::server::testing {

using namespace std::chrono_literals;

class RunningServer {
 public:
  explicit RunningServer(config::Options options) : server_(tune(std::move(options))) {
    EXPECT_EQ(server_.start(), "");
    thread_ = std::thread([this] { server_.run(); });
  }
  ~RunningServer() {
    server_.request_shutdown();
    thread_.join();
  }
  Server& server() { return server_; }
  int port() const { return server_.port(); }

 private:
  static config::Options tune(config::Options options) {
    options.host = "127.0.0.1";
    options.port = -1;
    return options;
  }
  Server server_;
  std::thread thread_;
};

// A blocking loopback client with bounded reads.
class Socket {
 public:
  explicit Socket(int port, int rcvbuf = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (rcvbuf > 0) setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  }
  ~Socket() { ::close(fd_); }
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }
  void send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      ASSERT_GT(n, 0);
      data.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  // Reads until `needle` shows up or the deadline passes; returns everything read.
  std::string read_until(std::string_view needle, std::chrono::milliseconds timeout = 5s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (buffer_.find(needle) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char chunk[65536];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
    return buffer_;
  }
  // Reads (and keeps) everything until the peer closes; true if it did within `timeout`.
  bool wait_closed(std::chrono::milliseconds timeout = 5s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      char chunk[65536];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return true;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }
  // Everything received so far and not consumed by count_until.
  const std::string& received() const { return buffer_; }
  // Drops what was received so far.
  void clear() { buffer_.clear(); }
  // Counts occurrences of `needle` received until `count` is reached or the deadline passes.
  std::size_t count_until(std::string_view needle, std::size_t count,
                          std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t seen = 0, scanned = 0;
    for (;;) {
      for (auto pos = buffer_.find(needle, scanned); pos != std::string::npos;
           pos = buffer_.find(needle, scanned)) {
        ++seen;
        scanned = pos + needle.size();
      }
      buffer_.erase(0, scanned);
      scanned = 0;
      if (seen >= count) return seen;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return seen;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return seen;
      char chunk[65536];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return seen;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_;
  std::string buffer_;
};

template <class Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds timeout = 5s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return predicate();
}

}  // namespace gnatsd::server::testing
