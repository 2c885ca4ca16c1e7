// Fuzz target for the client protocol parser: no crash on any input, and the split property —
// parsing in one read yields the same callbacks and the same error as the same bytes arriving
// in two reads (the caller keeps buffer[consumed..] and appends the rest) or a byte at a time.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/client_parser.hpp"
#include "protocol/constants.hpp"

namespace {

using gnatsd::protocol::ParseError;
using gnatsd::protocol::ParseResult;
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
    std::fprintf(stderr, "client_parser_fuzz: %s\n", what);
    std::abort();
  }
};

struct Outcome {
  std::vector<std::string> events;
  ParseError error = ParseError::None;
  std::string leftover;  // the unconsumed tail after the last read (when no error)
};

// Parses `data` arriving as reads that end at each of `cuts` (then the rest), like a
// connection's read loop, checking the result's invariants on every call.
Outcome feed(std::string_view data, const std::vector<std::size_t>& cuts,
             const ParserLimits& limits) {
  Recorder rec;
  std::string buffer;
  Outcome out;
  std::size_t at = 0;
  for (std::size_t i = 0; i <= cuts.size(); ++i) {
    const std::size_t end = i < cuts.size() ? cuts[i] : data.size();
    buffer.append(data.substr(at, end - at));
    at = end;
    const ParseResult r = gnatsd::protocol::parse_client_frames(buffer, limits, rec);
    if (r.consumed > buffer.size()) Recorder::fail("consumed beyond the buffer");
    if (r.error == ParseError::None && r.pending_frame_size != 0 &&
        r.pending_frame_size <= buffer.size() - r.consumed) {
      Recorder::fail("pending_frame_size already buffered");
    }
    if (r.error != ParseError::None) {
      out.error = r.error;
      break;
    }
    buffer.erase(0, r.consumed);
  }
  out.events = std::move(rec.events);
  if (out.error == ParseError::None) out.leftover = std::move(buffer);
  return out;
}

void check_same(const Outcome& whole, const Outcome& split, const char* how) {
  if (whole.events != split.events || whole.error != split.error ||
      whole.leftover != split.leftover) {
    std::fprintf(stderr,
                 "client_parser_fuzz: %s differs from one read: %zu vs %zu events, error %d vs "
                 "%d, leftover %zu vs %zu bytes\n",
                 how, whole.events.size(), split.events.size(), static_cast<int>(whole.error),
                 static_cast<int>(split.error), whole.leftover.size(), split.leftover.size());
    for (std::size_t i = 0; i < whole.events.size() || i < split.events.size(); ++i) {
      const std::string a = i < whole.events.size() ? whole.events[i] : "(none)";
      const std::string b = i < split.events.size() ? split.events[i] : "(none)";
      if (a != b) {
        std::fprintf(stderr, "  first difference at event %zu:\n  one read: %s\n  split:    %s\n",
                     i, a.c_str(), b.c_str());
        break;
      }
    }
    std::abort();
  }
}

void check_limits(std::string_view data, const ParserLimits& limits) {
  const Outcome whole = feed(data, {}, limits);
  // Every split point of a short input; an even spread of about 256 of a longer one.
  const std::size_t step = data.size() <= 256 ? 1 : data.size() / 256;
  for (std::size_t cut = 0; cut <= data.size(); cut += step) {
    check_same(whole, feed(data, {cut}, limits), "two reads");
  }
  if (data.size() <= 512) {
    std::vector<std::size_t> bytes;
    for (std::size_t i = 1; i < data.size(); ++i) bytes.push_back(i);
    check_same(whole, feed(data, bytes, limits), "one byte at a time");
  }
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
