// Request/reply latency: each requester keeps exactly one request in flight and records its
// round trip; responders answer every request they receive in one write per read batch. Or, as
// other loaders do: one thread drives a requester and a responder in turn (--single-thread), and
// every request and reply leaves in two writes (--split-writes).
#include "request_reply.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <latch>
#include <memory>
#include <thread>
#include <vector>

#include "connection.hpp"
#include "payload.hpp"
#include "run_support.hpp"

namespace nats_bench {
namespace {

const char* kDefaultResponderGroup = "nats-bench-responders";

struct Shared {
  const BenchOptions& options;
  const TlsClientContext* tls;
  std::latch responders_ready;
  std::latch requesters_ready;
  std::latch go{1};
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> completed{0};
  Clock::time_point start{};

  std::chrono::nanoseconds patience() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(options.timeout_seconds));
  }
};

struct Outcome {
  ClientRate rate;
  std::string error;
  bool connect_failed = false;
  std::vector<std::uint32_t> latencies_ns;  // requesters only
  std::uint64_t handled = 0;                // responders only
  std::uint64_t unexpected = 0;             // replies that did not match the request
};

// Echoes each request's payload to its reply subject; the replies of a read batch leave in
// the same write. With split writes they are kept for send_split_replies() instead.
struct Echo {
  Echo(Connection& connection, bool split_writes) : c(connection), split(split_writes) {}
  Connection& c;
  bool split = false;
  std::uint64_t handled = 0;
  std::uint64_t without_reply = 0;
  std::vector<std::string> split_replies;  // PUB line, payload + CRLF, PUB line, ...
  char digits[24] = {};

  void on_msg(const MsgFrame& m) {
    if (m.reply.empty()) {
      ++without_reply;
      return;
    }
    ++handled;
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, m.payload.size());
    const std::string_view size(digits, static_cast<std::size_t>(end - digits));
    if (split) {
      split_replies.push_back("PUB " + std::string(m.reply) + " " + std::string(size) + "\r\n");
      split_replies.push_back(std::string(m.payload) + "\r\n");
      return;
    }
    c.queue("PUB ");
    c.queue(m.reply);
    c.queue(" ");
    c.queue(size);
    c.queue("\r\n");
    c.queue(m.payload);
    c.queue("\r\n");
  }

  // Each kept reply in two writes.
  bool send_split_replies(Clock::time_point deadline) {
    // Taken first: the writes may read, and a request read then adds to a new list.
    std::vector<std::string> parts;
    parts.swap(split_replies);
    for (const auto& part : parts)
      if (!c.write_all(part.data(), part.size(), *this, deadline)) return false;
    return true;
  }
};

// A request frame, written in one write or in two (the PUB line, then the payload).
template <class H>
bool send_request(Connection& c, const std::string& frame, std::size_t payload_at, bool split, H& h,
                  Clock::time_point deadline) {
  if (!split) return c.write_all(frame.data(), frame.size(), h, deadline);
  return c.write_all(frame.data(), payload_at, h, deadline) &&
         c.write_all(frame.data() + payload_at, frame.size() - payload_at, h, deadline);
}

void run_responder(Shared& s, int index, Outcome& out) {
  const BenchOptions& o = s.options;
  Connection c(std::max<std::size_t>(1 << 20, 4 * (o.size + 256)));
  Echo echo(c, o.split_writes);
  std::string error = c.open(o.server, s.tls, "nats-bench-responder-" + std::to_string(index),
                             Clock::now() + s.patience());
  if (error.empty()) {
    std::string group = o.queue.empty() ? kDefaultResponderGroup : o.queue;
    c.queue("SUB " + o.subject + " " + group + " 1\r\n");
    if (!c.flush(echo, Clock::now() + s.patience())) error = c.error();
  }
  // The outcome is written before the latch opens: the main thread reads it right after.
  if (!error.empty()) {
    out.error = error;
    out.connect_failed = true;
  }
  s.responders_ready.count_down();
  if (!error.empty()) return;
  s.go.wait();
  while (!s.stop.load(std::memory_order_relaxed)) {
    if (!c.pump(echo, 20)) break;
    if (!echo.split_replies.empty() && !echo.send_split_replies(Clock::now() + s.patience())) break;
  }
  out.handled = echo.handled;
  out.rate = {echo.handled, seconds_between(s.start, Clock::now())};
  out.error = c.error();
  if (echo.without_reply > 0 && out.error.empty())
    out.error = std::to_string(echo.without_reply) + " requests had no reply subject";
}

// A measured request's round trip, from `sent` to now.
void record_round_trip(Shared& s, Outcome& out, Clock::time_point sent, std::uint64_t& done) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - sent).count();
  out.latencies_ns.push_back(static_cast<std::uint32_t>(std::min<std::int64_t>(ns, UINT32_MAX)));
  ++done;
  s.completed.fetch_add(1, std::memory_order_relaxed);
}

// Waits for the reply to request `seq`.
struct ReplyWaiter {
  std::size_t size;
  bool stamped;
  std::uint64_t want_seq = 0;
  bool got = false;
  std::uint64_t unexpected = 0;

  void on_msg(const MsgFrame& m) {
    if (m.payload.size() != size || (stamped && read_stamp(m.payload).seq != want_seq)) {
      ++unexpected;
      return;
    }
    got = true;
  }
};

void run_requester(Shared& s, int index, std::uint64_t count, Outcome& out) {
  const BenchOptions& o = s.options;
  Connection c(std::max<std::size_t>(64 * 1024, 4 * (o.size + 256)));
  ReplyWaiter waiter{o.size, o.size >= kStampBytes};
  std::string inbox =
      "_INBOX.nats-bench." + std::to_string(::getpid()) + "." + std::to_string(index);
  std::string error = c.open(o.server, s.tls, "nats-bench-requester-" + std::to_string(index),
                             Clock::now() + s.patience());
  if (error.empty()) {
    c.queue("SUB " + inbox + " 1\r\n");
    if (!c.flush(waiter, Clock::now() + s.patience())) error = c.error();
  }
  // The outcome is written before the latch opens: the main thread reads it right after.
  if (!error.empty()) {
    out.error = error;
    out.connect_failed = true;
  }
  s.requesters_ready.count_down();
  if (!error.empty()) return;
  std::string frame = "PUB " + o.subject + " " + inbox + " " + std::to_string(o.size) + "\r\n";
  const std::size_t payload_at = frame.size();
  frame.append(o.size, 'r');
  frame += "\r\n";
  out.latencies_ns.reserve(count);
  s.go.wait();
  const std::uint64_t total = o.warmup + count;
  std::uint64_t done = 0;
  Clock::time_point measured_from = Clock::now();
  for (std::uint64_t seq = 0; seq < total && !s.stop.load(std::memory_order_relaxed); ++seq) {
    if (seq == o.warmup) measured_from = Clock::now();
    if (waiter.stamped)
      write_stamp(frame.data() + payload_at, static_cast<std::uint32_t>(index), seq);
    waiter.want_seq = seq;
    waiter.got = false;
    Clock::time_point sent = Clock::now();
    Clock::time_point deadline = sent + s.patience();
    if (!send_request(c, frame, payload_at, o.split_writes, waiter, deadline)) break;
    while (!waiter.got && c.pump(waiter, 20)) {
      if (Clock::now() > deadline) {
        out.error = "no reply to request " + std::to_string(seq) + " within " +
                    seconds_text(o.timeout_seconds);
        break;
      }
    }
    if (!waiter.got) break;
    if (seq >= o.warmup) record_round_trip(s, out, sent, done);
  }
  out.rate = {done, seconds_between(measured_from, Clock::now())};
  out.unexpected = waiter.unexpected;
  if (out.error.empty()) out.error = c.error();
}

// Idle connections between the two ends' (see BenchOptions::spacers); held until the run ends.
std::string open_spacers(Shared& s, std::vector<std::unique_ptr<Connection>>& out) {
  for (int i = 0; i < s.options.spacers; ++i) {
    auto c = std::make_unique<Connection>(64 * 1024);
    std::string error = c->open(s.options.server, s.tls, "nats-bench-spacer-" + std::to_string(i),
                                Clock::now() + s.patience());
    if (!error.empty()) return "spacer " + std::to_string(i) + ": " + error;
    out.push_back(std::move(c));
  }
  return {};
}

// --single-thread: the responder connects first, then the spacers, then the requester; each
// round trip writes the request, waits on the responder's socket for it, writes the reply and
// waits on the requester's socket for that.
void run_single_thread(Shared& s, Outcome& requester, Outcome& responder) {
  const BenchOptions& o = s.options;
  Connection rc(std::max<std::size_t>(1 << 20, 4 * (o.size + 256)));
  Connection qc(std::max<std::size_t>(64 * 1024, 4 * (o.size + 256)));
  Echo echo(rc, o.split_writes);
  ReplyWaiter waiter{o.size, o.size >= kStampBytes};
  std::vector<std::unique_ptr<Connection>> spacers;
  const std::string inbox = "_INBOX.nats-bench." + std::to_string(::getpid()) + ".0";
  std::string error =
      rc.open(o.server, s.tls, "nats-bench-responder-0", Clock::now() + s.patience());
  if (error.empty()) {
    rc.queue("SUB " + o.subject + " " + (o.queue.empty() ? kDefaultResponderGroup : o.queue) +
             " 1\r\n");
    if (!rc.flush(echo, Clock::now() + s.patience())) error = "responder: " + rc.error();
  } else {
    error = "responder: " + error;
  }
  if (error.empty()) error = open_spacers(s, spacers);
  if (error.empty()) {
    error = qc.open(o.server, s.tls, "nats-bench-requester-0", Clock::now() + s.patience());
    if (error.empty()) {
      qc.queue("SUB " + inbox + " 1\r\n");
      if (!qc.flush(waiter, Clock::now() + s.patience())) error = qc.error();
    }
    if (!error.empty()) error = "requester: " + error;
  }
  if (!error.empty()) {
    requester.error = error;
    requester.connect_failed = true;
  }
  s.responders_ready.count_down();
  s.requesters_ready.count_down();
  if (!error.empty()) return;
  std::string frame = "PUB " + o.subject + " " + inbox + " " + std::to_string(o.size) + "\r\n";
  const std::size_t payload_at = frame.size();
  frame.append(o.size, 'r');
  frame += "\r\n";
  const std::uint64_t total = o.warmup + o.msgs;
  requester.latencies_ns.reserve(o.msgs);
  s.go.wait();
  std::uint64_t done = 0;
  Clock::time_point measured_from = Clock::now();
  auto timed_out = [&](const char* what, std::uint64_t seq) {
    requester.error = std::string("no ") + what + " for request " + std::to_string(seq) +
                      " within " + seconds_text(o.timeout_seconds);
  };
  for (std::uint64_t seq = 0; seq < total && !s.stop.load(std::memory_order_relaxed); ++seq) {
    if (seq == o.warmup) measured_from = Clock::now();
    if (waiter.stamped) write_stamp(frame.data() + payload_at, 0, seq);
    waiter.want_seq = seq;
    waiter.got = false;
    const Clock::time_point sent = Clock::now();
    const Clock::time_point deadline = sent + s.patience();
    if (!send_request(qc, frame, payload_at, o.split_writes, waiter, deadline)) break;
    const std::uint64_t handled = echo.handled;
    while (echo.handled == handled && rc.pump(echo, 20)) {
      if (Clock::now() > deadline) break;
    }
    if (echo.handled == handled) {
      if (rc.error().empty()) timed_out("delivery to the responder", seq);
      break;
    }
    // The reply: queued in one piece by the echo, or kept for two writes.
    if (rc.has_queued() && !rc.pump(echo, 0)) break;
    if (!echo.split_replies.empty() && !echo.send_split_replies(deadline)) break;
    while (!waiter.got && qc.pump(waiter, 20)) {
      if (Clock::now() > deadline) break;
    }
    if (!waiter.got) {
      if (qc.error().empty() && rc.error().empty()) timed_out("reply", seq);
      break;
    }
    if (seq >= o.warmup) record_round_trip(s, requester, sent, done);
  }
  requester.rate = {done, seconds_between(measured_from, Clock::now())};
  requester.unexpected = waiter.unexpected;
  if (requester.error.empty()) requester.error = qc.error();
  responder.handled = echo.handled;
  responder.rate = {echo.handled, seconds_between(s.start, Clock::now())};
  responder.error = rc.error();
}

LatencySummary summarize(std::vector<std::uint32_t>& ns) {
  LatencySummary l;
  l.count = ns.size();
  if (ns.empty()) return l;
  std::sort(ns.begin(), ns.end());
  // Nearest-rank percentile: the smallest value with at least q of the samples at or below.
  auto at = [&](double q) {
    std::size_t rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(ns.size())));
    return ns[std::clamp<std::size_t>(rank, 1, ns.size()) - 1] / 1e3;
  };
  l.p50_us = at(0.50);
  l.p90_us = at(0.90);
  l.p99_us = at(0.99);
  l.p999_us = at(0.999);
  l.max_us = ns.back() / 1e3;
  double sum = 0;
  for (auto v : ns) sum += v;
  l.mean_us = sum / static_cast<double>(ns.size()) / 1e3;
  return l;
}

}  // namespace

BenchResult run_request_reply(const BenchOptions& o, const TlsClientContext* tls, bool progress) {
  BenchResult result;
  result.options = o;
  Shared s{o, tls, std::latch(o.subs), std::latch(o.pubs)};
  std::vector<Outcome> responders(o.subs), requesters(o.pubs);
  std::vector<std::thread> threads;
  std::vector<std::unique_ptr<Connection>> spacers;
  if (o.single_thread) {
    threads.emplace_back(run_single_thread, std::ref(s), std::ref(requesters[0]),
                         std::ref(responders[0]));
  } else {
    for (int i = 0; i < o.subs; ++i)
      threads.emplace_back(run_responder, std::ref(s), i, std::ref(responders[i]));
  }
  s.responders_ready.wait();
  if (std::string error = o.single_thread ? std::string() : open_spacers(s, spacers);
      !error.empty()) {
    result.problems.push_back(error);
    result.connect_failed = true;
    s.stop.store(true);
    s.go.count_down();
    for (auto& t : threads) t.join();
    return result;
  }
  for (int i = 0; i < (o.single_thread ? 0 : o.pubs); ++i) {
    std::uint64_t share =
        o.msgs / o.pubs + (static_cast<std::uint64_t>(i) < o.msgs % o.pubs ? 1 : 0);
    threads.emplace_back(run_requester, std::ref(s), i, share, std::ref(requesters[i]));
  }
  s.requesters_ready.wait();
  auto failed = [](const Outcome& x) { return x.connect_failed; };
  bool connected = std::none_of(responders.begin(), responders.end(), failed) &&
                   std::none_of(requesters.begin(), requesters.end(), failed);
  double cpu_before = process_cpu_seconds();
  {
    ProgressLine line(progress && connected, [&] {
      return "requests " + std::to_string(s.completed.load()) + "/" + std::to_string(o.msgs);
    });
    if (!connected) s.stop.store(true);
    s.start = Clock::now();
    s.go.count_down();
    if (o.single_thread) {
      threads[0].join();
    } else {
      for (int i = o.subs; i < o.subs + o.pubs; ++i) threads[i].join();
      s.stop.store(true);
      for (int i = 0; i < o.subs; ++i) threads[i].join();
    }
  }
  result.client_cpu_seconds = process_cpu_seconds() - cpu_before;
  result.connect_failed = !connected;

  std::vector<std::uint32_t> all;
  std::uint64_t handled = 0, unexpected = 0;
  for (std::size_t i = 0; i < requesters.size(); ++i) {
    result.publishers.push_back(requesters[i].rate);
    result.published += requesters[i].rate.msgs;
    all.insert(all.end(), requesters[i].latencies_ns.begin(), requesters[i].latencies_ns.end());
    unexpected += requesters[i].unexpected;
    if (!requesters[i].error.empty())
      result.problems.push_back("requester " + std::to_string(i) + ": " + requesters[i].error);
  }
  for (std::size_t i = 0; i < responders.size(); ++i) {
    result.subscribers.push_back(responders[i].rate);
    handled += responders[i].handled;
    if (!responders[i].error.empty())
      result.problems.push_back("responder " + std::to_string(i) + ": " + responders[i].error);
  }
  result.expected = o.msgs;
  result.delivered = all.size();
  result.order_checked = o.size >= kStampBytes;
  if (result.delivered < o.msgs)
    result.problems.push_back(std::to_string(o.msgs - result.delivered) + " replies missing");
  // Every request reaches exactly one responder of the group, warm-up included.
  const std::uint64_t sent = o.warmup * static_cast<std::uint64_t>(o.pubs) + result.delivered;
  if (result.connect_failed == false && handled != sent && result.problems.empty())
    result.problems.push_back("responders handled " + std::to_string(handled) + " requests, " +
                              std::to_string(sent) + " were answered");
  if (unexpected > 0)
    result.problems.push_back(std::to_string(unexpected) + " replies that matched no request");
  result.latency = summarize(all);
  for (const auto& r : result.publishers) result.seconds = std::max(result.seconds, r.seconds);
  return result;
}

}  // namespace nats_bench
