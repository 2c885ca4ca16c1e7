// Client session: read → parse → route → deliver, and the flush of the outbound buffer.
#include "server/client_session.hpp"

#include <sys/epoll.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "auth/nkey.hpp"
#include "auth/trace_redaction.hpp"
#include "config/duration.hpp"
#include "log/logger.hpp"
#include "net/tls_transport.hpp"
#include "protocol/constants.hpp"
#include "server/connect_options.hpp"
#include "server/server.hpp"
#include "server/worker.hpp"
#include "subjects/subject.hpp"
#include "subjects/subject_index.hpp"

namespace gnatsd::server {
namespace {

// Read buffer sizing: start small (most connections are idle), double while reads fill it,
// up to this size; only a single frame bigger than this grows it further, and only for as
// long as that frame is buffered.
constexpr std::size_t kInitialReadBuffer = 512;  // as nats-server: most connections idle
constexpr std::size_t kMaxSteadyReadBuffer = 64 * 1024;
// Back-pressure: a publisher whose deliveries leave a subscriber more than this fraction of
// max_pending behind stops being read for kPublisherPause, giving the subscriber's worker time
// to drain it — unless that subscriber is stuck: its socket has refused bytes for longer than
// kStuckWindow. A stuck subscriber gets no such courtesy: it reaches max_pending and is cut off,
// and never holds up the publisher. A subscriber whose worker simply has not flushed yet (a busy
// or descheduled thread) is not stuck, and the publisher waits for it.
constexpr std::size_t kBacklogNumerator = 1, kBacklogDenominator = 2;
constexpr std::chrono::milliseconds kPublisherPause{1};
constexpr std::chrono::nanoseconds kStuckWindow = std::chrono::milliseconds(5);
// Once paused, a publisher waits in kPublisherPause steps for as long as its subscriber is still
// backlogged and not stuck for kPausedStuckWindow (wider, so that a subscriber whose reader is
// briefly descheduled is not mistaken for a stuck one), up to kMaxPublisherPause in all.
constexpr std::chrono::nanoseconds kPausedStuckWindow = std::chrono::milliseconds(50);
constexpr std::chrono::milliseconds kMaxPublisherPause{250};

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
// Outbound buffers above this capacity are released once drained, so a burst does not pin
// memory for the life of the connection.
constexpr std::size_t kMaxRetainedOutBuffer = 1024 * 1024;

// Every subscriber in this server's index is a ClientSession until routes arrive.
ClientSession* session_of(const subjects::Subscription& sub) {
  return static_cast<ClientSession*>(sub.subscriber.get());
}

}  // namespace

ClientSession::ClientSession(Server& server, Worker& worker,
                             std::unique_ptr<net::Transport> transport, std::uint64_t cid,
                             std::string ip, int port)
    : subjects::Subscriber(subjects::SubscriberKind::Client),
      server_(server),
      worker_(worker),
      transport_(std::move(transport)),
      tls_(dynamic_cast<net::TlsTransport*>(transport_.get())),
      cid_(cid),
      ip_(std::move(ip)),
      port_(port) {}

ClientSession::~ClientSession() = default;

std::string ClientSession::describe() const {
  std::lock_guard lock(label_mutex_);
  return label_;
}

void ClientSession::start() {
  // The INFO goes out now: the CONNECT that answers it gives the first round-trip estimate.
  start_time_ = last_read_ = last_activity_ = rtt_start_ = Clock::now();
  start_wall_ = WallClock::now();
  next_ping_ = start_time_ + server_.options().ping_interval;
  in_buf_.resize(kInitialReadBuffer);
  {
    std::lock_guard lock(label_mutex_);
    label_ = fmt::format("{}:{} - cid:{}", ip_, port_, cid_);
  }
  authenticator_ = server_.authenticator();
  worker_.loop().add(transport_->fd(), EPOLLIN | EPOLLRDHUP, this);
  log::debug("{} - Client connection created", describe());
  send_info();
  if (tls_) begin_tls_handshake();
  if (authenticator_->required()) arm_auth_timer();
  if (server_.num_clients() > server_.options().max_connections) {
    log::error("{} - {}", describe(), "Maximum Connections Exceeded");
    close_now_for_error(CloseReason::MaxConnectionsExceeded, protocol::err::kMaxConnections);
  }
}

void ClientSession::send_info() {
  // Only the first INFO has the nonce, as in nats-server (a lame-duck INFO does not).
  if (authenticator_->has_nkeys()) nonce_ = auth::nkey::make_nonce();
  enqueue(server_.client_info(cid_, ip_, authenticator_->advertise_auth_required(), tls_ != nullptr,
                              /*lame_duck=*/false, nonce_));
}

void ClientSession::on_io(std::uint32_t events) {
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
  if (auth_pending_) {
    // Input waits for the CONNECT's verdict; only a dead socket (always reported) ends it early.
    if (events & (EPOLLHUP | EPOLLERR)) close(CloseReason::ClientClosed);
    return;
  }
  handle_readable();
}

void ClientSession::handle_readable() {
  if (read_waits_writable_) {
    read_waits_writable_ = false;
    update_interest();
  }
  bool drained = false;  // the transport has nothing more for now
  for (int round = 0; round < 4 && !closed_; ++round) {
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
      break;  // a CONNECT is being verified: the rest waits for auth_checked()
    }
    if (in_buf_.size() == buffer_size && io.bytes == space &&
        in_buf_.size() < kMaxSteadyReadBuffer) {
      in_buf_.resize(in_buf_.size() * 2);  // reads fill the buffer: the client is busy
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
    if (io.bytes < space) {
      drained = true;
      break;
    }
  }
  // A large frame has been consumed: give its buffer back.
  if (in_buf_.size() > kMaxSteadyReadBuffer && in_len_ <= kMaxSteadyReadBuffer) {
    in_buf_.resize(kMaxSteadyReadBuffer);
    in_buf_.shrink_to_fit();
  }
  if (tls_) after_tls_read(drained);
}

bool ClientSession::process_input() {
  const protocol::ParserLimits limits{static_cast<std::size_t>(server_.options().max_control_line),
                                      server_.options().max_payload};
  auto result =
      protocol::parse_client_frames(std::string_view(in_buf_.data(), in_len_), limits, *this);
  if (closed_) return false;
  if (result.error != protocol::ParseError::None) {
    log::error("{} - {}", describe(), result.error_log);
    switch (result.error) {
      case protocol::ParseError::UnknownOp:
        // nats-server closes every parser error as a protocol violation.
        close_now_for_error(CloseReason::ProtocolViolation, protocol::err::kUnknownProtocol);
        break;
      case protocol::ParseError::MaxControlLine:
        close_now_for_error(CloseReason::MaxControlLineExceeded, protocol::err::kMaxControlLine);
        break;
      case protocol::ParseError::MaxPayload:
        close_now_for_error(CloseReason::MaxPayloadExceeded, protocol::err::kMaxPayload);
        break;
      default:
        close(CloseReason::ProtocolViolation);
        break;
    }
    return false;
  }
  if (result.consumed > 0) {
    std::memmove(in_buf_.data(), in_buf_.data() + result.consumed, in_len_ - result.consumed);
    in_len_ -= result.consumed;
  }
  if (result.pending_frame_size > in_buf_.size()) in_buf_.resize(result.pending_frame_size);
  return !auth_pending_;
}

// ---- frame handlers -------------------------------------------------------------------------

bool ClientSession::on_connect(std::string_view json_text) {
  if (log::trace_enabled()) trace_in("CONNECT", auth::redact_password(json_text));
  ConnectOptions connect;
  connect.verbose = verbose_;
  connect.pedantic = pedantic_;
  connect.echo = echo_;
  connect.headers = headers_;
  connect.no_responders = no_responders_;
  connect.name = name_;
  connect.lang = lang_;
  connect.version = version_;
  connect.protocol = protocol_;
  const std::optional<std::string> error = decode_connect(json_text, connect);
  // Kept even when decoding failed part way: monitoring shows them for the closed connection.
  verbose_ = connect.verbose;
  pedantic_ = connect.pedantic;
  echo_ = connect.echo;
  headers_ = connect.headers;
  no_responders_ = connect.no_responders;
  name_ = std::move(connect.name);
  lang_ = std::move(connect.lang);
  version_ = std::move(connect.version);
  protocol_ = connect.protocol;
  if (connect.options_decoded) {
    last_activity_ = last_read_;
    if (rtt_ == std::chrono::nanoseconds::zero()) rtt_ = last_read_ - rtt_start_;
  }
  if (error) {
    // nats-server logs the decoding error and drops the connection without an -ERR.
    log::error("{} - {}", describe(), *error);
    close(CloseReason::ProtocolViolation);
    return false;
  }
  auth::Credentials credentials = std::move(connect.credentials);
  credentials.nonce = nonce_;
  // Who the client says it is, for /connz?auth=1; a token is never shown.
  connect_user_ = !credentials.nkey.empty()    ? credentials.nkey
                  : !credentials.user.empty()  ? credentials.user
                  : !credentials.token.empty() ? std::string("[REDACTED]")
                                               : std::string();
  if (!connect_seen_) {
    connect_seen_ = true;
    set_log_label_from_connect();
  }
  // Authentication comes first, then the protocol checks, as in nats-server's processConnect.
  if (!authenticate_connect(std::move(credentials))) return false;
  return finish_connect();
}

bool ClientSession::finish_connect() {
  if (protocol_ < protocol::kMinClientProtocol || protocol_ > protocol::kMaxClientProtocol) {
    close_now_for_error(CloseReason::BadClientProtocolVersion, protocol::err::kBadClientProtocol);
    return false;
  }
  if (no_responders_ && !headers_) {
    log::error("{} - {}", describe(), protocol::err::kNoRespondersNeedsHeaders);
    close_now_for_error(CloseReason::NoRespondersRequiresHeaders,
                        protocol::err::kNoRespondersNeedsHeaders);
    return false;
  }
  {
    std::lock_guard lock(out_mutex_);
    out_headers_ = headers_;
  }
  if (verbose_) send_ok();
  return true;
}

bool ClientSession::on_pub(const protocol::PubFrame& frame) {
  if (pub_gate_) [[unlikely]]
    return on_gated_pub(frame);
  return accept_pub(frame) && publish(frame);
}

bool ClientSession::on_gated_pub(const protocol::PubFrame& frame) {
  if (awaiting_connect_ && !admit_before_connect()) return false;
  if (!accept_pub(frame)) return false;
  if (publish_check_ && !publish_check_->allowed(frame.subject)) {
    // Dropped; the connection stays (nats-server sends no +OK for it either).
    publish_violation(frame.subject);
    return true;
  }
  return publish(frame);
}

// Counting, tracing and the frame-level checks every PUB goes through.
bool ClientSession::accept_pub(const protocol::PubFrame& frame) {
  ++in_msgs_;
  in_bytes_ += frame.payload.size();
  last_activity_ = last_read_;
  worker_.stats().in_msgs.add(1);
  worker_.stats().in_bytes.add(frame.payload.size());
  if (log::trace_enabled()) {
    if (frame.has_headers) {
      trace_in("HPUB",
               fmt::format("{} {}{}{} {}", frame.subject, frame.reply,
                           frame.reply.empty() ? "" : " ", frame.header_len, frame.payload.size()));
    } else {
      trace_in("PUB", fmt::format("{} {}{}{}", frame.subject, frame.reply,
                                  frame.reply.empty() ? "" : " ", frame.payload.size()));
    }
    log::trace("{} - <<- MSG_PAYLOAD: [\"{}\"]", describe(), frame.payload);
  }
  if (frame.has_headers && !headers_) {
    log::error("{} - message headers not supported", describe());
    close(CloseReason::ProtocolViolation);
    return false;
  }
  // nats-server warns about a wildcard publish in pedantic mode but still delivers it.
  if (pedantic_ && !subjects::is_valid_literal_subject(frame.subject)) {
    send_error(protocol::err::kInvalidPublishSubject);
  }
  return true;
}

bool ClientSession::publish(const protocol::PubFrame& frame) {
  if (verbose_) send_ok();
  route(OutboundMessage{frame.subject, frame.reply, frame.payload, frame.header_len, last_read_});
  return true;
}

void ClientSession::route(const OutboundMessage& msg) {
  const subjects::MatchResult& match = worker_.match_cache().match(msg.subject);
  std::uint64_t delivered = 0;
  for (const auto& sub : match.plain) {
    ClientSession* target = session_of(*sub);
    if (target == nullptr || (target == this && !echo_)) continue;
    auto outcome = target->deliver(*sub, msg);
    if (outcome.delivered) ++delivered;
    if (outcome.needs_flush)
      worker_.schedule_flush(std::static_pointer_cast<ClientSession>(sub->subscriber));
    if (outcome.backlogged) {
      feeding_backlogged_ = true;
      backlogged_target_ = std::static_pointer_cast<ClientSession>(sub->subscriber);
    }
    feeding_heavy_ |= outcome.heavy;
  }
  for (const auto& group : match.queue_groups) {
    // One member per group: start at a random member, take the first that can still receive.
    const std::size_t n = group.size();
    const std::size_t first = worker_.queue_random().below(n);
    for (std::size_t i = 0; i < n; ++i) {
      const auto& sub = group[(first + i) % n];
      ClientSession* target = session_of(*sub);
      if (target == nullptr || (target == this && !echo_)) continue;
      auto outcome = target->deliver(*sub, msg);
      if (outcome.needs_flush)
        worker_.schedule_flush(std::static_pointer_cast<ClientSession>(sub->subscriber));
      if (outcome.backlogged) {
        feeding_backlogged_ = true;
        backlogged_target_ = std::static_pointer_cast<ClientSession>(sub->subscriber);
      }
      feeding_heavy_ |= outcome.heavy;
      if (outcome.delivered) {
        ++delivered;
        break;
      }
    }
  }
  if (delivered > 0) {
    worker_.stats().out_msgs.add(delivered);
    worker_.stats().out_bytes.add(delivered * msg.payload.size());
  } else if (!msg.reply.empty() && no_responders_ && headers_) {
    send_no_responders(msg.reply);
  }
}

ClientSession::DeliveryOutcome ClientSession::deliver(subjects::Subscription& sub,
                                                      const OutboundMessage& msg) {
  std::string_view payload = msg.payload;
  std::size_t header_len = msg.header_len;
  bool auto_unsubscribed = false;
  bool appended = false;
  bool newly_slow = false;
  bool backlogged = false;
  bool heavy = false;
  {
    std::lock_guard lock(out_mutex_);
    if (out_closed_ || sub.closed.load(std::memory_order_acquire)) return {};
    // Once a wildcard subscription reached into the subscriber's deny list, subjects it denies
    // are dropped here, before they count towards an auto-unsubscribe (as nats-server).
    if (out_permissions_) [[unlikely]] {
      const auto& deny = out_permissions_->subscribe->plain_deny();
      if (out_deny_cache_.get(
              msg.subject, [&deny](std::string_view subject) { return deny.matches(subject); })) {
        return {};
      }
    }
    if (sub.max_msgs >= 0 && sub.delivered >= static_cast<std::uint64_t>(sub.max_msgs)) return {};
    // A subscriber that did not ask for headers gets the data part only, as nats-server does.
    if (header_len > 0 && !out_headers_) {
      payload.remove_prefix(header_len);
      header_len = 0;
    }
    // Upper bound of the frame: "HMSG ", four spaces, two numbers of up to 20 digits, two CRLFs.
    const std::size_t frame_size =
        5 + msg.subject.size() + sub.sid.size() + msg.reply.size() + payload.size() + 4 + 40 + 4;
    if (out_pending_bytes_ + frame_size > static_cast<std::size_t>(server_.options().max_pending)) {
      if (slow_consumer_.load(std::memory_order_relaxed)) return {};
      // The owner closes the connection at its next flush.
      slow_consumer_.store(true, std::memory_order_release);
      newly_slow = true;
    } else {
      // One reservation and straight copies: this is the per-subscriber cost of a message.
      char* out = out_pending_.reserve_tail(frame_size);
      char* const begin = out;
      auto put = [&out](std::string_view bytes) {
        std::memcpy(out, bytes.data(), bytes.size());
        out += bytes.size();
      };
      auto put_number = [&out](std::uint64_t value) {
        out = std::to_chars(out, out + 20, value).ptr;
      };
      if (header_len > 0) {
        put("HMSG ");
      } else {
        put("MSG ");
      }
      put(msg.subject);
      *out++ = ' ';
      put(sub.sid);
      *out++ = ' ';
      if (!msg.reply.empty()) {
        put(msg.reply);
        *out++ = ' ';
      }
      if (header_len > 0) {
        put_number(header_len);
        *out++ = ' ';
      }
      put_number(payload.size());
      put("\r\n");
      put(payload);
      put("\r\n");
      out_pending_.commit(static_cast<std::size_t>(out - begin));
      out_pending_bytes_ += static_cast<std::size_t>(out - begin);
      appended = true;
      heavy = out_pending_bytes_ * kBacklogDenominator >
              static_cast<std::size_t>(server_.options().max_pending) * kBacklogNumerator;
      backlogged = heavy && !stuck_for(kStuckWindow);
      ++out_msgs_;
      out_bytes_ += payload.size();
      out_last_activity_ = msg.read_at;
      if (reply_permits_ != nullptr && !msg.reply.empty()) [[unlikely]] {
        reply_permits_->record(msg.reply, Clock::now());
      }
      ++sub.delivered;
      if (sub.max_msgs >= 0 && sub.delivered >= static_cast<std::uint64_t>(sub.max_msgs)) {
        sub.closed.store(true, std::memory_order_release);
        auto_unsubscribed = true;
      }
    }
  }
  if (appended && log::trace_enabled()) {
    log::trace("{} - ->> [{}MSG {} {} {}{}{}]", describe(), header_len > 0 ? "H" : "", msg.subject,
               sub.sid, msg.reply, msg.reply.empty() ? "" : " ", payload.size());
  }
  if (auto_unsubscribed) {
    subjects::SubscriptionPtr owned;
    {
      std::lock_guard lock(subs_mutex_);
      auto it = subs_.find(sub.sid);
      if (it != subs_.end() && it->second.get() == &sub) {
        owned = std::move(it->second);
        subs_.erase(it);
      }
    }
    if (owned) server_.subject_index().remove(owned);
  }
  DeliveryOutcome outcome;
  outcome.delivered = appended;
  outcome.backlogged = backlogged;
  outcome.heavy = heavy;
  outcome.needs_flush =
      (appended || newly_slow) && !flush_scheduled_.exchange(true, std::memory_order_acq_rel);
  return outcome;
}

void ClientSession::send_no_responders(std::string_view reply) {
  // The status goes to the requester's own subscription that matches the reply subject.
  std::string sid;
  {
    std::lock_guard lock(subs_mutex_);
    for (const auto& [id, sub] : subs_) {
      if (subjects::subject_matches(sub->subject, reply)) {
        sid = id;
        break;
      }
    }
  }
  if (sid.empty()) return;
  const auto status = protocol::kNoRespondersHeader;
  std::string frame =
      fmt::format("HMSG {} {} {} {}\r\n{}\r\n", reply, sid, status.size(), status.size(), status);
  enqueue(frame);
}

bool ClientSession::on_sub(const protocol::SubFrame& frame) {
  if (awaiting_connect_ && !admit_before_connect()) return false;
  if (log::trace_enabled()) {
    trace_in("SUB", fmt::format("{} {}{}{}", frame.subject, frame.queue,
                                frame.queue.empty() ? "" : " ", frame.sid));
  }
  last_activity_ = last_read_;
  // Permissions before validity, as nats-server: with an allow list, an invalid subject is a
  // permissions violation.
  if (frame.queue == protocol::kSystemQueueGroup) {
    subscribe_violation(frame);
    return true;
  }
  if (permissions_ && permissions_->subscribe) {
    const auth::SubscribeFilter& filter = *permissions_->subscribe;
    if (!filter.allows(frame.subject, frame.queue)) {
      subscribe_violation(frame);
      return true;
    }
    // Owner-thread read: only this thread writes out_permissions_.
    if (!out_permissions_ && filter.turns_on_delivery_filter(frame.subject)) {
      std::lock_guard lock(out_mutex_);
      out_permissions_ = permissions_;
      out_deny_cache_.clear();
    }
  }
  if (!subjects::is_valid_subject(frame.subject)) {
    send_error(protocol::err::kInvalidSubject);
    return true;
  }
  auto sub = std::make_shared<subjects::Subscription>();
  sub->subject = frame.subject;
  sub->queue = frame.queue;
  sub->sid = frame.sid;
  sub->subscriber = shared_from_this();
  bool added = false;
  bool over_limit = false;
  const int max_subs = server_.options().max_subscriptions;
  {
    std::lock_guard lock(subs_mutex_);
    if (max_subs > 0 && subs_.size() >= static_cast<std::size_t>(max_subs) &&
        subs_.find(sub->sid) == subs_.end()) {
      over_limit = true;
    } else {
      // A repeated sid is ignored, as nats-server does.
      added = subs_.try_emplace(sub->sid, sub).second;
    }
  }
  if (over_limit) {
    // nats-server: an error for this SUB only; the connection and its other subscriptions stay.
    log::error("{} - {}", describe(), protocol::err::kMaxSubscriptions);
    send_error(protocol::err::kMaxSubscriptions);
    return true;
  }
  if (added) server_.subject_index().insert(sub);
  if (verbose_) send_ok();
  return true;
}

bool ClientSession::on_unsub(const protocol::UnsubFrame& frame) {
  if (awaiting_connect_ && !admit_before_connect()) return false;
  if (log::trace_enabled()) {
    trace_in("UNSUB", frame.max_msgs >= 0 ? fmt::format("{} {}", frame.sid, frame.max_msgs)
                                          : std::string(frame.sid));
  }
  last_activity_ = last_read_;
  subjects::SubscriptionPtr sub;
  {
    std::lock_guard lock(subs_mutex_);
    auto it = subs_.find(std::string(frame.sid));
    if (it != subs_.end()) sub = it->second;
  }
  if (sub) {
    bool remove_now = true;
    if (frame.max_msgs > 0) {
      std::lock_guard lock(out_mutex_);
      if (sub->delivered < static_cast<std::uint64_t>(frame.max_msgs)) {
        sub->max_msgs = frame.max_msgs;
        remove_now = false;
      }
    }
    if (remove_now) remove_subscription(sub);
  }
  if (verbose_) send_ok();
  return true;
}

void ClientSession::remove_subscription(const subjects::SubscriptionPtr& sub) {
  sub->closed.store(true, std::memory_order_release);
  {
    std::lock_guard lock(subs_mutex_);
    auto it = subs_.find(sub->sid);
    if (it != subs_.end() && it->second == sub) subs_.erase(it);
  }
  server_.subject_index().remove(sub);
}

bool ClientSession::on_ping() {
  if (awaiting_connect_ && !admit_before_connect()) return false;
  trace_in("PING", {});
  enqueue("PONG\r\n");
  return true;
}

bool ClientSession::on_pong() {
  if (awaiting_connect_ && !admit_before_connect()) return false;
  trace_in("PONG", {});
  // Only an answer to our own PING measures the round trip.
  if (pings_out_ > 0) rtt_ = Clock::now() - rtt_start_;
  pings_out_ = 0;
  return true;
}

void ClientSession::trace_in(std::string_view op, std::string_view args) const {
  if (!log::trace_enabled()) return;
  if (args.empty()) {
    log::trace("{} - <<- [{}]", describe(), op);
  } else {
    log::trace("{} - <<- [{} {}]", describe(), op, args);
  }
}

// ---- output ---------------------------------------------------------------------------------

void ClientSession::enqueue(std::string_view text) {
  if (closed_) return;
  if (log::trace_enabled() && text.size() < 256) {
    auto line = text.substr(0, text.find('\r'));
    log::trace("{} - ->> [{}]", describe(), line);
  }
  {
    std::lock_guard lock(out_mutex_);
    if (out_closed_) return;
    out_pending_.append(text);
    out_pending_bytes_ += text.size();
  }
  if (!flush_scheduled_.exchange(true, std::memory_order_acq_rel)) {
    worker_.schedule_flush(shared_from_this());
  }
}

void ClientSession::send_error(std::string_view text) {
  enqueue(fmt::format("-ERR '{}'\r\n", text));
}

void ClientSession::send_lame_duck_info() {
  // As nats-server: only clients that announced protocol 1 (INFO updates) get it.
  if (closed_ || protocol_ < 1) return;
  enqueue(server_.client_info(cid_, ip_, authenticator_->advertise_auth_required(), tls_ != nullptr,
                              /*lame_duck=*/true));
}

void ClientSession::send_ok() {
  enqueue("+OK\r\n");
}

void ClientSession::set_write_interest(bool on) {
  if (on == write_interest_ || closed_) return;
  write_interest_ = on;
  update_interest();
}

void ClientSession::update_interest() {
  // While a CONNECT is verified nothing is read, not even a hang-up (which would otherwise be
  // reported on every turn); errors and full hang-ups are reported regardless.
  std::uint32_t events = 0;
  if (!auth_pending_) events |= EPOLLRDHUP;
  if (!reading_paused_ && !auth_pending_) events |= EPOLLIN;
  if (write_interest_ || read_waits_writable_) events |= EPOLLOUT;
  worker_.loop().modify(transport_->fd(), events, this);
}

void ClientSession::pause_reading() {
  if (reading_paused_ || closed_) return;
  reading_paused_ = true;
  paused_since_ = Clock::now();
  update_interest();
  worker_.loop().run_after(kPublisherPause, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->pause_elapsed();
  });
}

void ClientSession::pause_elapsed() {
  if (!reading_paused_ || closed_) return;
  const auto now = Clock::now();
  if (now - paused_since_ < kMaxPublisherPause && still_backlogged()) {
    worker_.loop().run_after(kPublisherPause, [weak = weak_from_this()] {
      if (auto self = weak.lock()) self->pause_elapsed();
    });
    return;
  }
  backlogged_target_.reset();
  resume_reading();
}

bool ClientSession::still_backlogged() const {
  auto target = backlogged_target_.lock();
  if (!target || target.get() == this) return false;
  std::size_t pending = 0;
  {
    std::lock_guard lock(target->out_mutex_);
    if (target->out_closed_) return false;
    pending = target->out_pending_bytes_;
  }
  const auto max_pending = static_cast<std::size_t>(server_.options().max_pending);
  return pending * kBacklogDenominator > max_pending * kBacklogNumerator &&
         !target->stuck_for(kPausedStuckWindow);
}

bool ClientSession::stuck_for(std::chrono::nanoseconds window) const {
  const std::int64_t since = blocked_since_ns_.load(std::memory_order_relaxed);
  return since != 0 && steady_ns() - since > window.count();
}

void ClientSession::resume_reading() {
  if (!reading_paused_ || closed_) return;
  reading_paused_ = false;
  update_interest();
  if (tls_) read_tls_buffered_input();
}

void ClientSession::flush() {
  if (closed_) return;
  // Cleared before taking the pending bytes: anything queued after this point schedules
  // another flush, so no delivery is ever left unflushed.
  flush_scheduled_.store(false, std::memory_order_release);
  bool progressed = false;
  while (!slow_consumer_.load(std::memory_order_acquire)) {
    if (out_written_ == out_writing_.size()) {
      out_writing_.clear();
      out_written_ = 0;
      if (out_writing_.capacity() > kMaxRetainedOutBuffer) out_writing_.release();
      std::lock_guard lock(out_mutex_);
      out_pending_.swap(out_writing_);
      if (out_writing_.empty()) {
        write_blocked_since_ = {};
        set_write_interest(false);
        return;
      }
    }
    auto io =
        transport_->write(out_writing_.data() + out_written_, out_writing_.size() - out_written_);
    if (io.status == net::IoStatus::Ok) {
      out_written_ += io.bytes;
      if (!progressed && blocked_since_ns_.load(std::memory_order_relaxed) != 0)
        blocked_since_ns_.store(0, std::memory_order_relaxed);
      progressed = true;
      std::lock_guard lock(out_mutex_);
      out_pending_bytes_ -= io.bytes;
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
        blocked_since_ns_.store(steady_ns(), std::memory_order_relaxed);
      }
      return;
    }
    close(CloseReason::WriteError);
    return;
  }
  worker_.stats().slow_consumers.add(1);
  log::info("{} - Slow Consumer Detected: MaxPending of {} Exceeded", describe(),
            server_.options().max_pending);
  close(CloseReason::SlowConsumerPendingBytes);
}

void ClientSession::tick(Clock::time_point now) {
  if (closed_) return;
  const auto& options = server_.options();
  if (write_blocked_since_ != Clock::time_point{} &&
      now - write_blocked_since_ > options.write_deadline) {
    worker_.stats().slow_consumers.add(1);
    std::size_t pending, chunks;
    {
      std::lock_guard lock(out_mutex_);
      pending = out_pending_bytes_;
      chunks = (out_pending_.empty() ? 0 : 1) + (out_written_ < out_writing_.size() ? 1 : 0);
    }
    log::info(
        "{} - Slow Consumer Detected: WriteDeadline of {} exceeded with {} chunks of {} total "
        "bytes.",
        describe(), config::format_go_duration(options.write_deadline), chunks, pending);
    close(CloseReason::SlowConsumerWriteDeadline);
    return;
  }
  if (now < next_ping_) return;
  next_ping_ = now + options.ping_interval;
  // Recent traffic from the client already proves it is alive, as in nats-server.
  if (now - last_read_ < options.ping_interval) return;
  if (pings_out_ + 1 > options.ping_max) {
    log::debug("{} - Stale Client Connection - Closing", describe());
    close_now_for_error(CloseReason::StaleConnection, protocol::err::kStaleConnection);
    return;
  }
  ++pings_out_;
  rtt_start_ = now;
  enqueue("PING\r\n");
}

ConnInfo ClientSession::conn_info(bool with_subs) {
  ConnInfo info;
  info.cid = cid_;
  info.ip = ip_;
  info.port = port_;
  auto wall = [this](Clock::time_point t) {
    return start_wall_ + std::chrono::duration_cast<WallClock::duration>(t - start_time_);
  };
  info.start = start_wall_;
  Clock::time_point last = last_activity_;
  {
    std::lock_guard lock(out_mutex_);
    info.pending_bytes = out_pending_bytes_;
    info.out_msgs = out_msgs_;
    info.out_bytes = out_bytes_;
    last = std::max(last, out_last_activity_);
  }
  info.last_activity = wall(last);
  info.rtt = rtt_;
  info.in_msgs = in_msgs_;
  info.in_bytes = in_bytes_;
  info.name = name_;
  info.lang = lang_;
  info.version = version_;
  const TlsSummary tls = tls_summary();
  info.tls_version = tls.version;
  info.tls_cipher_suite = tls.cipher_suite;
  info.authorized_user = auth_user_.empty() ? connect_user_ : auth_user_;
  // nats-server names the (global) account as an nkey user's issuer.
  if (auth_nkey_) info.issuer_key = "$G";
  if (with_subs) {
    info.subs = sub_details();
    info.num_subs = info.subs.size();
  } else {
    std::lock_guard lock(subs_mutex_);
    info.num_subs = subs_.size();
  }
  return info;
}

std::vector<SubDetail> ClientSession::sub_details() {
  std::vector<subjects::SubscriptionPtr> subs;
  {
    std::lock_guard lock(subs_mutex_);
    subs.reserve(subs_.size());
    for (const auto& [sid, sub] : subs_) subs.push_back(sub);
  }
  // Numeric sids (what every client sends) in numeric order, others after, for a stable list.
  std::sort(subs.begin(), subs.end(), [](const auto& a, const auto& b) {
    return a->sid.size() != b->sid.size() ? a->sid.size() < b->sid.size() : a->sid < b->sid;
  });
  std::vector<SubDetail> out;
  out.reserve(subs.size());
  std::lock_guard lock(out_mutex_);  // guards delivered and max_msgs
  for (const auto& sub : subs) {
    out.push_back(SubDetail{sub->subject, sub->queue, sub->sid, sub->delivered,
                            sub->max_msgs > 0 ? sub->max_msgs : 0, cid_});
  }
  return out;
}

void ClientSession::close_now_for_error(CloseReason reason, std::string_view err_text) {
  send_error(err_text);
  flush();
  close(reason);
}

void ClientSession::close(CloseReason reason) {
  if (closed_) return;
  closed_ = true;
  log::debug("{} - Client connection closed: {}", describe(), to_string(reason));
  // Remembered for /connz?state=closed; not at shutdown, when nobody is left to ask.
  if (reason != CloseReason::ServerShutdown) {
    ConnInfo info = conn_info(true);
    info.stop = WallClock::now();
    info.reason = to_string(reason);
    server_.closed_connections().add(std::move(info));
  }

  std::vector<subjects::SubscriptionPtr> subs;
  {
    std::lock_guard lock(subs_mutex_);
    subs.reserve(subs_.size());
    for (auto& [sid, sub] : subs_) subs.push_back(std::move(sub));
    subs_.clear();  // breaks the session <-> subscription cycle
  }
  for (auto& sub : subs) {
    sub->closed.store(true, std::memory_order_release);
    server_.subject_index().remove(sub);
  }
  {
    std::lock_guard lock(out_mutex_);
    out_closed_ = true;
    out_pending_.release();
    out_pending_bytes_ = 0;
    out_permissions_.reset();
    out_deny_cache_.clear();
  }
  out_writing_.release();
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
  server_.connection_closed();
  worker_.retire(this);
}

}  // namespace gnatsd::server
