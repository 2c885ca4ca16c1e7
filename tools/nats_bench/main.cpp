// nats-bench: a load generator for NATS servers that verifies every delivery. Wiring only:
// parse the command line, run the chosen mode, print the report, exit 0/1/2.
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "bench_options.hpp"
#include "bench_result.hpp"
#include "idle_connections.hpp"
#include "request_reply.hpp"
#include "throughput.hpp"
#include "tls_client.hpp"

namespace {

bool g_json = false;

void print_report(const nats_bench::BenchResult& r) {
  if (g_json)
    std::printf("%s\n", nats_bench::to_json(r).c_str());
  else
    nats_bench::print_text(r, stdout);
  std::fflush(stdout);
}

// Every connection is a descriptor: lift the soft limit to the hard one.
void raise_descriptor_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  nats_bench::ParsedCommandLine parsed = nats_bench::parse_bench_options(args);
  if (!parsed.options) {
    std::fprintf(parsed.exit_code == 0 ? stdout : stderr, "%s\n", parsed.message.c_str());
    return parsed.exit_code;
  }
  const nats_bench::BenchOptions& o = *parsed.options;
  g_json = o.json;
  raise_descriptor_limit();
  bool progress = !o.json && ::isatty(STDOUT_FILENO);

  nats_bench::TlsClientContext::Made tls;
  if (o.tls.enabled) {
    tls = nats_bench::TlsClientContext::make(o.tls);
    if (!tls.context) {
      std::fprintf(stderr, "nats-bench: %s\n", tls.error.c_str());
      return 2;
    }
  }

  nats_bench::BenchResult result;
  switch (o.mode) {
    case nats_bench::Mode::Throughput:
      result = nats_bench::run_throughput(o, tls.context.get(), progress);
      if (tls.context) result.tls = tls.context->negotiated();
      print_report(result);
      break;
    case nats_bench::Mode::Request:
      result = nats_bench::run_request_reply(o, tls.context.get(), progress);
      if (tls.context) result.tls = tls.context->negotiated();
      print_report(result);
      break;
    case nats_bench::Mode::Idle: {
      rlimit lim{};
      ::getrlimit(RLIMIT_NOFILE, &lim);
      if (lim.rlim_cur != RLIM_INFINITY && static_cast<rlim_t>(o.conns) + 16 > lim.rlim_cur) {
        std::fprintf(stderr,
                     "nats-bench: %d connections need more descriptors than the limit "
                     "of %llu (raise it with ulimit -n)\n",
                     o.conns, static_cast<unsigned long long>(lim.rlim_cur));
        return 2;
      }
      result = nats_bench::run_idle(o, progress, print_report);
      // Problems while holding come after the report: say them on stderr.
      for (const auto& problem : result.problems)
        if (problem.starts_with("while holding"))
          std::fprintf(stderr, "nats-bench: %s\n", problem.c_str());
      break;
    }
  }
  if (result.connect_failed) {
    // The report may be JSON on stdout: say why in words on stderr too (the first failure;
    // the others are usually the same).
    if (!result.problems.empty())
      std::fprintf(stderr, "nats-bench: %s\n", result.problems.front().c_str());
    return 2;
  }
  return result.ok() ? 0 : 1;
}
