// Throughput mode: publishers pipeline stamped PUB frames in large writes, subscribers parse
// MSG frames in place and check every stamp; one thread per client.
#include "throughput.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <latch>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "connection.hpp"
#include "payload.hpp"
#include "run_support.hpp"

namespace nats_bench {
namespace {

// A publisher hands the kernel this much per write (whole frames; at least one frame).
constexpr std::size_t kWriteBlockBytes = 256 * 1024;

struct alignas(64) Counter {
  std::atomic<std::uint64_t> value{0};
};

struct Shared {
  const BenchOptions& options;
  const TlsClientContext* tls;
  bool stamped;  // payloads are big enough to carry a stamp
  bool tagged;   // ... and the run tag
  std::uint64_t run_tag;
  bool queue;            // subscribers share the messages instead of each getting all
  std::uint64_t window;  // messages a publisher may be ahead of a subscriber; 0: no limit
  std::latch subs_ready;
  std::latch pubs_ready;
  std::latch go{1};
  std::atomic<bool> stop{false};
  Clock::time_point start;
  std::atomic<std::uint64_t> published{0};  // frames written, all publishers
  std::unique_ptr<Counter[]> delivered;     // per subscriber, updated once per read batch

  Shared(const BenchOptions& o, const TlsClientContext* tls_context, std::uint64_t window_msgs)
      : options(o),
        tls(tls_context),
        stamped(o.size >= kStampBytes),
        tagged(o.size >= kRunTagEnd),
        run_tag(std::random_device{}() * 0x9e3779b97f4a7c15ull ^
                static_cast<std::uint64_t>(Clock::now().time_since_epoch().count())),
        queue(!o.queue.empty()),
        window(window_msgs),
        subs_ready(o.subs),
        pubs_ready(o.pubs),
        delivered(std::make_unique<Counter[]>(static_cast<std::size_t>(std::max(o.subs, 1)))) {}

  std::chrono::nanoseconds patience() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(options.timeout_seconds));
  }

  // How far the publishers are ahead of the slowest subscriber (of the group, for a queue).
  std::uint64_t lag() const {
    std::uint64_t sent = published.load(std::memory_order_relaxed);
    std::uint64_t got = queue ? 0 : UINT64_MAX;
    for (int i = 0; i < options.subs; ++i) {
      std::uint64_t d = delivered[i].value.load(std::memory_order_relaxed);
      got = queue ? got + d : std::min(got, d);
    }
    return sent > got ? sent - got : 0;
  }
};

struct ClientOutcome {
  ClientRate rate;
  std::string error;
  bool connect_failed = false;
  // Subscriber checks.
  std::uint64_t wrong_size = 0, foreign = 0, gaps = 0, backwards = 0, extra_after_flush = 0;
};

// Counts and checks each delivery against the stamp its publisher wrote.
struct Verifier {
  std::size_t size;
  bool stamped;
  bool tagged;
  std::uint64_t run_tag;
  bool queue;
  std::vector<std::uint64_t> next_seq;  // per publisher
  std::uint64_t count = 0;
  ClientOutcome& out;

  // Only this run's messages of the right size count as deliveries; anything else is
  // tallied as a problem.
  void on_msg(const MsgFrame& m) {
    if (m.payload.size() != size) {
      ++out.wrong_size;
      return;
    }
    if (!stamped) {
      ++count;
      return;
    }
    Stamp s = read_stamp(m.payload);
    if (s.publisher >= next_seq.size() || (tagged && !has_run_tag(m.payload, run_tag))) {
      ++out.foreign;
      return;
    }
    ++count;
    std::uint64_t& next = next_seq[s.publisher];
    if (s.seq < next) {
      ++out.backwards;  // duplicate or reordered
      return;
    }
    // In a queue group the other members get the messages in between.
    if (s.seq > next && !queue) ++out.gaps;
    next = s.seq + 1;
  }
};

void run_subscriber(Shared& s, int index, ClientOutcome& out) {
  const BenchOptions& o = s.options;
  Connection c(std::max<std::size_t>(1 << 20, 4 * (o.size + 256)));
  Verifier v{o.size,    s.stamped, s.tagged,
             s.run_tag, s.queue,   std::vector<std::uint64_t>(std::max(o.pubs, 1)),
             0,         out};
  std::string error =
      c.open(o.sub_server.value_or(o.server), s.tls, "nats-bench-sub-" + std::to_string(index),
             Clock::now() + s.patience());
  if (error.empty()) {
    c.queue("SUB " + o.subject + (s.queue ? " " + o.queue : "") + " 1\r\n");
    if (!c.flush(v, Clock::now() + s.patience())) error = c.error();
  }
  // The outcome is written before the latch opens: the main thread reads it right after.
  if (!error.empty()) {
    out.error = error;
    out.connect_failed = true;
  }
  s.subs_ready.count_down();
  if (!error.empty()) return;
  s.go.wait();
  const std::uint64_t expected = s.queue ? UINT64_MAX : o.msgs;
  std::uint64_t seen = 0;
  Clock::time_point last = s.start;
  while (v.count < expected && !s.stop.load(std::memory_order_relaxed)) {
    if (!c.pump(v, 20)) break;
    if (v.count != seen) {
      seen = v.count;
      last = Clock::now();
      s.delivered[index].value.store(seen, std::memory_order_relaxed);
    }
  }
  out.rate = {v.count, seconds_between(s.start, last)};
  if (!c.error().empty()) {
    out.error = c.error();
    return;
  }
  // Whatever arrives before the PONG of a final round trip was sent before it: catches
  // duplicates beyond the expected count.
  std::uint64_t before = v.count;
  if (c.flush(v, Clock::now() + s.patience()))
    out.extra_after_flush = s.queue ? 0 : v.count - before;
  if (s.queue) out.rate.msgs = v.count;
  s.delivered[index].value.store(v.count, std::memory_order_relaxed);
}

void run_publisher(Shared& s, int index, std::uint64_t count, ClientOutcome& out) {
  const BenchOptions& o = s.options;
  Connection c(64 * 1024);
  IgnoreMessages none;
  std::string error = c.open(o.server, s.tls, "nats-bench-pub-" + std::to_string(index),
                             Clock::now() + s.patience());
  // The outcome is written before the latch opens: the main thread reads it right after.
  if (!error.empty()) {
    out.error = error;
    out.connect_failed = true;
  }
  s.pubs_ready.count_down();
  if (!error.empty()) return;
  // One block of identical frames, built once; only the stamps change between writes.
  std::string header = "PUB " + o.subject + " " + std::to_string(o.size) + "\r\n";
  const std::size_t frame = header.size() + o.size + 2;
  // Paced (--rate): a millisecond's worth per write.
  const std::uint64_t block_cap =
      o.rate > 0 ? std::max<std::uint64_t>(1, o.rate / 1000) : kWriteBlockBytes / frame;
  const std::size_t per_block =
      static_cast<std::size_t>(std::clamp<std::uint64_t>(block_cap, 1, count ? count : 1));
  std::vector<char> block(per_block * frame);
  for (std::size_t k = 0; k < per_block; ++k) {
    char* f = block.data() + k * frame;
    std::copy(header.begin(), header.end(), f);
    std::fill(f + header.size(), f + header.size() + o.size, 'n');
    if (s.tagged) write_run_tag(f + header.size(), s.run_tag);
    f[frame - 2] = '\r';
    f[frame - 1] = '\n';
  }
  s.go.wait();
  std::uint64_t seq = 0;
  while (seq < count && !s.stop.load(std::memory_order_relaxed)) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(per_block, count - seq));
    if (s.stamped)
      for (std::size_t k = 0; k < n; ++k)
        write_stamp(block.data() + k * frame + header.size(), static_cast<std::uint32_t>(index),
                    seq + k);
    // End-to-end flow control: never run further ahead of a subscriber than the window, so
    // a fast publisher cannot push a subscriber past the server's max_pending.
    if (s.window > 0) {
      Clock::time_point progress_at = Clock::now();
      std::uint64_t lag = s.lag();
      while (lag + n > s.window && !s.stop.load(std::memory_order_relaxed)) {
        if (!c.pump(none, 1)) break;  // sleeps up to 1 ms, answering the server meanwhile
        std::uint64_t now_lag = s.lag();
        if (now_lag < lag) {
          progress_at = Clock::now();
        } else if (Clock::now() - progress_at > s.patience()) {
          out.error = "subscribers made no progress for " + seconds_text(o.timeout_seconds);
          s.stop.store(true);
          break;
        }
        lag = now_lag;
      }
      if (!out.error.empty()) break;
    }
    if (o.rate > 0) {
      // Message `seq` is due seq/rate seconds after the start; wait for it answering the server.
      const auto due = s.start + std::chrono::nanoseconds(seq * 1'000'000'000ULL / o.rate);
      while (Clock::now() < due && !s.stop.load(std::memory_order_relaxed)) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(due - Clock::now());
        if (!c.pump(none, static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, 1)))) break;
      }
    }
    if (!c.write_all(block.data(), n * frame, none, Clock::now() + s.patience())) break;
    seq += n;
    s.published.fetch_add(n, std::memory_order_relaxed);
  }
  // The PONG says the server has processed every PUB before it.
  if (c.error().empty() && out.error.empty()) c.flush(none, Clock::now() + s.patience());
  out.rate = {seq, seconds_between(s.start, Clock::now())};
  if (out.error.empty()) out.error = c.error();
  if (none.unexpected > 0 && out.error.empty())
    out.error = "publisher received " + std::to_string(none.unexpected) + " messages";
}

// Counts the probe messages that reached the subscribers' server.
struct ProbeArrivals {
  std::uint64_t count = 0;
  void on_msg(const MsgFrame&) { ++count; }
};

// With --sub-server, interest reaches the publishers' server asynchronously, over a route. A
// probe subscription made after every subscriber's (each confirmed by its PONG) is announced
// after theirs, so once a probe published on the publishers' server arrives, their interest is
// known there too. Returns "" or why the cluster never carried it.
std::string await_route_interest(const Shared& s) {
  const BenchOptions& o = s.options;
  Connection receiver(64 * 1024), sender(64 * 1024);
  ProbeArrivals arrivals;
  IgnoreMessages none;
  const auto deadline = Clock::now() + s.patience();
  std::string error = receiver.open(*o.sub_server, s.tls, "nats-bench-probe-sub", deadline);
  if (error.empty()) error = sender.open(o.server, s.tls, "nats-bench-probe-pub", deadline);
  if (!error.empty()) return error;
  const std::string subject = o.subject + ".nats-bench-route-probe";
  receiver.queue("SUB " + subject + " 1\r\n");
  if (!receiver.flush(arrivals, deadline)) return receiver.error();
  while (arrivals.count == 0) {
    if (Clock::now() > deadline)
      return "interest did not cross the route to the publishers' server";
    sender.queue("PUB " + subject + " 0\r\n\r\n");
    if (!sender.flush(none, deadline)) return sender.error();
    receiver.pump(arrivals, 10);
  }
  return {};
}

std::uint64_t total_delivered(const Shared& s) {
  std::uint64_t sum = 0;
  for (int i = 0; i < s.options.subs; ++i)
    sum += s.delivered[i].value.load(std::memory_order_relaxed);
  return sum;
}

}  // namespace

BenchResult run_throughput(const BenchOptions& o, const TlsClientContext* tls, bool progress) {
  BenchResult result;
  result.options = o;
  const std::size_t msg_frame = o.subject.size() + o.size + 24;  // "MSG s 1 n\r\n...\r\n"
  std::uint64_t window =
      o.subs > 0 && o.window_bytes > 0 ? std::max<std::uint64_t>(o.window_bytes / msg_frame, 1) : 0;
  if (!o.queue.empty()) window *= static_cast<std::uint64_t>(o.subs);
  Shared s(o, tls, window);
  std::vector<ClientOutcome> pubs(o.pubs), subs(o.subs);
  std::vector<std::thread> threads;
  threads.reserve(o.pubs + o.subs);

  for (int i = 0; i < o.subs; ++i)
    threads.emplace_back(run_subscriber, std::ref(s), i, std::ref(subs[i]));
  s.subs_ready.wait();  // every SUB is registered (its PONG came back) before anyone publishes
  std::string route_error;
  if (o.sub_server && o.subs > 0) route_error = await_route_interest(s);
  for (int i = 0; i < o.pubs; ++i) {
    std::uint64_t share =
        o.msgs / o.pubs + (static_cast<std::uint64_t>(i) < o.msgs % o.pubs ? 1 : 0);
    threads.emplace_back(run_publisher, std::ref(s), i, share, std::ref(pubs[i]));
  }
  s.pubs_ready.wait();
  bool connected =
      route_error.empty() &&
      std::none_of(pubs.begin(), pubs.end(), [](auto& c) { return c.connect_failed; }) &&
      std::none_of(subs.begin(), subs.end(), [](auto& c) { return c.connect_failed; });
  const std::uint64_t expected = s.queue ? o.msgs : o.msgs * static_cast<std::uint64_t>(o.subs);
  double cpu_before = process_cpu_seconds();
  {
    ProgressLine line(progress && connected, [&] {
      return "published " + std::to_string(s.published.load()) + "/" + std::to_string(o.msgs) +
             "  delivered " + std::to_string(total_delivered(s)) + "/" + std::to_string(expected);
    });
    if (!connected) s.stop.store(true);
    s.start = Clock::now();
    s.go.count_down();
    // Publishers finish on their own: their final PONG means the server has every PUB.
    for (int i = o.subs; i < o.subs + o.pubs; ++i) threads[i].join();
    // Then wait for every delivery of what was published, or until deliveries stop coming
    // for the timeout.
    const std::uint64_t published = s.published.load();
    const std::uint64_t due = s.queue ? published : published * static_cast<std::uint64_t>(o.subs);
    std::uint64_t seen = 0;
    Clock::time_point progress_at = Clock::now();
    while (!s.stop.load()) {
      std::uint64_t now_delivered = total_delivered(s);
      if (now_delivered >= due) break;
      if (now_delivered != seen) {
        seen = now_delivered;
        progress_at = Clock::now();
      } else if (Clock::now() - progress_at > s.patience()) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    s.stop.store(true);
    for (int i = 0; i < o.subs; ++i) threads[i].join();
  }
  result.client_cpu_seconds = process_cpu_seconds() - cpu_before;
  result.connect_failed = !connected;
  if (!route_error.empty()) result.problems.push_back(route_error);

  std::uint64_t wrong_size = 0, foreign = 0, gaps = 0, backwards = 0, extra = 0;
  for (std::size_t i = 0; i < pubs.size(); ++i) {
    result.publishers.push_back(pubs[i].rate);
    result.published += pubs[i].rate.msgs;
    if (!pubs[i].error.empty())
      result.problems.push_back("publisher " + std::to_string(i) + ": " + pubs[i].error);
  }
  for (std::size_t i = 0; i < subs.size(); ++i) {
    result.subscribers.push_back(subs[i].rate);
    result.delivered += subs[i].rate.msgs;
    if (!subs[i].error.empty())
      result.problems.push_back("subscriber " + std::to_string(i) + ": " + subs[i].error);
    wrong_size += subs[i].wrong_size;
    foreign += subs[i].foreign;
    gaps += subs[i].gaps;
    backwards += subs[i].backwards;
    extra += subs[i].extra_after_flush;
  }
  result.expected = expected;
  result.delivered += extra;
  result.order_checked = s.stamped;
  auto problem = [&](std::uint64_t n, const std::string& what) {
    if (n > 0) result.problems.push_back(std::to_string(n) + " " + what);
  };
  if (result.published != o.msgs)
    result.problems.push_back("published " + std::to_string(result.published) + " of " +
                              std::to_string(o.msgs) + " messages");
  if (result.delivered < expected) problem(expected - result.delivered, "messages missing");
  if (result.delivered > expected) problem(result.delivered - expected, "messages too many");
  problem(wrong_size, "messages with the wrong payload size");
  problem(foreign, "messages not sent by this run");
  problem(gaps, "gaps in a publisher's sequence (lost or reordered messages)");
  problem(backwards, "duplicated or reordered messages");

  double last = 0;
  for (const auto& p : result.publishers) last = std::max(last, p.seconds);
  if (o.subs > 0) {
    last = 0;
    for (const auto& c : result.subscribers) last = std::max(last, c.seconds);
  }
  result.seconds = last;
  return result;
}

}  // namespace nats_bench
