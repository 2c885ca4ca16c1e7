// Fuzz target for WebSocket frame decoding (websocket::FrameReader), the first thing that reads
// a WebSocket client's bytes: no crash on any input, application bytes never more than the
// bytes given, and the same output (application bytes, inflated messages, pongs, close frame,
// error) whether the input arrives whole, cut in two anywhere, or a byte at a time. The first
// input byte picks the settings (masking required, small inflate bound).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "websocket/frame_reader.hpp"

namespace {

using gnatsd::websocket::FrameReader;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "websocket_frame_fuzz: %s\n", what);
  std::abort();
}

struct Outcome {
  std::string app;  // application bytes, inflated ones in order
  std::string replies;
  std::string close_frame;
  FrameReader::State state = FrameReader::State::Open;
  std::string error;
};

// Reads `data` in chunks ending at `cuts`, as WebSocketTransport does: inflated bytes first,
// then what a decode left unconsumed, then new input.
Outcome feed(std::string_view data, const std::vector<std::size_t>& cuts,
             FrameReader::Settings settings) {
  FrameReader reader(settings);
  Outcome out;
  std::string pending;  // unconsumed raw bytes
  std::size_t at = 0;
  std::size_t cut = 0;
  char sink[512];
  for (int guard = 0; guard < 1'000'000; ++guard) {
    while (reader.has_inflated()) {
      const std::size_t n = reader.take_inflated(sink, sizeof sink);
      if (n == 0) fail("take_inflated made no progress");
      out.app.append(sink, n);
    }
    if (reader.state() != FrameReader::State::Open) break;
    if (pending.empty()) {
      if (at == data.size()) break;
      const std::size_t end = cut < cuts.size() && cuts[cut] > at ? cuts[cut] : data.size();
      ++cut;
      pending.assign(data.substr(at, end - at));
      at = end;
    }
    std::string buffer = pending;
    const auto result = reader.decode(buffer.data(), buffer.size());
    if (result.consumed > buffer.size()) fail("consumed more than given");
    if (result.app_bytes > result.consumed) fail("more application bytes than consumed");
    out.app.append(buffer.data(), result.app_bytes);
    if (result.consumed == 0 && !reader.has_inflated() &&
        reader.state() == FrameReader::State::Open)
      fail("decode made no progress");
    pending.erase(0, result.consumed);
    if (reader.state() != FrameReader::State::Open) pending.clear();
  }
  out.replies = reader.take_replies();
  out.close_frame = reader.close_frame();
  out.state = reader.state();
  out.error = reader.error();
  if (out.state == FrameReader::State::Open && !out.close_frame.empty())
    fail("close frame while open");
  if (out.close_frame.size() > 127) fail("close frame over 125 bytes of payload");
  return out;
}

bool same(const Outcome& a, const Outcome& b) {
  return a.app == b.app && a.replies == b.replies && a.close_frame == b.close_frame &&
         a.state == b.state && a.error == b.error;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* raw, std::size_t size) {
  if (size == 0 || size > 64 * 1024) return 0;
  FrameReader::Settings settings;
  settings.require_mask = (raw[0] & 1) != 0;
  settings.max_inflated = (raw[0] & 2) != 0 ? 1024 : 1024 * 1024;
  const std::string_view data(reinterpret_cast<const char*>(raw) + 1, size - 1);
  const Outcome whole = feed(data, {}, settings);
  for (std::size_t cut : {data.size() / 3, data.size() / 2, data.size() - data.size() / 5}) {
    if (!same(whole, feed(data, {cut}, settings))) fail("a cut changed the outcome");
  }
  if (data.size() <= 512) {
    std::vector<std::size_t> every;
    for (std::size_t i = 1; i < data.size(); ++i) every.push_back(i);
    if (!same(whole, feed(data, every, settings))) fail("byte-at-a-time changed the outcome");
  }
  return 0;
}
