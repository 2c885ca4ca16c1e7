// The server's settings: defaults as nats-server, overridden by the config file and then by
// the command line. Field names follow nats-server's config keys.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/constants.hpp"

namespace gnatsd::config {

// One direction of a user's permissions: subjects (wildcards allowed) allowed and denied.
// An empty allow list means "everything not denied" (unless responses are allowed, see below).
struct SubjectPermission {
  std::vector<std::string> allow;
  std::vector<std::string> deny;
  bool operator==(const SubjectPermission&) const = default;
};

// `allow_responses`: the client may publish to the reply subject of each message delivered to
// it, up to max_msgs times (<= 0: no limit) within `expires` of the delivery (<= 0: no limit).
struct ResponsePermission {
  std::int64_t max_msgs = protocol::kDefaultAllowResponseMaxMsgs;
  std::chrono::nanoseconds expires = protocol::kDefaultAllowResponseExpiration;
  bool operator==(const ResponsePermission&) const = default;
};

struct Permissions {
  std::optional<SubjectPermission> publish;
  std::optional<SubjectPermission> subscribe;
  // Set: publishing is limited to the publish allow list, empty or not, plus the replies.
  std::optional<ResponsePermission> response;
  bool operator==(const Permissions&) const = default;
};

// A user of `authorization { users = [...] }` (or the single --user/--pass).
struct User {
  std::string username;
  std::string password;  // plaintext or a bcrypt hash ($2a$, $2b$, $2y$)
  std::optional<Permissions> permissions;
  std::string nkey = {};  // a public nkey ("U..."): username and password are then empty
  bool operator==(const User&) const = default;
};

struct TlsOptions {
  bool enabled = false;  // a tls {} block or --tls was given
  std::string cert_file;
  std::string key_file;
  std::string ca_file;
  bool verify = false;
  std::chrono::milliseconds timeout{2000};  // nats-server 2.x default handshake timeout
  std::vector<std::string> cipher_suites;
  std::vector<std::string> curve_preferences;
  bool operator==(const TlsOptions&) const = default;
};

// `cluster {}` and --cluster/--routes, with nats-server's validation; no route connects yet
// (the clustering issue).
struct ClusterOptions {
  std::string name;
  std::string host;
  int port = 0;
  std::string username;
  std::string password;
  std::chrono::milliseconds auth_timeout{0};
  std::vector<std::string> routes;
  std::string advertise;
  bool no_advertise = false;
  int connect_retries = 0;
  TlsOptions tls;
  // `permissions { import, export }` (or publish/subscribe): what this server accepts from
  // routes (import, kept in `publish`) and sends them (export, kept in `subscribe`).
  std::optional<Permissions> permissions;
  // nats-server 2.10's routes per peer (`pool_size`); 0: not set.
  int pool_size = 0;
  bool operator==(const ClusterOptions&) const = default;
};

// `websocket {}` (alias `ws`): a listener for WebSocket clients (browsers, nats.ws), whose
// NATS protocol inside the frames is the client protocol. Port 0: no listener.
struct WebsocketOptions {
  std::string host;  // empty: the default host (0.0.0.0), as nats-server
  int port = 0;      // -1: an OS-chosen port
  std::string advertise;
  bool no_tls = false;
  TlsOptions tls;
  std::string tls_block_at;  // "file:line:col: " of its tls {} block, as Options::tls_block_at
  bool same_origin = false;
  std::vector<std::string> allowed_origins;
  bool compression = false;
  std::chrono::nanoseconds handshake_timeout{0};  // 0: not set
  // `authorization {}` of the block: when any of user, token or no_auth_user is set, WebSocket
  // clients authenticate against these instead of the top-level ones (users lists stay shared).
  std::string username;
  std::string password;
  std::string token;
  double auth_timeout = 0;  // seconds; 0: the top-level timeout
  std::string no_auth_user;
  std::string jwt_cookie;
  bool auth_override() const noexcept {
    return !username.empty() || !token.empty() || !no_auth_user.empty();
  }
  bool operator==(const WebsocketOptions&) const = default;
};

struct Options {
  std::string host{protocol::kDefaultHost};
  int port = protocol::kDefaultPort;  // -1: an OS-chosen port
  std::string server_name;            // empty: the server id
  std::string config_file;
  std::string client_advertise;

  // Monitoring (0: off; -1: an OS-chosen port).
  std::string http_host;  // empty: the client listen host
  int http_port = 0;
  int https_port = 0;
  std::string http_base_path;

  std::int64_t max_payload = protocol::kDefaultMaxPayload;
  std::int64_t max_control_line = protocol::kDefaultMaxControlLine;
  int max_connections = protocol::kDefaultMaxConnections;
  int max_subscriptions = 0;  // per connection; 0: unlimited
  // How many closed connections /connz?state=closed remembers (nats-server 2.11); 0: 10,000.
  int max_closed_clients = 0;
  std::int64_t max_pending = protocol::kDefaultMaxPending;
  std::chrono::milliseconds ping_interval = protocol::kDefaultPingInterval;
  int ping_max = protocol::kDefaultPingMax;
  std::chrono::milliseconds write_deadline = protocol::kDefaultWriteDeadline;
  std::chrono::milliseconds lame_duck_duration{std::chrono::minutes(2)};
  std::chrono::milliseconds lame_duck_grace_period{std::chrono::seconds(10)};
  // `no_header_support: true`: INFO says headers:false and no client may send HPUB.
  bool no_header_support = false;

  // Authorization: single user, token, or a users list (exclusive, as nats-server).
  std::string username;
  std::string password;
  std::string token;
  std::vector<User> users;
  std::string no_auth_user;
  std::chrono::milliseconds auth_timeout{0};  // 0: the default (2 s, or the TLS timeout + 1 s)
  std::optional<Permissions> default_permissions;

  TlsOptions tls;
  ClusterOptions cluster;
  WebsocketOptions websocket;

  // Logging and process files.
  bool debug = false;
  bool trace = false;
  bool logtime = true;
  std::string log_file;
  std::int64_t log_size_limit = 0;  // logfile_size_limit (nats-server 2.10); 0: no rotation
  std::int64_t log_max_files = 0;   // logfile_max_num; 0: keep every backup
  bool syslog = false;
  std::string remote_syslog;
  std::string pid_file;
  std::string ports_file_dir;  // where <executable>_<pid>.ports is written; empty: none
  // "file:line:col: " of the config file's tls {} block, which prefixes a certificate or key
  // that does not load (as nats-server reports it); empty when the command line set them.
  std::string tls_block_at;

  // I/O threads, each with its own event loop; 0 means one per core.
  int io_threads = 0;

  bool auth_required() const noexcept {
    return !username.empty() || !token.empty() || !users.empty();
  }
};

}  // namespace gnatsd::config
