// Route INFO and CONNECT JSON with nlohmann's ordered JSON, written as Go's json.Marshal writes
// it (common/go_json) and read as strictly as json.Unmarshal: a field of the wrong type is an
// error; unknown fields are ignored.
#include "protocol/route_info.hpp"

#include <exception>
#include <stdexcept>

#include "common/go_json.hpp"
#include "protocol/constants.hpp"

namespace gnatsd::protocol {
namespace {

using common::OrderedJson;

template <class T>
void read(const OrderedJson& json, const char* key, T& into) {
  const auto it = json.find(key);
  if (it != json.end() && !it->is_null()) into = it->template get<T>();
}

OrderedJson parse_object(std::string_view json, const char* what) {
  OrderedJson value = OrderedJson::parse(json);
  if (!value.is_object()) throw std::runtime_error(std::string(what) + " is not a JSON object");
  return value;
}

}  // namespace

std::string route_info_frame(const RouteInfo& in) {
  // Field order and omitempty of nats-server's Info struct.
  OrderedJson info;
  info["server_id"] = in.server_id;
  info["server_name"] = in.server_name;
  info["version"] = in.version.empty() ? std::string(kServerVersion) : in.version;
  info["proto"] = in.proto;
  info["go"] = in.go.empty() ? std::string(kBuildToolchain) : in.go;
  info["host"] = in.host;
  info["port"] = in.port;
  info["headers"] = in.headers;
  if (in.auth_required) info["auth_required"] = true;
  if (in.tls_required) info["tls_required"] = true;
  if (in.tls_verify) info["tls_verify"] = true;
  info["max_payload"] = in.max_payload;
  if (!in.ip.empty()) info["ip"] = in.ip;
  if (!in.nonce.empty()) info["nonce"] = in.nonce;
  if (!in.cluster.empty()) info["cluster"] = in.cluster;
  if (in.cluster_dynamic) info["cluster_dynamic"] = true;
  if (!in.connect_urls.empty()) info["connect_urls"] = in.connect_urls;
  if (!in.ws_connect_urls.empty()) info["ws_connect_urls"] = in.ws_connect_urls;
  if (in.lame_duck) info["ldm"] = true;
  auto permission = [](const RoutePermission& p) {
    OrderedJson out = OrderedJson::object();
    if (!p.allow.empty()) out["allow"] = p.allow;
    if (!p.deny.empty()) out["deny"] = p.deny;
    return out;
  };
  if (in.import_permission) info["import"] = permission(*in.import_permission);
  if (in.export_permission) info["export"] = permission(*in.export_permission);
  if (in.lnoc) info["lnoc"] = true;
  if (!in.leafnode_urls.empty()) info["leafnode_urls"] = in.leafnode_urls;
  return "INFO " + common::to_go_json(info, false) + " \r\n";
}

DecodedRouteInfo decode_route_info(std::string_view json) {
  DecodedRouteInfo out;
  RouteInfo& info = out.info;
  info.proto = 0;
  info.headers = false;
  info.lnoc = false;
  try {
    const OrderedJson value = parse_object(json, "INFO argument");
    read(value, "server_id", info.server_id);
    read(value, "server_name", info.server_name);
    read(value, "version", info.version);
    read(value, "proto", info.proto);
    read(value, "go", info.go);
    read(value, "host", info.host);
    read(value, "port", info.port);
    read(value, "headers", info.headers);
    read(value, "auth_required", info.auth_required);
    read(value, "tls_required", info.tls_required);
    read(value, "tls_verify", info.tls_verify);
    read(value, "max_payload", info.max_payload);
    read(value, "ip", info.ip);
    read(value, "nonce", info.nonce);
    read(value, "cluster", info.cluster);
    read(value, "cluster_dynamic", info.cluster_dynamic);
    read(value, "connect_urls", info.connect_urls);
    read(value, "ws_connect_urls", info.ws_connect_urls);
    read(value, "ldm", info.lame_duck);
    read(value, "lnoc", info.lnoc);
    read(value, "leafnode_urls", info.leafnode_urls);
    read(value, "route_pool_size", info.route_pool_size);
    read(value, "route_pool_idx", info.route_pool_idx);
    auto permission = [&](const char* key, std::optional<RoutePermission>& into) {
      const auto it = value.find(key);
      if (it == value.end() || it->is_null()) return;
      if (!it->is_object()) throw std::runtime_error(std::string(key) + " is not an object");
      RoutePermission p;
      read(*it, "allow", p.allow);
      read(*it, "deny", p.deny);
      into = std::move(p);
    };
    permission("import", info.import_permission);
    permission("export", info.export_permission);
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  return out;
}

std::string route_connect_frame(const RouteConnect& in) {
  OrderedJson connect;
  connect["echo"] = in.echo;
  connect["verbose"] = in.verbose;
  connect["pedantic"] = in.pedantic;
  if (!in.user.empty()) connect["user"] = in.user;
  if (!in.password.empty()) connect["pass"] = in.password;
  connect["tls_required"] = in.tls_required;
  connect["headers"] = in.headers;
  connect["name"] = in.name;
  connect["cluster"] = in.cluster;
  if (in.cluster_dynamic) connect["cluster_dynamic"] = true;
  if (in.lnoc) connect["lnoc"] = true;
  if (!in.gateway.empty()) connect["gateway"] = in.gateway;
  return "CONNECT " + common::to_go_json(connect, false) + "\r\n";
}

DecodedRouteConnect decode_route_connect(std::string_view json) {
  DecodedRouteConnect out;
  RouteConnect& connect = out.connect;
  // Absent fields are Go's zero values, not our defaults for sending.
  connect.echo = false;
  connect.headers = false;
  connect.lnoc = false;
  try {
    const OrderedJson value = parse_object(json, "CONNECT argument");
    read(value, "echo", connect.echo);
    read(value, "verbose", connect.verbose);
    read(value, "pedantic", connect.pedantic);
    read(value, "user", connect.user);
    read(value, "pass", connect.password);
    read(value, "tls_required", connect.tls_required);
    read(value, "headers", connect.headers);
    read(value, "name", connect.name);
    read(value, "cluster", connect.cluster);
    read(value, "cluster_dynamic", connect.cluster_dynamic);
    read(value, "lnoc", connect.lnoc);
    read(value, "gateway", connect.gateway);
    read(value, "lang", connect.lang);
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  return out;
}

}  // namespace gnatsd::protocol
