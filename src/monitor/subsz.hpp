// /subsz: the subject index's figures (and, with subs=1, its subscriptions, optionally only
// those a test subject would reach), as nats-server's server/monitor.go Subsz.
#pragma once

#include <cstdint>
#include <string>

#include "monitor/go_text.hpp"
#include "monitor/query.hpp"

namespace gnatsd::server {
class Server;
}

namespace gnatsd::monitor {

struct SubszOptions {
  bool subs = false;
  std::int64_t offset = 0;
  std::int64_t limit = 1024;  // server/monitor.go DefaultSubListSize
  std::string test;           // a literal subject: list only the subscriptions it matches
};

Decoded<SubszOptions> parse_subsz_options(const Params& params);
Json build_subsz(server::Server& server, const SubszOptions& options);

}  // namespace gnatsd::monitor
