// Worker thread: connection ownership, end-of-batch flushing and cross-worker flush hand-off.
#include "server/worker.hpp"

#include <algorithm>

#include "cluster/cluster.hpp"
#include "cluster/route.hpp"
#include "common/heap_return.hpp"
#include "log/logger.hpp"
#include "net/tls_transport.hpp"
#include "net/transport.hpp"
#include "server/client_session.hpp"
#include "server/server.hpp"
#include "server/websocket_upgrade.hpp"
#include "websocket/websocket_transport.hpp"

namespace gnatsd::server {
namespace {

// Freed outbound buffers given back to the OS once this much has accumulated: a few bursts of
// slow consumers at max_pending, a trim at most once per tick.
constexpr std::size_t kReturnFreedMemoryAfter = 4 * 1024 * 1024;
// Other workers' connections this thread writes to itself per batch, at most; the rest are
// handed to their owners. Bounds what a fan-out to many subscribers costs the publisher's
// thread, as nats-server bounds the flushes its reading goroutine does in place.
constexpr std::size_t kDirectFlushesPerBatch = 16;

}  // namespace

Worker::Worker(Server& server, std::size_t index)
    : server_(server),
      index_(index),
      match_cache_(server.subject_index()),
      queue_random_(subjects::detail::mix_seed(subjects::detail::thread_seed() + index)) {
  remote_flush_.resize(server.worker_count_hint());
  loop_.set_after_batch([this] { after_batch(); });
  loop_.set_on_wake([this] { on_wake(); });
  // Pings and write deadlines are checked on a tick: a quarter of the shortest interval,
  // clamped to [10ms, 1s], so a 2-minute ping costs one cheap scan per second.
  auto shortest = std::min(server.options().ping_interval, server.options().write_deadline);
  auto period =
      std::clamp(shortest / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
  loop_.set_tick(period, [this] { tick(); });
}

Worker::~Worker() {
  join();
}

void Worker::start() {
  thread_ = std::thread([this] {
    thread_id_ = std::this_thread::get_id();
    try {
      loop_.run();
    } catch (const std::exception& e) {
      log::fatal("I/O worker {} stopped: {}", index_, e.what());
      std::terminate();
    }
  });
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::adopt(int fd, std::string ip, int port, std::uint64_t cid) {
  loop_.post([this, fd, ip = std::move(ip), port, cid]() mutable {
    std::unique_ptr<net::Transport> transport;
    if (SSL_CTX* tls = server_.tls_context()) {
      transport = std::make_unique<net::TlsTransport>(fd, tls);
    } else {
      transport = std::make_unique<net::TcpTransport>(fd);
    }
    auto session = std::make_shared<ClientSession>(server_, *this, std::move(transport), cid,
                                                   std::move(ip), port);
    connections_.emplace(session.get(), session);
    session->start();
  });
}

void Worker::adopt_route(int fd, std::string ip, int port, std::uint64_t rid,
                         std::shared_ptr<cluster::RouteDial> dial) {
  loop_.post([this, fd, ip = std::move(ip), port, rid, dial = std::move(dial)]() mutable {
    cluster::Cluster& cluster = *server_.cluster();
    std::unique_ptr<net::Transport> transport;
    if (SSL_CTX* tls = dial ? cluster.dial_tls() : cluster.accept_tls()) {
      using Role = net::TlsTransport::Role;
      transport = std::make_unique<net::TlsTransport>(
          fd, tls, dial ? Role::Client : Role::ServerFirst, dial ? dial->host : std::string());
    } else {
      transport = std::make_unique<net::TcpTransport>(fd);
    }
    auto route = std::make_shared<cluster::Route>(cluster, server_, *this, std::move(transport),
                                                  rid, std::move(ip), port, std::move(dial));
    connections_.emplace(route.get(), route);
    route->start();
  });
}

void Worker::adopt_websocket(int fd, std::string ip, int port) {
  loop_.post([this, fd, ip = std::move(ip), port]() mutable {
    std::unique_ptr<net::Transport> transport;
    // wss: TLS first, then HTTP inside it, as any HTTPS server.
    if (SSL_CTX* tls = server_.websocket_tls_context()) {
      transport =
          std::make_unique<net::TlsTransport>(fd, tls, net::TlsTransport::Role::ServerFirst);
    } else {
      transport = std::make_unique<net::TcpTransport>(fd);
    }
    auto upgrade = std::make_shared<WebSocketUpgrade>(*this, std::move(transport), std::move(ip),
                                                      port, server_.websocket_upgrade_setup());
    upgrades_.emplace(upgrade.get(), upgrade);
    upgrade->start();
  });
}

void Worker::start_websocket_client(WebSocketUpgrade* upgrade,
                                    std::unique_ptr<net::Transport> transport, std::string ip,
                                    int port, websocket::UpgradeOutcome outcome) {
  end_websocket_upgrade(upgrade);
  const std::uint64_t cid = server_.admit_client();
  outcome.settings.max_inflated = static_cast<std::size_t>(server_.options().max_pending);
  auto* inner_tls = dynamic_cast<net::TlsTransport*>(transport.get());
  auto ws = std::make_unique<websocket::WebSocketTransport>(std::move(transport), outcome.settings);
  auto session = std::make_shared<ClientSession>(
      server_, *this, std::move(ws), cid, std::move(ip), port,
      WebSocketClient{std::move(outcome.client_ip), inner_tls, server_.tls_context() != nullptr});
  connections_.emplace(session.get(), session);
  session->start();
}

void Worker::end_websocket_upgrade(WebSocketUpgrade* upgrade) {
  auto it = upgrades_.find(upgrade);
  if (it == upgrades_.end()) return;
  // Alive until the batch ends: the upgrade is still on the stack.
  retired_upgrades_.push_back(std::move(it->second));
  upgrades_.erase(it);
}

void Worker::shutdown() {
  loop_.post([this] {
    std::vector<std::shared_ptr<WebSocketUpgrade>> upgrades;
    for (auto& [ptr, upgrade] : upgrades_) upgrades.push_back(upgrade);
    for (auto& upgrade : upgrades) upgrade->abort();
    std::vector<std::shared_ptr<Connection>> all;
    all.reserve(connections_.size());
    for (auto& [ptr, connection] : connections_) all.push_back(connection);
    for (auto& connection : all) {
      connection->flush();
      connection->close(CloseReason::ServerShutdown);
    }
    loop_.stop();
  });
}

std::vector<std::shared_ptr<ClientSession>> Worker::client_sessions() const {
  std::vector<std::shared_ptr<ClientSession>> sessions;
  sessions.reserve(connections_.size());
  for (const auto& [ptr, connection] : connections_) {
    if (connection->kind() == subjects::SubscriberKind::Client)
      sessions.push_back(std::static_pointer_cast<ClientSession>(connection));
  }
  return sessions;
}

void Worker::collect(const SnapshotRequest& request, WorkerSnapshot& out) {
  const auto sessions = client_sessions();
  out.open_connections = sessions.size();
  if (request.connections) {
    if (request.cid != 0) {
      for (const auto& session : sessions) {
        if (session->cid() == request.cid) {
          out.connections.push_back(session->conn_info(request.subscriptions));
          break;
        }
      }
    } else {
      out.connections.reserve(sessions.size());
      for (const auto& session : sessions) {
        out.connections.push_back(session->conn_info(request.subscriptions));
      }
    }
  }
  out.cache_entries = match_cache_.size();
  out.cache_hits = match_cache_.hits();
  out.cache_misses = match_cache_.misses();
  const auto fanout = match_cache_.fanout();
  out.max_fanout = fanout.max;
  out.total_fanout = fanout.total;
}

std::future<void> Worker::reauthorize_sessions() {
  // Shared: a posted task must be copyable.
  auto done = std::make_shared<std::promise<void>>();
  auto future = done->get_future();
  loop_.post([this, done] {
    for (auto& session : client_sessions()) session->reauthorize();
    done->set_value();
  });
  return future;
}

void Worker::notify_lame_duck() {
  loop_.post([this] {
    for (auto& session : client_sessions()) session->send_lame_duck_info();
  });
}

void Worker::notify_cluster_change() {
  loop_.post([this] {
    for (auto& session : client_sessions()) session->send_cluster_info();
  });
}

void Worker::close_one_client() {
  loop_.post([this] {
    const auto sessions = client_sessions();
    if (sessions.empty()) return;
    sessions.front()->flush();
    sessions.front()->close(CloseReason::ServerShutdown);
  });
}

void Worker::schedule_flush(std::shared_ptr<Connection> connection) {
  std::size_t owner = connection->worker().index();
  if (owner == index_) {
    local_flush_.push_back(std::move(connection));
  } else {
    remote_flush_[owner].push_back(std::move(connection));
  }
}

void Worker::retire(Connection* connection) {
  auto it = connections_.find(connection);
  if (it == connections_.end()) return;
  // Keep the object alive until the batch ends: later events of this batch may name it.
  retired_.push_back(std::move(it->second));
  connections_.erase(it);
}

void Worker::enqueue_remote_flushes(std::vector<std::shared_ptr<Connection>>& sessions) {
  {
    std::lock_guard lock(inbox_mutex_);
    if (inbox_.empty()) {
      inbox_.swap(sessions);
    } else {
      inbox_.insert(inbox_.end(), std::make_move_iterator(sessions.begin()),
                    std::make_move_iterator(sessions.end()));
    }
  }
  sessions.clear();
  loop_.wake();
}

void Worker::on_wake() {
  {
    std::lock_guard lock(inbox_mutex_);
    inbox_draining_.swap(inbox_);
  }
  for (auto& session : inbox_draining_) session->flush();
  inbox_draining_.clear();
}

void Worker::after_batch() {
  // A flush never schedules its own session again, so this drains in a round or two.
  while (!local_flush_.empty()) {
    auto batch = std::move(local_flush_);
    local_flush_.clear();
    for (auto& session : batch) session->flush();
  }
  // Another worker's connection with a small backlog is written from here: waking its owner
  // through the eventfd would add a thread hand-off to every request and every reply.
  std::size_t direct_budget = kDirectFlushesPerBatch;
  for (std::size_t i = 0; i < remote_flush_.size(); ++i) {
    auto& pending = remote_flush_[i];
    if (pending.empty()) continue;
    std::erase_if(pending, [&](const std::shared_ptr<Connection>& connection) {
      if (direct_budget == 0) return false;
      --direct_budget;
      return connection->flush_from_other_worker();
    });
    if (!pending.empty()) server_.worker(i).enqueue_remote_flushes(pending);
  }
  retired_.clear();
  retired_upgrades_.clear();
}

void Worker::tick() {
  auto now = Connection::Clock::now();
  std::vector<std::shared_ptr<Connection>> all;
  all.reserve(connections_.size());
  for (auto& [ptr, connection] : connections_) all.push_back(connection);
  for (auto& connection : all) connection->tick(now);
  after_batch();
  common::return_freed_memory(kReturnFreedMemoryAfter);
}

}  // namespace gnatsd::server
