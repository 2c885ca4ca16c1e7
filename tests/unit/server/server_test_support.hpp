// Specific to the in-process server tests: the real Server on an ephemeral loopback port. Their
// loopback client (RawClient) and bounded wait (eventually) are the test-support library's.
#pragma once

#include <thread>
#include <utility>

#include <gtest/gtest.h>

#include "server/server.hpp"

namespace gnatsd::server::testing {

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

}  // namespace gnatsd::server::testing
