// Fuzz target for the route protocol parser: no crash on any input, every frame's views inside
// the buffer, and the split property of split_property.hpp.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/route_parser.hpp"
#include "split_property.hpp"

namespace {

using gnatsd::protocol::ParserLimits;

struct Recorder {
  std::vector<std::string> events;
  bool on_info(std::string_view json) { return add("INFO " + std::string(json)); }
  bool on_connect(std::string_view json) { return add("CONNECT " + std::string(json)); }
  bool on_route_sub(const gnatsd::protocol::RouteSubFrame& f) {
    if (f.account.empty() || f.subject.empty()) fail("RS+ without account or subject");
    return add("RS+ " + std::string(f.origin) + "|" + std::string(f.account) + "|" +
               std::string(f.subject) + "|" + std::string(f.queue) + "|" +
               std::to_string(f.weight));
  }
  bool on_route_unsub(const gnatsd::protocol::RouteUnsubFrame& f) {
    return add("RS- " + std::string(f.key));
  }
  bool on_route_msg(const gnatsd::protocol::RouteMsgFrame& f) {
    if (f.header_len > f.payload.size()) fail("header_len beyond the payload");
    std::string queues;
    gnatsd::protocol::for_each_queue(f.queues, [&](std::string_view q) {
      if (q.empty()) fail("empty queue name");
      queues += "<" + std::string(q) + ">";
    });
    return add("MSG " + std::string(f.origin) + "|" + std::string(f.account) + "|" +
               std::string(f.subject) + "|" + std::string(f.reply) + "|" + queues + "|" +
               std::to_string(f.header_len) + "|" + std::string(f.payload));
  }
  bool on_ping() { return add("PING"); }
  bool on_pong() { return add("PONG"); }
  bool on_ok() { return add("+OK"); }
  bool add(std::string event) {
    events.push_back(std::move(event));
    return true;
  }
  [[noreturn]] static void fail(const char* what) { fuzz_support::fail("route_parser_fuzz", what); }
};

void check_limits(std::string_view data, const ParserLimits& limits) {
  fuzz_support::check_splits<Recorder>(
      "route_parser_fuzz", data, limits,
      [](std::string_view buffer, const ParserLimits& l, Recorder& rec) {
        return gnatsd::protocol::parse_route_frames(buffer, l, rec);
      });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_limits(input, {1024 * 1024, -1});
  // Small limits, so that short inputs reach the control-line and payload checks.
  check_limits(input, {32, 16});
  return 0;
}
