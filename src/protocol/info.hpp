// INFO, the server's first frame to a client and its later updates (lame duck mode).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace gnatsd::protocol {

// What a client's INFO says, in nats-server's field order.
struct ClientInfo {
  std::string_view server_id = {};
  std::string_view server_name = {};
  std::string_view host = {};
  int port = 0;
  bool headers = true;
  bool auth_required = false;
  // TLS is required, never optional, when configured: clients upgrade right after this INFO.
  bool tls_required = false;
  bool tls_verify = false;  // sent only with tls_required
  std::int64_t max_payload = 0;
  std::uint64_t client_id = 0;
  std::string_view client_ip = {};
  std::string_view nonce = {};  // empty: not sent (no nkey users, or not the first INFO)
  bool lame_duck = false;       // "ldm": the server is about to shut down
  // With a cluster: its name, and the client URLs of its servers (empty while alone).
  std::string_view cluster = {};
  bool cluster_dynamic = false;
  std::span<const std::string> connect_urls = {};
};

// "INFO {json} \r\n", with the trailing space nats-server writes.
std::string info_frame(const ClientInfo& info);

}  // namespace gnatsd::protocol
