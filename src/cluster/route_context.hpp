// What a route needs of the cluster it belongs to (implemented by Cluster; narrow so that a
// route depends on neither the server nor the cluster's bookkeeping), and the small records
// passed between them.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/route_info.hpp"
#include "server/conn_info.hpp"

namespace gnatsd::subjects {
class SubjectIndex;
}

namespace gnatsd::cluster {

class Route;

// A route URL this server dials: one of --routes / cluster { routes }, or a peer learnt by
// gossip.
struct RouteDial {
  std::string url;  // as configured or gossiped, for logs
  std::string host;
  int port = 0;
  std::string user;         // the URL's userinfo (or, for gossiped peers, our own route user)
  std::string password;     // "
  bool configured = false;  // explicit: retried forever
  // A reload took the URL out of the configuration: no more dialling, its route closes.
  // Guarded by the cluster's lock.
  bool removed = false;
};

// What /routez shows of one route. Any thread.
struct RouteSummary {
  std::uint64_t rid = 0;
  std::string remote_id;
  std::string remote_name;
  bool did_solicit = false;
  bool is_configured = false;
  std::string ip;
  int port = 0;
  server::WallClock::time_point start{};
  server::WallClock::time_point last_activity{};
  std::chrono::nanoseconds rtt{0};
  std::size_t pending_bytes = 0;
  std::uint64_t in_msgs = 0, out_msgs = 0, in_bytes = 0, out_bytes = 0;
  std::size_t subscriptions = 0;
};

// How the cluster took a route whose INFO arrived.
enum class Registration {
  Registered,
  Duplicate,  // a route to that server exists already
};

class RouteContext {
 public:
  virtual const std::string& server_id() const noexcept = 0;
  // The cluster's name now (a dynamic one may change once, to a peer's).
  virtual std::string cluster_name() const = 0;
  // A peer says its cluster is `name`: true when that is ours, or when ours was generated and
  // gives way to it (nats-server's rule: adopt a static name, or a dynamic one that sorts
  // higher); the other routes are then dropped. `except`: the route that brought the name.
  virtual bool accept_cluster_name(const std::string& name, bool remote_dynamic, Route& except) = 0;
  // "INFO {...} \r\n" as this server sends it to a new route.
  virtual std::string route_info() const = 0;
  // "CONNECT {...}\r\n" for a route this server dialled.
  virtual std::string route_connect(const RouteDial& dial, bool tls) const = 0;
  // Loop thread of `route`: its peer's first INFO passed the checks. When registered, this
  // server's interest has been queued to it, atomically with later interest changes.
  virtual Registration register_route(const std::shared_ptr<Route>& route,
                                      const protocol::RouteInfo& info) = 0;
  // A registered route's peer sent an INFO about another server (gossip).
  virtual void learn_peer(const protocol::RouteInfo& info) = 0;
  // A registered route's peer sent an update of its own INFO (lame duck mode, or new
  // permissions after a reload: `previous_export` is what it exported before).
  virtual void peer_updated(Route& route, const protocol::RouteInfo& info,
                            const std::optional<protocol::RoutePermission>& previous_export) = 0;
  // Loop thread of `route`: it closed (registered or not).
  virtual void route_closed(Route& route, std::string_view reason) = 0;
  virtual subjects::SubjectIndex& subject_index() noexcept = 0;
  // cluster { permissions { export } }: whether a peer's interest in `subject` is taken.
  virtual bool can_export(std::string_view subject) const noexcept = 0;

 protected:
  ~RouteContext() = default;
};

}  // namespace gnatsd::cluster
