// What every kind of connection (a client now, a cluster route next) shares: the transport and
// its TLS handshake, the read loop and its budget, back-pressure on a publisher whose deliveries
// leave a subscriber behind, the flush of the outbound buffer, pings and stale detection, the
// write deadline and close. A kind adds its protocol through the hooks below.
//
// Threading: everything runs on the owning worker's loop thread, except what goes through
// outbound() (see outbound.hpp), flush_from_other_worker() and describe().
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "net/event_loop.hpp"
#include "net/transport.hpp"
#include "server/close_reason.hpp"
#include "server/conn_info.hpp"
#include "server/connection_context.hpp"
#include "server/outbound.hpp"
#include "subjects/subscriber.hpp"
#include "subjects/subscription.hpp"

namespace gnatsd::net {
class TlsTransport;
}

namespace gnatsd::server {

// Debug builds check that owner-thread-only methods run on their connection's loop thread.
#ifndef NDEBUG
#define GNATSD_ASSERT_OWNER_THREAD() assert_owner_thread()
#else
#define GNATSD_ASSERT_OWNER_THREAD() static_cast<void>(0)
#endif

// What a publisher hands every subscriber: views into the publisher's read buffer.
struct OutboundMessage {
  std::string_view subject;
  std::string_view reply;
  std::string_view payload;    // headers then data
  std::size_t header_len = 0;  // 0: no headers
  // When the publisher's bytes were read: the subscriber's last activity, as nats-server counts.
  std::chrono::steady_clock::time_point read_at{};
};

// What queuing one delivery for a subscriber told the publisher.
struct DeliveryOutcome {
  bool delivered = false;    // the message was queued for this subscriber
  bool needs_flush = false;  // nobody has scheduled a flush yet: the caller must
  bool backlogged = false;   // the subscriber is far behind: the publisher should pause
  bool heavy = false;        // over half of max_pending queued: flush before reading more
};

class Connection : public net::IoHandler,
                   public subjects::Subscriber,
                   public std::enable_shared_from_this<Connection> {
 public:
  using Clock = std::chrono::steady_clock;

  Connection(subjects::SubscriberKind kind, const ServerContext& server, ConnectionOwner& worker,
             std::unique_ptr<net::Transport> transport, std::uint64_t cid, std::string ip,
             int port);
  virtual ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Loop thread.
  // Called once by the worker that adopted the connection: greets the peer, starts reading.
  virtual void start() = 0;
  void on_io(std::uint32_t events) override;
  void flush();
  void close(CloseReason reason);
  void tick(Clock::time_point now);
  bool closed() const noexcept { return closed_; }

  // Any thread.
  std::uint64_t cid() const noexcept { return cid_; }
  ConnectionOwner& worker() noexcept { return worker_; }
  Outbound& outbound() noexcept { return outbound_; }
  TlsSummary tls_summary() { return outbound_.lock()->tls; }
  std::string describe() const;  // the log prefix
  // Another worker's thread, for a connection it delivered to: writes a small backlog straight
  // to the socket when nobody else is writing. False: the owner must flush (nothing was lost;
  // what was not written stays queued).
  bool flush_from_other_worker();

 protected:
  // A kind's protocol. process_input parses in_buffered() and consumes what it handled; false
  // when reading must stop (closed, or input is held).
  virtual bool process_input() = 0;
  // At close, before the buffers go: what the kind keeps (monitoring) and the interest it drops.
  virtual void on_closing(CloseReason reason) = 0;
  // After the socket is gone.
  virtual void on_closed() {}
  // At a flush, when deliveries handed over finished subscriptions (Outbound::expire).
  virtual void on_expired(std::vector<subjects::SubscriptionPtr>& subs) { subs.clear(); }
  // "client" or "route", for log lines that name the kind.
  virtual std::string_view kind_name() const noexcept = 0;
  // How long the TLS handshake may take (the kind's own tls {} block).
  virtual std::chrono::milliseconds tls_timeout() const { return server_.options().tls.timeout; }

  // Starts reading; then start_tls() for a TLS transport (after the kind queued its greeting).
  void start_io();
  void start_tls();
  void set_label(std::string label);
  // The next ping check happens `after` from now (routes ping about a second after they form).
  void set_next_ping(Clock::duration after) { next_ping_ = Clock::now() + after; }

  // Input buffer access for process_input().
  std::string_view in_buffered() const noexcept { return {in_buf_.data(), in_len_}; }
  // Drops the first `consumed` bytes; makes room for a frame of `pending_frame_size` bytes.
  void consume_input(std::size_t consumed, std::size_t pending_frame_size);

  // Output, loop thread: queue protocol text (INFO, PONG, +OK, -ERR) and make sure it flushes.
  void enqueue(std::string_view text);
  void send_error(std::string_view text);
  void close_now_for_error(CloseReason reason, std::string_view err_text);

  // Loop thread: the epoll interest follows input_held_, paused reading and pending writes.
  void update_interest();
  // Comes back on the next loop turn for input the transport already took off the socket
  // (decrypted TLS records, the rest of a WebSocket read).
  void read_buffered_input();
  std::size_t in_buffered_size() const noexcept { return in_len_; }

  // Fans one message out to the subscribers of its subject (fan_out.cpp), counts the
  // deliveries and notes the back-pressure they cause; the number delivered.
  std::uint64_t fan_out(const OutboundMessage& msg, bool echo);
  // The same for a message a route brought: local subscribers only (one hop), and of the queue
  // groups only those the sender picked this server for (`queues`, blank-separated).
  std::uint64_t fan_out_routed(const OutboundMessage& msg, std::string_view queues);

  // "<<- [OP args]" at trace level, as nats-server traces what a peer sent.
  void trace_in(std::string_view op, std::string_view args) const;

  // Aborts (debug builds) when called off the owning worker's loop thread.
  void assert_owner_thread() const;

  template <class Kind>
  std::shared_ptr<Kind> self() {
    return std::static_pointer_cast<Kind>(shared_from_this());
  }
  template <class Kind>
  std::weak_ptr<Kind> weak_self() {
    return self<Kind>();
  }

  const ServerContext& server_;
  ConnectionOwner& worker_;
  // The owner's, taken once: the per-message path makes no virtual call to reach them.
  TrafficStats& stats_;
  subjects::MatchCache& match_cache_;
  subjects::QueueRandom& queue_random_;
  std::unique_ptr<net::Transport> transport_;
  net::TlsTransport* const tls_;             // transport_ when it is TLS, else null (not owning)
  const bool transport_writable_elsewhere_;  // flush_from_other_worker may write it
  const std::uint64_t cid_;
  const std::string ip_;
  const int port_;
  Outbound outbound_;

  // Loop thread state a kind reads.
  bool closed_ = false;
  Clock::time_point start_time_;
  // start_time_ on the wall clock, read right after it: monitoring derives every other instant
  // from the pair, so a gap between the two reads would shift them all (and reorder
  // connections whose activity is that close).
  WallClock::time_point start_wall_;
  Clock::time_point last_read_;    // any bytes from the peer: proves it alive (pings)
  Clock::time_point rtt_start_{};  // when the INFO or our latest PING went out
  std::chrono::nanoseconds rtt_{0};
  int pings_out_ = 0;
  std::uint64_t in_msgs_ = 0, in_bytes_ = 0;
  // While set, nothing is read (a CONNECT's credentials are being verified); update_interest()
  // after changing it.
  bool input_held_ = false;

 private:
  void handle_readable();
  void set_write_interest(bool on);
  void pause_reading();
  void resume_reading();
  // Pause timer: stay paused while the subscriber that caused the pause is still over half of
  // max_pending and still taking bytes, within a bounded total pause.
  void pause_elapsed();
  bool still_backlogged();
  void note_delivery_pressure(const std::shared_ptr<subjects::Subscriber>& target, bool backlogged,
                              bool heavy);

  // TLS (connection_tls.cpp); only called when tls_ is set.
  void begin_tls_handshake();
  std::string_view route_label() const;
  void tls_handshake_expired();
  void on_tls_read_error();
  void on_tls_established();  // checks; does nothing until the handshake is done
  // After a read batch: resume output held back by the handshake, and come back for input
  // OpenSSL holds when the batch stopped before draining it.
  void after_tls_read(bool drained);
  void wait_writable_to_read();

  bool write_interest_ = false;
  bool reading_paused_ = false;
  // TLS crosses directions: a read may have to send first, a write may wait for a handshake.
  bool read_waits_writable_ = false;
  bool flush_waits_readable_ = false;
  bool tls_handshake_pending_ = false;
  bool reread_scheduled_ = false;
  Clock::time_point paused_since_{};
  std::weak_ptr<Connection> backlogged_target_;  // the subscriber this publisher waits for
  bool feeding_backlogged_ = false;  // this batch delivered to a subscriber that is far behind
  bool feeding_heavy_ = false;       // this batch left a subscriber over half of max_pending
  std::vector<char> in_buf_;
  std::size_t in_len_ = 0;
  Clock::time_point next_ping_;
  Clock::time_point write_blocked_since_{};
  std::vector<subjects::SubscriptionPtr> expired_;  // scratch for on_expired
  // Scratch of fan_out: the routes one message goes to, each with the queue groups it was
  // picked for. Kept between messages so that forwarding allocates nothing once warm.
  struct RouteTarget {
    Connection* route = nullptr;
    std::vector<std::string_view> queues;
  };
  std::vector<RouteTarget> route_targets_;
  std::size_t route_target_count_ = 0;
  RouteTarget& route_target(Connection* route);
  std::uint64_t forward_to_routes(const OutboundMessage& msg);
  bool offer_local(const subjects::SubscriptionPtr& sub, const OutboundMessage& msg, bool echo);
  bool offer_to_one_of(std::span<const subjects::SubscriptionPtr> members, std::size_t first,
                       const OutboundMessage& msg, bool echo);
  void count_deliveries(std::uint64_t delivered, const OutboundMessage& msg);

  // The log prefix; read by other workers' deliveries when tracing.
  mutable std::mutex label_mutex_;
  std::string label_;  // guarded by label_mutex_
};

}  // namespace gnatsd::server
