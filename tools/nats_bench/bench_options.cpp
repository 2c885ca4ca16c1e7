// Command-line parsing for nats-bench: `--flag value` or `--flag=value`, validated up front so
// a run never starts with nonsense counts.
#include "bench_options.hpp"

#include <charconv>
#include <functional>
#include <map>
#include <string_view>

#include "payload.hpp"

namespace nats_bench {
namespace {

template <class T>
bool parse_number(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size() && !text.empty();
}

// Sizes accept a binary suffix: 16, 1K/1KB, 64K, 1M.
bool parse_size(std::string_view text, std::size_t& out) {
  std::size_t mult = 1;
  if (text.ends_with("B") || text.ends_with("b")) text.remove_suffix(1);
  if (!text.empty()) {
    switch (text.back()) {
      case 'k':
      case 'K':
        mult = 1024;
        break;
      case 'm':
      case 'M':
        mult = 1024 * 1024;
        break;
      default:
        break;
    }
    if (mult != 1) text.remove_suffix(1);
  }
  if (!parse_number(text, out)) return false;
  out *= mult;
  return true;
}

bool set_path(std::string& out, std::string_view text) {
  out = std::string(text);
  return !text.empty();
}

}  // namespace

std::string bench_usage() {
  return R"(Usage: nats-bench [options]

A load generator for NATS servers that verifies every message: each payload carries its
publisher and sequence number, and subscribers check that all arrived, in order per publisher.

Modes:
  (default)            throughput: --pub publishers send --msgs in all to --sub subscribers
  --request            request/reply latency: --pub requesters (sequential requests) and
                       --sub responders (default 1, in a queue group)
  --conns N --idle     open N connections with one subscription each and hold them

Options:
  -s, --server URL     nats://[user:pass@]host:port (default nats://127.0.0.1:4222);
                       tls://... connects with TLS; ws://host:port to a WebSocket
                       listener (no_tls), the NATS protocol inside WebSocket frames
  --sub-server URL     throughput mode: subscribers connect to this server (another member
                       of the publishers' cluster), so every message crosses a route
  --pub N              publishers / requesters (default 1)
  --sub N              subscribers / responders (default 0; 1 in request mode)
  --msgs N             messages (requests) in all, split across publishers (default 100000)
  --size BYTES         payload size, suffix K/M allowed (default 128; >= 8 to verify order)
  --subject S          subject (default "bench")
  --queue GROUP        subscribers join this queue group
  --request            request/reply latency mode
  --warmup N           request mode: unrecorded requests first (default msgs/10, max 1000)
  --single-thread      request mode: one thread drives one requester and one responder in
                       turn, each waiting in a blocking read
  --split-writes       request mode: every request and reply is written in two writes, the
                       PUB line and then the payload
  --spacers N          request mode: open N idle connections after the responders' and before
                       the requesters' (which server thread each end lands on)
  --conns N            idle mode: number of connections
  --idle               idle mode
  --hold SECONDS       idle mode: release the connections after this long (default 3600);
                       SIGINT, SIGTERM or end of input on a non-terminal stdin release sooner
  --rate N             throughput mode: each publisher sends at most N messages per second
                       (default: as fast as it can)
  --window BYTES       publishers stay at most this far ahead of any subscriber (default 8M;
                       0: no limit)
  --timeout SECONDS    fail after this long without progress (default 10)
  --json               one JSON object on stdout instead of the text report
  --tls                upgrade to TLS after the server's INFO (throughput and request modes)
  --tlsca FILE         verify the server's certificate against this CA (default: the
                       system's CA certificates; the server is always verified)
  --tlscert FILE       client certificate, for servers that verify clients (with --tlskey)
  --tlskey FILE        the client certificate's private key
  -h, --help           this text

Exit status: 0 when everything was delivered as expected, 1 when not, 2 on usage or
connection errors.
)";
}

ParsedCommandLine parse_bench_options(const std::vector<std::string>& args) {
  ParsedCommandLine result;
  BenchOptions o;
  bool idle = false, subs_set = false;
  auto bad = [&result](std::string message) {
    result.exit_code = 2;
    result.message = "nats-bench: " + message + "\n(see nats-bench --help)";
    return result;
  };
  using Apply = std::function<bool(std::string_view)>;
  const std::map<std::string_view, Apply> with_value = {
      {"server",
       [&](std::string_view v) {
         auto url = parse_server_url(v);
         if (url) o.server = *url;
         return url.has_value();
       }},
      {"sub-server",
       [&](std::string_view v) {
         auto url = parse_server_url(v);
         if (url) o.sub_server = *url;
         return url.has_value();
       }},
      {"pub", [&](std::string_view v) { return parse_number(v, o.pubs) && o.pubs >= 0; }},
      {"sub",
       [&](std::string_view v) {
         subs_set = true;
         return parse_number(v, o.subs) && o.subs >= 0;
       }},
      {"msgs", [&](std::string_view v) { return parse_number(v, o.msgs); }},
      {"size", [&](std::string_view v) { return parse_size(v, o.size); }},
      {"subject",
       [&](std::string_view v) {
         o.subject = std::string(v);
         return !v.empty() && v.find_first_of(" \t\r\n") == std::string_view::npos;
       }},
      {"queue",
       [&](std::string_view v) {
         o.queue = std::string(v);
         return !v.empty() && v.find_first_of(" \t\r\n") == std::string_view::npos;
       }},
      {"conns", [&](std::string_view v) { return parse_number(v, o.conns) && o.conns > 0; }},
      {"hold",
       [&](std::string_view v) { return parse_number(v, o.hold_seconds) && o.hold_seconds >= 0; }},
      {"warmup",
       [&](std::string_view v) {
         o.warmup_set = true;
         return parse_number(v, o.warmup);
       }},
      {"spacers", [&](std::string_view v) { return parse_number(v, o.spacers) && o.spacers >= 0; }},
      {"window", [&](std::string_view v) { return parse_size(v, o.window_bytes); }},
      {"rate", [&](std::string_view v) { return parse_number(v, o.rate) && o.rate > 0; }},
      {"timeout",
       [&](std::string_view v) {
         return parse_number(v, o.timeout_seconds) && o.timeout_seconds > 0;
       }},
      {"tlsca", [&](std::string_view v) { return set_path(o.tls.ca_file, v); }},
      {"tlscert", [&](std::string_view v) { return set_path(o.tls.cert_file, v); }},
      {"tlskey", [&](std::string_view v) { return set_path(o.tls.key_file, v); }},
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "-h" || arg == "--help") {
      result.message = bench_usage();
      return result;
    }
    if (arg == "-s") arg = "--server";
    if (!arg.starts_with("--")) return bad("unexpected argument " + std::string(arg));
    std::string_view name = arg.substr(2);
    std::optional<std::string_view> value;
    if (auto eq = name.find('='); eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (name == "request" || name == "idle" || name == "json" || name == "tls" ||
        name == "single-thread" || name == "split-writes") {
      if (value) return bad("--" + std::string(name) + " takes no value");
      if (name == "request") o.mode = Mode::Request;
      if (name == "single-thread") o.single_thread = true;
      if (name == "split-writes") o.split_writes = true;
      if (name == "idle") idle = true;
      if (name == "json") o.json = true;
      if (name == "tls") o.tls.enabled = true;
      continue;
    }
    auto flag = with_value.find(name);
    if (flag == with_value.end()) return bad("unknown option " + std::string(arg));
    if (!value) {
      if (i + 1 == args.size()) return bad("--" + std::string(name) + " needs a value");
      value = args[++i];
    }
    if (!flag->second(*value))
      return bad("invalid value \"" + std::string(*value) + "\" for --" + std::string(name));
  }
  if (idle || o.conns > 0) {
    if (!idle || o.conns <= 0) return bad("idle mode needs both --conns N and --idle");
    if (o.mode == Mode::Request) return bad("--idle and --request exclude each other");
    o.mode = Mode::Idle;
  }
  if (o.mode == Mode::Request) {
    if (!subs_set) o.subs = 1;
    if (o.pubs < 1 || o.subs < 1) return bad("request mode needs --pub >= 1 and --sub >= 1");
    if (!o.warmup_set) o.warmup = std::min<std::uint64_t>(1000, o.msgs / 10);
    if (o.single_thread && (o.pubs != 1 || o.subs != 1))
      return bad("--single-thread drives one requester and one responder");
  } else if (o.single_thread || o.split_writes || o.spacers > 0) {
    return bad("--single-thread, --split-writes and --spacers are for request mode");
  }
  if (o.rate > 0 && o.mode != Mode::Throughput) return bad("--rate is for throughput mode");
  if (o.mode == Mode::Throughput) {
    if (o.pubs < 1 && o.subs < 1) return bad("nothing to do: --pub and --sub are both 0");
    if (o.pubs < 1 && o.msgs > 0) return bad("--msgs > 0 needs at least one publisher");
  }
  // WebSocket is a layer of its own under the NATS protocol; stacking it on TLS is not done.
  const bool websocket = o.server.websocket || (o.sub_server && o.sub_server->websocket);
  if (websocket && (o.server.tls || (o.sub_server && o.sub_server->tls) || o.tls.enabled ||
                    !o.tls.ca_file.empty() || !o.tls.cert_file.empty()))
    return bad("WebSocket over TLS (wss://) is not supported: use ws:// (a no_tls listener)");
  if (websocket && o.mode == Mode::Idle) return bad("idle mode does not support WebSocket");
  // As in the nats clients, naming a CA or a client certificate asks for TLS.
  o.tls.enabled = o.tls.enabled || o.server.tls || !o.tls.ca_file.empty() ||
                  !o.tls.cert_file.empty() || !o.tls.key_file.empty();
  o.server.tls = o.tls.enabled;
  if (o.sub_server) {
    o.sub_server->tls = o.tls.enabled;
    if (o.mode != Mode::Throughput) return bad("--sub-server is for throughput mode");
  }
  if (o.tls.cert_file.empty() != o.tls.key_file.empty())
    return bad("--tlscert and --tlskey go together");
  // The idle loop speaks plain TCP from one epoll loop; TLS there would be a second engine.
  if (o.tls.enabled && o.mode == Mode::Idle) return bad("idle mode does not support TLS");
  if (static_cast<std::size_t>(o.pubs) > kMaxPublishers) return bad("too many publishers");
  if (o.msgs > kSeqMask) return bad("--msgs too large");
  result.options = o;
  return result;
}

}  // namespace nats_bench
