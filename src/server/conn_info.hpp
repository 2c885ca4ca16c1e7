// A snapshot of one client connection as monitoring reports it (/connz): plain values copied
// out of a session on its own thread, so that the HTTP side never touches a live session.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gnatsd::server {

using WallClock = std::chrono::system_clock;

// One subscription of a connection (/connz?subs=detail, /subsz?subs=1).
struct SubDetail {
  std::string subject;
  std::string queue;  // empty: a plain subscription
  std::string sid;
  std::uint64_t msgs = 0;  // delivered so far
  std::int64_t max = 0;    // auto-unsubscribe limit; 0: none
  std::uint64_t cid = 0;
};

struct ConnInfo {
  std::uint64_t cid = 0;
  bool websocket = false;  // "type": "websocket" rather than "nats"
  std::string ip;
  int port = 0;
  WallClock::time_point start;
  WallClock::time_point last_activity;
  std::optional<WallClock::time_point> stop;  // closed connections only
  std::string reason;                         // closed connections only
  std::chrono::nanoseconds rtt{0};
  std::uint64_t pending_bytes = 0;
  std::uint64_t in_msgs = 0, out_msgs = 0, in_bytes = 0, out_bytes = 0;
  std::size_t num_subs = 0;
  std::string name, lang, version;
  std::string tls_version, tls_cipher_suite;  // empty for plain TCP
  std::string authorized_user;
  std::string issuer_key;       // "$G" for nkey users, as nats-server
  std::vector<SubDetail> subs;  // filled only when asked for (always for closed connections)
};

}  // namespace gnatsd::server
