// Parses a NATS server address: nats://[user[:password]@]host[:port], or host[:port].
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nats_bench {

struct ServerUrl {
  std::string host = "127.0.0.1";
  int port = 4222;
  std::string user;  // empty: no user/password in CONNECT
  std::string password;
  std::string token;  // a lone user part without ':' is a token, as in the nats clients
  std::string text() const { return "nats://" + host + ":" + std::to_string(port); }
};

// Returns nothing when the text is not a usable address.
std::optional<ServerUrl> parse_server_url(std::string_view text);

}  // namespace nats_bench
