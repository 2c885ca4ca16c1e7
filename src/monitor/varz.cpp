// /varz (nats-server server/monitor.go Varz).
#include "monitor/varz.hpp"

#include <chrono>
#include <thread>

#include "cluster/cluster.hpp"
#include "protocol/constants.hpp"
#include "server/server.hpp"

namespace gnatsd::monitor {
namespace {

double seconds(std::chrono::milliseconds d) {
  return std::chrono::duration<double>(d).count();
}

std::int64_t nanos(std::chrono::milliseconds d) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

// "nats-route://user:pass@host:port/" -> "host:port", as nats-server lists route URLs.
std::string url_host(std::string url) {
  if (auto scheme = url.find("://"); scheme != std::string::npos) url.erase(0, scheme + 3);
  if (auto at = url.rfind('@'); at != std::string::npos) url.erase(0, at + 1);
  if (auto slash = url.find('/'); slash != std::string::npos) url.erase(slash);
  return url;
}

Json cluster_varz(const config::ClusterOptions& cluster, const cluster::Cluster* running) {
  Json out = Json::object();  // every field is omitted when empty, as Go's omitempty does
  // The name in force (a generated one, or the one it converged to) and the bound port.
  const std::string name = running ? running->cluster_name() : cluster.name;
  if (!name.empty()) out["name"] = name;
  if (!cluster.host.empty()) out["addr"] = cluster.host;
  const int port = running ? running->port() : cluster.port;
  if (port != 0) out["cluster_port"] = port;
  if (cluster.auth_timeout.count() != 0)
    out["auth_timeout"] = go_float(seconds(cluster.auth_timeout));
  if (!cluster.routes.empty()) {
    Json urls = Json::array();
    for (const auto& route : cluster.routes) urls.push_back(url_host(route));
    out["urls"] = std::move(urls);
  }
  return out;
}

// nats-server's WebsocketOptsVarz, every field omitted when empty; the port the one bound.
Json websocket_varz(const config::WebsocketOptions& ws, int bound_port) {
  Json out = Json::object();
  if (ws.port == 0) return out;
  out["host"] = ws.host.empty() ? std::string(protocol::kDefaultHost) : ws.host;
  if (bound_port != 0) out["port"] = bound_port;
  if (!ws.advertise.empty()) out["advertise"] = ws.advertise;
  if (!ws.no_auth_user.empty()) out["no_auth_user"] = ws.no_auth_user;
  if (!ws.jwt_cookie.empty()) out["jwt_cookie"] = ws.jwt_cookie;
  if (ws.handshake_timeout.count() != 0) out["handshake_timeout"] = ws.handshake_timeout.count();
  if (ws.auth_timeout != 0) out["auth_timeout"] = go_float(ws.auth_timeout);
  if (ws.no_tls) out["no_tls"] = true;
  if (ws.same_origin) out["same_origin"] = true;
  if (!ws.allowed_origins.empty()) out["allowed_origins"] = ws.allowed_origins;
  if (ws.compression) out["compression"] = true;
  return out;
}

}  // namespace

Json build_varz(server::Server& server, const VarzInputs& inputs) {
  const config::Options& options = server.options();
  const auto now = server::WallClock::now();
  const auto traffic = server.traffic();
  const auto index = server.subject_index().stats();
  // nats-server's auth timeout defaults to 2 s (or the TLS timeout + 1 s with TLS).
  const auto auth_timeout = options.auth_timeout.count() != 0 ? options.auth_timeout
                            : options.tls.enabled
                                ? options.tls.timeout + std::chrono::seconds(1)
                                : std::chrono::milliseconds(protocol::kDefaultAuthTimeout);
  // The context in force (a reload may have turned TLS on or off since start-up).
  const bool tls_required = server.tls_context() != nullptr;

  Json v;
  v["server_id"] = server.server_id();
  v["server_name"] = options.server_name;
  v["version"] = protocol::kServerVersion;
  v["proto"] = protocol::kProtoVersion;
  v["go"] = protocol::kBuildToolchain;
  v["host"] = options.host;
  v["port"] = server.port();
  // nats-server 2.x omits the next two when false; they are always present here so that
  // readers of either era find them (auth_required / ssl_required are the 0.x names).
  // As the INFO says it: not required when a no_auth_user takes credential-less clients.
  v["auth_required"] = server.authenticator()->advertise_auth_required();
  v["ssl_required"] = tls_required;
  v["tls_required"] = tls_required;
  if (tls_required && options.tls.verify) v["tls_verify"] = true;  // omitted when false
  if (const auto urls = server.cluster_client_urls(); !urls.empty()) v["connect_urls"] = urls;
  v["max_connections"] = options.max_connections;
  if (options.max_subscriptions > 0) v["max_subscriptions"] = options.max_subscriptions;
  v["ping_interval"] = nanos(options.ping_interval);
  v["ping_max"] = options.ping_max;
  v["http_host"] = options.http_host.empty() ? options.host : options.http_host;
  v["http_port"] = options.http_port;  // as configured (-1 stays -1), as nats-server reports it
  v["http_base_path"] = options.http_base_path;
  v["https_port"] = options.https_port;
  v["auth_timeout"] = go_float(seconds(auth_timeout));
  v["max_control_line"] = options.max_control_line;
  v["max_payload"] = options.max_payload;
  v["max_pending"] = options.max_pending;
  v["max_pending_size"] = options.max_pending;  // 0.x name
  v["cluster"] = cluster_varz(options.cluster, server.cluster());
  v["gateway"] = Json::object();
  v["leaf"] = Json::object();
  v["mqtt"] = Json::object();
  v["websocket"] = websocket_varz(options.websocket, server.websocket_port());
  v["jetstream"] = Json::object();
  v["tls_timeout"] = go_float(seconds(options.tls.timeout));
  v["ssl_timeout"] = v["tls_timeout"];  // 0.x name
  v["write_deadline"] = nanos(options.write_deadline);
  v["start"] = rfc3339_nano(server.start_time());
  v["now"] = rfc3339_nano(now);
  v["uptime"] = uptime_text(now - server.start_time());
  v["mem"] = inputs.usage.rss_bytes;
  v["cores"] = std::max(1u, std::thread::hardware_concurrency());
  // Go's GOMAXPROCS: how many threads run server code at once, here the I/O threads.
  v["gomaxprocs"] = server.worker_count();
  v["cpu"] = go_float(inputs.usage.cpu_percent);
  v["connections"] = server.num_clients();
  v["total_connections"] = server.total_connections();
  v["routes"] = server.cluster() ? server.cluster()->num_routes() : 0;
  v["remotes"] = v["routes"];
  v["leafnodes"] = 0;
  v["in_msgs"] = traffic.in_msgs;
  v["out_msgs"] = traffic.out_msgs;
  v["in_bytes"] = traffic.in_bytes;
  v["out_bytes"] = traffic.out_bytes;
  v["slow_consumers"] = traffic.slow_consumers;
  v["subscriptions"] = index.num_subscriptions;
  Json stats = Json::object();
  for (const auto& [path, count] : inputs.http_req_stats) stats[path] = count;
  v["http_req_stats"] = std::move(stats);
  v["config_load_time"] = rfc3339_nano(server.config_load_time());
  return v;
}

}  // namespace gnatsd::monitor
