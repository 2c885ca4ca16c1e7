// Idle mode of nats-bench: opens many connections, each with one subscription, reports when
// all are established, then holds them (answering the server's PINGs) until released.
#pragma once

#include "bench_options.hpp"
#include "bench_result.hpp"

namespace nats_bench {

// `on_established` is called once every connection is up (or establishing has failed), before
// the hold starts: the report must go out while the connections still exist.
BenchResult run_idle(const BenchOptions& options, bool progress,
                     void (*on_established)(const BenchResult&));

}  // namespace nats_bench
