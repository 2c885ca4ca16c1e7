// Route: the handshake (CONNECT, INFO), the peer's interest (RS+/RS-), routed messages
// (RMSG/HMSG) and keep-alive, as nats-server 2.9.10's route.go does them.
#include "cluster/route.hpp"

#include <random>

#include "auth/secret.hpp"
#include "auth/trace_redaction.hpp"
#include "log/logger.hpp"
#include "protocol/constants.hpp"
#include "protocol/encoder.hpp"
#include "server/back_pressure.hpp"
#include "subjects/subject.hpp"
#include "subjects/subject_index.hpp"

namespace gnatsd::cluster {
namespace {

// Clients live in the global account; routes name it on every RS+/RMSG.
constexpr std::string_view kGlobalAccount = "$G";
// nats-server pings a new route after a second (firstPingInterval), plus up to 20%, so that a
// dead peer is noticed long before ping_interval.
constexpr std::chrono::milliseconds kFirstPing{1000};

std::chrono::milliseconds first_ping_delay() {
  thread_local std::minstd_rand rng{std::random_device{}()};
  return kFirstPing + std::chrono::milliseconds(rng() % (kFirstPing.count() / 5 + 1));
}

std::string interest_key(std::string_view account, std::string_view subject,
                         std::string_view queue) {
  std::string key;
  key.reserve(account.size() + subject.size() + queue.size() + 2);
  key.append(account).append(" ").append(subject);
  if (!queue.empty()) key.append(" ").append(queue);
  return key;
}

std::int64_t steady_ns(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

}  // namespace

Route::Route(RouteContext& cluster, const server::ServerContext& server,
             server::ConnectionOwner& worker, std::unique_ptr<net::Transport> transport,
             std::uint64_t rid, std::string ip, int port, std::shared_ptr<RouteDial> dial)
    : Connection(subjects::SubscriberKind::Route, server, worker, std::move(transport), rid,
                 std::move(ip), port),
      cluster_(cluster),
      dial_(std::move(dial)) {}

Route::~Route() = default;

void Route::start() {
  set_label(fmt::format("{}:{} - rid:{}", ip_, port_, cid_));
  start_io();
  last_activity_ns_.store(steady_ns(start_time_), std::memory_order_relaxed);
  set_next_ping(first_ping_delay());
  // Neither side waits: the dialler sends CONNECT then its INFO, the acceptor its INFO.
  if (dial_) {
    log::debug("{} - Route connect msg sent", describe());
    enqueue(cluster_.route_connect(*dial_, tls_ != nullptr));
  }
  enqueue(cluster_.route_info());
  if (!dial_ && !server_.options().cluster.username.empty()) arm_auth_timer();
  start_tls();
  log::info("{} - Route connection created", describe());
}

// ---- input -----------------------------------------------------------------------------------

bool Route::process_input() {
  GNATSD_ASSERT_OWNER_THREAD();
  // nats-server puts no control-line or payload limit on routes; the parser needs a bound for
  // what it buffers, so a control line may be as long as a maximum payload.
  const protocol::ParserLimits limits{
      std::max<std::size_t>(static_cast<std::size_t>(server_.options().max_payload),
                            static_cast<std::size_t>(protocol::kDefaultMaxControlLine) * 16),
      -1};
  auto result = protocol::parse_route_frames(in_buffered(), limits, *this);
  if (closed_) return false;
  if (result.error != protocol::ParseError::None) {
    log::error("{} - {}", describe(), result.error_log);
    if (result.error == protocol::ParseError::UnknownOp) {
      close_now_for_error(server::CloseReason::ProtocolViolation, protocol::err::kUnknownProtocol);
    } else if (result.error == protocol::ParseError::PeerError) {
      close(server::CloseReason::ParseError);  // nats-server's processErr
    } else {
      close(server::CloseReason::ProtocolViolation);
    }
    return false;
  }
  if (result.consumed > 0)
    last_activity_ns_.store(steady_ns(last_read_), std::memory_order_relaxed);
  consume_input(result.consumed, result.pending_frame_size);
  return true;
}

void Route::arm_auth_timer() {
  awaiting_auth_ = true;
  const auto& cluster = server_.options().cluster;
  // nats-server's default: 2 s, or the TLS timeout plus a second with route TLS.
  std::chrono::milliseconds timeout = cluster.auth_timeout;
  if (timeout.count() == 0) {
    timeout = cluster.tls.enabled ? cluster.tls.timeout + std::chrono::seconds(1)
                                  : std::chrono::milliseconds(2000);
  }
  worker_.loop().run_after(timeout, [weak = weak_self<Route>()] {
    auto self = weak.lock();
    if (!self || self->closed_ || !self->awaiting_auth_) return;
    log::debug("{} - {}", self->describe(), protocol::err::kAuthTimeout);
    self->close_now_for_error(server::CloseReason::AuthenticationTimeout,
                              protocol::err::kAuthTimeout);
  });
}

bool Route::authorized(const protocol::RouteConnect& connect) const {
  const auto& cluster = server_.options().cluster;
  return connect.user == cluster.username &&
         auth::secret_matches(cluster.password, connect.password);
}

void Route::auth_violation() {
  log::error("{} - authentication error", describe());
  close_now_for_error(server::CloseReason::AuthenticationViolation, protocol::err::kAuthorization);
}

bool Route::refuse_unauthenticated() {
  if (!awaiting_auth_) return false;
  auth_violation();
  return true;
}

bool Route::on_connect(std::string_view json) {
  if (log::trace_enabled()) trace_in("CONNECT", auth::redact_password(json));
  auto decoded = protocol::decode_route_connect(json);
  if (decoded.error) {
    log::error("{} - {}", describe(), *decoded.error);
    close(server::CloseReason::ProtocolViolation);
    return false;
  }
  const protocol::RouteConnect& connect = decoded.connect;
  if (awaiting_auth_) {
    // A bcrypt hash is checked inline: routes connect rarely, and the peer waits anyway.
    if (!authorized(connect)) {
      auth_violation();
      return false;
    }
    awaiting_auth_ = false;
  }
  if (!connect.lang.empty()) {
    // A client dialled the cluster port.
    log::error("{} - {}", describe(), protocol::err::kClientOnRoutePort);
    close_now_for_error(server::CloseReason::WrongPort, protocol::err::kClientOnRoutePort);
    return false;
  }
  if (!connect.gateway.empty()) {
    const std::string text =
        fmt::format("Rejecting connection from gateway \"{}\" on the Route port", connect.gateway);
    log::error("{} - {}", describe(), text);
    close_now_for_error(server::CloseReason::WrongGateway, text);
    return false;
  }
  const std::string ours = cluster_.cluster_name();
  if (connect.cluster != ours &&
      !cluster_.accept_cluster_name(connect.cluster, connect.cluster_dynamic, *this)) {
    const std::string text = fmt::format(
        "Rejecting connection, cluster name \"{}\" does not match \"{}\"", connect.cluster, ours);
    log::error("{} - {}", describe(), text);
    close_now_for_error(server::CloseReason::ClusterNameConflict, text);
    return false;
  }
  // Once the INFO registered the route its id is fixed (monitoring reads it).
  if (!info_received_) remote_id_ = connect.name;
  auto out = outbound_.lock();
  out->filter.headers = !server_.options().no_header_support && connect.headers;
  return true;
}

bool Route::on_info(std::string_view json) {
  trace_in("INFO", json);
  if (refuse_unauthenticated()) return false;
  auto decoded = protocol::decode_route_info(json);
  if (decoded.error) {
    log::error("{} - {}", describe(), *decoded.error);
    close(server::CloseReason::ParseError);
    return false;
  }
  protocol::RouteInfo& info = decoded.info;
  if (info.server_id == cluster_.server_id()) {
    // Dialled ourselves (the cluster's own URL in its routes): both halves close. (A registered
    // route keeps its id: the registry finds it by that id when it closes.)
    if (!info_received_) remote_id_ = info.server_id;
    close(server::CloseReason::DuplicateRoute);
    return false;
  }
  if (!info.cluster.empty() && info.cluster != cluster_.cluster_name() &&
      !cluster_.accept_cluster_name(info.cluster, info.cluster_dynamic, *this)) {
    close(server::CloseReason::ClusterNameConflict);
    return false;
  }
  if (!info_received_) return on_first_info(std::move(info));
  if (!remote_id_.empty() && info.server_id != remote_id_) {
    // The peer tells us about another member: gossip.
    cluster_.learn_peer(info);
    return true;
  }
  auto previous_export = std::move(peer_export_);
  peer_export_ = info.export_permission;
  cluster_.peer_updated(*this, info, previous_export);
  return true;
}

bool Route::on_first_info(protocol::RouteInfo info) {
  if (!dial_ && info.server_name == server_.options().server_name) {
    log::error("{} - Remote server has a duplicate name: \"{}\"", describe(), info.server_name);
    close(server::CloseReason::DuplicateServerName);
    return false;
  }
  info_received_ = true;
  remote_id_ = info.server_id;
  peer_export_ = info.export_permission;
  remote_name_ = info.server_name;
  {
    auto out = outbound_.lock();
    out->filter.headers = !server_.options().no_header_support && info.headers;
  }
  switch (cluster_.register_route(self<Route>(), info)) {
    case Registration::Registered:
      registered_ = true;
      log::debug("{} - Registering remote route \"{}\"", describe(), info.server_id);
      return !closed_;
    case Registration::Duplicate:
      log::debug("{} - Detected duplicate remote route \"{}\"", describe(), info.server_id);
      close(server::CloseReason::DuplicateRoute);
      return false;
  }
  return true;
}

bool Route::on_route_sub(const protocol::RouteSubFrame& frame) {
  if (log::trace_enabled()) {
    trace_in("RS+", frame.queue.empty() ? fmt::format("{} {}", frame.account, frame.subject)
                                        : fmt::format("{} {} {} {}", frame.account, frame.subject,
                                                      frame.queue, frame.weight));
  }
  if (frame.weight < 0) {
    log::error("{} - processRemoteSub Parse Error: '{} {}'", describe(), frame.account,
               frame.subject);
    close(server::CloseReason::ProtocolViolation);
    return false;
  }
  if (refuse_unauthenticated()) return false;
  // As nats-server: a subject its sublist refuses (an empty token, a token after '>') is logged
  // and ignored; the route stays up.
  if (!subjects::is_valid_subscription_subject(frame.subject)) {
    log::error("{} - Could not insert subscription: sublist invalid subject", describe());
    return true;
  }
  if (!cluster_.can_export(frame.subject)) {
    log::debug("{} - Can not export \"{}\", ignoring remote subscription request", describe(),
               frame.subject);
    return true;
  }
  const bool global = frame.account == kGlobalAccount;
  const bool queue = !frame.queue.empty();
  subjects::SubjectIndex& index = cluster_.subject_index();
  // One lookup per RS+: a new peer announces its whole interest at once (100,000 subscriptions
  // are 100,000 of these in a row).
  std::lock_guard lock(subs_mutex_);
  auto [it, inserted] =
      remote_subs_.try_emplace(interest_key(frame.account, frame.subject, frame.queue));
  if (!inserted) {
    // A plain subscription is announced once; a queue's RS+ updates its weight (0: gone).
    if (!queue || it->second->weight == frame.weight) return true;
    it->second->closed.store(true, std::memory_order_release);
    if (global) index.remove(it->second);
  }
  if (queue && frame.weight == 0) {
    remote_subs_.erase(it);
    return true;
  }
  auto sub = std::make_shared<subjects::Subscription>();
  sub->subject = std::string(frame.subject);
  sub->queue = std::string(frame.queue);
  sub->sid = it->first;
  sub->subscriber = self<Route>();
  sub->weight = queue ? static_cast<std::int32_t>(frame.weight) : 1;
  // Other accounts (the peer's $SYS interest) are kept and counted, not matched: this server's
  // clients are all in the global account.
  if (global) index.insert(sub);
  it->second = std::move(sub);
  return true;
}

bool Route::on_route_unsub(const protocol::RouteUnsubFrame& frame) {
  trace_in("RS-", frame.key);
  if (refuse_unauthenticated()) return false;
  remove_remote_interest(interest_key(frame.account, frame.subject, frame.queue));
  return true;
}

void Route::drop_unexported_interest() {
  if (closed_) return;
  std::vector<std::string> refused;
  {
    std::lock_guard lock(subs_mutex_);
    for (const auto& [key, sub] : remote_subs_) {
      if (!cluster_.can_export(sub->subject)) refused.push_back(key);
    }
  }
  for (const auto& key : refused) remove_remote_interest(key);
}

void Route::remove_remote_interest(const std::string& key) {
  auto it = remote_subs_.find(key);
  if (it == remote_subs_.end()) return;
  it->second->closed.store(true, std::memory_order_release);
  cluster_.subject_index().remove(it->second);
  std::lock_guard lock(subs_mutex_);
  remote_subs_.erase(it);
}

bool Route::on_route_msg(const protocol::RouteMsgFrame& frame) {
  if (log::trace_enabled()) {
    trace_in(frame.has_headers ? "HMSG" : "RMSG",
             fmt::format("{} {} {}{}{} {}", frame.account, frame.subject, frame.reply,
                         frame.queues.empty() ? "" : " ", frame.queues, frame.payload.size()));
  }
  if (refuse_unauthenticated()) return false;
  in_msgs_count_.fetch_add(1, std::memory_order_relaxed);
  in_bytes_count_.fetch_add(frame.payload.size(), std::memory_order_relaxed);
  stats_.in_msgs.add(1);
  stats_.in_bytes.add(frame.payload.size());
  if (frame.account != kGlobalAccount) {
    log::debug("{} - Unknown account \"{}\" for routed message on subject: \"{}\"", describe(),
               frame.account, frame.subject);
    return true;
  }
  const server::OutboundMessage msg{frame.subject, frame.reply, frame.payload, frame.header_len,
                                    last_read_};
  fan_out_routed(msg, frame.queues);
  return true;
}

bool Route::on_ping() {
  trace_in("PING", "");
  if (refuse_unauthenticated()) return false;
  enqueue(protocol::kPong);
  return true;
}

bool Route::on_pong() {
  trace_in("PONG", "");
  pings_out_ = 0;
  rtt_ = Clock::now() - rtt_start_;
  rtt_ns_.store(std::chrono::duration_cast<std::chrono::nanoseconds>(rtt_).count(),
                std::memory_order_relaxed);
  return true;
}

// ---- output ----------------------------------------------------------------------------------

server::DeliveryOutcome Route::deliver(const server::OutboundMessage& msg,
                                       std::span<const std::string_view> queues) {
  bool appended = false;
  bool newly_slow = false;
  bool heavy = false;
  bool backlogged = false;
  {
    auto out = outbound_.lock();
    if (out->closed) return {};
    std::string_view payload = msg.payload;
    std::size_t header_len = msg.header_len;
    // A peer without headers gets the data only, as a client without headers would.
    if (header_len > 0 && !out->filter.headers) {
      payload.remove_prefix(header_len);
      header_len = 0;
    }
    const protocol::RouteMsg frame{.account = kGlobalAccount,
                                   .subject = msg.subject,
                                   .reply = msg.reply,
                                   .queues = queues,
                                   .payload = payload,
                                   .header_len = header_len};
    const std::size_t frame_size = protocol::frame_bound(frame);
    const auto max_pending = static_cast<std::size_t>(server_.options().max_pending);
    if (out->pending_bytes + frame_size > max_pending) {
      if (outbound_.slow_consumer()) return {};
      outbound_.mark_slow_consumer();
      newly_slow = true;
    } else {
      char* const begin = out->pending.reserve_tail(frame_size);
      char* const cursor = protocol::write_frame(begin, frame);
      const auto written = static_cast<std::size_t>(cursor - begin);
      out->pending.commit(written);
      out->pending_bytes += written;
      appended = true;
      heavy = server::back_pressure::is_heavy(out->pending_bytes, max_pending);
      backlogged = heavy && !outbound_.stuck_for(server::back_pressure::kStuckWindow);
      ++out->msgs;
      out->bytes += payload.size();
      out->last_activity = msg.read_at;
    }
  }
  server::DeliveryOutcome outcome;
  outcome.delivered = appended;
  outcome.backlogged = backlogged;
  outcome.heavy = heavy;
  outcome.needs_flush = (appended || newly_slow) && outbound_.claim_flush();
  return outcome;
}

void Route::queue_protocol(std::string_view text) {
  if (!outbound_.append(text)) return;
  if (!outbound_.claim_flush()) return;
  worker_.loop().post([weak = weak_self<Route>()] {
    if (auto route = weak.lock()) route->flush();
  });
}

// ---- close and monitoring --------------------------------------------------------------------

void Route::on_closing(server::CloseReason reason) {
  log::info("{} - Router connection closed: {}", describe(), server::to_string(reason));
  // The peer's interest leaves with it; moved out first to break the route <-> sub cycle.
  decltype(remote_subs_) subs;
  {
    std::lock_guard lock(subs_mutex_);
    subs.swap(remote_subs_);
  }
  for (auto& [key, sub] : subs) {
    sub->closed.store(true, std::memory_order_release);
    cluster_.subject_index().remove(sub);
  }
  cluster_.route_closed(*this, server::to_string(reason));
}

std::vector<Route::RemoteInterest> Route::remote_interest() const {
  std::vector<RemoteInterest> out;
  std::lock_guard lock(subs_mutex_);
  out.reserve(remote_subs_.size());
  for (const auto& [key, sub] : remote_subs_) out.push_back({sub->subject, key});
  return out;
}

RouteSummary Route::summary() {
  RouteSummary s;
  s.rid = cid_;
  s.remote_id = remote_id_;
  s.remote_name = remote_name_;
  s.did_solicit = dial_ != nullptr;
  s.is_configured = dial_ != nullptr && dial_->configured;
  s.ip = ip_;
  s.port = port_;
  s.start = start_wall_;
  const auto last = std::chrono::steady_clock::time_point(
      std::chrono::nanoseconds(last_activity_ns_.load(std::memory_order_relaxed)));
  s.last_activity = start_wall_ + std::chrono::duration_cast<server::WallClock::duration>(
                                      std::max(last, start_time_) - start_time_);
  s.rtt = std::chrono::nanoseconds(rtt_ns_.load(std::memory_order_relaxed));
  {
    auto out = outbound_.lock();
    s.pending_bytes = out->pending_bytes;
    s.out_msgs = out->msgs;
    s.out_bytes = out->bytes;
    if (out->last_activity > Clock::time_point{}) {
      const auto delivered = std::max(out->last_activity, start_time_);
      const auto at = start_wall_ + std::chrono::duration_cast<server::WallClock::duration>(
                                        delivered - start_time_);
      if (at > s.last_activity) s.last_activity = at;
    }
  }
  s.in_msgs = in_msgs_count_.load(std::memory_order_relaxed);
  s.in_bytes = in_bytes_count_.load(std::memory_order_relaxed);
  {
    std::lock_guard lock(subs_mutex_);
    s.subscriptions = remote_subs_.size();
  }
  return s;
}

}  // namespace gnatsd::cluster
