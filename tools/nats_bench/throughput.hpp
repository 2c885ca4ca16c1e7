// Throughput mode of nats-bench: publishers → subject → subscribers (or a queue group).
#pragma once

#include "bench_options.hpp"
#include "bench_result.hpp"

namespace nats_bench {

BenchResult run_throughput(const BenchOptions& options, bool progress);

}  // namespace nats_bench
