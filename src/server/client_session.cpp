// Client session: CONNECT, PUB/SUB/UNSUB/PING/PONG, deliveries (filtered here, written by
// protocol/encoder), monitoring.
#include "server/client_session.hpp"

#include <algorithm>

#include "auth/nkey.hpp"
#include "auth/trace_redaction.hpp"
#include "log/logger.hpp"
#include "net/tls_transport.hpp"
#include "protocol/connect.hpp"
#include "protocol/constants.hpp"
#include "protocol/encoder.hpp"
#include "server/back_pressure.hpp"
#include "server/closed_connections.hpp"
#include "subjects/subject.hpp"
#include "subjects/subject_index.hpp"
#include "websocket/websocket_transport.hpp"

namespace gnatsd::server {

ClientSession::ClientSession(ClientContext& server, ConnectionOwner& worker,
                             std::unique_ptr<net::Transport> transport, std::uint64_t cid,
                             std::string ip, int port, std::optional<WebSocketClient> websocket)
    : Connection(subjects::SubscriberKind::Client, server, worker, std::move(transport), cid,
                 std::move(ip), port),
      context_(server),
      ws_(websocket ? dynamic_cast<websocket::WebSocketTransport*>(transport_.get()) : nullptr),
      ws_tls_(websocket ? websocket->tls : nullptr),
      forwarded_ip_(websocket ? std::move(websocket->forwarded_ip) : std::string()),
      ws_info_tls_required_(websocket && websocket->client_port_tls),
      interest_(server.subject_index(), server.interest_listener()) {}

std::shared_ptr<const auth::Authenticator> ClientSession::current_authenticator() const {
  return ws_ != nullptr ? context_.websocket_authenticator() : context_.authenticator();
}

ClientSession::~ClientSession() = default;

void ClientSession::start() {
  // The INFO goes out now: the CONNECT that answers it gives the first round-trip estimate.
  if (ws_ == nullptr) {
    set_label(fmt::format("{}:{} - cid:{}", ip_, port_, cid_));
  } else {
    // nats-server: "wid", and the X-Forwarded-For address first when there is one.
    const std::string forwarded = forwarded_ip_.empty() ? std::string()
                                  : forwarded_ip_.find(':') == std::string::npos
                                      ? forwarded_ip_ + "/"
                                      : "[" + forwarded_ip_ + "]/";
    set_label(fmt::format("{}{}:{} - wid:{}", forwarded, ip_, port_, cid_));
    if (ws_tls_ != nullptr && ws_tls_->established())
      outbound_.lock()->tls = {ws_tls_->version(), ws_tls_->cipher_suite()};
  }
  authenticator_ = current_authenticator();
  start_io();
  last_activity_ = start_time_;
  log::debug("{} - Client connection created", describe());
  send_info();
  start_tls();
  if (authenticator_->required()) arm_auth_timer();
  if (context_.num_clients() > server_.options().max_connections) {
    log::error("{} - {}", describe(), "Maximum Connections Exceeded");
    close_now_for_error(CloseReason::MaxConnectionsExceeded, protocol::err::kMaxConnections);
  }
}

void ClientSession::send_info() {
  // Only the first INFO has the nonce, as in nats-server (a lame-duck INFO does not).
  if (authenticator_->has_nkeys()) nonce_ = auth::nkey::make_nonce();
  info_generation_ = context_.client_info_generation();
  enqueue(info(/*lame_duck=*/false, nonce_));
}

std::string ClientSession::info(bool lame_duck, std::string_view nonce) const {
  return context_.client_info(cid_, ip_, authenticator_->advertise_auth_required(), secure(),
                              lame_duck, nonce, /*websocket=*/ws_ != nullptr);
}

bool ClientSession::process_input() {
  GNATSD_ASSERT_OWNER_THREAD();
  const protocol::ParserLimits limits{static_cast<std::size_t>(server_.options().max_control_line),
                                      server_.options().max_payload};
  auto result = protocol::parse_client_frames(in_buffered(), limits, *this);
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
      case protocol::ParseError::PeerError:
        close(CloseReason::ParseError);  // nats-server's processErr
        break;
      default:
        close(CloseReason::ProtocolViolation);
        break;
    }
    return false;
  }
  consume_input(result.consumed, result.pending_frame_size);
  return !input_held_;
}

// ---- frame handlers -------------------------------------------------------------------------

bool ClientSession::on_connect(std::string_view json_text) {
  if (log::trace_enabled()) trace_in("CONNECT", auth::redact_password(json_text));
  protocol::ConnectOptions connect;
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
  // As nats-server: headers when the client asks for them and the server supports them.
  headers_ = connect.headers && !server_.options().no_header_support;
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
  protocol::ConnectCredentials& given = connect.credentials;
  auth::Credentials credentials{.user = std::move(given.user),
                                .password = std::move(given.password),
                                .token = std::move(given.token),
                                .nkey = std::move(given.nkey),
                                .signature = std::move(given.signature),
                                .nonce = nonce_};
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
  outbound_.lock()->filter.headers = headers_;
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
  stats_.in_msgs.add(1);
  stats_.in_bytes.add(frame.payload.size());
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
  const OutboundMessage msg{frame.subject, frame.reply, frame.payload, frame.header_len,
                            last_read_};
  if (fan_out(msg, echo_) == 0 && !msg.reply.empty() && no_responders_ && headers_) {
    send_no_responders(msg.reply);
  }
  return true;
}

DeliveryOutcome ClientSession::deliver(const subjects::SubscriptionPtr& subscription,
                                       const OutboundMessage& msg) {
  subjects::Subscription& sub = *subscription;
  std::string_view payload = msg.payload;
  std::size_t header_len = msg.header_len;
  bool appended = false;
  bool newly_slow = false;
  bool backlogged = false;
  bool heavy = false;
  {
    auto out = outbound_.lock();
    if (out->closed || sub.closed.load(std::memory_order_acquire)) return {};
    // Once a wildcard subscription reached into the subscriber's deny list, subjects it denies
    // are dropped here, before they count towards an auto-unsubscribe (as nats-server).
    DeliveryFilter& filter = out->filter;
    if (filter.deny) [[unlikely]] {
      const auto& deny = filter.deny->subscribe->plain_deny();
      if (filter.deny_cache.get(
              msg.subject, [&deny](std::string_view subject) { return deny.matches(subject); })) {
        return {};
      }
    }
    if (sub.max_msgs >= 0 && sub.delivered >= static_cast<std::uint64_t>(sub.max_msgs)) return {};
    // A subscriber that did not ask for headers gets the data part only, as nats-server does.
    if (header_len > 0 && !filter.headers) {
      payload.remove_prefix(header_len);
      header_len = 0;
    }
    const protocol::ClientMsg frame{.subject = msg.subject,
                                    .sid = sub.sid,
                                    .reply = msg.reply,
                                    .payload = payload,
                                    .header_len = header_len};
    const std::size_t frame_size = protocol::frame_bound(frame);
    const auto max_pending = static_cast<std::size_t>(server_.options().max_pending);
    if (out->pending_bytes + frame_size > max_pending) {
      if (outbound_.slow_consumer()) return {};
      // The owner closes the connection at its next flush.
      outbound_.mark_slow_consumer();
      newly_slow = true;
    } else {
      // One reservation and straight copies: this is the per-subscriber cost of a message.
      char* const begin = out->pending.reserve_tail(frame_size);
      char* const cursor = protocol::write_frame(begin, frame);
      out->pending.commit(static_cast<std::size_t>(cursor - begin));
      out->pending_bytes += static_cast<std::size_t>(cursor - begin);
      appended = true;
      heavy = back_pressure::is_heavy(out->pending_bytes, max_pending);
      backlogged = heavy && !outbound_.stuck_for(back_pressure::kStuckWindow);
      ++out->msgs;
      out->bytes += payload.size();
      out->last_activity = msg.read_at;
      if (filter.reply_permits != nullptr && !msg.reply.empty()) [[unlikely]] {
        filter.reply_permits->record(msg.reply, Clock::now());
      }
      ++sub.delivered;
      if (sub.max_msgs >= 0 && sub.delivered >= static_cast<std::uint64_t>(sub.max_msgs)) {
        // Further deliveries skip it now; its owner takes it out of its interest at the flush
        // this delivery schedules.
        sub.closed.store(true, std::memory_order_release);
        outbound_.expire(out, subscription);
      }
    }
  }
  if (appended && log::trace_enabled()) {
    log::trace("{} - ->> [{}MSG {} {} {}{}{}]", describe(), header_len > 0 ? "H" : "", msg.subject,
               sub.sid, msg.reply, msg.reply.empty() ? "" : " ", payload.size());
  }
  DeliveryOutcome outcome;
  outcome.delivered = appended;
  outcome.backlogged = backlogged;
  outcome.heavy = heavy;
  outcome.needs_flush = (appended || newly_slow) && outbound_.claim_flush();
  return outcome;
}

void ClientSession::send_no_responders(std::string_view reply) {
  // The status goes to the requester's own subscription that matches the reply subject.
  std::string sid;
  interest_.for_each([&](const subjects::SubscriptionPtr& sub) {
    if (sid.empty() && subjects::subject_matches(sub->subject, reply)) sid = sub->sid;
  });
  if (sid.empty()) return;
  enqueue(protocol::no_responders_frame(reply, sid));
}

bool ClientSession::on_sub(const protocol::SubFrame& frame) {
  GNATSD_ASSERT_OWNER_THREAD();
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
    if (filter.turns_on_delivery_filter(frame.subject)) {
      auto out = outbound_.lock();
      if (!out->filter.deny) {
        out->filter.deny = permissions_;
        out->filter.deny_cache.clear();
      }
    }
  }
  if (!subjects::is_valid_subscription_subject(frame.subject)) {
    send_error(protocol::err::kInvalidSubject);
    return true;
  }
  auto sub = std::make_shared<subjects::Subscription>();
  sub->subject = frame.subject;
  sub->queue = frame.queue;
  sub->sid = frame.sid;
  sub->subscriber = shared_from_this();
  const int max_subs = server_.options().max_subscriptions;
  // A repeated sid is ignored, as nats-server does.
  if (interest_.add(sub, static_cast<std::size_t>(std::max(max_subs, 0))) ==
      Interest::AddResult::OverLimit) {
    // nats-server: an error for this SUB only; the connection and its other subscriptions stay.
    log::error("{} - {}", describe(), protocol::err::kMaxSubscriptions);
    send_error(protocol::err::kMaxSubscriptions);
    return true;
  }
  if (verbose_) send_ok();
  return true;
}

bool ClientSession::on_unsub(const protocol::UnsubFrame& frame) {
  GNATSD_ASSERT_OWNER_THREAD();
  if (awaiting_connect_ && !admit_before_connect()) return false;
  if (log::trace_enabled()) {
    trace_in("UNSUB", frame.max_msgs >= 0 ? fmt::format("{} {}", frame.sid, frame.max_msgs)
                                          : std::string(frame.sid));
  }
  last_activity_ = last_read_;
  const subjects::SubscriptionPtr sub = interest_.find(frame.sid);
  if (sub) {
    bool remove_now = true;
    if (frame.max_msgs > 0) {
      auto out = outbound_.lock();  // guards delivered and max_msgs
      if (sub->delivered < static_cast<std::uint64_t>(frame.max_msgs)) {
        sub->max_msgs = frame.max_msgs;
        remove_now = false;
      }
    }
    if (remove_now) interest_.remove(sub);
  }
  if (verbose_) send_ok();
  return true;
}

void ClientSession::on_expired(std::vector<subjects::SubscriptionPtr>& subs) {
  GNATSD_ASSERT_OWNER_THREAD();
  for (const auto& sub : subs) interest_.remove(sub);
}

bool ClientSession::on_ping() {
  if (awaiting_connect_ && !admit_before_connect()) return false;
  trace_in("PING", {});
  enqueue(protocol::kPong);
  if (protocol_ >= 1 && connect_seen_ && !first_pong_sent_) {
    first_pong_sent_ = true;
    // The cluster changed since this client's INFO: it learns of it now.
    if (info_generation_ != context_.client_info_generation()) send_cluster_info();
  }
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

// ---- output ---------------------------------------------------------------------------------

void ClientSession::send_lame_duck_info() {
  // As nats-server: only clients that announced protocol 1 (INFO updates) get it.
  if (closed_ || protocol_ < 1) return;
  enqueue(info(/*lame_duck=*/true));
}

void ClientSession::send_cluster_info() {
  if (closed_ || protocol_ < 1 || !first_pong_sent_) return;
  info_generation_ = context_.client_info_generation();
  enqueue(info(/*lame_duck=*/false));
}

void ClientSession::send_ok() {
  enqueue(protocol::kOk);
}

ConnInfo ClientSession::conn_info(bool with_subs) {
  GNATSD_ASSERT_OWNER_THREAD();
  ConnInfo info;
  info.cid = cid_;
  info.websocket = ws_ != nullptr;
  info.ip = ip_;
  info.port = port_;
  auto wall = [this](Clock::time_point t) {
    return start_wall_ + std::chrono::duration_cast<WallClock::duration>(t - start_time_);
  };
  info.start = start_wall_;
  Clock::time_point last = last_activity_;
  {
    auto out = outbound_.lock();
    info.pending_bytes = out->pending_bytes;
    info.out_msgs = out->msgs;
    info.out_bytes = out->bytes;
    last = std::max(last, out->last_activity);
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
    info.num_subs = interest_.size();
  }
  return info;
}

std::vector<SubDetail> ClientSession::sub_details() {
  std::vector<subjects::SubscriptionPtr> subs = interest_.list();
  // Numeric sids (what every client sends) in numeric order, others after, for a stable list.
  std::sort(subs.begin(), subs.end(), [](const auto& a, const auto& b) {
    return a->sid.size() != b->sid.size() ? a->sid.size() < b->sid.size() : a->sid < b->sid;
  });
  std::vector<SubDetail> out;
  out.reserve(subs.size());
  auto guard = outbound_.lock();  // guards delivered and max_msgs
  for (const auto& sub : subs) {
    out.push_back(SubDetail{sub->subject, sub->queue, sub->sid, sub->delivered,
                            sub->max_msgs > 0 ? sub->max_msgs : 0, cid_});
  }
  return out;
}

void ClientSession::on_closing(CloseReason reason) {
  log::debug("{} - Client connection closed: {}", describe(), to_string(reason));
  // Remembered for /connz?state=closed; not at shutdown, when nobody is left to ask.
  if (reason != CloseReason::ServerShutdown) {
    ConnInfo info = conn_info(true);
    info.stop = WallClock::now();
    info.reason = to_string(reason);
    context_.closed_connections().add(std::move(info));
  }
  interest_.remove_all();
  if (ws_ != nullptr) tell_websocket_close(reason);
}

void ClientSession::tell_websocket_close(CloseReason reason) {
  namespace status = websocket::close_status;
  std::uint16_t code = status::kInternalError;
  switch (reason) {
    // The connection is already broken, or cut off for being slow: nothing more is sent.
    case CloseReason::ReadError:
    case CloseReason::WriteError:
    case CloseReason::SlowConsumerPendingBytes:
    case CloseReason::SlowConsumerWriteDeadline:
    case CloseReason::TlsHandshakeFailure:
      return;
    case CloseReason::ClientClosed:
      code = status::kNormal;
      break;
    case CloseReason::AuthenticationTimeout:
    case CloseReason::AuthenticationViolation:
    case CloseReason::MaxConnectionsExceeded:
    case CloseReason::MaxControlLineExceeded:
    case CloseReason::MaxSubscriptionsExceeded:
      code = status::kPolicyViolation;
      break;
    case CloseReason::ParseError:
    case CloseReason::ProtocolViolation:
    case CloseReason::BadClientProtocolVersion:
      code = status::kProtocolError;
      break;
    case CloseReason::MaxPayloadExceeded:
      code = status::kMessageTooBig;
      break;
    case CloseReason::ServerShutdown:
      code = status::kGoingAway;
      break;
    case CloseReason::StaleConnection:
      code = status::kAbnormal;
      break;
    default:
      break;
  }
  ws_->set_close(code, to_string(reason));
}

void ClientSession::on_closed() {
  context_.connection_closed();
}

}  // namespace gnatsd::server
