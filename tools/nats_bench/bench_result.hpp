// What a nats-bench run measured and verified, and the two ways to print it (text, JSON).
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "bench_options.hpp"

namespace nats_bench {

struct ClientRate {
  std::uint64_t msgs = 0;
  double seconds = 0;  // from the common start to this client's last message
};

struct LatencySummary {
  std::uint64_t count = 0;
  double p50_us = 0, p90_us = 0, p99_us = 0, p999_us = 0, max_us = 0, mean_us = 0;
};

struct BenchResult {
  BenchOptions options;
  // Verification. `problems` lists every failed check in words; empty means all delivered.
  std::vector<std::string> problems;
  bool connect_failed = false;  // a client could not connect: exit status 2, not 1
  std::uint64_t published = 0;  // messages (requests) sent
  std::uint64_t expected = 0;   // deliveries that should have arrived
  std::uint64_t delivered = 0;  // deliveries that did arrive
  bool order_checked = false;   // payloads carried a stamp, so per-publisher order was checked
  // Timing: `seconds` is the run from the common start to the last delivery (to the last
  // publisher's PONG when nobody subscribes).
  double seconds = 0;
  std::vector<ClientRate> publishers, subscribers;
  double client_cpu_seconds = 0;  // this process, user + system, over the measured interval
  std::string tls;                // the negotiated protocol and suite; empty: plain TCP
  std::optional<LatencySummary> latency;
  // Idle mode.
  int established = 0;
  double connect_seconds = 0;

  bool ok() const { return problems.empty(); }
};

void print_text(const BenchResult& r, std::FILE* out);
std::string to_json(const BenchResult& r);

}  // namespace nats_bench
