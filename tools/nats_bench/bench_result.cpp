// Text and JSON reports for nats-bench.
#include "bench_result.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace nats_bench {
namespace {

double per_second(std::uint64_t n, double seconds) {
  return seconds > 0 ? n / seconds : 0;
}

// Payload megabytes (10^6 B) per second, as `nats bench` counts them.
double mb_per_second(std::uint64_t n, std::size_t size, double seconds) {
  return seconds > 0 ? static_cast<double>(n) * static_cast<double>(size) / 1e6 / seconds : 0;
}

ClientRate aggregate(const std::vector<ClientRate>& clients) {
  ClientRate total;
  for (const auto& c : clients) {
    total.msgs += c.msgs;
    total.seconds = std::max(total.seconds, c.seconds);
  }
  return total;
}

std::string human_rate(double per_sec) {
  char buf[64];
  if (per_sec >= 1e6)
    std::snprintf(buf, sizeof buf, "%.2f M msgs/s", per_sec / 1e6);
  else if (per_sec >= 1e3)
    std::snprintf(buf, sizeof buf, "%.1f K msgs/s", per_sec / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0f msgs/s", per_sec);
  return buf;
}

void print_rate(std::FILE* out, const std::string& who, const ClientRate& c, std::size_t size) {
  std::fprintf(out, "  %-22s %11llu msgs %8.3f s %15s %9.1f MB/s\n", who.c_str(),
               static_cast<unsigned long long>(c.msgs), c.seconds,
               human_rate(per_second(c.msgs, c.seconds)).c_str(),
               mb_per_second(c.msgs, size, c.seconds));
}

nlohmann::json rate_json(const ClientRate& c, std::size_t size) {
  return {{"msgs", c.msgs},
          {"seconds", c.seconds},
          {"msgs_per_sec", per_second(c.msgs, c.seconds)},
          {"mb_per_sec", mb_per_second(c.msgs, size, c.seconds)}};
}

const char* mode_name(Mode m) {
  switch (m) {
    case Mode::Throughput:
      return "throughput";
    case Mode::Request:
      return "request";
    case Mode::Idle:
      return "idle";
  }
  return "?";
}

std::string plural(long long n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

void print_text(const BenchResult& r, std::FILE* out) {
  const BenchOptions& o = r.options;
  if (o.mode == Mode::Idle) {
    std::fprintf(out,
                 "nats-bench: %d of %d idle connections established in %.2f s, "
                 "each with one subscription, on %s\n",
                 r.established, o.conns, r.connect_seconds, o.server.text().c_str());
  } else {
    const char* pub_word = o.mode == Mode::Request ? "requester" : "publisher";
    const char* sub_word = o.mode == Mode::Request ? "responder" : "subscriber";
    std::string queue = o.queue.empty() ? "" : " (queue " + o.queue + ")";
    std::fprintf(out, "nats-bench: %s, %s, %llu %s of %zu B on \"%s\"%s at %s\n",
                 plural(o.pubs, pub_word).c_str(), plural(o.subs, sub_word).c_str(),
                 static_cast<unsigned long long>(o.msgs),
                 o.mode == Mode::Request ? "requests" : "msgs", o.size, o.subject.c_str(),
                 queue.c_str(), o.server.text().c_str());
    if (!r.tls.empty()) std::fprintf(out, "  TLS: %s\n", r.tls.c_str());
    for (std::size_t i = 0; i < r.publishers.size(); ++i)
      print_rate(out, std::string(pub_word) + " " + std::to_string(i), r.publishers[i], o.size);
    if (r.publishers.size() > 1)
      print_rate(out, std::string(pub_word) + "s (all)", aggregate(r.publishers), o.size);
    for (std::size_t i = 0; i < r.subscribers.size(); ++i)
      print_rate(out, std::string(sub_word) + " " + std::to_string(i), r.subscribers[i], o.size);
    if (r.subscribers.size() > 1)
      print_rate(out, std::string(sub_word) + "s (all)", aggregate(r.subscribers), o.size);
    if (r.latency) {
      const LatencySummary& l = *r.latency;
      std::fprintf(out,
                   "  latency over %llu requests (us): p50 %.1f  p90 %.1f  p99 %.1f  "
                   "p99.9 %.1f  max %.1f  mean %.1f\n",
                   static_cast<unsigned long long>(l.count), l.p50_us, l.p90_us, l.p99_us,
                   l.p999_us, l.max_us, l.mean_us);
    }
    std::fprintf(
        out, "  delivered %llu of %llu expected%s: %s\n",
        static_cast<unsigned long long>(r.delivered), static_cast<unsigned long long>(r.expected),
        r.order_checked ? ", order per publisher checked" : " (payload too small to check order)",
        r.ok() ? "all delivered" : "FAILED");
    double per_msg = r.published > 0 ? r.client_cpu_seconds / r.published * 1e9 : 0;
    std::fprintf(out, "  nats-bench CPU: %.3f s (%.0f ns per message sent)\n", r.client_cpu_seconds,
                 per_msg);
  }
  for (const auto& p : r.problems) std::fprintf(out, "  problem: %s\n", p.c_str());
}

std::string to_json(const BenchResult& r) {
  const BenchOptions& o = r.options;
  nlohmann::json j = {{"mode", mode_name(o.mode)},
                      {"server", o.server.text()},
                      {"ok", r.ok()},
                      {"problems", r.problems}};
  if (o.mode == Mode::Idle) {
    j["conns"] = o.conns;
    j["established"] = r.established;
    j["connect_seconds"] = r.connect_seconds;
    return j.dump();
  }
  j["subject"] = o.subject;
  j["queue"] = o.queue;
  j["pubs"] = o.pubs;
  j["subs"] = o.subs;
  j["size"] = o.size;
  j["published"] = r.published;
  j["expected"] = r.expected;
  j["delivered"] = r.delivered;
  j["order_checked"] = r.order_checked;
  j["seconds"] = r.seconds;
  j["client_cpu_seconds"] = r.client_cpu_seconds;
  if (!r.tls.empty()) j["tls"] = r.tls;
  nlohmann::json pubs = nlohmann::json::array(), subs = nlohmann::json::array();
  for (const auto& c : r.publishers) pubs.push_back(rate_json(c, o.size));
  for (const auto& c : r.subscribers) subs.push_back(rate_json(c, o.size));
  j["publishers"] = pubs;
  j["subscribers"] = subs;
  j["publishers_total"] = rate_json(aggregate(r.publishers), o.size);
  j["subscribers_total"] = rate_json(aggregate(r.subscribers), o.size);
  if (r.latency) {
    const LatencySummary& l = *r.latency;
    j["latency_us"] = {{"count", l.count}, {"p50", l.p50_us},    {"p90", l.p90_us},
                       {"p99", l.p99_us},  {"p99_9", l.p999_us}, {"max", l.max_us},
                       {"mean", l.mean_us}};
  }
  return j.dump();
}

}  // namespace nats_bench
