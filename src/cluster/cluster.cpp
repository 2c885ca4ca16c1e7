// Cluster: the route registry, dialling and retries, cluster names, gossip and the interest every
// route is told of, with nats-server 2.9.10's rules and log lines (route.go, server.go).
#include "cluster/cluster.hpp"

#include <unistd.h>

#include <algorithm>
#include <random>

#include "auth/nkey.hpp"
#include "cluster/route.hpp"
#include "cluster/route_url.hpp"
#include "log/logger.hpp"
#include "net/tcp_dial.hpp"
#include "protocol/constants.hpp"
#include "protocol/encoder.hpp"

namespace gnatsd::cluster {
namespace {

// nats-server's DEFAULT_ROUTE_CONNECT (between dial failures), DEFAULT_ROUTE_RECONNECT (before
// redialling a configured route that dropped) and DEFAULT_ROUTE_DIAL (connect timeout).
constexpr std::chrono::milliseconds kConnectDelay{1000};
constexpr std::chrono::milliseconds kReconnectDelay{1000};
constexpr std::chrono::milliseconds kDialTimeout{1000};
// Reconnect failures on the first connect are reported at error level on the first attempt and
// then every this many (nats-server's DEFAULT_CONNECT_ERROR_REPORTS).
constexpr int kConnectErrorReports = 3600;

std::string generated_name() {
  // nats-server uses a NUID: 22 base-62 characters.
  static constexpr char kDigits[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::random_device entropy;
  std::mt19937_64 rng((static_cast<std::uint64_t>(entropy()) << 32) ^ entropy());
  std::string name;
  while (name.size() < 22) name.push_back(kDigits[rng() % 62]);
  return name;
}

std::chrono::milliseconds jitter() {
  thread_local std::minstd_rand rng{std::random_device{}()};
  return std::chrono::milliseconds(rng() % 100);
}

}  // namespace

Cluster::Cluster(const config::Options& options, const server::ServerContext& live,
                 std::string server_id, std::vector<std::string> client_urls,
                 std::vector<std::string> ws_urls, subjects::SubjectIndex& index)
    : options_(options),
      live_(live),
      server_id_(std::move(server_id)),
      client_urls_(std::move(client_urls)),
      ws_urls_(std::move(ws_urls)),
      index_(index),
      name_(options.cluster.name) {
  if (name_.empty()) {
    name_ = generated_name();
    dynamic_name_ = true;
  }
  set_permissions_locked(options.cluster.permissions);
}

void Cluster::set_permissions_locked(const std::optional<config::Permissions>& permissions) {
  permissions_ = permissions;
  import_.reset();
  export_.reset();
  if (permissions && permissions->publish) import_.emplace(*permissions->publish);
  if (permissions && permissions->subscribe) export_.emplace(*permissions->subscribe);
}

bool Cluster::can_export(std::string_view subject) const noexcept {
  std::lock_guard lock(mu_);
  return !export_ || export_->allows(subject);
}

void Cluster::reload_permissions(const std::optional<config::Permissions>& permissions) {
  std::vector<std::shared_ptr<Route>> routes;
  {
    std::lock_guard lock(mu_);
    if (permissions == permissions_) return;
    const std::optional<auth::SubjectFilter> old_import = std::move(import_);
    set_permissions_locked(permissions);
    std::string frames;
    interest_.for_each([&](std::string_view subject, std::string_view queue, std::uint32_t count) {
      const bool was = !old_import || old_import->allows(subject);
      const bool now = imports_locked(subject);
      if (was == now) return;
      frames +=
          now ? InterestTable::frame(subject, queue, count)
              : protocol::no_interest_frame({.account = "$G", .subject = subject, .queue = queue});
    });
    // The peers learn the new permissions first (INFO update, no nonce), then the interest.
    broadcast_locked(protocol::route_info_frame(own_info_locked()) + frames);
    for (auto& [id, peer] : peers_) routes.push_back(peer.route);
  }
  for (auto& route : routes) {
    route->worker().loop().post([route] { route->drop_unexported_interest(); });
  }
}

Cluster::~Cluster() {
  stop();
}

std::string Cluster::listen() {
  const auto& cluster = options_.cluster;
  log::info("Cluster name is {}", name_);
  if (dynamic_name_) log::warn("Cluster name was dynamically generated, consider setting one");
  if (auto err = reload_tls(cluster.tls); !err.empty()) return err;
  if (auto err = listener_.open(cluster.host, cluster.port); !err.empty()) {
    return fmt::format("Error listening on router port: {} - {}", cluster.port, err);
  }
  log::info("Listening for route connections on {}",
            join_host_port(cluster.host, listener_.port()));
  return {};
}

void Cluster::start(PlaceRoute place, ClientUrlsChanged urls_changed) {
  place_ = std::move(place);
  urls_changed_ = std::move(urls_changed);
  std::lock_guard lock(mu_);
  for (const auto& url : options_.cluster.routes) configure_route_locked(url);
}

std::string Cluster::check_tls(const config::TlsOptions& tls) {
  if (!tls.enabled) return {};
  config::TlsOptions mutual = tls;
  mutual.verify = true;
  if (auto built = net::make_server_tls_context(mutual); !built.context) return built.error;
  if (auto built = net::make_client_tls_context(mutual); !built.context) return built.error;
  return {};
}

std::string Cluster::reload_tls(const config::TlsOptions& tls) {
  net::SslCtxPtr accepting, dialling;
  if (tls.enabled) {
    // nats-server requires and verifies the peer's certificate on every route, both ways.
    config::TlsOptions mutual = tls;
    mutual.verify = true;
    auto server_side = net::make_server_tls_context(mutual);
    if (!server_side.context) return "Error setting up cluster TLS: " + server_side.error;
    auto client_side = net::make_client_tls_context(mutual);
    if (!client_side.context) return "Error setting up cluster TLS: " + client_side.error;
    accepting = std::move(server_side.context);
    dialling = std::move(client_side.context);
  }
  accept_tls_.store(accepting.get(), std::memory_order_release);
  dial_tls_.store(dialling.get(), std::memory_order_release);
  // Kept for the process's life: a worker may have just read the previous pointers.
  std::lock_guard lock(mu_);
  if (accepting) tls_contexts_.push_back(std::move(accepting));
  if (dialling) tls_contexts_.push_back(std::move(dialling));
  return {};
}

void Cluster::reload_name(const std::string& name) {
  std::lock_guard lock(mu_);
  if (name.empty() || name == name_) return;
  name_ = name;
  log::info("Cluster name updated to {}", name_);
}

void Cluster::configure_route_locked(const std::string& url) {
  auto dial = parse_route_url(url);
  if (!dial) {
    log::error("Error parsing route URL \"{}\"", url);
    return;
  }
  dial->configured = true;
  auto shared = std::make_shared<RouteDial>(std::move(*dial));
  configured_[url] = shared;
  start_dialler(std::move(shared));
}

void Cluster::reload_routes(const std::vector<std::string>& routes) {
  std::vector<std::shared_ptr<Route>> dropped;
  {
    std::lock_guard lock(mu_);
    for (auto it = configured_.begin(); it != configured_.end();) {
      if (std::find(routes.begin(), routes.end(), it->first) != routes.end()) {
        ++it;
        continue;
      }
      it->second->removed = true;
      for (auto& [id, peer] : peers_) {
        if (peer.route->dial() == it->second) dropped.push_back(peer.route);
      }
      log::info("Removed route {}", it->first);
      it = configured_.erase(it);
    }
    for (const auto& url : routes) {
      if (!configured_.contains(url)) configure_route_locked(url);
    }
  }
  changed_.notify_all();
  for (auto& route : dropped) {
    route->worker().loop().post([route] { route->close_removed_route(); });
  }
}

void Cluster::stop() {
  std::vector<Dialler> diallers;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    diallers.swap(diallers_);
  }
  changed_.notify_all();
  for (auto& dialler : diallers) dialler.thread.join();
  listener_.close();
}

void Cluster::start_dialler(std::shared_ptr<RouteDial> dial) {
  if (stopping_) return;
  std::erase_if(diallers_, [](Dialler& d) {
    if (!d.done->load(std::memory_order_acquire)) return false;
    d.thread.join();  // already returned: does not block
    return true;
  });
  auto done = std::make_shared<std::atomic<bool>>(false);
  std::thread thread([this, done, dial = std::move(dial)]() mutable {
    dial_loop(std::move(dial));
    done->store(true, std::memory_order_release);
  });
  diallers_.push_back({std::move(thread), std::move(done)});
}

bool Cluster::pause(std::chrono::milliseconds delay) {
  std::unique_lock lock(mu_);
  return !changed_.wait_for(lock, delay, [this] { return stopping_; });
}

void Cluster::dial_loop(std::shared_ptr<RouteDial> dial) {
  // A gossiped peer counts as being dialled for as long as this thread runs.
  struct Forget {
    Cluster& cluster;
    const std::string& url;
    ~Forget() {
      std::lock_guard lock(cluster.mu_);
      cluster.dialling_peers_.erase(url);
    }
  } forget{*this, dial->url};
  const auto retries = live().cluster.connect_retries;
  bool first_connect = true;
  for (;;) {
    int attempts = 0;
    net::DialResult conn;
    for (;;) {
      {
        std::lock_guard lock(mu_);
        if (stopping_ || dial->removed) return;
      }
      log::debug("Trying to connect to route on {} ({})", join_host_port(dial->host, dial->port),
                 join_host_port(dial->host, dial->port));
      conn = net::dial_tcp(dial->host, dial->port, kDialTimeout);
      if (conn.fd >= 0) break;
      ++attempts;
      // nats-server reports every failure of a reconnect, but only some of a first connect.
      if (!first_connect || attempts == 1 || attempts % kConnectErrorReports == 0) {
        log::error("Error trying to connect to route (attempt {}): {}", attempts, conn.error);
      } else {
        log::debug("Error trying to connect to route (attempt {}): {}", attempts, conn.error);
      }
      if (!dial->configured && attempts > retries) return;
      if (!pause(kConnectDelay)) return;
    }
    {
      std::lock_guard lock(mu_);
      if (stopping_) {
        ::close(conn.fd);
        return;
      }
      dial_active_.insert(dial.get());
      dial_outcome_.erase(dial.get());
    }
    place_(conn.fd, conn.ip, conn.port, dial);
    std::string remote_id;
    {
      std::unique_lock lock(mu_);
      changed_.wait(lock, [&] { return stopping_ || !dial_active_.contains(dial.get()); });
      if (stopping_ || dial->removed) return;
      remote_id = dial_outcome_[dial.get()];
      if (remote_id == server_id_) {
        log::debug("Detected route to self, ignoring \"{}\"", dial->url);
        return;
      }
      if (!remote_id.empty() && peers_.contains(remote_id)) {
        // A gossiped peer connected some other way needs no dial of its own.
        if (!dial->configured) return;
        // Both sides dialled: the other connection won. If it drops, this dial takes over.
        log::debug("Not attempting reconnect for solicited route, already connected to \"{}\"",
                   remote_id);
        changed_.wait(lock,
                      [&] { return stopping_ || dial->removed || !peers_.contains(remote_id); });
        if (stopping_ || dial->removed) return;
      }
    }
    log::debug("Attempting reconnect for solicited route \"{}\"", dial->url);
    // A configured route waits a second first; a gossiped one is tried again at once (within
    // its connect_retries), as nats-server's reConnectToRoute does.
    if (!pause((dial->configured ? kReconnectDelay : std::chrono::milliseconds(0)) + jitter()))
      return;
    first_connect = false;
  }
}

void Cluster::announce_lame_duck() {
  std::lock_guard lock(mu_);
  protocol::RouteInfo info = own_info_locked();
  info.lame_duck = true;
  broadcast_locked(protocol::route_info_frame(info));
}

// ---- names and handshake ---------------------------------------------------------------------

std::string Cluster::cluster_name() const {
  std::lock_guard lock(mu_);
  return name_;
}

bool Cluster::accept_cluster_name(const std::string& name, bool remote_dynamic, Route& except) {
  std::vector<std::shared_ptr<Route>> dropped;
  {
    std::lock_guard lock(mu_);
    if (name == name_) return true;
    if (!dynamic_name_ || (remote_dynamic && name_.compare(name) >= 0)) return false;
    name_ = name;
    log::info("Cluster name updated to {}", name_);
    for (auto& [id, peer] : peers_) {
      if (peer.route.get() != &except) dropped.push_back(peer.route);
    }
  }
  // Closed on their own threads: a route closes only there.
  for (auto& route : dropped) {
    route->worker().loop().post([route] { route->close_removed(); });
  }
  return true;
}

protocol::RouteInfo Cluster::own_info_locked() const {
  const config::Options& options = live();
  const auto& cluster = options.cluster;
  protocol::RouteInfo info;
  info.server_id = server_id_;
  info.server_name = options.server_name;
  info.host = cluster.host;
  info.port = listener_.port();
  info.headers = !options.no_header_support;
  info.auth_required = !cluster.username.empty();
  info.tls_required = cluster.tls.enabled;
  info.tls_verify = cluster.tls.enabled;
  info.max_payload = options.max_payload;
  if (!cluster.advertise.empty()) {
    if (auto adv = parse_route_url(cluster.advertise)) {
      info.host = adv->host;
      info.port = adv->port;
      info.ip = "nats-route://" + join_host_port(adv->host, adv->port) + "/";
    }
  }
  info.cluster = name_;
  info.cluster_dynamic = dynamic_name_;
  if (!cluster.no_advertise) {
    info.connect_urls = client_urls_;
    info.ws_connect_urls = ws_urls_;
  }
  if (const auto& permissions = permissions_) {
    if (permissions->publish) {
      info.import_permission =
          protocol::RoutePermission{permissions->publish->allow, permissions->publish->deny};
    }
    if (permissions->subscribe) {
      info.export_permission =
          protocol::RoutePermission{permissions->subscribe->allow, permissions->subscribe->deny};
    }
  }
  return info;
}

std::string Cluster::route_info() const {
  std::lock_guard lock(mu_);
  protocol::RouteInfo info = own_info_locked();
  // nats-server puts a fresh nonce in each new route's INFO (unused on routes, but peers and
  // tools see the field), never in the updates.
  info.nonce = auth::nkey::make_nonce();
  return protocol::route_info_frame(info);
}

std::string Cluster::route_connect(const RouteDial& dial, bool tls) const {
  protocol::RouteConnect connect;
  connect.user = dial.user;
  connect.password = dial.password;
  connect.tls_required = tls;
  connect.headers = !live().no_header_support;
  connect.name = server_id_;
  {
    std::lock_guard lock(mu_);
    connect.cluster = name_;
    connect.cluster_dynamic = dynamic_name_;
  }
  return protocol::route_connect_frame(connect);
}

// ---- registry --------------------------------------------------------------------------------

Registration Cluster::register_route(const std::shared_ptr<Route>& route,
                                     const protocol::RouteInfo& info) {
  bool urls_changed = false;
  {
    std::lock_guard lock(mu_);
    if (peers_.contains(info.server_id)) return Registration::Duplicate;
    Peer& peer = peers_[info.server_id];
    peer.route = route;
    peer.client_urls = info.connect_urls;
    peer.ws_urls = info.ws_connect_urls;
    peer_order_.push_back(info.server_id);
    urls_changed = !live().cluster.no_advertise &&
                   (!info.connect_urls.empty() || !info.ws_connect_urls.empty());
    if (urls_changed) peers_advertised_.store(true, std::memory_order_release);
    // This server's interest, then (under the same lock) every later change: the peer never
    // misses or reorders an update.
    std::string dump;
    interest_.dump(dump, [this](std::string_view subject) { return imports_locked(subject); });
    if (!dump.empty()) route->queue_protocol(dump);
    // Tell the others about the newcomer, so that they dial it (gossip); with the address we
    // reached it at when it did not advertise one.
    if (peers_.size() > 1) {
      protocol::RouteInfo forwarded = info;
      forwarded.nonce.clear();
      if (forwarded.ip.empty()) {
        forwarded.ip = "nats-route://" + join_host_port(route->peer_ip(), info.port) + "/";
      }
      std::string frame = protocol::route_info_frame(forwarded);
      // Forwarded INFO has no space before CRLF (nats-server's InfoProto).
      frame.erase(frame.size() - 3, 1);
      for (auto& [id, other] : peers_) {
        if (id != info.server_id) other.route->queue_protocol(frame);
      }
    }
  }
  changed_.notify_all();
  if (urls_changed && urls_changed_) urls_changed_();
  return Registration::Registered;
}

void Cluster::route_closed(Route& route, std::string_view /*reason*/) {
  bool urls_changed = false;
  {
    std::lock_guard lock(mu_);
    const std::string& id = route.remote_id();
    if (auto it = peers_.find(id); it != peers_.end() && it->second.route.get() == &route) {
      urls_changed = !live().cluster.no_advertise &&
                     (!it->second.client_urls.empty() || !it->second.ws_urls.empty());
      peers_.erase(it);
      peer_order_.erase(std::remove(peer_order_.begin(), peer_order_.end(), id), peer_order_.end());
    }
    if (const auto& dial = route.dial(); dial && dial_active_.erase(dial.get()) > 0) {
      dial_outcome_[dial.get()] = id;
    }
  }
  changed_.notify_all();
  if (urls_changed && urls_changed_) urls_changed_();
}

void Cluster::learn_peer(const protocol::RouteInfo& info) {
  std::lock_guard lock(mu_);
  if (stopping_ || info.server_id == server_id_ || peers_.contains(info.server_id)) return;
  // A configured route to that address dials it already.
  const std::string address = join_host_port(info.host, info.port);
  for (const auto& [url, configured] : configured_) {
    if (join_host_port(configured->host, configured->port) == address) return;
  }
  auto dial = parse_route_url(info.ip);
  if (!dial) {
    log::error("Error parsing URL from INFO: \"{}\"", info.ip);
    return;
  }
  if (!dialling_peers_.insert(dial->url).second) return;
  if (info.auth_required) {
    dial->user = live().cluster.username;
    dial->password = live().cluster.password;
  }
  dial->configured = false;
  start_dialler(std::make_shared<RouteDial>(std::move(*dial)));
}

void Cluster::peer_updated(Route& route, const protocol::RouteInfo& info,
                           const std::optional<protocol::RoutePermission>& previous_export) {
  if (!info.lame_duck) {
    // New permissions on the peer: interest it now takes and did not before is sent (what it
    // no longer takes it drops itself), as nats-server's updateRemoteRoutePerms.
    auto filter = [](const std::optional<protocol::RoutePermission>& p) {
      return p ? std::optional<auth::SubjectFilter>(config::SubjectPermission{p->allow, p->deny})
               : std::nullopt;
    };
    const auto before = filter(previous_export);
    const auto after = filter(info.export_permission);
    std::string frames;
    std::lock_guard lock(mu_);
    interest_.for_each([&](std::string_view subject, std::string_view queue, std::uint32_t count) {
      const bool was = !before || before->allows(subject);
      const bool now = !after || after->allows(subject);
      if (now && !was && imports_locked(subject))
        frames += InterestTable::frame(subject, queue, count);
    });
    if (!frames.empty()) route.queue_protocol(frames);
    return;
  }
  bool urls_changed = false;
  {
    std::lock_guard lock(mu_);
    if (auto it = peers_.find(route.remote_id());
        it != peers_.end() && it->second.route.get() == &route) {
      urls_changed = !live().cluster.no_advertise &&
                     (!it->second.client_urls.empty() || !it->second.ws_urls.empty());
      it->second.client_urls.clear();
      it->second.ws_urls.clear();
    }
  }
  if (urls_changed && urls_changed_) urls_changed_();
}

// ---- interest --------------------------------------------------------------------------------

void Cluster::broadcast_locked(const std::string& frame) {
  if (frame.empty()) return;
  for (auto& [id, peer] : peers_) peer.route->queue_protocol(frame);
}

void Cluster::subscribed(const subjects::Subscription& sub) {
  std::lock_guard lock(mu_);
  // Counted whatever the permissions (a reload may allow it later); announced only when routes
  // may send it here (nats-server's canImport).
  std::string frame = interest_.add(sub);
  if (imports_locked(sub.subject)) broadcast_locked(frame);
}

void Cluster::unsubscribed(const subjects::Subscription& sub) {
  std::lock_guard lock(mu_);
  std::string frame = interest_.remove(sub);
  if (imports_locked(sub.subject)) broadcast_locked(frame);
}

// ---- monitoring ------------------------------------------------------------------------------

std::vector<std::shared_ptr<Route>> Cluster::routes() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<Route>> out;
  out.reserve(peers_.size());
  for (const auto& id : peer_order_) out.push_back(peers_.at(id).route);
  return out;
}

std::size_t Cluster::num_routes() const {
  std::lock_guard lock(mu_);
  return peers_.size();
}

std::vector<std::string> Cluster::peer_urls(std::vector<std::string> Peer::*which,
                                            const std::vector<std::string>& own) const {
  std::lock_guard lock(mu_);
  std::vector<std::string> urls;
  if (live().cluster.no_advertise) return urls;
  for (const auto& id : peer_order_) {
    for (const auto& url : peers_.at(id).*which) {
      if (std::find(urls.begin(), urls.end(), url) == urls.end() &&
          std::find(own.begin(), own.end(), url) == own.end()) {
        urls.push_back(url);
      }
    }
  }
  return urls;
}

std::vector<std::string> Cluster::peer_client_urls() const {
  return peer_urls(&Peer::client_urls, client_urls_);
}

std::vector<std::string> Cluster::peer_ws_urls() const {
  return peer_urls(&Peer::ws_urls, ws_urls_);
}

}  // namespace gnatsd::cluster
