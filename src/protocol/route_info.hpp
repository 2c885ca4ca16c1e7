// The JSON of a route's handshake, both ways: the INFO a server sends its route peers (and that
// gossip forwards) and the CONNECT that a soliciting server sends, with nats-server 2.9.10's
// fields, order and omissions (route-protocol.md sections 1.3 and 1.4; server.go Info,
// route.go connectInfo).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gnatsd::protocol {

// Route protocol version nats-server 2.x speaks (RouteProtoV2).
inline constexpr int kRouteProtoVersion = 2;

// One direction of a route's permissions as INFO carries them (Go's SubjectPermission).
struct RoutePermission {
  std::vector<std::string> allow;
  std::vector<std::string> deny;
};

struct RouteInfo {
  std::string server_id;
  std::string server_name;
  std::string version;  // the peer's; ours is kServerVersion
  int proto = kRouteProtoVersion;
  std::string go;
  std::string host;
  int port = 0;
  bool headers = true;
  bool auth_required = false;
  bool tls_required = false;
  bool tls_verify = false;
  std::int64_t max_payload = 0;
  std::string ip;     // "nats-route://host:port/": with cluster_advertise, or added by a forwarder
  std::string nonce;  // initial INFO only ("not used in routes")
  std::string cluster;
  bool cluster_dynamic = false;              // the name was generated, not configured
  std::vector<std::string> connect_urls;     // client URLs, unless no_advertise
  std::vector<std::string> ws_connect_urls;  // WebSocket client URLs
  bool lame_duck = false;                    // "ldm"
  // cluster { permissions }: what this server imports from and exports to routes.
  std::optional<RoutePermission> import_permission;
  std::optional<RoutePermission> export_permission;
  bool lnoc = true;  // leafnode origin cluster support
  std::vector<std::string> leafnode_urls;
  // 2.10's route pooling, read from 2.10 peers (a 2.9 INFO has neither): the pool's size and
  // this connection's index in it.
  int route_pool_size = 0;
  int route_pool_idx = 0;
};

// "INFO {json} \r\n" as nats-server writes its own route INFO (json.Marshal, with the space).
std::string route_info_frame(const RouteInfo& info);

// A peer's INFO argument; the error text when it is not a JSON object of these fields' types.
struct DecodedRouteInfo {
  RouteInfo info;
  std::optional<std::string> error;
};
DecodedRouteInfo decode_route_info(std::string_view json);

struct RouteConnect {
  bool echo = true;
  bool verbose = false;
  bool pedantic = false;
  std::string user;      // from the route URL's userinfo; omitted when empty
  std::string password;  // "pass"
  bool tls_required = false;
  bool headers = true;
  std::string name;  // the server *id*, as nats-server sends it
  std::string cluster;
  bool cluster_dynamic = false;
  bool lnoc = true;
  std::string gateway;  // must stay empty on a route
  std::string lang;     // set only by clients: a client dialled the route port
};

// "CONNECT {json}\r\n" in connectInfo's field order.
std::string route_connect_frame(const RouteConnect& connect);

struct DecodedRouteConnect {
  RouteConnect connect;
  std::optional<std::string> error;
};
DecodedRouteConnect decode_route_connect(std::string_view json);

}  // namespace gnatsd::protocol
