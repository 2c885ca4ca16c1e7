// An I/O thread: its event loop, the connections pinned to it, its match cache and counters, and
// the batching of deliveries (one flush per touched session per batch; one wake-up per other
// worker per batch).
#pragma once

#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "net/event_loop.hpp"
#include "net/transport.hpp"
#include "server/connection_context.hpp"
#include "server/snapshot.hpp"
#include "server/stats.hpp"
#include "subjects/queue_selection.hpp"
#include "subjects/subject_index.hpp"

namespace gnatsd::cluster {
struct RouteDial;
}
namespace gnatsd::websocket {
struct UpgradeOutcome;
}

namespace gnatsd::server {

class ClientSession;
class Connection;
class Server;
class WebSocketUpgrade;

class Worker final : public ConnectionOwner {
 public:
  Worker(Server& server, std::size_t index);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start();  // spawns the thread
  void join();

  // Any thread: hand over an accepted socket; the session is created on this worker's thread.
  void adopt(int fd, std::string ip, int port, std::uint64_t cid);
  // The same for a cluster route; `dial` is the URL this server dialled (null: accepted).
  void adopt_route(int fd, std::string ip, int port, std::uint64_t rid,
                   std::shared_ptr<cluster::RouteDial> dial);
  // Any thread: a socket accepted on the websocket port; its upgrade (and TLS handshake for
  // wss) runs on this worker, which then owns the client.
  void adopt_websocket(int fd, std::string ip, int port);
  // Loop thread, from a WebSocketUpgrade: the 101 went out, the client session starts; or the
  // upgrade ended without one.
  void start_websocket_client(WebSocketUpgrade* upgrade, std::unique_ptr<net::Transport> transport,
                              std::string ip, int port, websocket::UpgradeOutcome outcome);
  void end_websocket_upgrade(WebSocketUpgrade* upgrade);
  // Any thread: flush every session, close them all, then stop the loop.
  void shutdown();
  // Loop thread: what monitoring asked for (see Server::snapshot).
  void collect(const SnapshotRequest& request, WorkerSnapshot& out);
  // Any thread (config reload): every session checks its credentials and permissions again
  // against the server's current authenticator; the future is ready once they have (bcrypt
  // verdicts excepted: those still come from a helper thread).
  std::future<void> reauthorize_sessions();
  // Any thread, for lame duck mode: send every client the "ldm" INFO; close one client.
  void notify_lame_duck();
  // Any thread: the cluster's client URLs changed; protocol-1 clients get a new INFO.
  void notify_cluster_change();
  void close_one_client();

  // Loop thread only.
  net::EventLoop& loop() noexcept override { return loop_; }
  subjects::MatchCache& match_cache() noexcept override { return match_cache_; }
  subjects::QueueRandom& queue_random() noexcept override { return queue_random_; }
  TrafficStats& stats() noexcept override { return stats_; }
  const TrafficStats& stats() const noexcept { return stats_; }
  std::size_t index() const noexcept override { return index_; }
  void schedule_flush(std::shared_ptr<Connection> connection) override;
  void retire(Connection* connection) override;
  bool on_loop_thread() const noexcept override { return std::this_thread::get_id() == thread_id_; }

  // Any thread: queue connections owned by this worker for a flush, and wake it once.
  void enqueue_remote_flushes(std::vector<std::shared_ptr<Connection>>& connections);

 private:
  // Loop thread: every client session, in no particular order (a copy: calls may close some).
  std::vector<std::shared_ptr<ClientSession>> client_sessions() const;

  void after_batch();
  void on_wake();
  void tick();

  Server& server_;
  std::size_t index_;
  net::EventLoop loop_;
  std::thread thread_;
  std::thread::id thread_id_;
  subjects::MatchCache match_cache_;
  subjects::QueueRandom queue_random_;
  TrafficStats stats_;

  std::unordered_map<Connection*, std::shared_ptr<Connection>> connections_;
  std::vector<std::shared_ptr<Connection>> retired_;  // closed this batch
  std::unordered_map<WebSocketUpgrade*, std::shared_ptr<WebSocketUpgrade>> upgrades_;
  std::vector<std::shared_ptr<WebSocketUpgrade>> retired_upgrades_;  // ended this batch
  std::vector<std::shared_ptr<Connection>> local_flush_;
  std::vector<std::vector<std::shared_ptr<Connection>>> remote_flush_;  // by worker index

  std::mutex inbox_mutex_;
  std::vector<std::shared_ptr<Connection>> inbox_;  // flush requests from other workers
  std::vector<std::shared_ptr<Connection>> inbox_draining_;
};

}  // namespace gnatsd::server
