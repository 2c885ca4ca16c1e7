// /metrics rendering from a /varz document.
#include "monitor/metrics.hpp"

#include <array>

#include <fmt/format.h>

namespace gnatsd::monitor {
namespace {

struct Metric {
  std::string_view field;  // the /varz field; the metric is gnatsd_varz_<field>
  std::string_view type;
  std::string_view help;
};

constexpr std::array kMetrics = {
    Metric{"connections", "gauge", "Client connections open now."},
    Metric{"total_connections", "counter", "Client connections accepted since start."},
    Metric{"routes", "gauge", "Route connections open now."},
    Metric{"remotes", "gauge", "Remote servers connected now."},
    Metric{"leafnodes", "gauge", "Leaf node connections open now."},
    Metric{"in_msgs", "counter", "Messages received from clients."},
    Metric{"out_msgs", "counter", "Messages delivered to clients."},
    Metric{"in_bytes", "counter", "Payload bytes received from clients."},
    Metric{"out_bytes", "counter", "Payload bytes delivered to clients."},
    Metric{"slow_consumers", "counter", "Clients disconnected as slow consumers."},
    Metric{"subscriptions", "gauge", "Subscriptions in the subject index."},
    Metric{"mem", "gauge", "Resident memory of the process in bytes."},
    Metric{"cpu", "gauge", "CPU use of the process in percent of one core."},
    Metric{"cores", "gauge", "Logical CPU cores of the host."},
    Metric{"gomaxprocs", "gauge", "I/O threads running the server."},
    Metric{"max_connections", "gauge", "Configured maximum of client connections."},
    Metric{"max_payload", "gauge", "Configured maximum message payload in bytes."},
    Metric{"max_pending", "gauge", "Configured maximum of bytes pending per client."},
    Metric{"max_control_line", "gauge", "Configured maximum protocol line length in bytes."},
    Metric{"ping_interval", "gauge", "Configured ping interval in nanoseconds."},
    Metric{"ping_max", "gauge", "Configured unanswered pings before a client is closed."},
    Metric{"write_deadline", "gauge", "Configured write deadline in nanoseconds."},
};

// Label values escape backslash, double quote and newline (text format 0.0.4).
std::string label_value(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string prometheus_text(const Json& varz) {
  const std::string server = label_value(varz.value("server_id", std::string()));
  std::string out;
  for (const auto& metric : kMetrics) {
    auto it = varz.find(metric.field);
    if (it == varz.end() || !it->is_number()) continue;
    out += fmt::format("# HELP gnatsd_varz_{0} {1}\n# TYPE gnatsd_varz_{0} {2}\n", metric.field,
                       metric.help, metric.type);
    out += fmt::format("gnatsd_varz_{}{{server_id=\"{}\"}} {}\n", metric.field, server, it->dump());
  }
  if (auto stats = varz.find("http_req_stats"); stats != varz.end() && stats->is_object()) {
    out +=
        "# HELP gnatsd_varz_http_req_stats Monitoring requests served, by endpoint.\n"
        "# TYPE gnatsd_varz_http_req_stats counter\n";
    for (const auto& [path, count] : stats->items()) {
      out += fmt::format("gnatsd_varz_http_req_stats{{server_id=\"{}\",path=\"{}\"}} {}\n", server,
                         label_value(path), count.dump());
    }
  }
  return out;
}

std::string prometheus_routez_text(const Json& routez) {
  const std::string server = label_value(routez.value("server_id", std::string()));
  std::string out =
      "# HELP gnatsd_routez_num_routes Cluster routes open now.\n"
      "# TYPE gnatsd_routez_num_routes gauge\n";
  out += fmt::format("gnatsd_routez_num_routes{{server_id=\"{}\"}} {}\n", server,
                     routez.value("num_routes", 0));
  static constexpr Metric kRouteMetrics[] = {
      {"in_msgs", "counter", "Messages received over the route."},
      {"out_msgs", "counter", "Messages sent over the route."},
      {"in_bytes", "counter", "Payload bytes received over the route."},
      {"out_bytes", "counter", "Payload bytes sent over the route."},
      {"pending_size", "gauge", "Bytes queued for the route and not yet written."},
      {"subscriptions", "gauge", "Interest the remote server announced over the route."},
  };
  const auto routes = routez.find("routes");
  if (routes == routez.end() || !routes->is_array() || routes->empty()) return out;
  for (const auto& metric : kRouteMetrics) {
    out += fmt::format("# HELP gnatsd_routez_{0} {1}\n# TYPE gnatsd_routez_{0} {2}\n", metric.field,
                       metric.help, metric.type);
    for (const auto& route : *routes) {
      out += fmt::format("gnatsd_routez_{}{{server_id=\"{}\",rid=\"{}\",remote_id=\"{}\"}} {}\n",
                         metric.field, server, route.value("rid", 0),
                         label_value(route.value("remote_id", std::string())),
                         route.value(metric.field, Json(0)).dump());
    }
  }
  return out;
}

}  // namespace gnatsd::monitor
