// Config reload (SIGHUP, --signal reload): rebuild the options the way the start did, refuse
// changes that need a restart, log each changed option as nats-server does ("Reloaded: x = y"),
// then publish the new snapshot. Sessions read limits through Server::options(), so new values
// apply to every connection from its next use of them.
#include <fmt/format.h>

#include "cluster/cluster.hpp"
#include "config/duration.hpp"
#include "log/logger.hpp"
#include "server/log_options.hpp"
#include "server/server.hpp"

namespace gnatsd::server {
namespace {

bool nkey_users_differ(const config::Options& a, const config::Options& b) {
  auto nkey_users = [](const config::Options& o) {
    std::vector<config::User> out;
    for (const config::User& u : o.users)
      if (!u.nkey.empty()) out.push_back(u);
    return out;
  };
  return nkey_users(a) != nkey_users(b);
}

// Fields fixed for the life of the process; nats-server names them by their Go field names.
std::string restart_only_change(const config::Options& now, const config::Options& next) {
  auto differ = [](std::string_view name, const auto& a, const auto& b) -> std::string {
    if (a == b) return {};
    return fmt::format("config reload not supported for {}: old={}, new={}", name, a, b);
  };
  for (auto text : {differ("Host", now.host, next.host), differ("Port", now.port, next.port),
                    differ("HTTPHost", now.http_host, next.http_host),
                    differ("HTTPPort", now.http_port, next.http_port),
                    differ("HTTPSPort", now.https_port, next.https_port),
                    differ("Cluster.Host", now.cluster.host, next.cluster.host),
                    differ("Cluster.Port", now.cluster.port, next.cluster.port),
                    differ("IOThreads", now.io_threads, next.io_threads),
                    differ("NoHeaderSupport", now.no_header_support, next.no_header_support),
                    differ("MaxClosedClients", now.max_closed_clients, next.max_closed_clients),
                    differ("LogSizeLimit", now.log_size_limit, next.log_size_limit),
                    differ("LogMaxFiles", now.log_max_files, next.log_max_files)}) {
    if (!text.empty()) return text;
  }
  // As nats-server: anything in websocket {} but its TLS needs a restart.
  // (The TLS may change its certificates, not come or go: the listener is ws or wss for life.)
  auto without_tls = [](config::WebsocketOptions w) {
    const bool tls = w.tls.enabled;
    w.tls = {};
    w.tls.enabled = tls;
    w.tls_block_at.clear();
    return w;
  };
  if (without_tls(now.websocket) != without_tls(next.websocket)) {
    auto brief = [](const config::WebsocketOptions& w) {
      return fmt::format("{{Host:{} Port:{} NoTLS:{} Compression:{}}}", w.host, w.port, w.no_tls,
                         w.compression);
    };
    return fmt::format("config reload not supported for Websocket: old={}, new={}",
                       brief(now.websocket), brief(next.websocket));
  }
  return {};
}

std::string duration_text(std::chrono::milliseconds d) {
  return config::format_go_duration(d);
}

// "Reloaded: name = value" for each changed reloadable option.
std::vector<std::string> describe_changes(const config::Options& a, const config::Options& b) {
  std::vector<std::string> out;
  auto value = [&out](std::string_view name, const auto& x, const auto& y) {
    if (x != y) out.push_back(fmt::format("Reloaded: {} = {}", name, y));
  };
  auto duration = [&out](std::string_view name, auto x, auto y) {
    if (x != y) out.push_back(fmt::format("Reloaded: {} = {}", name, duration_text(y)));
  };
  auto changed = [&out](std::string_view name, bool differs) {
    if (differs) out.push_back(fmt::format("Reloaded: {}", name));
  };
  value("debug", a.debug, b.debug);
  value("trace", a.trace, b.trace);
  value("logtime", a.logtime, b.logtime);
  value("log_file", a.log_file, b.log_file);
  value("syslog", a.syslog, b.syslog);
  value("remote_syslog", a.remote_syslog, b.remote_syslog);
  value("pid_file", a.pid_file, b.pid_file);
  value("ports_file_dir", a.ports_file_dir, b.ports_file_dir);
  value("server_name", a.server_name, b.server_name);
  // nats-server names nkey users apart, and (its users list changing with them) users too.
  changed("authorization nkey users", nkey_users_differ(a, b));
  changed("authorization users",
          a.users != b.users || a.default_permissions != b.default_permissions);
  changed("authorization", a.username != b.username || a.password != b.password ||
                               a.token != b.token || a.auth_timeout != b.auth_timeout);
  value("no_auth_user", a.no_auth_user, b.no_auth_user);
  if (a.tls != b.tls) {
    out.push_back(fmt::format("Reloaded: tls = {}", b.tls.enabled ? "enabled" : "disabled"));
  }
  // nats-server names the routes apart from the rest of the cluster block.
  changed("cluster routes", a.cluster.routes != b.cluster.routes);
  auto rest_of = [](config::ClusterOptions c) {
    c.routes.clear();
    return c;
  };
  changed("cluster", rest_of(a.cluster) != rest_of(b.cluster));
  value("max_connections", a.max_connections, b.max_connections);
  value("max_subscriptions", a.max_subscriptions, b.max_subscriptions);
  value("max_payload", a.max_payload, b.max_payload);
  value("max_control_line", a.max_control_line, b.max_control_line);
  value("max_pending", a.max_pending, b.max_pending);
  duration("ping_interval", a.ping_interval, b.ping_interval);
  value("ping_max", a.ping_max, b.ping_max);
  duration("write_deadline", a.write_deadline, b.write_deadline);
  duration("lame_duck_duration", a.lame_duck_duration, b.lame_duck_duration);
  duration("lame_duck_grace_period", a.lame_duck_grace_period, b.lame_duck_grace_period);
  value("client_advertise", a.client_advertise, b.client_advertise);
  return out;
}

// Whatever the Authenticator is built from.
bool authorization_changed(const config::Options& a, const config::Options& b) {
  return a.users != b.users || a.default_permissions != b.default_permissions ||
         a.username != b.username || a.password != b.password || a.token != b.token ||
         a.auth_timeout != b.auth_timeout || a.no_auth_user != b.no_auth_user ||
         a.tls.enabled != b.tls.enabled || a.tls.timeout != b.tls.timeout;
}

}  // namespace

void Server::reload() {
  if (!options_source_) {
    log::error("Failed to reload server configuration: no configuration source");
    return;
  }
  auto rebuilt = options_source_();
  if (auto* error = std::get_if<std::string>(&rebuilt)) {
    log::error("Failed to reload server configuration: {}", *error);
    return;
  }
  auto next = std::make_unique<config::Options>(std::get<config::Options>(std::move(rebuilt)));
  if (next->server_name.empty()) next->server_name = server_id_;
  const config::Options& current = options();
  if (auto refused = restart_only_change(current, *next); !refused.empty()) {
    log::error("Failed to reload server configuration: {}", refused);
    return;
  }
  // A changed tls {} (certificates, CA, policy, on/off) serves the connections accepted from
  // now on. Built first, installed with the rest, so that a failure changes nothing.
  const bool tls_changed = next->tls != current.tls;
  net::TlsContextResult tls;
  if (tls_changed && next->tls.enabled) {
    tls = net::make_server_tls_context(next->tls);
    if (!tls.context) {
      log::error("Failed to reload server configuration: {}", tls.error);
      return;
    }
  }
  // A new websocket tls {}: checked now, installed with the rest.
  const bool ws_tls_changed = ws_listener_.fd() >= 0 && next->websocket.tls.enabled &&
                              next->websocket.tls != current.websocket.tls;
  if (ws_tls_changed) {
    if (auto ws_tls = net::make_server_tls_context(next->websocket.tls); !ws_tls.context) {
      log::error("Failed to reload server configuration: {}{}", next->websocket.tls_block_at,
                 ws_tls.error);
      return;
    }
  }
  if (cluster_ && next->cluster.tls != current.cluster.tls) {
    if (auto err = cluster::Cluster::check_tls(next->cluster.tls); !err.empty()) {
      log::error("Failed to reload server configuration: {}", err);
      return;
    }
  }
  const auto changes = describe_changes(current, *next);
  // Logging first, so that the lines below already follow the new settings. A target that
  // cannot be opened refuses the whole reload (nats-server exits instead).
  if (auto err = log::init(log_options(*next)); !err.empty()) {
    log::error("Failed to reload server configuration: {}", err);
    return;
  }
  if (next->pid_file != current.pid_file) {
    // As nats-server: the new pid file is written; the old one is released.
    pid_file_.remove();
    if (!next->pid_file.empty()) {
      if (auto err = pid_file_.write(next->pid_file); !err.empty())
        log::error("Could not write pidfile: {}", err);
    }
  }
  if (tls_changed) install_tls(std::move(tls.context));
  if (ws_tls_changed) {
    if (auto err = reload_websocket_tls(next->websocket.tls); !err.empty()) log::error("{}", err);
  }
  if (next->ports_file_dir != current.ports_file_dir ||
      (tls_changed && !next->ports_file_dir.empty())) {
    // As nats-server: the old directory's file goes, the new one is written (with tls:// or
    // nats:// as the TLS now in force says).
    ports_file_.remove();
    if (!next->ports_file_dir.empty()) write_ports_file(next->ports_file_dir);
  }
  for (const auto& line : changes) log::info("{}", line);

  const bool reauthorize = authorization_changed(current, *next);
  reloaded_options_.push_back(std::move(next));
  publish_options(reloaded_options_.back().get());
  config_load_time_.store(WallClock::now());
  // The cluster reads the options in force: it acts on the new ones once they are published.
  if (cluster_) {
    const config::ClusterOptions& now = reloaded_options_.back()->cluster;
    if (now.name != current.cluster.name) cluster_->reload_name(now.name);
    if (now.tls != current.cluster.tls) {
      if (auto err = cluster_->reload_tls(now.tls); !err.empty()) log::error("{}", err);
    }
    if (now.routes != current.cluster.routes) cluster_->reload_routes(now.routes);
    if (now.permissions != current.cluster.permissions) {
      cluster_->reload_permissions(now.permissions);
    }
  }
  // New credentials and permissions: new connections use them, connected clients are checked
  // against them again.
  if (reauthorize) {
    set_authenticator(std::make_shared<const auth::Authenticator>(*reloaded_options_.back()));
  }
  log::info("Reloaded server configuration");
}

}  // namespace gnatsd::server
