// The HTTP/1.1 upgrade (RFC 6455 section 4.2) as nats-server answers it: the checks in its
// order and with its reasons, the origin policy (same_origin, allowed_origins), the
// permessage-deflate and Nats-No-Masking negotiation, X-Forwarded-For, and the 101 or the
// HTTP error. Any request path is a client connection.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "config/options.hpp"
#include "websocket/websocket_transport.hpp"

namespace gnatsd::websocket {

// Where the request head ends (just past its blank line), or nullopt while incomplete.
std::optional<std::size_t> find_head_end(std::string_view buffered);

// An HTTP request head: the request line and the headers, names as sent.
struct RequestHead {
  std::string method;
  std::string target;
  std::string version;  // "HTTP/1.1"
  std::vector<std::pair<std::string, std::string>> headers;

  // Every value of a header (case-insensitive name), in order.
  std::vector<std::string_view> values(std::string_view name) const;
  // The first value, or "" (Go's Header.Get).
  std::string_view get(std::string_view name) const;
  bool has(std::string_view name) const;
};

// Parses `head` (up to and including the blank line); nullopt when it is not HTTP.
std::optional<RequestHead> parse_request_head(std::string_view head);

// The origin policy of the websocket block (nats-server's checkOrigin).
class OriginPolicy {
 public:
  OriginPolicy() = default;
  explicit OriginPolicy(const config::WebsocketOptions& options);
  // "" when the Origin is acceptable, else why not ("not same origin", ...).
  std::string check(const RequestHead& request, bool tls) const;

 private:
  struct Allowed {
    std::string scheme;
    std::string port;
  };
  bool same_origin_ = false;
  std::unordered_map<std::string, Allowed> allowed_;
};

struct UpgradeOutcome {
  bool accepted = false;
  std::string response;  // the 101, or the HTTP error to send before closing
  std::string error;     // why it was refused, for "websocket handshake error: <error>"
  // The refusal is nats-server's own (logged); Go's HTTP server refuses malformed requests
  // before nats-server sees them, silently.
  bool log_refusal = true;
  TransportSettings settings;
  std::string client_ip;  // from X-Forwarded-For, when it is an IP address
  // Refused, but the connection stays open for another request (HTTP/1.1 keep-alive, as Go's
  // server keeps it after nats-server's refusal).
  bool keep_alive = false;
};

struct UpgradePolicy {
  bool compression = false;
  bool tls = false;  // the listener is wss (same-origin checks use port 443 by default)
  const OriginPolicy* origins = nullptr;
};

// Answers the request whose head is `head`; `data_after_head`: the client sent bytes past it
// before the answer (refused, as nats-server does).
UpgradeOutcome answer_upgrade(std::string_view head, bool data_after_head,
                              const UpgradePolicy& policy);

// The error response for a request head that is too big or not HTTP (Go's http server's).
std::string bad_request_response(std::string_view why = {});
std::string header_too_large_response();

// Sec-WebSocket-Accept for a Sec-WebSocket-Key.
std::string accept_key(std::string_view key);

}  // namespace gnatsd::websocket
