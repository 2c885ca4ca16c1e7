// Fuzz target for the client protocol parser: no crash on any input, and the split property
// of split_property.hpp.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/client_parser.hpp"
#include "protocol/constants.hpp"
#include "split_property.hpp"

namespace {

using gnatsd::protocol::ParserLimits;

// Every callback as one line of text, so sequences compare with ==.
struct Recorder {
  std::vector<std::string> events;
  bool on_connect(std::string_view json) { return add("CONNECT " + std::string(json)); }
  bool on_pub(const gnatsd::protocol::PubFrame& f) {
    if (f.header_len > f.payload.size()) fail("header_len beyond the payload");
    return add(std::string(f.has_headers ? "HPUB " : "PUB ") + std::string(f.subject) +
               " r=" + std::string(f.reply) + " h=" + std::to_string(f.header_len) + " [" +
               std::string(f.payload) + "]");
  }
  bool on_sub(const gnatsd::protocol::SubFrame& f) {
    return add("SUB " + std::string(f.subject) + " q=" + std::string(f.queue) +
               " sid=" + std::string(f.sid));
  }
  bool on_unsub(const gnatsd::protocol::UnsubFrame& f) {
    return add("UNSUB " + std::string(f.sid) + " max=" + std::to_string(f.max_msgs));
  }
  bool on_ping() { return add("PING"); }
  bool on_pong() { return add("PONG"); }
  bool add(std::string event) {
    events.push_back(std::move(event));
    return true;
  }
  [[noreturn]] static void fail(const char* what) {
    fuzz_support::fail("client_parser_fuzz", what);
  }
};

void check_limits(std::string_view data, const ParserLimits& limits) {
  fuzz_support::check_splits<Recorder>(
      "client_parser_fuzz", data, limits,
      [](std::string_view buffer, const ParserLimits& l, Recorder& rec) {
        return gnatsd::protocol::parse_client_frames(buffer, l, rec);
      });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_limits(input,
               {gnatsd::protocol::kDefaultMaxControlLine, gnatsd::protocol::kDefaultMaxPayload});
  // Small limits, so that short inputs reach the control-line and payload checks.
  check_limits(input, {32, 16});
  return 0;
}
