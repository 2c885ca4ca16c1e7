// Table-driven flag parser: each flag names its aliases, whether it takes a value, and how it
// applies that value. Error texts are Go's flag package's, which nats-server users see.
#include "config/command_line.hpp"

#include <charconv>
#include <functional>
#include <optional>
#include <string_view>

namespace gnatsd::config {
namespace {

// Returns a reason when the value is unusable ("parse error" as Go's flag package says).
using Apply = std::function<std::optional<std::string>(Options&, CommandLine&, std::string_view)>;

struct Flag {
  std::vector<std::string_view> names;  // without leading dashes
  bool is_bool;
  Apply apply;
};

constexpr const char* kParseError = "parse error";

std::optional<bool> parse_bool(std::string_view v) {
  // Go's strconv.ParseBool.
  if (v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True") return true;
  if (v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" || v == "False")
    return false;
  return std::nullopt;
}

template <class Int>
std::optional<Int> parse_int(std::string_view v) {
  Int out{};
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc{} || ptr != v.data() + v.size()) return std::nullopt;
  return out;
}

Apply set_string(std::string Options::*field) {
  return [field](Options& o, CommandLine&, std::string_view v) -> std::optional<std::string> {
    o.*field = std::string(v);
    return std::nullopt;
  };
}

Apply set_bool(bool Options::*field) {
  return [field](Options& o, CommandLine&, std::string_view v) -> std::optional<std::string> {
    auto b = parse_bool(v);
    if (!b) return kParseError;
    o.*field = *b;
    return std::nullopt;
  };
}

Apply set_port(int Options::*field) {
  return [field](Options& o, CommandLine&, std::string_view v) -> std::optional<std::string> {
    auto port = parse_int<int>(v);
    if (!port) return kParseError;
    if (*port < -1 || *port > 65535) return "port out of range";
    o.*field = *port;
    return std::nullopt;
  };
}

Apply debug_and_trace() {
  return [](Options& o, CommandLine&, std::string_view v) -> std::optional<std::string> {
    auto b = parse_bool(v);
    if (!b) return kParseError;
    o.debug = o.trace = *b;
    return std::nullopt;
  };
}

// Accepted for command-line compatibility; noted at start-up because gnatsd does not act on it.
Apply ignored(std::string_view what, bool is_bool) {
  return
      [what, is_bool](Options&, CommandLine& cl, std::string_view v) -> std::optional<std::string> {
        if (is_bool && !parse_bool(v)) return kParseError;
        cl.warnings.push_back(std::string(what) + " is not supported by gnatsd, ignored");
        return std::nullopt;
      };
}

Apply unsupported(std::string_view what) {
  return [what](Options&, CommandLine&, std::string_view) -> std::optional<std::string> {
    return std::string(what) + " is not supported by gnatsd";
  };
}

// nats://[user:pass@]host:port, as --cluster and --cluster_listen take it.
std::optional<std::string> apply_cluster_url(ClusterOptions& c, std::string_view url) {
  auto scheme = url.find("://");
  std::string_view rest = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    auto colon = userinfo.find(':');
    if (colon == std::string_view::npos) return "expected cluster password to be set";
    c.username = std::string(userinfo.substr(0, colon));
    c.password = std::string(userinfo.substr(colon + 1));
  } else {
    // As nats-server: the flag's URL replaces route credentials from the config file too.
    c.username.clear();
    c.password.clear();
  }
  auto colon = rest.rfind(':');
  if (colon == std::string_view::npos) return "missing port in address";
  auto port = parse_int<int>(rest.substr(colon + 1));
  if (!port || *port < -1 || *port > 65535) return "invalid port";
  std::string_view host = rest.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  c.host = std::string(host);
  c.port = *port;
  return std::nullopt;
}

const std::vector<Flag>& flags() {
  using R = std::optional<std::string>;
  static const std::vector<Flag> table = {
      // Server options.
      {{"a", "addr", "net"}, false, set_string(&Options::host)},
      {{"p", "port"}, false, set_port(&Options::port)},
      {{"n", "name", "server_name"}, false, set_string(&Options::server_name)},
      {{"P", "pid"}, false, set_string(&Options::pid_file)},
      {{"m", "http_port"}, false, set_port(&Options::http_port)},
      {{"ms", "https_port"}, false, set_port(&Options::https_port)},
      {{"c", "config"},
       false,
       [](Options& o, CommandLine& cl, std::string_view v) -> R {
         cl.config_file = std::string(v);
         o.config_file = std::string(v);
         return std::nullopt;
       }},
      {{"t"},
       true,
       [](Options&, CommandLine& cl, std::string_view v) -> R {
         auto b = parse_bool(v);
         if (!b) return kParseError;
         if (*b && cl.action == CommandLine::Action::Run)
           cl.action = CommandLine::Action::TestConfig;
         return std::nullopt;
       }},
      {{"sl", "signal"},
       false,
       [](Options&, CommandLine& cl, std::string_view v) -> R {
         cl.action = CommandLine::Action::SendSignal;
         cl.signal = std::string(v);
         return std::nullopt;
       }},
      {{"client_advertise"}, false, set_string(&Options::client_advertise)},
      {{"ports_file_dir"}, false, set_string(&Options::ports_file_dir)},
      {{"io_threads"},
       false,
       [](Options& o, CommandLine&, std::string_view v) -> R {
         auto n = parse_int<int>(v);
         if (!n) return kParseError;
         if (*n < 0 || *n > 1024) return "thread count out of range";
         o.io_threads = *n;
         return std::nullopt;
       }},
      // Logging options.
      {{"l", "log"}, false, set_string(&Options::log_file)},
      {{"T", "logtime"}, true, set_bool(&Options::logtime)},
      {{"s", "syslog"}, true, set_bool(&Options::syslog)},
      {{"r", "remote_syslog"}, false, set_string(&Options::remote_syslog)},
      {{"D", "debug"}, true, set_bool(&Options::debug)},
      {{"V", "trace"}, true, set_bool(&Options::trace)},
      {{"VV"}, true, set_bool(&Options::trace)},
      {{"DV"}, true, debug_and_trace()},
      {{"DVV"}, true, debug_and_trace()},
      {{"log_size_limit"},
       false,
       [](Options& o, CommandLine&, std::string_view v) -> R {
         auto n = parse_int<std::int64_t>(v);
         if (!n) return kParseError;
         o.log_size_limit = *n;
         return std::nullopt;
       }},
      {{"max_traced_msg_len"}, false, ignored("--max_traced_msg_len", false)},
      // JetStream: not part of gnatsd.
      {{"js", "jetstream"}, true, unsupported("JetStream")},
      {{"sd", "store_dir"}, false, unsupported("JetStream")},
      // Authorization options.
      {{"user"}, false, set_string(&Options::username)},
      {{"pass"}, false, set_string(&Options::password)},
      {{"auth"}, false, set_string(&Options::token)},
      // TLS options.
      {{"tls"},
       true,
       [](Options& o, CommandLine&, std::string_view v) -> R {
         auto b = parse_bool(v);
         if (!b) return kParseError;
         o.tls.enabled = *b;
         return std::nullopt;
       }},
      {{"tlsverify"},
       true,
       [](Options& o, CommandLine&, std::string_view v) -> R {
         auto b = parse_bool(v);
         if (!b) return kParseError;
         o.tls.verify = *b;
         if (*b) o.tls.enabled = true;
         return std::nullopt;
       }},
      // As in nats-server, any of these turns TLS on (then cert and key are both required).
      {{"tlscert"},
       false,
       [](Options& o, CommandLine&, std::string_view v) -> R {
         o.tls.cert_file = std::string(v);
         o.tls_block_at.clear();
         o.tls.enabled = true;
         return std::nullopt;
       }},
      {{"tlskey"},
       false,
       [](Options& o, CommandLine&, std::string_view v) -> R {
         o.tls.key_file = std::string(v);
         o.tls_block_at.clear();
         o.tls.enabled = true;
         return std::nullopt;
       }},
      {{"tlscacert"},
       false,
       [](Options& o, CommandLine&, std::string_view v) -> R {
         o.tls.ca_file = std::string(v);
         o.tls_block_at.clear();
         o.tls.enabled = true;
         return std::nullopt;
       }},
      // Cluster options: parsed and kept for the clustering issue.
      {{"routes"},
       false,
       [](Options& o, CommandLine&, std::string_view v) -> R {
         o.cluster.routes.clear();
         while (!v.empty()) {
           auto comma = v.find(',');
           std::string_view item = v.substr(0, comma);
           while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
           while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
           if (!item.empty()) o.cluster.routes.emplace_back(item);
           if (comma == std::string_view::npos) break;
           v.remove_prefix(comma + 1);
         }
         return std::nullopt;
       }},
      {{"cluster", "cluster_listen"},
       false,
       [](Options& o, CommandLine&, std::string_view v) -> R {
         return apply_cluster_url(o.cluster, v);
       }},
      {{"cluster_name"},
       false,
       [](Options& o, CommandLine&, std::string_view v) -> R {
         o.cluster.name = std::string(v);
         return std::nullopt;
       }},
      {{"cluster_advertise"},
       false,
       [](Options& o, CommandLine&, std::string_view v) -> R {
         o.cluster.advertise = std::string(v);
         return std::nullopt;
       }},
      {{"no_advertise"},
       true,
       [](Options& o, CommandLine&, std::string_view v) -> R {
         auto b = parse_bool(v);
         if (!b) return kParseError;
         o.cluster.no_advertise = *b;
         return std::nullopt;
       }},
      {{"connect_retries"},
       false,
       [](Options& o, CommandLine&, std::string_view v) -> R {
         auto n = parse_int<int>(v);
         if (!n || *n < 0) return kParseError;
         o.cluster.connect_retries = *n;
         return std::nullopt;
       }},
      // Profiling.
      {{"profile"}, false, ignored("--profile", false)},
  };
  return table;
}

const Flag* find_flag(std::string_view name) {
  for (const auto& flag : flags())
    for (auto n : flag.names)
      if (n == name) return &flag;
  return nullptr;
}

}  // namespace

CommandLine parse_command_line(const std::vector<std::string>& args, Options& options) {
  CommandLine result;
  auto fail = [&result](std::string message) {
    result.action = CommandLine::Action::Error;
    result.error = std::move(message);
    return result;
  };
  bool show_help = false, show_tls_help = false, show_version = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    // Go's flag package stops at the first non-flag argument or at "--".
    if (arg == "--" || arg.size() < 2 || arg[0] != '-') break;
    std::string_view body = arg.substr(arg[1] == '-' ? 2 : 1);
    if (body.empty() || body[0] == '-' || body[0] == '=')
      return fail("bad flag syntax: " + args[i]);
    std::optional<std::string_view> inline_value;
    if (auto eq = body.find('='); eq != std::string_view::npos) {
      inline_value = body.substr(eq + 1);
      body = body.substr(0, eq);
    }
    if (body == "h" || body == "help") {
      show_help = true;
      continue;
    }
    if (body == "help_tls") {
      show_tls_help = true;
      continue;
    }
    if (body == "v" || body == "version") {
      show_version = true;
      continue;
    }
    const Flag* flag = find_flag(body);
    if (!flag) return fail("flag provided but not defined: -" + std::string(body));
    std::string_view value;
    if (inline_value) {
      value = *inline_value;
    } else if (flag->is_bool) {
      value = "true";
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return fail("flag needs an argument: -" + std::string(body));
    }
    if (auto err = flag->apply(options, result, value)) {
      if (flag->is_bool && *err == kParseError)
        return fail("invalid boolean value \"" + std::string(value) + "\" for -" +
                    std::string(body) + ": " + *err);
      return fail("invalid value \"" + std::string(value) + "\" for flag -" + std::string(body) +
                  ": " + *err);
    }
  }
  // As nats-server: help and version win over everything else on the line.
  if (show_help)
    result.action = CommandLine::Action::ShowHelp;
  else if (show_tls_help)
    result.action = CommandLine::Action::ShowTlsHelp;
  else if (show_version)
    result.action = CommandLine::Action::ShowVersion;
  return result;
}

std::string usage_text() {
  return R"(Usage: gnatsd [options]

Server Options:
    -a, --addr, --net <host>         Bind to host address (default: 0.0.0.0)
    -p, --port <port>                Use port for clients (default: 4222)
    -n, --name
        --server_name <server_name>  Server name (default: auto)
    -P, --pid <file>                 File to store PID
    -m, --http_port <port>           Use port for http monitoring
    -ms,--https_port <port>          Use port for https monitoring
    -c, --config <file>              Configuration file
    -t                               Test configuration and exit
    -sl,--signal <signal>[=<pid>]    Send signal to gnatsd process (ldm, stop, quit, term, reopen, reload)
                                     <pid> can be either a PID (e.g. 1) or the path to a PID file (e.g. /var/run/gnatsd.pid)
        --client_advertise <string>  Client URL to advertise to other servers
        --ports_file_dir <dir>       Creates a ports file in the specified directory (<executable_name>_<pid>.ports).
        --io_threads <n>             I/O threads, each with its own event loop (default: one per core)

Logging Options:
    -l, --log <file>                 File to redirect log output
    -T, --logtime                    Timestamp log entries (default: true)
    -s, --syslog                     Log to syslog
    -r, --remote_syslog <addr>       Syslog server addr (udp://localhost:514)
    -D, --debug                      Enable debugging output
    -V, --trace                      Trace the raw protocol
    -DV                              Debug and trace

Authorization Options:
        --user <user>                User required for connections
        --pass <password>            Password required for connections
        --auth <token>               Authorization token required for connections

TLS Options:
        --tls                        Enable TLS, do not verify clients (default: false)
        --tlscert <file>             Server certificate file
        --tlskey <file>              Private key for server certificate
        --tlsverify                  Enable TLS, verify client certificates
        --tlscacert <file>           Client certificate CA for verification

Cluster Options:
        --routes <rurl-1, rurl-2>    Routes to solicit and connect
        --cluster <cluster-url>      Cluster URL for solicited routes
        --cluster_name <string>      Cluster Name
        --no_advertise <bool>        Do not advertise known cluster information to clients
        --cluster_advertise <string> Cluster URL to advertise to other servers
        --connect_retries <number>   For implicit routes, number of connect retries
        --cluster_listen <url>       Cluster url from which members can solicit routes

Common Options:
    -h, --help                       Show this message
    -v, --version                    Show version
        --help_tls                   TLS help
)";
}

std::string tls_usage_text() {
  return R"(
TLS configuration is specified in the tls section of a configuration file:

e.g.

    tls {
        cert_file:      "./certs/server-cert.pem"
        key_file:       "./certs/server-key.pem"
        ca_file:        "./certs/ca.pem"
        verify:         true

        cipher_suites: [
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
        ]
        curve_preferences: [
            "CurveP256",
            "CurveP384",
            "CurveP521"
        ]
    }

Available cipher suites include:
    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
    TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
    TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305
    TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305

Available curve preferences include:
    CurveP256
    CurveP384
    CurveP521
    X25519

)";
}

}  // namespace gnatsd::config
