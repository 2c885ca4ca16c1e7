// Each config block has a key table: lower-cased option name → how it sets Options. Keys that
// nats-server knows but gnatsd does not implement (JetStream, leaf nodes, gateways, …) are
// accepted with a warning so existing configs keep starting; unknown keys are errors.
#include "config/options_loader.hpp"

#include <algorithm>
#include <charconv>
#include <functional>
#include <limits>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "auth/nkey.hpp"
#include "auth/permission_entry.hpp"
#include "common/go_quote.hpp"
#include "config/conf_parser.hpp"
#include "config/conf_reader.hpp"
#include "config/duration.hpp"
#include "net/tls_context.hpp"
#include "net/tls_names.hpp"

namespace gnatsd::config {
namespace {

using Handler = std::function<void(const ConfMapEntry&, ConfReader&)>;
using KeyTable = std::unordered_map<std::string, Handler>;

// nats-server options gnatsd does not implement; kept out of the unknown-key error.
constexpr std::string_view kUnsupportedKeys[] = {"jetstream",
                                                 "store_dir",
                                                 "leafnodes",
                                                 "leaf",
                                                 "gateway",
                                                 "mqtt",
                                                 "accounts",
                                                 "operator",
                                                 "operators",
                                                 "root",
                                                 "roots",
                                                 "trusted",
                                                 "trusted_keys",
                                                 "resolver",
                                                 "resolver_tls",
                                                 "resolver_preload",
                                                 "system_account",
                                                 "system",
                                                 "no_system_account",
                                                 "mappings",
                                                 "server_tags",
                                                 "default_js_domain",
                                                 "prof_port",
                                                 "trace_verbose",
                                                 "max_traced_msg_len",
                                                 "disable_sublist_cache",
                                                 "no_sublist_cache",
                                                 "connect_error_reports",
                                                 "reconnect_error_reports",
                                                 "ocsp",
                                                 "ocsp_cache",
                                                 "http_base_path_prefix"};

bool is_unsupported(std::string_view key) {
  return std::find(std::begin(kUnsupportedKeys), std::end(kUnsupportedKeys), key) !=
         std::end(kUnsupportedKeys);
}

// Walks `map` with `table`; keys defined only as $variables are skipped as nats-server does.
// An unknown key is an error worded as nats-server words it for that block ({} is the key).
void apply_table(const ConfMap& map, const KeyTable& table, ConfReader& reader,
                 bool allow_unsupported, std::string_view unknown_text = "unknown field \"{}\"") {
  for (const ConfMapEntry& entry : map) {
    std::string key = lower(entry.key);
    if (auto it = table.find(key); it != table.end()) {
      it->second(entry, reader);
    } else if (entry.used_as_variable) {
      continue;
    } else if (allow_unsupported && is_unsupported(key)) {
      reader.warning(entry.key_position,
                     fmt::format("option \"{}\" is not supported by gnatsd, ignored", entry.key));
    } else {
      reader.error(entry.key_position, fmt::format(fmt::runtime(unknown_text), entry.key));
    }
  }
}

Handler int_field(std::int64_t& target, std::int64_t min = 0) {
  return [&target, min](const ConfMapEntry& e, ConfReader& r) {
    if (auto v = r.integer(e)) {
      if (*v < min) {
        r.error(e.key_position, fmt::format("error parsing \"{}\": {} is out of range", e.key, *v));
        return;
      }
      target = *v;
    }
  };
}

Handler int_field(int& target, std::int64_t min = 0) {
  return [&target, min](const ConfMapEntry& e, ConfReader& r) {
    if (auto v = r.integer(e)) {
      if (*v < min || *v > std::numeric_limits<int>::max()) {
        r.error(e.key_position, fmt::format("error parsing \"{}\": {} is out of range", e.key, *v));
        return;
      }
      target = static_cast<int>(*v);
    }
  };
}

Handler string_field(std::string& target) {
  return [&target](const ConfMapEntry& e, ConfReader& r) {
    if (auto v = r.string(e)) target = std::move(*v);
  };
}

// A name that may not hold a space (nats-server 2.11: server and cluster names).
Handler name_field(std::string& target, std::string_view what) {
  return [&target, what](const ConfMapEntry& e, ConfReader& r) {
    auto v = r.string(e);
    if (!v) return;
    if (v->find(' ') != std::string::npos) {
      r.error(e.key_position, fmt::format("{} name cannot contain spaces", what));
      return;
    }
    target = std::move(*v);
  };
}

Handler bool_field(bool& target) {
  return [&target](const ConfMapEntry& e, ConfReader& r) {
    if (auto v = r.boolean(e)) target = *v;
  };
}

Handler duration_field(std::chrono::milliseconds& target) {
  return [&target](const ConfMapEntry& e, ConfReader& r) {
    if (auto v = r.duration(e)) target = *v;
  };
}

Handler seconds_field(std::chrono::milliseconds& target) {
  return [&target](const ConfMapEntry& e, ConfReader& r) {
    if (auto v = r.seconds(e)) target = *v;
  };
}

Handler port_field(int& target) {
  return [&target](const ConfMapEntry& e, ConfReader& r) {
    if (auto v = r.port(e)) target = *v;
  };
}

// `listen`/`http`/`https`: "host:port", ":port", or a bare port number.
Handler host_port_field(std::string& host, int& port) {
  return [&host, &port](const ConfMapEntry& e, ConfReader& r) {
    if (e.value.is_integer()) {
      if (auto v = r.port(e)) port = *v;
      return;
    }
    auto text = r.string(e);
    if (!text) return;
    auto colon = text->rfind(':');
    int parsed = 0;
    std::string_view digits =
        colon == std::string::npos ? std::string_view() : std::string_view(*text).substr(colon + 1);
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), parsed);
    if (colon == std::string::npos || digits.empty() || ec != std::errc{} ||
        ptr != digits.data() + digits.size() || parsed < -1 || parsed > 65535) {
      r.error(e.key_position,
              fmt::format("could not parse address string \"{}\" for \"{}\"", *text, e.key));
      return;
    }
    std::string h = text->substr(0, colon);
    if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
    if (!h.empty()) host = h;
    port = parsed;
  };
}

// A publish or subscribe list must hold valid entries (a subject, or a subject and a queue);
// as nats-server, the first bad entry of each list is an error, placed at the allow/deny key of
// the map form and without a position for a plain list.
std::optional<std::vector<std::string>> permission_list(const ConfMapEntry& e, ConfReader& r,
                                                        const ConfPosition& at) {
  auto list = r.string_list(e);
  if (!list) return std::nullopt;
  for (const std::string& entry : *list) {
    if (auto error = auth::permission_entry_error(entry)) {
      r.error(at, *error);
      return std::nullopt;
    }
  }
  return list;
}

// publish/subscribe: a subject, a list, or {allow, deny}.
std::optional<SubjectPermission> subject_permission(const ConfMapEntry& e, ConfReader& r) {
  SubjectPermission out;
  if (!e.value.is_map()) {
    auto list = permission_list(e, r, ConfPosition{});
    if (!list) return std::nullopt;
    out.allow = std::move(*list);
    return out;
  }
  KeyTable table = {
      {"allow",
       [&](const ConfMapEntry& x, ConfReader& rr) {
         if (auto l = permission_list(x, rr, x.key_position)) out.allow = std::move(*l);
       }},
      {"deny",
       [&](const ConfMapEntry& x, ConfReader& rr) {
         if (auto l = permission_list(x, rr, x.key_position)) out.deny = std::move(*l);
       }},
  };
  apply_table(e.value.as_map(), table, r, false,
              "Unknown field name \"{}\" parsing subject permissions, only 'allow' or 'deny' are "
              "permitted");
  return out;
}

// The Go type nats-server's config parser gives a value, as its type-assertion panics name it.
std::string_view go_type_name(const ConfValue& value) {
  switch (value.kind()) {
    case ConfValue::Kind::Map:
      return "map[string]interface {}";
    case ConfValue::Kind::Array:
      return "[]interface {}";
    case ConfValue::Kind::String:
      return "string";
    case ConfValue::Kind::Integer:
      return "int64";
    case ConfValue::Kind::Float:
      return "float64";
    case ConfValue::Kind::Bool:
      return "bool";
    case ConfValue::Kind::DateTime:
      return "time.Time";
  }
  return "interface {}";
}

// allow_responses: true (the defaults), false (none), or {max, expires}, where 0 keeps a
// default and a negative value means no limit. nats-server's texts, including the one of its
// recovered type-assertion panic for a `max` that is not an integer; a bad max or expires
// drops the whole entry.
std::optional<ResponsePermission> response_permission(const ConfMapEntry& e, ConfReader& r) {
  if (e.value.is_bool()) {
    if (!e.value.as_bool()) return std::nullopt;
    return ResponsePermission{};
  }
  if (!e.value.is_map()) {
    r.error(e.key_position, "error parsing response permissions, expected a boolean or a map");
    return std::nullopt;
  }
  ResponsePermission out;
  for (const ConfMapEntry& x : e.value.as_map()) {
    const std::string key = lower(x.key);
    if (key == "max" || key == "max_msgs" || key == "max_messages" || key == "max_responses") {
      if (!x.value.is_integer()) {
        r.error(x.key_position, fmt::format("interface conversion: interface {{}} is {}, not int64",
                                            go_type_name(x.value)));
        return std::nullopt;
      }
      if (x.value.as_integer() != 0) out.max_msgs = x.value.as_integer();
    } else if (key == "expires" || key == "expiration" || key == "ttl") {
      if (!x.value.is_string()) {
        r.error(x.key_position, "error parsing expires, not a duration string");
        return std::nullopt;
      }
      const auto ttl = parse_go_duration(x.value.as_string());
      if (!ttl) {
        r.error(x.key_position,
                fmt::format("error parsing expires: {}", go_duration_error(x.value.as_string())));
        return std::nullopt;
      }
      if (ttl->count() != 0) out.expires = *ttl;
    } else if (!x.used_as_variable) {
      r.error(x.key_position,
              fmt::format("Unknown field {} parsing permissions", common::go_quote(x.key)));
    }
  }
  return out;
}

std::optional<Permissions> permissions(const ConfMapEntry& e, ConfReader& r) {
  const ConfMap* map = r.map(e);
  if (!map) return std::nullopt;
  Permissions out;
  auto pub = [&](const ConfMapEntry& x, ConfReader& rr) {
    out.publish = subject_permission(x, rr);
  };
  auto sub = [&](const ConfMapEntry& x, ConfReader& rr) {
    out.subscribe = subject_permission(x, rr);
  };
  auto responses = [&](const ConfMapEntry& x, ConfReader& rr) {
    out.response = response_permission(x, rr);
  };
  KeyTable table = {{"publish", pub},
                    {"pub", pub},
                    {"import", pub},
                    {"subscribe", sub},
                    {"sub", sub},
                    {"export", sub},
                    {"allow_responses", responses},
                    {"publish_allow_responses", responses}};
  apply_table(*map, table, r, false, "Unknown field \"{}\" parsing permissions");
  return out;
}

// A users entry names a user or an nkey, not both (nats-server's parseUsers texts).
std::optional<std::string> nkey_user_error(const User& user) {
  if (user.nkey.empty() && user.username.empty()) return "User entry requires a user";
  if (user.nkey.empty()) return std::nullopt;
  if (!auth::nkey::is_valid_user_public_key(user.nkey)) return "Not a valid public nkey for a user";
  if (!user.username.empty() || !user.password.empty())
    return "Nkey users do not take usernames or passwords";
  return std::nullopt;
}

// As nats-server: repeated user names first, then an nkey repeated or equal to a user name.
std::optional<std::string> duplicate_user_error(const std::vector<User>& users) {
  std::unordered_set<std::string_view> names;
  for (const User& u : users) {
    if (!u.nkey.empty()) continue;
    if (!names.insert(u.username).second)
      return fmt::format("Duplicate user \"{}\" detected", u.username);
  }
  for (const User& u : users) {
    if (u.nkey.empty()) continue;
    if (!names.insert(u.nkey).second) return fmt::format("Duplicate nkey \"{}\" detected", u.nkey);
  }
  return std::nullopt;
}

std::optional<User> user_entry(const ConfValue& value, ConfReader& r) {
  if (!value.is_map()) {
    r.error(value.position(),
            fmt::format("error parsing \"users\": expected a map, got {}", value.type_name()));
    return std::nullopt;
  }
  User user;
  KeyTable table = {
      {"user", string_field(user.username)},
      {"username", string_field(user.username)},
      {"pass", string_field(user.password)},
      {"password", string_field(user.password)},
      {"permissions",
       [&](const ConfMapEntry& x, ConfReader& rr) { user.permissions = permissions(x, rr); }},
      {"permission",
       [&](const ConfMapEntry& x, ConfReader& rr) { user.permissions = permissions(x, rr); }},
      {"nkey", string_field(user.nkey)},
  };
  const ConfMap& map = value.as_map();
  apply_table(map, table, r, false);
  if (auto error = nkey_user_error(user)) {
    // nats-server places these at whichever key its map iteration visited last; the last one
    // in the file is among those it may name.
    r.error(map.empty() ? value.position() : map.entries().back().key_position, *error);
    return std::nullopt;
  }
  return user;
}

void authorization_block(const ConfMapEntry& e, ConfReader& r, Options& o) {
  const ConfMap* map = r.map(e);
  if (!map) return;
  std::string user, pass, token;
  std::vector<User> users;
  bool has_users = false;
  auto default_permissions = [&](const ConfMapEntry& x, ConfReader& rr) {
    o.default_permissions = permissions(x, rr);
  };
  KeyTable table = {
      {"user", string_field(user)},
      {"username", string_field(user)},
      {"pass", string_field(pass)},
      {"password", string_field(pass)},
      {"token", string_field(token)},
      {"timeout", seconds_field(o.auth_timeout)},
      {"users",
       [&](const ConfMapEntry& x, ConfReader& rr) {
         has_users = true;
         if (!x.value.is_array()) {
           rr.error(x.key_position,
                    fmt::format("error parsing \"users\": expected an array, got {}",
                                x.value.type_name()));
           return;
         }
         for (const ConfValue& item : x.value.as_array())
           if (auto u = user_entry(item, rr)) users.push_back(std::move(*u));
       }},
      // nats-server takes `permissions` here as the default permissions too: they go to the
      // users without their own, and not to a single user or a token.
      {"default_permissions", default_permissions},
      {"default_permission", default_permissions},
      {"permissions", default_permissions},
  };
  apply_table(*map, table, r, false);
  if (!user.empty() && !token.empty()) {
    r.error(e.key_position, "Cannot have a user/pass and token");
    return;
  }
  if (has_users && (!user.empty() || !token.empty())) {
    r.error(e.key_position, user.empty() ? "Can not have a token and a users array"
                                         : "Can not have a single user/pass and a users array");
    return;
  }
  if (auto error = duplicate_user_error(users)) {
    r.error(e.key_position, *error);
    return;
  }
  o.username = std::move(user);
  o.password = std::move(pass);
  o.token = std::move(token);
  o.users = std::move(users);
}

void tls_block(const ConfMapEntry& e, ConfReader& r, TlsOptions& tls) {
  const ConfMap* map = r.map(e);
  if (!map) return;
  tls.enabled = true;
  // A list of names that must each be known (`known` gives OpenSSL's name); an unknown one is
  // reported at its own position with nats-server's text ("unrecognized cipher X").
  using Known = std::optional<std::string_view> (*)(std::string_view);
  auto names = [](std::vector<std::string>& target, Known known, std::string_view what) {
    return [&target, known, what](const ConfMapEntry& x, ConfReader& rr) {
      auto l = rr.string_list(x);
      if (!l) return;
      for (std::size_t i = 0; i < l->size(); ++i) {
        if (known((*l)[i])) continue;
        const ConfPosition& at =
            x.value.is_array() ? x.value.as_array()[i].position() : x.value.position();
        rr.error(at, fmt::format("unrecognized {} {}", what, (*l)[i]));
        return;
      }
      target = std::move(*l);
    };
  };
  KeyTable table = {
      {"cert_file", string_field(tls.cert_file)},
      {"key_file", string_field(tls.key_file)},
      {"ca_file", string_field(tls.ca_file)},
      {"verify", bool_field(tls.verify)},
      {"timeout", seconds_field(tls.timeout)},
      {"cipher_suites", names(tls.cipher_suites, net::openssl_cipher_name, "cipher")},
      {"curve_preferences",
       names(tls.curve_preferences, net::openssl_group_name, "curve preference")},
  };
  apply_table(*map, table, r, false);
  // nats-server's checks of the block itself; loading the files comes with validate_options.
  if (tls.cert_file.empty()) {
    r.error(e.key_position, "missing 'cert_file' in TLS configuration");
  } else if (tls.key_file.empty()) {
    r.error(e.key_position, "missing 'key_file' in TLS configuration");
  }
}

void cluster_block(const ConfMapEntry& e, ConfReader& r, ClusterOptions& c) {
  const ConfMap* map = r.map(e);
  if (!map) return;
  std::optional<Permissions> auth_permissions;
  KeyTable table = {
      {"name", name_field(c.name, "cluster")},
      {"host", string_field(c.host)},
      {"net", string_field(c.host)},
      {"port", port_field(c.port)},
      {"listen", host_port_field(c.host, c.port)},
      {"advertise", string_field(c.advertise)},
      {"cluster_advertise", string_field(c.advertise)},
      {"no_advertise", bool_field(c.no_advertise)},
      {"connect_retries", int_field(c.connect_retries)},
      {"routes",
       [&c](const ConfMapEntry& x, ConfReader& rr) {
         if (auto l = rr.string_list(x)) c.routes = std::move(*l);
       }},
      {"tls", [&c](const ConfMapEntry& x, ConfReader& rr) { tls_block(x, rr, c.tls); }},
      {"authorization",
       [&c, &auth_permissions](const ConfMapEntry& x, ConfReader& rr) {
         const ConfMap* auth = rr.map(x);
         if (!auth) return;
         std::string token;
         bool has_users = false;
         std::optional<Permissions> permissions;
         const ConfMapEntry* permissions_entry = nullptr;
         KeyTable t = {
             {"user", string_field(c.username)},
             {"username", string_field(c.username)},
             {"pass", string_field(c.password)},
             {"password", string_field(c.password)},
             {"token", string_field(token)},
             {"users", [&has_users](const ConfMapEntry&, ConfReader&) { has_users = true; }},
             {"timeout", seconds_field(c.auth_timeout)},
             {"permissions", [&](const ConfMapEntry& p, ConfReader& pr) {
                permissions = config::permissions(p, pr);
                permissions_entry = &p;
              }}};
         apply_table(*auth, t, rr, false);
         // nats-server's parseCluster: one user, no token; permissions here are deprecated
         // and yield to the block's own.
         if (has_users) {
           rr.error(x.key_position, "Cluster authorization does not allow multiple users");
         } else if (!token.empty()) {
           rr.error(x.key_position, "Cluster authorization does not support tokens");
         }
         if (permissions_entry != nullptr) {
           rr.warning(x.key_position,
                      "setting \"permissions\" within cluster authorization block is deprecated");
           auth_permissions = std::move(permissions);
         }
       }},
      {"permissions",
       [&c](const ConfMapEntry& x, ConfReader& rr) {
         auto permissions = config::permissions(x, rr);
         if (!permissions) return;
         if (permissions->response) {
           rr.error(x.key_position, "Cluster permissions do not support dynamic responses");
           return;
         }
         c.permissions = std::move(permissions);
       }},
      {"pool_size", int_field(c.pool_size, -1)},
  };
  apply_table(*map, table, r, true);
  if (!c.permissions && auth_permissions) c.permissions = std::move(auth_permissions);
}

// `authorization {}` of the websocket block: nats-server's parseSimpleAuth (one user or a token,
// and a timeout in seconds, a non-number meaning 1 s).
void websocket_auth_block(const ConfMapEntry& e, ConfReader& r, WebsocketOptions& w) {
  const ConfMap* map = r.map(e);
  if (!map) return;
  KeyTable table = {
      {"user", string_field(w.username)},
      {"username", string_field(w.username)},
      {"pass", string_field(w.password)},
      {"password", string_field(w.password)},
      {"token", string_field(w.token)},
      {"timeout",
       [&w](const ConfMapEntry& x, ConfReader&) {
         w.auth_timeout = x.value.is_integer() ? static_cast<double>(x.value.as_integer())
                          : x.value.is_float() ? x.value.as_float()
                                               : 1.0;
       }},
  };
  apply_table(*map, table, r, false);
}

void websocket_block(const ConfMapEntry& e, ConfReader& r, WebsocketOptions& w) {
  const ConfMap* map = r.map(e);
  if (!map) return;
  auto origins = [&w](const ConfMapEntry& x, ConfReader& rr) {
    if (auto l = rr.string_list(x)) w.allowed_origins = std::move(*l);
  };
  auto auth = [&w](const ConfMapEntry& x, ConfReader& rr) { websocket_auth_block(x, rr, w); };
  auto compression = bool_field(w.compression);
  KeyTable table = {
      {"listen", host_port_field(w.host, w.port)},
      {"port", port_field(w.port)},
      {"host", string_field(w.host)},
      {"net", string_field(w.host)},
      {"advertise", string_field(w.advertise)},
      {"no_tls", bool_field(w.no_tls)},
      {"tls",
       [&w](const ConfMapEntry& x, ConfReader& rr) {
         tls_block(x, rr, w.tls);
         w.tls_block_at = ConfReader::at(x.key_position, "");
       }},
      {"same_origin", bool_field(w.same_origin)},
      {"allowed_origins", origins},
      {"allowed_origin", origins},
      {"allow_origins", origins},
      {"allow_origin", origins},
      {"origins", origins},
      {"origin", origins},
      {"handshake_timeout",
       [&w](const ConfMapEntry& x, ConfReader& rr) {
         // An integer is seconds, a string a Go duration (no deprecation warning here).
         if (x.value.is_integer()) {
           w.handshake_timeout = std::chrono::seconds(x.value.as_integer());
         } else if (x.value.is_string()) {
           auto d = parse_go_duration(x.value.as_string());
           if (!d) {
             rr.error(x.key_position, go_duration_error(x.value.as_string()));
             return;
           }
           w.handshake_timeout = *d;
         } else {
           rr.error(x.key_position,
                    fmt::format("error parsing handshake timeout: unsupported type {}",
                                go_type_name(x.value)));
         }
       }},
      {"compress", compression},
      {"compression", compression},
      {"authorization", auth},
      {"authentication", auth},
      {"jwt_cookie",
       [&w](const ConfMapEntry& x, ConfReader& rr) {
         if (auto v = rr.string(x)) {
           w.jwt_cookie = std::move(*v);
           // Its JWT would only ever be checked against trusted operators, which gnatsd does
           // not have: accepted, so the config keeps starting, and said to be unused.
           rr.warning(x.key_position,
                      fmt::format("websocket jwt_cookie \"{}\" is not used: gnatsd has no JWT "
                                  "(operator) authentication",
                                  w.jwt_cookie));
         }
       }},
      {"no_auth_user", string_field(w.no_auth_user)},
  };
  apply_table(*map, table, r, false);
}

KeyTable top_level_table(Options& o) {
  auto max_pending = int_field(o.max_pending, 1);
  auto max_connections = int_field(o.max_connections);
  auto max_subscriptions = int_field(o.max_subscriptions);
  auto log_file = string_field(o.log_file);
  auto pid_file = string_field(o.pid_file);
  auto http = host_port_field(o.http_host, o.http_port);
  auto https = host_port_field(o.http_host, o.https_port);
  auto log_size_limit = int_field(o.log_size_limit);
  auto log_max_num = int_field(o.log_max_files);
  auto websocket = [&o](const ConfMapEntry& e, ConfReader& r) {
    websocket_block(e, r, o.websocket);
  };
  return {
      {"listen", host_port_field(o.host, o.port)},
      {"port", port_field(o.port)},
      {"host", string_field(o.host)},
      {"net", string_field(o.host)},
      {"server_name", name_field(o.server_name, "server")},
      {"max_closed_clients", int_field(o.max_closed_clients)},
      {"client_advertise", string_field(o.client_advertise)},
      {"http_port", port_field(o.http_port)},
      {"monitor_port", port_field(o.http_port)},
      {"https_port", port_field(o.https_port)},
      {"http", http},
      {"https", https},
      {"http_base_path", string_field(o.http_base_path)},
      {"debug", bool_field(o.debug)},
      {"trace", bool_field(o.trace)},
      {"logtime", bool_field(o.logtime)},
      {"log_file", log_file},
      {"logfile", log_file},
      {"logfile_size_limit", log_size_limit},
      {"log_size_limit", log_size_limit},
      {"logfile_max_num", log_max_num},
      {"log_max_num", log_max_num},
      {"syslog", bool_field(o.syslog)},
      {"remote_syslog", string_field(o.remote_syslog)},
      {"pid_file", pid_file},
      {"pidfile", pid_file},
      {"ports_file_dir", string_field(o.ports_file_dir)},
      {"max_connections", max_connections},
      {"max_conn", max_connections},
      {"max_subscriptions", max_subscriptions},
      {"max_subs", max_subscriptions},
      {"max_control_line", int_field(o.max_control_line, 1)},
      {"max_payload", int_field(o.max_payload, 1)},
      {"max_pending", max_pending},
      {"max_pending_size", max_pending},  // the seed's name
      {"ping_interval", duration_field(o.ping_interval)},
      {"ping_max", int_field(o.ping_max)},
      {"write_deadline", duration_field(o.write_deadline)},
      {"lame_duck_duration",
       [&o](const ConfMapEntry& e, ConfReader& r) {
         auto d = r.duration(e);
         if (!d) return;
         if (*d < std::chrono::seconds(30)) {
           r.error(e.key_position,
                   fmt::format("invalid lame_duck_duration of {}, minimum is 30 seconds",
                               format_go_duration(*d)));
           return;
         }
         o.lame_duck_duration = *d;
       }},
      {"lame_duck_grace_period", duration_field(o.lame_duck_grace_period)},
      {"no_auth_user", string_field(o.no_auth_user)},
      {"no_header_support", bool_field(o.no_header_support)},
      {"authorization",
       [&o](const ConfMapEntry& e, ConfReader& r) { authorization_block(e, r, o); }},
      {"tls",
       [&o](const ConfMapEntry& e, ConfReader& r) {
         tls_block(e, r, o.tls);
         o.tls_block_at = ConfReader::at(e.key_position, "");
       }},
      {"cluster", [&o](const ConfMapEntry& e, ConfReader& r) { cluster_block(e, r, o.cluster); }},
      {"websocket", websocket},
      {"ws", websocket},
      {"io_threads", int_field(o.io_threads)},
  };
}

}  // namespace

ConfigLoadResult apply_config(const ConfMap& config, Options& options) {
  ConfReader reader;
  KeyTable table = top_level_table(options);
  apply_table(config, table, reader, true);
  return {reader.errors(), reader.warnings()};
}

ConfigLoadResult load_config_file(const std::string& path, Options& options) {
  auto parsed = parse_config_file(path);
  if (!parsed) return {{parsed.error().message()}, {}};
  options.config_file = path;
  return apply_config(*parsed, options);
}

void apply_baseline(Options& o) {
  if (o.port == 0) o.port = protocol::kDefaultPort;
}

namespace {

// nats-server 2.9.10 at start-up: only a user (not an nkey) can be the no_auth_user.
std::string no_auth_user_error(const Options& o, const std::string& name) {
  if (name.empty()) return {};
  bool found = std::any_of(o.users.begin(), o.users.end(),
                           [&](const User& u) { return u.nkey.empty() && u.username == name; });
  bool any_user =
      std::any_of(o.users.begin(), o.users.end(), [](const User& u) { return u.nkey.empty(); });
  if (!any_user)
    return fmt::format("no_auth_user: \"{}\" present, but users are not defined", name);
  if (!found)
    return fmt::format(
        "no_auth_user: \"{}\" not present as user in authorization block or account "
        "configuration",
        name);
  return {};
}

// nats-server's validateWebsocketOptions, in its order.
std::string validate_websocket(const Options& o) {
  const WebsocketOptions& w = o.websocket;
  if (w.port == 0) return {};
  if (!w.tls.enabled && !w.no_tls) return "websocket requires TLS configuration";
  if (auto err = no_auth_user_error(o, w.no_auth_user); !err.empty()) return err;
  if (!o.users.empty()) {
    if (!w.username.empty())
      return "websocket authentication username not compatible with presence of users/nkeys";
    if (!w.token.empty())
      return "websocket authentication token not compatible with presence of users/nkeys";
  }
  if (w.tls.enabled) {
    if (auto tls = net::make_server_tls_context(w.tls); !tls.context)
      return w.tls_block_at + tls.error;
  }
  return {};
}

}  // namespace

std::string validate_options(const Options& o) {
  // nats-server 2.11's checks, which the command line (-n, --cluster_name) meets here.
  if (o.server_name.find(' ') != std::string::npos) return "server name cannot contain spaces";
  if (o.cluster.name.find(' ') != std::string::npos) return "cluster name cannot contain spaces";
  if (o.max_payload > o.max_pending)
    return fmt::format("max_payload ({}) cannot be higher than max_pending ({})", o.max_payload,
                       o.max_pending);
  if (!o.cluster.routes.empty() && o.cluster.port == 0)
    return "solicited routes require cluster capabilities, e.g. --cluster";
  if (auto err = no_auth_user_error(o, o.no_auth_user); !err.empty()) return err;
  // The client port's TLS: the certificate, key and CA must load now (nats-server's texts,
  // naming the file), not at the first connection. Also refuses a reload to broken files.
  if (o.tls.enabled) {
    if (auto tls = net::make_server_tls_context(o.tls); !tls.context)
      return o.tls_block_at + tls.error;
  }
  return validate_websocket(o);
}

}  // namespace gnatsd::config
