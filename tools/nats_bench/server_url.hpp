// Parses a NATS server address: nats://[user[:password]@]host[:port], tls://... (the same,
// over TLS), ws://... (a WebSocket listener; port 80 when none is given), wss://... (WebSocket
// over TLS: parsed, refused by the options) or host[:port].
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
  std::string token;       // a lone user part without ':' is a token, as in the nats clients
  bool tls = false;        // a tls:// URL: the client must upgrade to TLS after INFO
  bool websocket = false;  // ws://: the NATS protocol inside WebSocket frames (RFC 6455)
  std::string host_port() const { return host + ":" + std::to_string(port); }
  std::string text() const {
    return (websocket ? (tls ? "wss://" : "ws://") : (tls ? "tls://" : "nats://")) + host_port();
  }
};

// Returns nothing when the text is not a usable address.
std::optional<ServerUrl> parse_server_url(std::string_view text);

}  // namespace nats_bench
