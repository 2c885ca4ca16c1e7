// Micro-benchmark of the client protocol parser: cost per PUB frame, alone and pipelined, and
// the cost of re-parsing a frame whose payload has not fully arrived.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/client_parser.hpp"
#include "protocol/constants.hpp"

namespace {

using gnatsd::protocol::ParserLimits;
using gnatsd::protocol::PubFrame;
using gnatsd::protocol::SubFrame;
using gnatsd::protocol::UnsubFrame;

constexpr ParserLimits kLimits{gnatsd::protocol::kDefaultMaxControlLine,
                               gnatsd::protocol::kDefaultMaxPayload};

// Touches what a session would read from each frame, so nothing is optimised away.
struct CountingHandler {
  std::uint64_t frames = 0;
  std::uint64_t bytes = 0;
  bool on_connect(std::string_view json) {
    bytes += json.size();
    return true;
  }
  bool on_pub(const PubFrame& f) {
    ++frames;
    bytes += f.subject.size() + f.reply.size() + f.payload.size();
    return true;
  }
  bool on_sub(const SubFrame& f) {
    ++frames;
    bytes += f.subject.size() + f.sid.size();
    return true;
  }
  bool on_unsub(const UnsubFrame& f) {
    ++frames;
    bytes += f.sid.size();
    return true;
  }
  bool on_ping() {
    ++frames;
    return true;
  }
  bool on_pong() {
    ++frames;
    return true;
  }
};

std::string pub_frame(std::string_view subject, std::string_view reply, std::size_t size) {
  std::string s = "PUB ";
  s += subject;
  if (!reply.empty()) {
    s += ' ';
    s += reply;
  }
  s += ' ' + std::to_string(size) + "\r\n" + std::string(size, 'x') + "\r\n";
  return s;
}

std::string repeat(const std::string& frame, std::size_t n) {
  std::string s;
  s.reserve(frame.size() * n);
  for (std::size_t i = 0; i < n; ++i) s += frame;
  return s;
}

// Parses `buffer`, which holds `frames` complete frames, once per iteration.
void run(benchmark::State& state, const std::string& buffer, std::size_t frames) {
  CountingHandler handler;
  for (auto _ : state) {
    const auto result = gnatsd::protocol::parse_client_frames(buffer, kLimits, handler);
    benchmark::DoNotOptimize(result.consumed);
    if (result.consumed != buffer.size()) {
      state.SkipWithError("buffer not fully parsed");
      break;
    }
  }
  benchmark::DoNotOptimize(handler.bytes);
  const auto n = static_cast<double>(frames);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(frames));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(buffer.size()));
  // Seconds per frame, printed with an SI prefix (e.g. "12.3n").
  state.counters["per_frame"] = benchmark::Counter(
      n, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// One PUB per call: the read loop's worst case, a single small message per read.
void BM_Pub(benchmark::State& state) {
  run(state, pub_frame("foo.bar", "", static_cast<std::size_t>(state.range(0))), 1);
}
BENCHMARK(BM_Pub)->Arg(16)->Arg(1024);

void BM_PubWithReply(benchmark::State& state) {
  run(state, pub_frame("foo.bar", "_INBOX.abcdefghij.1", static_cast<std::size_t>(state.range(0))),
      1);
}
BENCHMARK(BM_PubWithReply)->Arg(16);

// Many PUBs in one read, as a fast publisher's socket delivers them.
void BM_PubPipelined(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const auto batch = static_cast<std::size_t>(state.range(1));
  run(state, repeat(pub_frame("foo.bar", "", size), batch), batch);
}
BENCHMARK(BM_PubPipelined)
    ->ArgNames({"size", "batch"})
    ->Args({16, 64})
    ->Args({16, 1024})
    ->Args({1024, 64});

// A realistic mix: requests with replies, headers, subscription churn and pings.
void BM_MixedPipelined(benchmark::State& state) {
  const std::string mix =
      pub_frame("orders.eu.created", "", 128) + pub_frame("svc.lookup", "_INBOX.Xy12Ab.7", 32) +
      "HPUB events.a 22 38\r\nNATS/1.0\r\nX-Id: 42\r\n\r\n0123456789abcdef\r\n" +
      "SUB _INBOX.Xy12Ab.* 9\r\n" + "UNSUB 9 1\r\n" + "PING\r\n";
  const std::size_t batch = 128;
  run(state, repeat(mix, batch), batch * 6);
}
BENCHMARK(BM_MixedPipelined);

// The stateless design re-parses a frame whose payload is still arriving; this is that cost.
void BM_PendingPayload(benchmark::State& state) {
  const std::string frame = pub_frame("big.payload", "", 1 << 20);
  const std::string_view partial(frame.data(), frame.size() / 2);
  CountingHandler handler;
  for (auto _ : state) {
    const auto result = gnatsd::protocol::parse_client_frames(partial, kLimits, handler);
    benchmark::DoNotOptimize(result.pending_frame_size);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PendingPayload);

}  // namespace
