// Request/reply latency mode of nats-bench: requesters send one request at a time and time the
// round trip; responders (a queue group, so each request gets one reply) echo the payload.
#pragma once

#include "bench_options.hpp"
#include "bench_result.hpp"

namespace nats_bench {

// `tls`: the context every connection upgrades with; null for plain TCP.
BenchResult run_request_reply(const BenchOptions& options, const TlsClientContext* tls,
                              bool progress);

}  // namespace nats_bench
