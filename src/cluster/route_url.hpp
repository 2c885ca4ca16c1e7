// Route URLs as --routes, cluster { routes } and gossip give them:
// [nats-route|nats|tls]://[user[:pass]@]host:port[/], host a name, an IPv4 or an [IPv6].
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cluster/route_context.hpp"

namespace gnatsd::cluster {

// The dial for `url`, or nullopt when it has no host or no valid port.
std::optional<RouteDial> parse_route_url(std::string_view url);

// "host:port", brackets around an IPv6 host, as Go's net.JoinHostPort writes it.
std::string join_host_port(std::string_view host, int port);

}  // namespace gnatsd::cluster
