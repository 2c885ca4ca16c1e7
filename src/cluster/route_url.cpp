#include "cluster/route_url.hpp"

#include <charconv>

namespace gnatsd::cluster {

std::optional<RouteDial> parse_route_url(std::string_view url) {
  RouteDial dial;
  dial.url = std::string(url);
  std::string_view rest = url;
  if (const auto scheme = rest.find("://"); scheme != std::string_view::npos)
    rest.remove_prefix(scheme + 3);
  if (const auto slash = rest.find('/'); slash != std::string_view::npos)
    rest = rest.substr(0, slash);
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    rest.remove_prefix(at + 1);
    const auto colon = userinfo.find(':');
    dial.user = std::string(userinfo.substr(0, colon));
    if (colon != std::string_view::npos) dial.password = std::string(userinfo.substr(colon + 1));
  }
  const auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view host = rest.substr(0, colon);
  const std::string_view digits = rest.substr(colon + 1);
  int port = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc{} || end != digits.data() + digits.size() || port <= 0 || port > 65535)
    return std::nullopt;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  dial.host = std::string(host);
  dial.port = port;
  return dial;
}

}  // namespace gnatsd::cluster
