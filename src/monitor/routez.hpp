// /routez: the cluster's routes as nats-server's server/monitor.go Routez shows them.
#pragma once

#include "monitor/go_text.hpp"
#include "monitor/query.hpp"

namespace gnatsd::server {
class Server;
}

namespace gnatsd::monitor {

Json build_routez(server::Server& server, const SubsOption& subs);

}  // namespace gnatsd::monitor
