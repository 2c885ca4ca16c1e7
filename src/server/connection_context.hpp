// The narrow views a connection has of what owns it, so that a connection needs neither a
// Server nor a Worker: the worker it is pinned to (ConnectionOwner) and the server-wide state
// it reads (ServerContext, and ClientContext for client sessions). Server and Worker implement
// them; a unit test implements them around an in-memory transport (tests/unit/server).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "config/options.hpp"
#include "net/event_loop.hpp"
#include "server/interest_listener.hpp"
#include "server/stats.hpp"
#include "subjects/queue_selection.hpp"
#include "subjects/subject_index.hpp"

namespace gnatsd::auth {
class Authenticator;
class CheckPool;
}  // namespace gnatsd::auth

namespace gnatsd::server {

class ClosedConnections;
class Connection;

// The worker a connection is pinned to. Loop thread only, except index(). The references it
// hands out stay valid for the owner's lifetime: a connection takes them once.
class ConnectionOwner {
 public:
  virtual net::EventLoop& loop() noexcept = 0;
  virtual TrafficStats& stats() noexcept = 0;
  virtual subjects::MatchCache& match_cache() noexcept = 0;
  virtual subjects::QueueRandom& queue_random() noexcept = 0;
  // A connection (of any worker) received output during this batch and must be flushed at its
  // end.
  virtual void schedule_flush(std::shared_ptr<Connection> connection) = 0;
  // The connection closed: forget it once the current batch is over.
  virtual void retire(Connection* connection) = 0;
  virtual bool on_loop_thread() const noexcept = 0;
  // Which worker this is (any thread): flushes for another worker's connections go there.
  virtual std::size_t index() const noexcept = 0;

 protected:
  ~ConnectionOwner() = default;
};

// What every connection reads from the server. Any thread. Not virtual: connections read the
// options for every delivery, so the snapshot pointer lives here and the server publishes it.
class ServerContext {
 public:
  // The options in force: those of the start, or of the latest successful reload. The
  // reference stays valid for the server's lifetime (reloads keep earlier snapshots).
  const config::Options& options() const noexcept {
    return *live_options_.load(std::memory_order_acquire);
  }

 protected:
  ~ServerContext() = default;
  // `options` must outlive every connection that may still read it.
  void publish_options(const config::Options* options) noexcept {
    live_options_.store(options, std::memory_order_release);
  }

 private:
  std::atomic<const config::Options*> live_options_{nullptr};
};

// What a client session needs of the server besides its options. Any thread.
class ClientContext : public ServerContext {
 public:
  virtual std::shared_ptr<const auth::Authenticator> authenticator() const = 0;
  // WebSocket clients': the websocket block's authorization when it overrides, else the same.
  virtual std::shared_ptr<const auth::Authenticator> websocket_authenticator() const {
    return authenticator();
  }
  virtual auth::CheckPool& check_pool() noexcept = 0;
  virtual subjects::SubjectIndex& subject_index() noexcept = 0;
  // Told of every local subscription change; null without a cluster.
  virtual InterestListener* interest_listener() noexcept = 0;
  // INFO for one client (see protocol::info_frame).
  // `websocket`: for a WebSocket client (connect_urls are then the cluster's WebSocket URLs).
  virtual std::string client_info(std::uint64_t cid, const std::string& ip, bool auth_required,
                                  bool tls, bool lame_duck = false, std::string_view nonce = {},
                                  bool websocket = false) const = 0;
  virtual int num_clients() const noexcept = 0;
  // Counts changes of the cluster's client URLs: a client whose INFO predates the latest one
  // gets a fresh INFO after its first PING.
  virtual std::uint64_t client_info_generation() const noexcept = 0;
  // A client closed: its slot in max_connections is free again.
  virtual void connection_closed() noexcept = 0;
  virtual ClosedConnections& closed_connections() noexcept = 0;

 protected:
  ~ClientContext() = default;
};

}  // namespace gnatsd::server
