// Server address parsing for nats-bench.
#include "server_url.hpp"

#include <charconv>

namespace nats_bench {

std::optional<ServerUrl> parse_server_url(std::string_view text) {
  ServerUrl url;
  if (auto scheme = text.find("://"); scheme != std::string_view::npos) {
    std::string_view name = text.substr(0, scheme);
    if (name != "nats" && name != "tls" && name != "ws" && name != "wss") return std::nullopt;
    url.tls = name == "tls" || name == "wss";
    url.websocket = name == "ws" || name == "wss";
    if (url.websocket) url.port = url.tls ? 443 : 80;
    text.remove_prefix(scheme + 3);
  }
  if (auto at = text.rfind('@'); at != std::string_view::npos) {
    std::string_view auth = text.substr(0, at);
    text.remove_prefix(at + 1);
    if (auto colon = auth.find(':'); colon != std::string_view::npos) {
      url.user = std::string(auth.substr(0, colon));
      url.password = std::string(auth.substr(colon + 1));
    } else {
      url.token = std::string(auth);
    }
  }
  while (!text.empty() && text.back() == '/') text.remove_suffix(1);
  std::string_view host = text;
  if (auto colon = text.rfind(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    std::string_view port = text.substr(colon + 1);
    int value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value <= 0 || value > 65535)
      return std::nullopt;
    url.port = value;
  }
  if (!host.empty()) url.host = std::string(host);
  return url;
}

}  // namespace nats_bench
