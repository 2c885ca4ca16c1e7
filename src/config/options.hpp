// The server's settings: defaults as nats-server, overridden by the config file and then by
// the command line.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "protocol/constants.hpp"

namespace gnatsd::config {

struct Options {
  std::string host{protocol::kDefaultHost};
  int port = protocol::kDefaultPort;  // -1: an OS-chosen port
  std::string server_name;            // empty: the server id
  std::string config_file;

  std::int64_t max_payload = protocol::kDefaultMaxPayload;
  std::int64_t max_control_line = protocol::kDefaultMaxControlLine;
  int max_connections = protocol::kDefaultMaxConnections;
  std::int64_t max_pending = protocol::kDefaultMaxPending;
  std::chrono::milliseconds ping_interval = protocol::kDefaultPingInterval;
  int ping_max = protocol::kDefaultPingMax;
  std::chrono::milliseconds write_deadline = protocol::kDefaultWriteDeadline;

  bool debug = false;
  bool trace = false;
  bool logtime = true;

  // I/O threads, each with its own event loop; 0 means one per core.
  int io_threads = 0;
};

}  // namespace gnatsd::config
