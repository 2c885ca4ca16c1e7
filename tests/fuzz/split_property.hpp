// The property every frame parser's fuzz target checks: no crash on any input, and the same
// callbacks and the same error whether the bytes arrive in one read, in two reads (the caller
// keeps buffer[consumed..] and appends the rest) or a byte at a time.
#pragma once

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/parse_result.hpp"

namespace fuzz_support {

using gnatsd::protocol::ParseError;
using gnatsd::protocol::ParseResult;
using gnatsd::protocol::ParserLimits;

[[noreturn]] inline void fail(const char* target, const char* what) {
  std::fprintf(stderr, "%s: %s\n", target, what);
  std::abort();
}

struct Outcome {
  std::vector<std::string> events;
  ParseError error = ParseError::None;
  std::string leftover;  // the unconsumed tail after the last read (when no error)
};

// Parses `data` arriving as reads that end at each of `cuts` (then the rest), like a
// connection's read loop, checking the result's invariants on every call. `Recorder` turns
// each callback into a line of `events`; `parse(buffer, limits, recorder)` is the parser.
template <class Recorder, class Parse>
Outcome feed(const char* target, std::string_view data, const std::vector<std::size_t>& cuts,
             const ParserLimits& limits, Parse parse) {
  Recorder rec;
  std::string buffer;
  Outcome out;
  std::size_t at = 0;
  for (std::size_t i = 0; i <= cuts.size(); ++i) {
    const std::size_t end = i < cuts.size() ? cuts[i] : data.size();
    buffer.append(data.substr(at, end - at));
    at = end;
    const ParseResult r = parse(buffer, limits, rec);
    if (r.consumed > buffer.size()) fail(target, "consumed beyond the buffer");
    if (r.error == ParseError::None && r.pending_frame_size != 0 &&
        r.pending_frame_size <= buffer.size() - r.consumed) {
      fail(target, "pending_frame_size already buffered");
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

inline void check_same(const char* target, const Outcome& whole, const Outcome& split,
                       const char* how) {
  if (whole.events == split.events && whole.error == split.error &&
      whole.leftover == split.leftover) {
    return;
  }
  std::fprintf(stderr,
               "%s: %s differs from one read: %zu vs %zu events, error %d vs %d, leftover %zu vs "
               "%zu bytes\n",
               target, how, whole.events.size(), split.events.size(), static_cast<int>(whole.error),
               static_cast<int>(split.error), whole.leftover.size(), split.leftover.size());
  for (std::size_t i = 0; i < whole.events.size() || i < split.events.size(); ++i) {
    const std::string a = i < whole.events.size() ? whole.events[i] : "(none)";
    const std::string b = i < split.events.size() ? split.events[i] : "(none)";
    if (a != b) {
      std::fprintf(stderr, "  first difference at event %zu:\n  one read: %s\n  split:    %s\n", i,
                   a.c_str(), b.c_str());
      break;
    }
  }
  std::abort();
}

// Every split point of a short input; an even spread of about 256 of a longer one; and a byte
// at a time for inputs up to 512 bytes.
template <class Recorder, class Parse>
void check_splits(const char* target, std::string_view data, const ParserLimits& limits,
                  Parse parse) {
  const Outcome whole = feed<Recorder>(target, data, {}, limits, parse);
  const std::size_t step = data.size() <= 256 ? 1 : data.size() / 256;
  for (std::size_t cut = 0; cut <= data.size(); cut += step) {
    check_same(target, whole, feed<Recorder>(target, data, {cut}, limits, parse), "two reads");
  }
  if (data.size() <= 512) {
    std::vector<std::size_t> bytes;
    for (std::size_t i = 1; i < data.size(); ++i) bytes.push_back(i);
    check_same(target, whole, feed<Recorder>(target, data, bytes, limits, parse),
               "one byte at a time");
  }
}

}  // namespace fuzz_support
