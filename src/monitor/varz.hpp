// /varz: the server's identity, limits and running figures, with nats-server 2.x's field names
// in its order, plus the names gnatsd's first README used where 2.x renamed them.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "monitor/go_text.hpp"
#include "monitor/process_usage.hpp"

namespace gnatsd::server {
class Server;
}

namespace gnatsd::monitor {

struct VarzInputs {
  ProcessUsage::Sample usage;
  std::map<std::string, std::uint64_t> http_req_stats;  // by endpoint path, sorted as Go does
};

Json build_varz(server::Server& server, const VarzInputs& inputs);

}  // namespace gnatsd::monitor
