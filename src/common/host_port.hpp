// "host:port" as Go's net.JoinHostPort writes it: an IPv6 literal goes in brackets. Used for
// listen URLs, route URLs and dial errors alike.
#pragma once

#include <string>
#include <string_view>

namespace gnatsd::common {

inline std::string join_host_port(std::string_view host, int port) {
  std::string out;
  if (host.find(':') != std::string_view::npos) {
    out.append("[").append(host).append("]");
  } else {
    out.append(host);
  }
  return out.append(":").append(std::to_string(port));
}

}  // namespace gnatsd::common
