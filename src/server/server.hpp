// The server: owns the options, the subject index, the I/O workers and the listener; accepts
// connections on the main thread and deals them out to workers; handles signals and shutdown.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "auth/authenticator.hpp"
#include "auth/check_pool.hpp"
#include "config/options.hpp"
#include "net/event_loop.hpp"
#include "net/listener.hpp"
#include "net/tls_context.hpp"
#include "process/pid_file.hpp"
#include "process/ports_file.hpp"
#include "server/closed_connections.hpp"
#include "server/conn_info.hpp"
#include "server/connection_context.hpp"
#include "server/snapshot.hpp"
#include "server/stats.hpp"
#include "server/websocket_upgrade.hpp"
#include "subjects/subject_index.hpp"
#include "websocket/handshake.hpp"

namespace gnatsd::monitor {
class MonitorServer;
}
namespace gnatsd::cluster {
class Cluster;
struct RouteDial;
}  // namespace gnatsd::cluster

namespace gnatsd::server {

class Worker;

class Server final : public ClientContext {
 public:
  explicit Server(config::Options options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listener and starts the workers. Returns an error text, or "" on success.
  std::string start();
  // Runs the accept loop and signal handling on the calling thread until shutdown.
  void run();
  // Any thread: begin an orderly shutdown.
  void request_shutdown();

  using ServerContext::options;

  // How a reload (SIGHUP) rebuilds the options: the new options, or why they are unusable.
  using OptionsSource = std::function<std::variant<config::Options, std::string>()>;
  void set_options_source(OptionsSource source) { options_source_ = std::move(source); }
  // Main thread: re-reads the options and applies what may change at run time; an unusable new
  // config is logged and the running one kept, as nats-server does.
  void reload();
  subjects::SubjectIndex& subject_index() noexcept override { return index_; }
  InterestListener* interest_listener() noexcept override;
  // Any thread: the cluster layer; null when no cluster port is configured, and until it
  // listens (monitoring may already be answering then).
  cluster::Cluster* cluster() noexcept { return cluster_view_.load(std::memory_order_acquire); }
  const cluster::Cluster* cluster() const noexcept {
    return cluster_view_.load(std::memory_order_acquire);
  }
  // Any thread: the client URLs of the whole cluster (this server's first), as INFO's
  // connect_urls lists them; empty while no route is up.
  // `websocket`: the cluster's WebSocket URLs instead, as WebSocket clients are told them.
  std::vector<std::string> cluster_client_urls(bool websocket = false) const;
  std::uint64_t client_info_generation() const noexcept override {
    return info_generation_.load(std::memory_order_acquire);
  }
  std::size_t worker_count() const noexcept { return workers_.size(); }
  std::size_t worker_count_hint() const noexcept { return planned_workers_; }
  Worker& worker(std::size_t i) noexcept { return *workers_[i]; }
  const std::string& server_id() const noexcept { return server_id_; }
  int port() const noexcept { return listener_.port(); }
  // The monitoring port actually bound (the OS's choice for -1); 0 when monitoring is off.
  int http_port() const noexcept;
  int https_port() const noexcept;  // the HTTPS monitoring port bound (-ms -1: the real one)
  // The websocket port bound (-1 in the config: the OS's choice); 0 without one.
  int websocket_port() const noexcept { return ws_port_.load(std::memory_order_acquire); }
  WallClock::time_point start_time() const noexcept { return start_time_; }
  // When the options in force were loaded: the start, or the latest successful reload.
  WallClock::time_point config_load_time() const noexcept { return config_load_time_.load(); }

  // Any thread: the client port's TLS context for new connections, built from options().tls
  // at start or by the latest reload; null without TLS.
  SSL_CTX* tls_context() const noexcept { return tls_context_.load(std::memory_order_acquire); }

  // INFO for one client, with the trailing " \r\n" nats-server sends; `tls`: the client's
  // connection is TLS (decided once, when it was accepted).
  // `lame_duck`: the INFO update sent when the server enters lame duck mode ("ldm": true).
  std::string client_info(std::uint64_t cid, const std::string& ip, bool auth_required, bool tls,
                          bool lame_duck = false, std::string_view nonce = {},
                          bool websocket = false) const override;

  // Any thread. The authentication in force: a connection takes the current one when it is
  // accepted and again at each CONNECT.
  std::shared_ptr<const auth::Authenticator> authenticator() const override;
  std::shared_ptr<const auth::Authenticator> websocket_authenticator() const override;
  // Any thread: the websocket port's TLS (null for ws://) and how its upgrades are answered.
  SSL_CTX* websocket_tls_context() const noexcept {
    return ws_tls_context_.load(std::memory_order_acquire);
  }
  WebSocketUpgrade::Setup websocket_upgrade_setup() const;
  // Any thread: a new client connection counts (max_connections, totals); its cid.
  std::uint64_t admit_client() noexcept;
  // Main thread (config reload): later connections and CONNECTs use `authenticator`, and every
  // connected client is checked against it again.
  void set_authenticator(std::shared_ptr<const auth::Authenticator> authenticator);
  // The websocket clients' authenticator for `options`: the websocket block's authorization
  // replaces the top-level user, token and no_auth_user when it sets any of them.
  static std::shared_ptr<const auth::Authenticator> make_websocket_authenticator(
      const config::Options& options);
  // Helper threads for bcrypt checks, which would otherwise stall a worker's event loop.
  auth::CheckPool& check_pool() noexcept override { return check_pool_; }

  // Connection accounting; released by sessions when they close.
  void connection_closed() noexcept override {
    num_clients_.fetch_sub(1, std::memory_order_relaxed);
  }
  int num_clients() const noexcept override { return num_clients_.load(std::memory_order_relaxed); }
  std::uint64_t total_connections() const noexcept {
    return total_clients_.load(std::memory_order_relaxed);
  }
  TrafficTotals traffic() const;

  ClosedConnections& closed_connections() noexcept override { return closed_; }
  // Any thread except an I/O thread: every worker's snapshot, each taken on its own thread.
  // Waits at most `timeout`; a worker that has not answered by then is left out.
  std::vector<WorkerSnapshot> snapshot(const SnapshotRequest& request,
                                       std::chrono::milliseconds timeout);

 private:
  void accept_ready();
  void accept_routes();
  // The websocket listener (websocket_listener.cpp).
  std::string start_websocket();
  // Reload of websocket { tls {} }: later upgrades use the new certificates, as nats-server's
  // per-handshake TLS config. An error text, or "".
  std::string reload_websocket_tls(const config::TlsOptions& tls);
  void accept_websockets();
  void stop_websocket_listener();
  // Any thread: a route socket (accepted, or dialled: `dial`) goes to the next worker.
  void place_route(int fd, std::string ip, int port, std::shared_ptr<cluster::RouteDial> dial);
  std::string start_cluster();
  // Another server's client URLs came or went: protocol-1 clients get a new INFO.
  void cluster_urls_changed();
  // This server's client URLs as it advertises them to the cluster (host:port).
  std::vector<std::string> advertised_client_urls() const;
  std::vector<std::string> advertised_ws_urls() const;
  void handle_signals();
  void stop_workers();
  // Lame duck mode (SIGUSR2, --signal ldm): stop accepting, tell clients (INFO "ldm"), wait the
  // grace period, then close the clients one by one before shutting down.
  void enter_lame_duck();
  void lame_duck_step();
  // Main thread: makes `tls` the client port's TLS for connections accepted from now on (a
  // disabled block turns TLS off). Returns nats-server's error text, or "" on success.
  std::string apply_tls(const config::TlsOptions& tls);
  void install_tls(net::SslCtxPtr context);  // null: TLS off
  std::string start_monitoring();
  // Writes <dir>/<executable>_<pid>.ports with the listeners' URLs; a failure is only logged.
  void write_ports_file(const std::string& dir);

  // Reloadable fields are read through options(); options_ holds the start-up values of the
  // fields that cannot change while running (listen address, ports).
  config::Options options_;
  std::vector<std::unique_ptr<const config::Options>> reloaded_options_;  // main thread only
  OptionsSource options_source_;
  std::string server_id_;
  std::atomic<SSL_CTX*> tls_context_{nullptr};
  // Every context built (start, reloads), kept for the process's life: a worker may have just
  // read the previous pointer, and reloads are rare. Main thread only.
  std::vector<net::SslCtxPtr> tls_contexts_;
  WallClock::time_point start_time_ = WallClock::now();
  std::atomic<WallClock::time_point> config_load_time_{start_time_};
  ClosedConnections closed_;
  subjects::SubjectIndex index_;
  // Before workers_: its routes live on the workers and refer to it.
  std::unique_ptr<cluster::Cluster> cluster_;             // main thread: owns it
  std::atomic<cluster::Cluster*> cluster_view_{nullptr};  // published once it listens
  std::unique_ptr<net::CallbackHandler> route_accept_handler_;
  std::atomic<std::size_t> next_route_worker_{0};
  std::atomic<std::uint64_t> info_generation_{0};  // counts connect_urls changes
  std::vector<std::unique_ptr<Worker>> workers_;
  // After workers_: destroyed (joined) first, since its jobs post results to worker loops.
  auth::CheckPool check_pool_;
  mutable std::mutex auth_mutex_;
  std::shared_ptr<const auth::Authenticator> authenticator_;     // guarded by auth_mutex_
  std::shared_ptr<const auth::Authenticator> ws_authenticator_;  // guarded by auth_mutex_
  // The websocket port (websocket {}): its listener, TLS and origin policy, fixed at start.
  net::Listener ws_listener_;
  // The context in force (start, or the latest reload of its tls {}); every one built is kept
  // for the process's life, as tls_contexts_. Main thread writes.
  std::atomic<SSL_CTX*> ws_tls_context_{nullptr};
  std::vector<net::SslCtxPtr> ws_tls_contexts_;
  websocket::OriginPolicy ws_origins_;
  std::unique_ptr<net::CallbackHandler> ws_accept_handler_;
  // The bound port, for monitoring: it may already answer while the listener opens.
  std::atomic<int> ws_port_{0};
  net::EventLoop main_loop_;
  net::Listener listener_;
  int signal_fd_ = -1;
  process::PidFile pid_file_;
  process::PortsFile ports_file_;
  std::unique_ptr<net::CallbackHandler> accept_handler_;
  std::unique_ptr<net::CallbackHandler> signal_handler_;
  std::size_t planned_workers_ = 1;
  std::size_t next_worker_ = 0;
  std::atomic<std::uint64_t> next_cid_{1};  // clients' cids and routes' rids, as nats-server
  std::atomic<std::uint64_t> total_clients_{0};
  std::atomic<int> num_clients_{0};
  std::atomic<bool> shutting_down_{false};
  bool lame_duck_ = false;  // main thread only
  std::size_t lame_duck_next_worker_ = 0;
  std::chrono::milliseconds lame_duck_interval_{0};
  std::chrono::steady_clock::time_point lame_duck_deadline_{};
  bool accept_paused_ = false;  // main thread only
  std::unique_ptr<monitor::MonitorServer> monitor_;
};

}  // namespace gnatsd::server
