// INFO encoding with nlohmann's ordered JSON, so that fields keep nats-server's order.
#include "protocol/info.hpp"

#include <nlohmann/json.hpp>

#include "protocol/constants.hpp"

namespace gnatsd::protocol {

std::string info_frame(const ClientInfo& in) {
  nlohmann::ordered_json info;
  info["server_id"] = in.server_id;
  info["server_name"] = in.server_name;
  info["version"] = kServerVersion;
  info["proto"] = kProtoVersion;
  info["go"] = kBuildToolchain;
  info["host"] = in.host;
  info["port"] = in.port;
  info["headers"] = in.headers;
  // Both spellings always: clients of both eras read one or the other.
  info["auth_required"] = in.auth_required;
  info["ssl_required"] = in.tls_required;
  info["tls_required"] = in.tls_required;
  if (in.tls_required && in.tls_verify) info["tls_verify"] = true;
  info["max_payload"] = in.max_payload;
  info["client_id"] = in.client_id;
  info["client_ip"] = in.client_ip;
  if (!in.nonce.empty()) info["nonce"] = in.nonce;
  if (!in.cluster.empty()) info["cluster"] = in.cluster;
  if (in.cluster_dynamic) info["cluster_dynamic"] = true;
  if (!in.connect_urls.empty()) info["connect_urls"] = in.connect_urls;
  if (in.lame_duck) info["ldm"] = true;
  return "INFO " + info.dump() + " \r\n";
}

}  // namespace gnatsd::protocol
