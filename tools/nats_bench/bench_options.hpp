// nats-bench's command line: what to run, against which server, how much.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server_url.hpp"
#include "tls_client.hpp"

namespace nats_bench {

enum class Mode { Throughput, Request, Idle };

struct BenchOptions {
  ServerUrl server;
  // Throughput mode: the subscribers connect here instead (another server of a cluster), so
  // that every message crosses a route.
  std::optional<ServerUrl> sub_server;
  TlsSettings tls;  // enabled by --tls, a tls:// URL, or any of the certificate flags
  Mode mode = Mode::Throughput;
  int pubs = 1;                  // publishers (requesters in request mode)
  int subs = 0;                  // subscribers (responders in request mode)
  std::uint64_t msgs = 100'000;  // in all, split across publishers
  std::size_t size = 128;        // payload bytes
  std::string subject = "bench";
  std::string queue;           // queue group for the subscribers; empty: none
  int conns = 0;               // idle mode: connections to open
  double hold_seconds = 3600;  // idle mode: hold at most this long
  std::uint64_t warmup = 0;    // request mode: unrecorded requests before measuring
  bool warmup_set = false;
  // Request mode, the shapes other loaders have: one thread drives the requester and the
  // responder in turn with blocking waits; each request and reply leaves in two writes (the PUB
  // line, then the payload); `spacers` idle connections are opened between the responders' and
  // the requesters' (a server that deals connections round-robin to N threads puts the two
  // ends on one thread with N-1 spacers, on different threads with none).
  bool single_thread = false;
  bool split_writes = false;
  int spacers = 0;
  std::size_t window_bytes = 8 << 20;  // publishers stay at most this far ahead of a subscriber
  // Throughput mode: each publisher sends at most this many messages per second (0: as fast as
  // it can), e.g. a steady background stream under a latency measurement.
  std::uint64_t rate = 0;
  double timeout_seconds = 10;  // give up after this long without progress
  bool json = false;
};

struct ParsedCommandLine {
  std::optional<BenchOptions> options;  // empty: exit with `exit_code` after printing `message`
  int exit_code = 0;
  std::string message;
};

ParsedCommandLine parse_bench_options(const std::vector<std::string>& args);
std::string bench_usage();

}  // namespace nats_bench
