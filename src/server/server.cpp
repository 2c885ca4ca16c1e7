// Server lifecycle: start-up (bind, workers), the accept loop, signals, orderly shutdown.
#include "server/server.hpp"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <future>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "cluster/cluster.hpp"
#include "cluster/route_url.hpp"
#include "log/logger.hpp"
#include "monitor/monitor_server.hpp"
#include "protocol/constants.hpp"
#include "protocol/info.hpp"
#include "server/worker.hpp"

namespace gnatsd::server {
namespace {

constexpr std::chrono::milliseconds kAcceptBackoff{50};
// bcrypt checks run on at most this many helper threads (fewer on smaller machines).
constexpr std::size_t kMaxCheckThreads = 4;
// How long a reload waits for the workers to re-check their clients.
constexpr std::chrono::seconds kReauthorizeWait{5};

// nats-server ids are 56-character base32 public nkeys starting with 'N'; ours look the same
// so that tools displaying or validating them are not surprised.
std::string make_server_id() {
  static constexpr char kBase32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::random_device entropy;
  std::mt19937_64 rng((static_cast<std::uint64_t>(entropy()) << 32) ^ entropy());
  std::string id = "N";
  while (id.size() < 56) id.push_back(kBase32[rng() % 32]);
  return id;
}

// Go programs (nats-server among them) raise the open-file soft limit to the hard limit at
// start; do the same so that tens of thousands of clients work without a ulimit tweak.
void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

Server::Server(config::Options options)
    : options_(std::move(options)),
      server_id_(make_server_id()),
      closed_(options_.max_closed_clients > 0
                  ? static_cast<std::size_t>(options_.max_closed_clients)
                  : ClosedConnections::kDefaultCapacity),
      check_pool_(std::min<std::size_t>(kMaxCheckThreads, std::thread::hardware_concurrency())),
      authenticator_(std::make_shared<const auth::Authenticator>(options_)),
      ws_authenticator_(make_websocket_authenticator(options_)) {
  if (options_.server_name.empty()) options_.server_name = server_id_;
  publish_options(&options_);
  planned_workers_ = options_.io_threads > 0 ? static_cast<std::size_t>(options_.io_threads)
                                             : std::max(1u, std::thread::hardware_concurrency());
}

std::shared_ptr<const auth::Authenticator> Server::authenticator() const {
  std::lock_guard lock(auth_mutex_);
  return authenticator_;
}

void Server::set_authenticator(std::shared_ptr<const auth::Authenticator> authenticator) {
  {
    // options() are already the new ones (a reload publishes them first).
    auto websocket = make_websocket_authenticator(options());
    std::lock_guard lock(auth_mutex_);
    authenticator_ = std::move(authenticator);
    ws_authenticator_ = std::move(websocket);
  }
  // Connected clients are checked again, as nats-server's reloadAuthorization does, and before
  // the reload is reported done: a client that publishes after "Reloaded server configuration"
  // meets its new permissions. The wait is bounded so that the main loop never hangs on a
  // worker. (Workers that have not started yet have no sessions.)
  std::vector<std::future<void>> pending;
  pending.reserve(workers_.size());
  for (auto& worker : workers_) pending.push_back(worker->reauthorize_sessions());
  const auto deadline = std::chrono::steady_clock::now() + kReauthorizeWait;
  for (auto& done : pending) {
    if (done.wait_until(deadline) == std::future_status::timeout) {
      log::warn("Reload: clients are still being checked against the new authorization");
      break;
    }
  }
}

Server::~Server() {
  monitor_.reset();  // its handlers read the workers
  for (auto& worker : workers_) worker->join();
  if (signal_fd_ >= 0) close(signal_fd_);
}

std::string Server::start() {
  log::info("Starting gnatsd version {}", protocol::kGnatsdVersion);
  // nats-server 2.x's banner lines, with the nats-server version whose protocol gnatsd speaks
  // (the "version" clients see in INFO).
  log::info("  Version:  {}", protocol::kServerVersion);
  log::info("  Git:      [not set]");
  log::debug("  Go build: {}", protocol::kBuildToolchain);
  if (!options_.cluster.name.empty()) log::info("  Cluster:  {}", options_.cluster.name);
  log::info("  Name:     {}", options_.server_name);
  log::info("  ID:       {}", server_id_);
  if (authenticator()->has_plaintext_passwords()) {
    log::warn("Plaintext passwords detected, use nkeys or bcrypt");
  }
  if (!options_.config_file.empty())
    log::info("Using configuration file: {}", options_.config_file);
  raise_open_file_limit();
  if (auto err = apply_tls(options_.tls); !err.empty()) return err;
  // Where nats-server writes it: after the banner, before listening.
  if (!options_.pid_file.empty()) {
    if (auto err = pid_file_.write(options_.pid_file); !err.empty()) {
      return "Could not write pidfile: " + err;
    }
  }
  if (auto err = listener_.open(options_.host, options_.port); !err.empty()) {
    return fmt::format("Error listening on port: {}:{}, \"{}\"", options_.host, options_.port, err);
  }
  // Signals are taken through a signalfd on the main loop; block them everywhere first so that
  // worker threads inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGQUIT}) sigaddset(&signals, sig);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  signal_fd_ = signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);

  for (std::size_t i = 0; i < planned_workers_; ++i)
    workers_.push_back(std::make_unique<Worker>(*this, i));
  for (auto& worker : workers_) worker->start();

  accept_handler_ =
      std::make_unique<net::CallbackHandler>([this](std::uint32_t) { accept_ready(); });
  signal_handler_ =
      std::make_unique<net::CallbackHandler>([this](std::uint32_t) { handle_signals(); });
  if (options_.http_port != 0 || options_.https_port != 0) {
    if (auto err = start_monitoring(); !err.empty()) {
      stop_workers();
      return err;
    }
  }

  // Before the client port, as nats-server starts it.
  if (options_.websocket.port != 0) {
    if (auto err = start_websocket(); !err.empty()) {
      if (monitor_) monitor_->stop();
      stop_workers();
      return err;
    }
  }
  main_loop_.add(listener_.fd(), EPOLLIN, accept_handler_.get());
  main_loop_.add(signal_fd_, EPOLLIN, signal_handler_.get());
  main_loop_.set_tick(kAcceptBackoff, [this] {
    if (accept_paused_ && listener_.fd() >= 0) {
      accept_paused_ = false;
      main_loop_.add(listener_.fd(), EPOLLIN, accept_handler_.get());
    }
  });

  log::info("Listening for client connections on {}:{}", options_.host, listener_.port());
  if (tls_context()) log::info("TLS required for client connections");
  if (options_.cluster.port != 0) {
    if (auto err = start_cluster(); !err.empty()) {
      if (monitor_) monitor_->stop();
      stop_workers();
      return err;
    }
  }
  if (!options_.ports_file_dir.empty()) write_ports_file(options_.ports_file_dir);
  log::debug("Server id is {}", server_id_);
  log::debug("Using {} I/O threads", workers_.size());
  log::info("gnatsd is ready");
  return {};
}

void Server::run() {
  main_loop_.run();
  log::info("Initiating Shutdown...");
  if (monitor_) monitor_->stop();
  if (cluster_) cluster_->stop();
  stop_workers();
  pid_file_.remove();
  ports_file_.remove();
  log::info("Server Exiting..");
}

std::string Server::start_monitoring() {
  // nats-server serves monitoring on one port: HTTP or HTTPS, never both.
  if (options_.http_port != 0 && options_.https_port != 0) {
    return fmt::format("Can't start monitoring: can't specify both HTTP ({}) and HTTPs ({}) ports",
                       options_.http_port, options_.https_port);
  }
  const bool https = options_.https_port != 0;
  if (https && !options_.tls.enabled) {
    return "Can't start monitoring: TLS cert and key required for HTTPS";
  }
  monitor_ = std::make_unique<monitor::MonitorServer>(*this);
  const std::string& host = options_.http_host.empty() ? options_.host : options_.http_host;
  if (auto err = monitor_->start(host, https ? options_.https_port : options_.http_port,
                                 options_.http_base_path, https ? &options_.tls : nullptr);
      !err.empty()) {
    monitor_.reset();
    return "Can't start monitoring: " + err;
  }
  return {};
}

void Server::write_ports_file(const std::string& dir) {
  process::ListenPorts ports;
  ports.nats =
      process::listen_urls(tls_context() ? "tls" : "nats", options_.host, listener_.port());
  if (monitor_) {
    const std::string& host = options_.http_host.empty() ? options_.host : options_.http_host;
    ports.monitoring =
        process::listen_urls(monitor_->https() ? "https" : "http", host, monitor_->port());
  }
  if (ws_listener_.fd() >= 0) {
    const std::string& host = options_.websocket.host.empty() ? std::string(protocol::kDefaultHost)
                                                              : options_.websocket.host;
    ports.websocket =
        process::listen_urls(websocket_tls_context() ? "wss" : "ws", host, ws_listener_.port());
  }
  if (auto err = ports_file_.write(dir, ports); !err.empty()) log::error("{}", err);
}

int Server::http_port() const noexcept {
  return monitor_ && !monitor_->https() ? monitor_->port() : 0;
}

int Server::https_port() const noexcept {
  return monitor_ && monitor_->https() ? monitor_->port() : 0;
}

void Server::request_shutdown() {
  if (shutting_down_.exchange(true)) return;
  main_loop_.stop();
}

void Server::stop_workers() {
  listener_.close();
  // No CONNECT verified from here on; the sessions waiting for one are closed with the rest.
  check_pool_.stop();
  for (auto& worker : workers_) worker->shutdown();
  for (auto& worker : workers_) worker->join();
}

void Server::accept_ready() {
  // Bounded so one busy listener cannot starve the signal handler.
  for (int i = 0; i < 256; ++i) {
    auto accepted = listener_.accept();
    if (accepted.fd < 0) {
      if (accepted.error == EMFILE || accepted.error == ENFILE || accepted.error == ENOBUFS ||
          accepted.error == ENOMEM) {
        // Out of descriptors: the pending connection stays queued and the listener stays
        // readable, so stop watching it for a moment instead of spinning.
        log::error("Temporary Client Accept Error({}), sleeping {}ms",
                   std::strerror(accepted.error), kAcceptBackoff.count());
        main_loop_.remove(listener_.fd());
        accept_paused_ = true;
      }
      return;
    }
    const std::uint64_t cid = admit_client();
    Worker& worker = *workers_[next_worker_];
    next_worker_ = (next_worker_ + 1) % workers_.size();
    worker.adopt(accepted.fd, std::move(accepted.ip), accepted.port, cid);
  }
}

namespace {

// host:port URLs a listener is advertised with: `advertise` (scheme stripped, `port` added
// when it has none), else the listen address, a wildcard one as the addresses other hosts can
// reach (no loopback), as nats-server's getConnectURLs.
std::vector<std::string> advertised_urls(std::string adv, const std::string& host, int port) {
  if (!adv.empty()) {
    if (auto scheme = adv.find("://"); scheme != std::string::npos) adv.erase(0, scheme + 3);
    if (adv.find(':') == std::string::npos || (adv.front() == '[' && adv.back() == ']'))
      adv = cluster::join_host_port(adv, port);
    return {adv};
  }
  const bool any = host.empty() || host == "0.0.0.0" || host == "::";
  std::vector<std::string> urls;
  for (auto url : process::listen_urls("nats", host, port)) {
    url.erase(0, 7);  // "nats://"
    if (any && (url.starts_with("127.") || url.starts_with("[::1]"))) continue;
    urls.push_back(std::move(url));
  }
  return urls;
}

}  // namespace

std::vector<std::string> Server::advertised_client_urls() const {
  // nats-server adds the default client port to an advertised address without one.
  return advertised_urls(
      options_.client_advertise, options_.host,
      options_.client_advertise.empty() ? listener_.port() : protocol::kDefaultPort);
}

std::vector<std::string> Server::advertised_ws_urls() const {
  if (ws_listener_.fd() < 0) return {};
  const config::WebsocketOptions& ws = options_.websocket;
  return advertised_urls(ws.advertise,
                         ws.host.empty() ? std::string(protocol::kDefaultHost) : ws.host,
                         ws_listener_.port());
}

std::string Server::start_cluster() {
  cluster_ = std::make_unique<cluster::Cluster>(
      options_, *this, server_id_, advertised_client_urls(), advertised_ws_urls(), index_);
  if (auto err = cluster_->listen(); !err.empty()) {
    cluster_.reset();
    return err;
  }
  // Before any route can form: a worker adopting one reaches the cluster through cluster().
  cluster_view_.store(cluster_.get(), std::memory_order_release);
  route_accept_handler_ =
      std::make_unique<net::CallbackHandler>([this](std::uint32_t) { accept_routes(); });
  main_loop_.add(cluster_->listener_fd(), EPOLLIN, route_accept_handler_.get());
  cluster_->start(
      [this](int fd, std::string ip, int port, std::shared_ptr<cluster::RouteDial> dial) {
        place_route(fd, std::move(ip), port, std::move(dial));
      },
      [this] { cluster_urls_changed(); });
  return {};
}

std::vector<std::string> Server::cluster_client_urls(bool websocket) const {
  const cluster::Cluster* cluster = this->cluster();
  if (cluster == nullptr) return {};
  auto peers = websocket ? cluster->peer_ws_urls() : cluster->peer_client_urls();
  // As nats-server: no list while alone, but once another server was advertised the list
  // keeps at least this server's own URLs.
  if (peers.empty() && !cluster->peers_ever_advertised()) return {};
  std::vector<std::string> urls = websocket ? cluster->own_ws_urls() : cluster->own_client_urls();
  urls.insert(urls.end(), peers.begin(), peers.end());
  return urls;
}

void Server::cluster_urls_changed() {
  info_generation_.fetch_add(1, std::memory_order_acq_rel);
  for (auto& worker : workers_) worker->notify_cluster_change();
}

InterestListener* Server::interest_listener() noexcept {
  return cluster();
}

void Server::accept_routes() {
  for (int i = 0; i < 64; ++i) {
    auto accepted = cluster_->accept();
    if (accepted.fd < 0) return;
    place_route(accepted.fd, std::move(accepted.ip), accepted.port, nullptr);
  }
}

void Server::place_route(int fd, std::string ip, int port,
                         std::shared_ptr<cluster::RouteDial> dial) {
  const std::uint64_t rid = next_cid_.fetch_add(1, std::memory_order_relaxed);
  const std::size_t index =
      next_route_worker_.fetch_add(1, std::memory_order_relaxed) % workers_.size();
  workers_[index]->adopt_route(fd, std::move(ip), port, rid, std::move(dial));
}

void Server::handle_signals() {
  signalfd_siginfo info;
  while (read(signal_fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    switch (info.ssi_signo) {
      case SIGINT:
        log::debug("Trapped \"interrupt\" signal");
        request_shutdown();
        break;
      case SIGTERM:
        log::debug("Trapped \"terminated\" signal");
        // As nats-server: a graceful shutdown in progress (lame duck) is left to finish. In
        // Kubernetes the SIGTERM comes right after the preStop hook started lame duck mode.
        if (!lame_duck_) request_shutdown();
        break;
      case SIGQUIT:
        log::debug("Trapped \"quit\" signal");
        request_shutdown();
        break;
      case SIGUSR1:
        log::debug("Trapped \"user defined signal 1\" signal");
        log::reopen();  // logrotate: the file was renamed, write to a new one by that name
        break;
      case SIGUSR2:
        log::debug("Trapped \"user defined signal 2\" signal");
        enter_lame_duck();
        break;
      case SIGHUP:
        log::debug("Trapped \"hangup\" signal");
        reload();
        break;
      default:
        log::debug("Ignoring signal {}", info.ssi_signo);
        break;
    }
  }
}

std::string Server::client_info(std::uint64_t cid, const std::string& ip, bool auth_required,
                                bool tls, bool lame_duck, std::string_view nonce,
                                bool websocket) const {
  const config::Options& options = this->options();
  // A configured name shows even without a cluster port, as in nats-server.
  std::string cluster_name = options_.cluster.name;
  std::vector<std::string> connect_urls;
  const cluster::Cluster* cluster = this->cluster();
  if (cluster != nullptr) {
    cluster_name = cluster->cluster_name();
    // WebSocket clients are told the cluster's WebSocket URLs (nats-server's ws_connect_urls).
    connect_urls = cluster_client_urls(websocket);
    // Entering lame duck mode: clients are pointed at the other servers only.
    if (lame_duck) {
      const auto& own = websocket ? cluster->own_ws_urls() : cluster->own_client_urls();
      std::erase_if(connect_urls, [&](const std::string& url) {
        return std::find(own.begin(), own.end(), url) != own.end();
      });
    }
  }
  // client_advertise replaces the address clients are told, as nats-server does.
  std::string host = options_.host;
  int port = listener_.port();
  if (!options_.client_advertise.empty()) {
    if (auto adv = cluster::parse_route_url(advertised_client_urls().front())) {
      host = adv->host;
      port = adv->port;
    }
  }
  return protocol::info_frame({.server_id = server_id_,
                               .server_name = options.server_name,
                               .host = host,
                               .port = port,
                               .headers = !options.no_header_support,
                               .auth_required = auth_required,
                               .tls_required = tls,
                               .tls_verify = options.tls.verify,
                               .max_payload = options.max_payload,
                               .client_id = cid,
                               .client_ip = ip,
                               .nonce = nonce,
                               .lame_duck = lame_duck,
                               .cluster = cluster_name,
                               .cluster_dynamic = cluster != nullptr && cluster->dynamic_name(),
                               .connect_urls = connect_urls});
}

std::string Server::apply_tls(const config::TlsOptions& tls) {
  if (!tls.enabled) {
    install_tls(nullptr);
    return {};
  }
  auto built = net::make_server_tls_context(tls);
  if (!built.context) return built.error;
  install_tls(std::move(built.context));
  return {};
}

void Server::install_tls(net::SslCtxPtr context) {
  SSL_CTX* current = context.get();
  if (context) tls_contexts_.push_back(std::move(context));
  tls_context_.store(current, std::memory_order_release);
}

std::vector<WorkerSnapshot> Server::snapshot(const SnapshotRequest& request,
                                             std::chrono::milliseconds timeout) {
  // Shared with the posted tasks: a worker that answers after the deadline writes into it
  // harmlessly, and a worker whose loop has stopped just drops its task.
  struct Pending {
    std::mutex mutex;
    std::condition_variable answered;
    std::vector<std::optional<WorkerSnapshot>> results;
    std::size_t count = 0;
  };
  auto pending = std::make_shared<Pending>();
  pending->results.resize(workers_.size());
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    Worker* worker = workers_[i].get();
    worker->loop().post([pending, worker, request, i] {
      WorkerSnapshot snapshot;
      worker->collect(request, snapshot);
      std::lock_guard lock(pending->mutex);
      pending->results[i] = std::move(snapshot);
      ++pending->count;
      pending->answered.notify_all();
    });
  }
  std::unique_lock lock(pending->mutex);
  if (!pending->answered.wait_for(lock, timeout,
                                  [&] { return pending->count == pending->results.size(); })) {
    log::warn("Monitoring: {} of {} I/O threads did not answer within {}ms",
              pending->results.size() - pending->count, pending->results.size(), timeout.count());
  }
  std::vector<WorkerSnapshot> out;
  out.reserve(pending->count);
  for (auto& result : pending->results) {
    if (result) out.push_back(std::move(*result));
  }
  return out;
}

TrafficTotals Server::traffic() const {
  TrafficTotals totals;
  for (const auto& worker : workers_) totals.add(worker->stats());
  return totals;
}

}  // namespace gnatsd::server
