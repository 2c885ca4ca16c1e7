// /connz: open and recently closed client connections, sorted and paged as nats-server does
// (server/monitor.go Connz), built from per-worker snapshots and the closed-connection ring.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "monitor/go_text.hpp"
#include "monitor/query.hpp"
#include "server/conn_info.hpp"

namespace gnatsd::server {
class Server;
}

namespace gnatsd::monitor {

inline constexpr std::int64_t kDefaultConnListSize = 1024;  // server/monitor.go

struct ConnzOptions {
  std::string sort = "cid";
  bool auth = false;  // include authorized_user
  SubsOption subs;
  std::int64_t offset = 0;
  std::int64_t limit = kDefaultConnListSize;
  std::uint64_t cid = 0;  // only this connection (0: all)
  ConnState state = ConnState::Open;
};

// Decodes and validates the query; the error is the 400 text nats-server sends.
Decoded<ConnzOptions> parse_connz_options(const Params& params);

struct ConnzPage {
  std::size_t total = 0;  // connections in the requested state, before cid filter and paging
  std::vector<server::ConnInfo> connections;
};

// Filters by cid, sorts and pages (pure: unit-testable without a server). `open` may hold
// only the connection asked for by cid; `open_total` is how many are open in all.
ConnzPage select_connections(std::vector<server::ConnInfo> open, std::size_t open_total,
                             std::vector<server::ConnInfo> closed, const ConnzOptions& options,
                             server::WallClock::time_point now);

Json render_connz(const std::string& server_id, const ConnzOptions& options, const ConnzPage& page,
                  server::WallClock::time_point now);

// Gathers from the server (bounded wait on its workers), then selects and renders.
Json build_connz(server::Server& server, const ConnzOptions& options);

}  // namespace gnatsd::monitor
