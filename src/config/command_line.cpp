// Table-driven flag parser: each flag names its aliases, whether it takes a value, and how it
// applies that value to Options.
#include "config/command_line.hpp"

#include <charconv>
#include <functional>
#include <optional>
#include <string_view>

namespace gnatsd::config {
namespace {

struct Flag {
  std::vector<std::string_view> names;  // without leading dashes
  bool is_bool;
  // Returns an error text, or nothing on success.
  std::function<std::optional<std::string>(Options&, std::string_view)> apply;
};

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

std::function<std::optional<std::string>(Options&, std::string_view)> set_bool(
    bool Options::*field) {
  return [field](Options& o, std::string_view v) -> std::optional<std::string> {
    auto b = parse_bool(v);
    if (!b) return "invalid boolean value";
    o.*field = *b;
    return std::nullopt;
  };
}

const std::vector<Flag>& flags() {
  static const std::vector<Flag> table = {
      {{"a", "addr", "net"},
       false,
       [](Options& o, std::string_view v) -> std::optional<std::string> {
         o.host = std::string(v);
         return std::nullopt;
       }},
      {{"p", "port"},
       false,
       [](Options& o, std::string_view v) -> std::optional<std::string> {
         auto port = parse_int<int>(v);
         if (!port || *port < -1 || *port > 65535) return "invalid port";
         o.port = *port;
         return std::nullopt;
       }},
      {{"n", "name", "server_name"},
       false,
       [](Options& o, std::string_view v) -> std::optional<std::string> {
         o.server_name = std::string(v);
         return std::nullopt;
       }},
      {{"D", "debug"}, true, set_bool(&Options::debug)},
      {{"V", "trace"}, true, set_bool(&Options::trace)},
      {{"DV"},
       true,
       [](Options& o, std::string_view v) -> std::optional<std::string> {
         auto b = parse_bool(v);
         if (!b) return "invalid boolean value";
         o.debug = o.trace = *b;
         return std::nullopt;
       }},
      {{"T", "logtime"}, true, set_bool(&Options::logtime)},
      {{"io_threads"},
       false,
       [](Options& o, std::string_view v) -> std::optional<std::string> {
         auto n = parse_int<int>(v);
         if (!n || *n < 0 || *n > 1024) return "invalid thread count";
         o.io_threads = *n;
         return std::nullopt;
       }},
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
      result.action = CommandLine::Action::ShowHelp;
      return result;
    }
    if (body == "v" || body == "version") {
      result.action = CommandLine::Action::ShowVersion;
      return result;
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
    if (auto err = flag->apply(options, value))
      return fail("invalid value \"" + std::string(value) + "\" for flag -" + std::string(body) +
                  ": " + *err);
  }
  return result;
}

std::string usage_text() {
  return R"(Usage: gnatsd [options]

Server Options:
    -a, --addr HOST                  Bind to HOST address (default: 0.0.0.0)
    -p, --port PORT                  Use PORT for clients (default: 4222)
    -n, --name NAME                  Server name (default: the server id)
        --io_threads N               I/O threads, each with its own event loop (default: one per core)

Logging Options:
    -T, --logtime                    Timestamp log entries (default: true)
    -D, --debug                      Enable debugging output
    -V, --trace                      Trace the raw protocol
    -DV                              Debug and Trace

Common Options:
    -h, --help                       Show this message
    -v, --version                    Show version
)";
}

}  // namespace gnatsd::config
