// What monitoring collects from each I/O thread, on that thread (see Server::snapshot).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "server/conn_info.hpp"

namespace gnatsd::server {

// What monitoring asks every I/O thread for.
struct SnapshotRequest {
  bool connections = true;     // one ConnInfo per open connection
  bool subscriptions = false;  // with each connection's subscriptions
  std::uint64_t cid = 0;       // only this connection (0: all)
};

// One I/O thread's answer: its connections and its match cache's figures.
struct WorkerSnapshot {
  std::vector<ConnInfo> connections;
  std::size_t open_connections = 0;  // all of this worker's, whatever was asked for
  std::size_t cache_entries = 0;
  std::uint64_t cache_hits = 0;
  std::uint64_t cache_misses = 0;
  std::size_t max_fanout = 0;
  std::uint64_t total_fanout = 0;  // over the cached entries
};

}  // namespace gnatsd::server
