// Route URLs as --routes, cluster { routes } and gossip give them:
// [nats-route|nats|tls]://[user[:pass]@]host:port[/], host a name, an IPv4 or an [IPv6].
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cluster/route_context.hpp"
#include "common/host_port.hpp"

namespace gnatsd::cluster {

// The dial for `url`, or nullopt when it has no host or no valid port.
std::optional<RouteDial> parse_route_url(std::string_view url);

using common::join_host_port;

}  // namespace gnatsd::cluster
