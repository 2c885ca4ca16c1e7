// The connection's I/O: read batches, back-pressure pauses, flushing, pings and close.
#include "server/connection.hpp"

#include <sys/epoll.h>

#include <cassert>
#include <cstring>

#include "config/duration.hpp"
#include "log/logger.hpp"
#include "net/tls_transport.hpp"
#include "protocol/constants.hpp"
#include "protocol/encoder.hpp"
#include "server/back_pressure.hpp"

namespace gnatsd::server {
namespace {

// Read buffer sizing: start small (most connections are idle), double while reads fill it,
// up to this size; only a single frame bigger than this grows it further, and only for as
// long as that frame is buffered.
constexpr std::size_t kInitialReadBuffer = 512;  // as nats-server: most connections idle
constexpr std::size_t kMaxSteadyReadBuffer = 64 * 1024;
// Reads per readiness event before other connections get their turn.
constexpr int kReadRounds = 4;
// Another worker writes a delivery straight to this connection's socket (rather than waking its
// owner) when no more than this is queued: a request or reply, a trickle of messages. Bigger
// backlogs are a stream, written by the owner so that the publisher's thread goes on reading.
constexpr std::size_t kDirectWriteMax = 32 * 1024;

}  // namespace

Connection::Connection(subjects::SubscriberKind kind, const ServerContext& server,
                       ConnectionOwner& worker, std::unique_ptr<net::Transport> transport,
                       std::uint64_t cid, std::string ip, int port)
    : subjects::Subscriber(kind),
      server_(server),
      worker_(worker),
      stats_(worker.stats()),
      match_cache_(worker.match_cache()),
      queue_random_(worker.queue_random()),
      transport_(std::move(transport)),
      tls_(dynamic_cast<net::TlsTransport*>(transport_.get())),
      transport_writable_elsewhere_(transport_->writable_from_other_threads()),
      cid_(cid),
      ip_(std::move(ip)),
      port_(port) {}

Connection::~Connection() = default;

std::string Connection::describe() const {
  std::lock_guard lock(label_mutex_);
  return label_;
}

void Connection::assert_owner_thread() const {
  assert(worker_.on_loop_thread() && "owner-thread-only connection method called off its loop");
}

void Connection::trace_in(std::string_view op, std::string_view args) const {
  if (!log::trace_enabled()) return;
  if (args.empty()) {
    log::trace("{} - <<- [{}]", describe(), op);
  } else {
    log::trace("{} - <<- [{} {}]", describe(), op, args);
  }
}

void Connection::set_label(std::string label) {
  std::lock_guard lock(label_mutex_);
  label_ = std::move(label);
}

void Connection::start_io() {
  GNATSD_ASSERT_OWNER_THREAD();
  start_time_ = last_read_ = rtt_start_ = Clock::now();
  start_wall_ = WallClock::now();
  next_ping_ = start_time_ + server_.options().ping_interval;
  in_buf_.resize(kInitialReadBuffer);
  worker_.loop().add(transport_->fd(), EPOLLIN | EPOLLRDHUP, this);
}

void Connection::start_tls() {
  if (tls_) begin_tls_handshake();
}

void Connection::on_io(std::uint32_t events) {
  GNATSD_ASSERT_OWNER_THREAD();
  if (closed_) return;
  if ((events & EPOLLERR) && !(events & EPOLLIN)) {
    close(CloseReason::ReadError);
    return;
  }
  if (events & EPOLLOUT) flush();
  if (closed_) return;
  // A TLS read that had to send first (read_waits_writable_) resumes on writability.
  if (!(events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP | EPOLLERR)) &&
      !(read_waits_writable_ && (events & EPOLLOUT))) {
    return;
  }
  if (input_held_) {
    // Input waits (a CONNECT's verdict); only a dead socket (always reported) ends it early.
    if (events & (EPOLLHUP | EPOLLERR)) close(CloseReason::ClientClosed);
    return;
  }
  handle_readable();
}

void Connection::handle_readable() {
  if (read_waits_writable_) {
    read_waits_writable_ = false;
    update_interest();
  }
  bool drained = false;  // the transport has nothing more for now
  for (int round = 0; round < kReadRounds && !closed_; ++round) {
    if (in_len_ == in_buf_.size()) in_buf_.resize(in_buf_.size() * 2);
    std::size_t space = in_buf_.size() - in_len_;
    auto io = transport_->read(in_buf_.data() + in_len_, space);
    if (io.status != net::IoStatus::Ok) {
      if (io.status == net::IoStatus::WouldBlock) {
        if (io.other_direction) wait_writable_to_read();
        drained = true;
        break;
      }
      if (io.status == net::IoStatus::Closed) {
        // The peer may only have half-closed: it still reads what it asked for (PONG, MSG).
        flush();
        close(CloseReason::ClientClosed);
        return;
      }
      if (tls_) {
        on_tls_read_error();
      } else {
        // A WebSocket protocol error says what it was, as nats-server logs it.
        if (auto why = transport_->read_error(); !why.empty())
          log::error("{} - read error: {}", describe(), why);
        close(CloseReason::ReadError);
      }
      return;
    }
    // The read that completes a TLS handshake may carry the first frames: say so before them.
    if (tls_handshake_pending_) on_tls_established();
    last_read_ = Clock::now();
    in_len_ += io.bytes;
    const std::size_t buffer_size = in_buf_.size();
    if (!process_input()) {
      if (closed_) return;
      break;  // input is held (a CONNECT is being verified): the rest waits
    }
    const bool filled = io.bytes == space || io.filled;
    if (in_buf_.size() == buffer_size && filled && in_buf_.size() < kMaxSteadyReadBuffer) {
      in_buf_.resize(in_buf_.size() * 2);  // reads fill the buffer: the peer is busy
    }
    if (feeding_backlogged_) {
      feeding_backlogged_ = false;
      feeding_heavy_ = false;
      pause_reading();
      break;
    }
    // A subscriber is filling up: let this batch's flush run before reading more, so that one
    // call never queues several read buffers' worth for it (reads are level-triggered).
    if (feeding_heavy_) {
      feeding_heavy_ = false;
      break;
    }
    if (!filled) {
      drained = true;
      break;
    }
  }
  // A large frame has been consumed: give its buffer back.
  if (in_buf_.size() > kMaxSteadyReadBuffer && in_len_ <= kMaxSteadyReadBuffer) {
    in_buf_.resize(kMaxSteadyReadBuffer);
    in_buf_.shrink_to_fit();
  }
  if (closed_) return;
  // Control replies (WebSocket pongs) go out even when no delivery is queued.
  if (transport_->has_pending_output() && outbound_.claim_flush())
    worker_.schedule_flush(shared_from_this());
  if (tls_) {
    after_tls_read(drained);
    return;
  }
  // TLS under WebSocket frames: a write that waited for a read goes on now.
  if (flush_waits_readable_) {
    flush_waits_readable_ = false;
    flush();
  }
  read_buffered_input();
}

void Connection::consume_input(std::size_t consumed, std::size_t pending_frame_size) {
  if (consumed > 0) {
    std::memmove(in_buf_.data(), in_buf_.data() + consumed, in_len_ - consumed);
    in_len_ -= consumed;
  }
  if (pending_frame_size > in_buf_.size()) in_buf_.resize(pending_frame_size);
}

// ---- output ---------------------------------------------------------------------------------

void Connection::enqueue(std::string_view text) {
  GNATSD_ASSERT_OWNER_THREAD();
  if (closed_) return;
  if (log::trace_enabled() && text.size() < 256) {
    auto line = text.substr(0, text.find('\r'));
    log::trace("{} - ->> [{}]", describe(), line);
  }
  if (!outbound_.append(text)) return;
  if (outbound_.claim_flush()) worker_.schedule_flush(shared_from_this());
}

void Connection::send_error(std::string_view text) {
  enqueue(protocol::error_frame(text));
}

void Connection::close_now_for_error(CloseReason reason, std::string_view err_text) {
  send_error(err_text);
  flush();
  close(reason);
}

void Connection::set_write_interest(bool on) {
  if (on == write_interest_ || closed_) return;
  write_interest_ = on;
  update_interest();
}

void Connection::update_interest() {
  GNATSD_ASSERT_OWNER_THREAD();
  // While input is held nothing is read, not even a hang-up (which would otherwise be reported
  // on every turn); errors and full hang-ups are reported regardless.
  std::uint32_t events = 0;
  if (!input_held_) events |= EPOLLRDHUP;
  if (!reading_paused_ && !input_held_) events |= EPOLLIN;
  if (write_interest_ || read_waits_writable_) events |= EPOLLOUT;
  worker_.loop().modify(transport_->fd(), events, this);
}

void Connection::note_delivery_pressure(const std::shared_ptr<subjects::Subscriber>& target,
                                        bool backlogged, bool heavy) {
  if (backlogged) {
    feeding_backlogged_ = true;
    backlogged_target_ = std::static_pointer_cast<Connection>(target);
  }
  feeding_heavy_ |= heavy;
}

void Connection::pause_reading() {
  if (reading_paused_ || closed_) return;
  reading_paused_ = true;
  paused_since_ = Clock::now();
  update_interest();
  worker_.loop().run_after(back_pressure::kPublisherPause, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->pause_elapsed();
  });
}

void Connection::pause_elapsed() {
  if (!reading_paused_ || closed_) return;
  const auto now = Clock::now();
  if (now - paused_since_ < back_pressure::kMaxPublisherPause && still_backlogged()) {
    worker_.loop().run_after(back_pressure::kPublisherPause, [weak = weak_from_this()] {
      if (auto self = weak.lock()) self->pause_elapsed();
    });
    return;
  }
  backlogged_target_.reset();
  resume_reading();
}

bool Connection::still_backlogged() {
  auto target = backlogged_target_.lock();
  if (!target || target.get() == this) return false;
  std::size_t pending = 0;
  {
    auto out = target->outbound_.lock();
    if (out->closed) return false;
    pending = out->pending_bytes;
  }
  return back_pressure::is_heavy(pending,
                                 static_cast<std::size_t>(server_.options().max_pending)) &&
         !target->outbound_.stuck_for(back_pressure::kPausedStuckWindow);
}

void Connection::resume_reading() {
  if (!reading_paused_ || closed_) return;
  reading_paused_ = false;
  update_interest();
  read_buffered_input();
}

void Connection::read_buffered_input() {
  // Input the transport already took off the socket does not make it readable again: when a
  // read batch stopped early (its round limit, a pause, a CONNECT being verified, WebSocket
  // bytes waiting behind an inflated message), come back on the next loop turn once reading
  // may go on.
  if (closed_ || reading_paused_ || input_held_ || reread_scheduled_ ||
      !transport_->has_buffered_input()) {
    return;
  }
  reread_scheduled_ = true;
  worker_.loop().run_after(std::chrono::milliseconds(0), [weak = weak_from_this()] {
    auto self = weak.lock();
    if (!self) return;
    self->reread_scheduled_ = false;
    if (!self->closed_ && !self->reading_paused_ && !self->input_held_) self->handle_readable();
  });
}

void Connection::flush() {
  GNATSD_ASSERT_OWNER_THREAD();
  if (closed_) return;
  // Re-armed before taking the pending bytes: anything queued after this point schedules
  // another flush, so no delivery is ever left unflushed.
  outbound_.flush_started();
  if (outbound_.take_expired(expired_)) {
    on_expired(expired_);
    expired_.clear();
  }
  bool write_failed = false;
  {
    Outbound::Writer writer = outbound_.writer();
    bool progressed = false;
    while (!outbound_.slow_consumer()) {
      if (!writer.refill()) {
        // Nothing queued: what the transport owes of its own (WebSocket control frames, the
        // compressed rest of a flush) still goes.
        if (transport_->has_pending_output()) {
          auto io = transport_->flush_pending();
          if (io.status == net::IoStatus::WouldBlock) {
            set_write_interest(true);
            return;
          }
          if (io.status != net::IoStatus::Ok) {
            write_failed = true;
            break;
          }
        }
        write_blocked_since_ = {};
        set_write_interest(false);
        return;
      }
      const std::string_view bytes = writer.unwritten();
      auto io = transport_->write(bytes.data(), bytes.size());
      if (io.status == net::IoStatus::Ok) {
        if (!progressed) outbound_.clear_blocked();
        progressed = true;
        writer.wrote(io.bytes);
        continue;
      }
      if (io.status == net::IoStatus::WouldBlock) {
        if (io.other_direction) {
          flush_waits_readable_ = true;  // a TLS handshake in progress: see after_tls_read()
          return;
        }
        set_write_interest(true);
        if (progressed || write_blocked_since_ == Clock::time_point{}) {
          write_blocked_since_ = Clock::now();
          outbound_.set_blocked_now();
        }
        return;
      }
      write_failed = true;
      break;
    }
  }
  // Closing takes the writer itself.
  if (write_failed) {
    close(CloseReason::WriteError);
    return;
  }
  stats_.slow_consumers.add(1);
  log::info("{} - Slow Consumer Detected: MaxPending of {} Exceeded", describe(),
            server_.options().max_pending);
  close(CloseReason::SlowConsumerPendingBytes);
}

bool Connection::flush_from_other_worker() {
  // OpenSSL's connection object is not to be used by two threads at once, and this one's owner
  // may be reading through it; WebSocket framing interleaves the owner's control replies.
  if (!transport_writable_elsewhere_) return false;
  Outbound::Writer writer = outbound_.try_writer();
  // Busy (the owner or another worker is writing), or the owner has work only it can do.
  if (!writer || transport_ == nullptr || outbound_.slow_consumer() || outbound_.has_expired())
    return false;
  outbound_.flush_started();  // as in flush(): what is queued from here on schedules again
  switch (writer.take_at_most(kDirectWriteMax)) {
    case Outbound::Writer::Take::Nothing:
      return true;
    case Outbound::Writer::Take::TooBig:
      return false;
    case Outbound::Writer::Take::Taken:
      break;
  }
  while (writer.has_unwritten()) {
    const std::string_view bytes = writer.unwritten();
    auto io = transport_->write(bytes.data(), bytes.size());
    // A full socket or an error is the owner's to handle (write interest, the write deadline,
    // the close); it goes on from what is left.
    if (io.status != net::IoStatus::Ok) return false;
    outbound_.clear_blocked();
    writer.wrote(io.bytes);
  }
  return true;
}

void Connection::tick(Clock::time_point now) {
  GNATSD_ASSERT_OWNER_THREAD();
  if (closed_) return;
  const auto& options = server_.options();
  if (write_blocked_since_ != Clock::time_point{} &&
      now - write_blocked_since_ > options.write_deadline) {
    stats_.slow_consumers.add(1);
    const Outbound::Backlog backlog = outbound_.backlog();
    log::info(
        "{} - Slow Consumer Detected: WriteDeadline of {} exceeded with {} chunks of {} total "
        "bytes.",
        describe(), config::format_go_duration(options.write_deadline), backlog.chunks,
        backlog.bytes);
    close(CloseReason::SlowConsumerWriteDeadline);
    return;
  }
  if (auto writer = outbound_.try_writer()) writer.trim_idle(now);
  if (now < next_ping_) return;
  next_ping_ = now + options.ping_interval;
  // Recent traffic from the peer already proves it is alive, as in nats-server — but only once
  // the round trip is known (its needRTT): a peer that never finishes CONNECT is pinged, and
  // closed as stale, however many bytes it trickles in.
  const bool need_rtt = rtt_ == std::chrono::nanoseconds::zero() ||
                        now - rtt_start_ > protocol::kRttMeasurementInterval;
  if (!need_rtt && now - last_read_ < options.ping_interval) return;
  if (pings_out_ + 1 > options.ping_max) {
    log::debug("{} - Stale Client Connection - Closing", describe());
    close_now_for_error(CloseReason::StaleConnection, protocol::err::kStaleConnection);
    return;
  }
  ++pings_out_;
  rtt_start_ = now;
  enqueue(protocol::kPing);
}

void Connection::close(CloseReason reason) {
  GNATSD_ASSERT_OWNER_THREAD();
  if (closed_) return;
  closed_ = true;
  on_closing(reason);
  {
    // Held until the socket is gone: another worker may be about to write to it.
    const Outbound::Writer writer = outbound_.writer();
    outbound_.close(writer);
    std::vector<char>().swap(in_buf_);
    worker_.loop().remove(transport_->fd());
    // Half-close, then discard what the peer already sent: closing a socket with unread input
    // sends a RST, which can destroy an -ERR the peer has not read yet.
    transport_->shutdown_write();
    char sink[16 * 1024];
    for (int i = 0; i < 64; ++i) {
      if (transport_->read(sink, sizeof sink).status != net::IoStatus::Ok) break;
    }
    transport_.reset();  // closes the fd now; other threads may hold this object a while longer
  }
  on_closed();
  worker_.retire(this);
}

}  // namespace gnatsd::server
