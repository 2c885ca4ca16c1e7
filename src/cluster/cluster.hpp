// The cluster: this server's place in a full mesh of routes. It owns the cluster listener, the
// dialling of configured and gossiped routes (one thread each, blocking connects, retried as
// nats-server retries them), the registry of routes by remote server id (duplicates and
// self-connects are dropped), the cluster name (static, or generated and converging), the local
// interest every route is told of, and what the cluster's members advertise to clients.
//
// Threading: one mutex guards the registry, the interest table and the names; its lock is taken
// before any route's outbound lock, never after. Routes run on workers; dialler threads only
// connect sockets and hand them over.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "auth/permissions.hpp"
#include "cluster/interest_table.hpp"
#include "cluster/route_context.hpp"
#include "config/options.hpp"
#include "net/listener.hpp"
#include "net/tls_context.hpp"
#include "server/connection_context.hpp"
#include "server/interest_listener.hpp"

namespace gnatsd::cluster {

class Cluster final : public RouteContext, public server::InterestListener {
 public:
  // Puts a connected socket on a worker as a route; `dial` null for an accepted one.
  using PlaceRoute =
      std::function<void(int fd, std::string ip, int port, std::shared_ptr<RouteDial> dial)>;
  // The client URLs other servers advertised changed: clients should hear of it (async INFO).
  using ClientUrlsChanged = std::function<void()>;

  // `options`: the start-up options (listen address, routes); `client_urls`: this server's own
  // client URLs as it advertises them.
  // `live`: the options in force (reloads change them); `options` those of the start-up.
  // `ws_urls`: its WebSocket client URLs (ws_connect_urls), empty without a websocket port.
  Cluster(const config::Options& options, const server::ServerContext& live, std::string server_id,
          std::vector<std::string> client_urls, std::vector<std::string> ws_urls,
          subjects::SubjectIndex& index);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // Main thread. Binds the cluster port and logs as nats-server; an error text, or "".
  std::string listen();
  int listener_fd() const noexcept { return listener_.fd(); }
  int port() const noexcept { return listener_.port(); }
  net::AcceptedSocket accept() { return listener_.accept(); }
  // Route TLS (cluster { tls {} }), null without: mutual, TLS before any NATS byte.
  SSL_CTX* accept_tls() const noexcept { return accept_tls_.load(std::memory_order_acquire); }
  SSL_CTX* dial_tls() const noexcept { return dial_tls_.load(std::memory_order_acquire); }
  // Builds the route TLS of cluster { tls } for the routes that form from now on (start-up and
  // reload); a disabled block turns it off. nats-server's error text, or "".
  std::string reload_tls(const config::TlsOptions& tls);
  // Whether `tls` would build, without installing it (a reload refuses a broken block).
  static std::string check_tls(const config::TlsOptions& tls);
  // Starts dialling the configured routes.
  void start(PlaceRoute place, ClientUrlsChanged urls_changed);
  // Config reload of cluster { permissions }: routes get this server's INFO again (with the new
  // import/export), the RS+/RS- that the new import makes, and drop peer interest the new
  // export refuses, as nats-server's reloadClusterPermissions.
  void reload_permissions(const std::optional<config::Permissions>& permissions);
  // Config reload of cluster { name }: later routes and INFOs use it, as nats-server does.
  void reload_name(const std::string& name);
  // Config reload: dials the routes that were added, drops (and stops dialling) the ones that
  // were removed, as nats-server's routesOption.
  void reload_routes(const std::vector<std::string>& routes);
  // Lame duck mode: every route gets this server's INFO with "ldm": true.
  void announce_lame_duck();
  // Stops dialling and accepting; routes close with their workers.
  void stop();

  // Monitoring, any thread.
  std::vector<std::shared_ptr<Route>> routes() const;
  std::size_t num_routes() const;
  // The other servers' client URLs (registered routes, unless no_advertise), in join order.
  std::vector<std::string> peer_client_urls() const;
  const std::vector<std::string>& own_client_urls() const noexcept { return client_urls_; }
  // The same for WebSocket clients: the other servers' ws_connect_urls, and this server's.
  std::vector<std::string> peer_ws_urls() const;
  const std::vector<std::string>& own_ws_urls() const noexcept { return ws_urls_; }
  bool peers_ever_advertised() const noexcept {
    return peers_advertised_.load(std::memory_order_acquire);
  }

  // RouteContext.
  const std::string& server_id() const noexcept override { return server_id_; }
  std::string cluster_name() const override;
  bool dynamic_name() const noexcept { return dynamic_name_; }
  bool accept_cluster_name(const std::string& name, bool remote_dynamic, Route& except) override;
  std::string route_info() const override;
  std::string route_connect(const RouteDial& dial, bool tls) const override;
  Registration register_route(const std::shared_ptr<Route>& route,
                              const protocol::RouteInfo& info) override;
  void learn_peer(const protocol::RouteInfo& info) override;
  void peer_updated(Route& route, const protocol::RouteInfo& info,
                    const std::optional<protocol::RoutePermission>& previous_export) override;
  void route_closed(Route& route, std::string_view reason) override;
  subjects::SubjectIndex& subject_index() noexcept override { return index_; }
  bool can_export(std::string_view subject) const noexcept override;

  // InterestListener: local client interest, told to every route.
  void subscribed(const subjects::Subscription& sub) override;
  void unsubscribed(const subjects::Subscription& sub) override;

 private:
  struct Peer {
    std::shared_ptr<Route> route;
    std::vector<std::string> client_urls;
    std::vector<std::string> ws_urls;
  };
  // A peer's URLs (client or WebSocket), deduplicated, without this server's own.
  std::vector<std::string> peer_urls(std::vector<std::string> Peer::*which,
                                     const std::vector<std::string>& own) const;
  void dial_loop(std::shared_ptr<RouteDial> dial);
  // Waits `delay` unless stopping; false when stopping.
  bool pause(std::chrono::milliseconds delay);
  void start_dialler(std::shared_ptr<RouteDial> dial);  // under mu_
  void configure_route_locked(const std::string& url);  // a configured route: dial it
  void broadcast_locked(const std::string& frame);
  protocol::RouteInfo own_info_locked() const;

  const config::Options& options_;  // start-up: listen address, the first routes
  const server::ServerContext& live_;
  const config::Options& live() const noexcept { return live_.options(); }
  const std::string server_id_;
  const std::vector<std::string> client_urls_;
  const std::vector<std::string> ws_urls_;
  subjects::SubjectIndex& index_;
  net::Listener listener_;
  // cluster { permissions } in force (start-up, then reloads): import (what routes may send
  // here, so the interest they are told of) and export (the peers' interest taken); unset:
  // everything. Guarded by mu_.
  std::optional<config::Permissions> permissions_;
  std::optional<auth::SubjectFilter> import_;
  std::optional<auth::SubjectFilter> export_;
  void set_permissions_locked(const std::optional<config::Permissions>& permissions);
  bool imports_locked(std::string_view subject) const {
    return !import_ || import_->allows(subject);
  }
  std::atomic<SSL_CTX*> accept_tls_{nullptr};
  std::atomic<SSL_CTX*> dial_tls_{nullptr};
  std::vector<net::SslCtxPtr> tls_contexts_;  // every context built; guarded by mu_
  PlaceRoute place_;
  ClientUrlsChanged urls_changed_;

  mutable std::mutex mu_;
  std::condition_variable changed_;  // a route closed or registered, or stop
  bool stopping_ = false;
  std::atomic<bool> peers_advertised_{false};
  std::string name_;
  bool dynamic_name_ = false;
  InterestTable interest_;
  std::map<std::string, Peer> peers_;    // registered routes by remote server id
  std::vector<std::string> peer_order_;  // remote ids in registration order (connect_urls)
  // Dials in progress or connected, by dial; the remote id of their latest route once it closed.
  std::map<const RouteDial*, std::string> dial_outcome_;
  std::set<const RouteDial*> dial_active_;
  std::set<std::string> dialling_peers_;  // gossiped ids being dialled
  // The configured routes in force (start-up, then reloads), with their dials.
  std::map<std::string, std::shared_ptr<RouteDial>> configured_;
  // Dialler threads; finished ones are joined when the next one starts (gossip churn would
  // otherwise pile up exited threads until shutdown).
  struct Dialler {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<Dialler> diallers_;
};

}  // namespace gnatsd::cluster
