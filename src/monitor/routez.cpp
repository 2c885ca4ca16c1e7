#include "monitor/routez.hpp"

#include <algorithm>

#include "cluster/cluster.hpp"
#include "cluster/route.hpp"
#include "server/server.hpp"

namespace gnatsd::monitor {

Json build_routez(server::Server& server, const SubsOption& subs) {
  const auto now = server::WallClock::now();
  Json out;
  out["server_id"] = server.server_id();
  out["now"] = rfc3339_nano(now);
  std::vector<std::shared_ptr<cluster::Route>> routes;
  if (const cluster::Cluster* cluster = server.cluster()) routes = cluster->routes();
  out["num_routes"] = routes.size();
  Json list = Json::array();
  for (const auto& route : routes) {
    const cluster::RouteSummary r = route->summary();
    Json j;
    j["rid"] = r.rid;
    j["remote_id"] = r.remote_id;
    j["did_solicit"] = r.did_solicit;
    j["is_configured"] = r.is_configured;
    j["ip"] = r.ip;
    j["port"] = r.port;
    j["start"] = rfc3339_nano(r.start);
    j["last_activity"] = rfc3339_nano(r.last_activity);
    if (r.rtt.count() != 0) j["rtt"] = rtt_text(r.rtt);
    j["uptime"] = uptime_text(now - r.start);
    j["idle"] = uptime_text(now - std::min(now, r.last_activity));
    j["pending_size"] = r.pending_bytes;
    j["in_msgs"] = r.in_msgs;
    j["out_msgs"] = r.out_msgs;
    j["in_bytes"] = r.in_bytes;
    j["out_bytes"] = r.out_bytes;
    j["subscriptions"] = r.subscriptions;
    if (subs.list || subs.detail) {
      auto interest = route->remote_interest();
      std::sort(interest.begin(), interest.end(),
                [](const auto& a, const auto& b) { return a.key < b.key; });
      Json items = Json::array();
      for (const auto& entry : interest) {
        if (subs.detail) {
          Json d;
          d["subject"] = entry.subject;
          d["sid"] = entry.key;
          d["msgs"] = 0;
          d["cid"] = r.rid;
          items.push_back(std::move(d));
        } else {
          items.push_back(entry.subject);
        }
      }
      // nats-server omits an empty list.
      if (!items.empty()) {
        j[subs.detail ? "subscriptions_list_detail" : "subscriptions_list"] = std::move(items);
      }
    }
    list.push_back(std::move(j));
  }
  out["routes"] = std::move(list);
  return out;
}

}  // namespace gnatsd::monitor
