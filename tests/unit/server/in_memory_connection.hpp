// A connection without a server, a worker or a socket: an in-memory transport and the narrow
// contexts (ConnectionOwner, ClientContext) implemented around one test thread, so that a
// session's protocol is tested frame by frame. The test thread is the loop thread; flushes a
// session schedules run when the test calls run_flushes(), as a worker runs them at the end of
// a read batch.
#pragma once

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "auth/authenticator.hpp"
#include "auth/check_pool.hpp"
#include "config/options.hpp"
#include "net/transport.hpp"
#include "protocol/info.hpp"
#include "server/closed_connections.hpp"
#include "server/connection.hpp"
#include "server/connection_context.hpp"

namespace gnatsd::server::testing {

// Bytes the test feeds in, bytes the connection wrote out. The fd is an eventfd: the event loop
// needs something to register, and it is never a socket.
class MemoryTransport final : public net::Transport {
 public:
  struct Wire {
    std::string input;   // not yet read by the connection
    std::string output;  // everything it wrote
    bool peer_closed = false;
    bool write_shut = false;
    std::size_t max_write = static_cast<std::size_t>(-1);  // bytes one write accepts
    // Writes accepted before the transport reports WouldBlock (as a full socket buffer does).
    std::size_t write_budget = static_cast<std::size_t>(-1);
  };

  explicit MemoryTransport(std::shared_ptr<Wire> wire)
      : wire_(std::move(wire)), fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
  ~MemoryTransport() override {
    if (fd_ >= 0) ::close(fd_);
  }

  net::IoResult read(char* buffer, std::size_t capacity) override {
    if (wire_->input.empty()) {
      return {wire_->peer_closed ? net::IoStatus::Closed : net::IoStatus::WouldBlock};
    }
    const std::size_t n = std::min(capacity, wire_->input.size());
    std::memcpy(buffer, wire_->input.data(), n);
    wire_->input.erase(0, n);
    return {net::IoStatus::Ok, n};
  }
  net::IoResult write(const char* data, std::size_t size) override {
    if (wire_->write_shut) return {net::IoStatus::Error};
    const std::size_t n = std::min(size, wire_->max_write);
    if (n == 0 || wire_->write_budget == 0) return {net::IoStatus::WouldBlock};
    --wire_->write_budget;
    wire_->output.append(data, n);
    return {net::IoStatus::Ok, n};
  }
  void shutdown_write() override { wire_->write_shut = true; }
  int fd() const noexcept override { return fd_; }

 private:
  std::shared_ptr<Wire> wire_;
  int fd_;
};

// One worker, run by hand on the test thread.
class ManualOwner final : public ConnectionOwner {
 public:
  explicit ManualOwner(const subjects::SubjectIndex& index) : match_cache_(index) {}

  net::EventLoop& loop() noexcept override { return loop_; }
  TrafficStats& stats() noexcept override { return stats_; }
  subjects::MatchCache& match_cache() noexcept override { return match_cache_; }
  subjects::QueueRandom& queue_random() noexcept override { return random_; }
  void schedule_flush(std::shared_ptr<Connection> connection) override {
    flushes_.push_back(std::move(connection));
  }
  void retire(Connection* connection) override { retired_.push_back(connection); }
  bool on_loop_thread() const noexcept override { return true; }
  std::size_t index() const noexcept override { return 0; }

  // What a worker does at the end of a batch: flush every connection that got output.
  void run_flushes() {
    for (int round = 0; round < 8 && !flushes_.empty(); ++round) {
      auto batch = std::move(flushes_);
      flushes_.clear();
      for (auto& connection : batch) connection->flush();
    }
  }
  const std::vector<Connection*>& retired() const noexcept { return retired_; }

 private:
  net::EventLoop loop_;
  TrafficStats stats_;
  subjects::MatchCache match_cache_;
  subjects::QueueRandom random_{42};
  std::vector<std::shared_ptr<Connection>> flushes_;
  std::vector<Connection*> retired_;
};

// The server-wide state a client session reads, from one Options value.
class StandaloneClientContext final : public ClientContext {
 public:
  explicit StandaloneClientContext(config::Options options)
      : options_(std::move(options)),
        authenticator_(std::make_shared<const auth::Authenticator>(options_)) {
    publish_options(&options_);
  }

  std::shared_ptr<const auth::Authenticator> authenticator() const override {
    return authenticator_;
  }
  auth::CheckPool& check_pool() noexcept override { return check_pool_; }
  subjects::SubjectIndex& subject_index() noexcept override { return index_; }
  server::InterestListener* interest_listener() noexcept override { return nullptr; }
  std::uint64_t client_info_generation() const noexcept override { return 0; }
  std::string client_info(std::uint64_t cid, const std::string& ip, bool auth_required, bool tls,
                          bool lame_duck, std::string_view nonce,
                          bool /*websocket*/) const override {
    return protocol::info_frame({.server_id = "NTESTSERVER",
                                 .server_name = "NTESTSERVER",
                                 .host = "127.0.0.1",
                                 .port = 4222,
                                 .auth_required = auth_required,
                                 .tls_required = tls,
                                 .max_payload = options_.max_payload,
                                 .client_id = cid,
                                 .client_ip = ip,
                                 .nonce = nonce,
                                 .lame_duck = lame_duck});
  }
  int num_clients() const noexcept override { return clients.load(); }
  void connection_closed() noexcept override { --clients; }
  ClosedConnections& closed_connections() noexcept override { return closed_; }

  std::atomic<int> clients{0};

 private:
  config::Options options_;
  std::shared_ptr<const auth::Authenticator> authenticator_;
  auth::CheckPool check_pool_{1};
  subjects::SubjectIndex index_;
  ClosedConnections closed_;
};

}  // namespace gnatsd::server::testing
