// Throughput mode of nats-bench: publishers → subject → subscribers (or a queue group).
#pragma once

#include "bench_options.hpp"
#include "bench_result.hpp"

namespace nats_bench {

// `tls`: the context every connection upgrades with; null for plain TCP.
BenchResult run_throughput(const BenchOptions& options, const TlsClientContext* tls, bool progress);

}  // namespace nats_bench
