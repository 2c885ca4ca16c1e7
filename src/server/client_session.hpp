// One client connection: reads and parses its frames, routes its publishes, and owns its
// outbound buffer, which any worker may append deliveries to.
//
// Threading: everything runs on the owning worker's loop thread except deliver() and
// schedule_flush_from(), which other workers call; those touch only the members marked
// "guarded by out_mutex_" (plus atomics).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/authenticator.hpp"
#include "auth/permissions.hpp"
#include "net/byte_buffer.hpp"
#include "net/event_loop.hpp"
#include "net/transport.hpp"
#include "protocol/client_parser.hpp"
#include "server/close_reason.hpp"
#include "server/conn_info.hpp"
#include "subjects/subscription.hpp"

namespace gnatsd::net {
class TlsTransport;
}

namespace gnatsd::server {

class Server;
class Worker;

// What a publisher hands every subscriber: views into the publisher's read buffer.
struct OutboundMessage {
  std::string_view subject;
  std::string_view reply;
  std::string_view payload;    // headers then data
  std::size_t header_len = 0;  // 0: no headers
  // When the publisher's bytes were read: the subscriber's last activity, as nats-server counts.
  std::chrono::steady_clock::time_point read_at{};
};

class ClientSession final : public net::IoHandler,
                            public subjects::Subscriber,
                            public std::enable_shared_from_this<ClientSession> {
 public:
  using Clock = std::chrono::steady_clock;

  ClientSession(Server& server, Worker& worker, std::unique_ptr<net::Transport> transport,
                std::uint64_t cid, std::string ip, int port);
  ~ClientSession();

  // Loop thread.
  void start();
  void on_io(std::uint32_t events) override;
  void flush();
  void close(CloseReason reason);
  void tick(Clock::time_point now);
  void send_lame_duck_info();  // owner thread
  bool closed() const noexcept { return closed_; }

  struct DeliveryOutcome {
    bool delivered = false;    // the message was queued for this subscriber
    bool needs_flush = false;  // nobody has scheduled a flush yet: the caller must
    bool backlogged = false;   // the subscriber is far behind: the publisher should pause
    bool heavy = false;        // over half of max_pending queued: flush before reading more
  };
  // Any thread: queues one MSG/HMSG for `sub`.
  DeliveryOutcome deliver(subjects::Subscription& sub, const OutboundMessage& msg);

  // Any thread: the negotiated TLS version ("1.2", "1.3") and cipher suite (IANA name, as
  // nats-server reports it), for /connz; both empty for plain TCP or before the handshake.
  struct TlsSummary {
    std::string_view version;
    std::string_view cipher_suite;
  };
  TlsSummary tls_summary() const;

  std::uint64_t cid() const noexcept { return cid_; }
  Worker& worker() noexcept { return worker_; }

  // Loop thread: what /connz shows for this connection; subscriptions only when asked for.
  ConnInfo conn_info(bool with_subs);
  // Loop thread: this connection's subscriptions, in sid order.
  std::vector<SubDetail> sub_details();

  // Parser callbacks (see protocol::ClientFrameHandler).
  bool on_connect(std::string_view json);
  bool on_pub(const protocol::PubFrame& frame);
  bool on_sub(const protocol::SubFrame& frame);
  bool on_unsub(const protocol::UnsubFrame& frame);
  bool on_ping();
  bool on_pong();

  // Loop thread, after a config reload replaced the authenticator: the client's credentials are
  // checked again (refused: closed with an authorization violation) and its permissions
  // replaced, dropping the subscriptions they no longer allow, as nats-server does.
  void reauthorize();

 private:
  void handle_readable();
  // Parses the buffered input; false when reading must stop (closed, or a CONNECT is being
  // verified).
  bool process_input();

  // Authentication (client_session_auth.cpp).
  void arm_auth_timer();
  void auth_timer_expired();
  // A frame other than CONNECT arrived while auth is required and no CONNECT was seen: the
  // no_auth_user takes the client, or it is refused. False when the session closed.
  bool admit_before_connect();
  // Checks a CONNECT's credentials, inline or on a helper thread (bcrypt). True when the
  // CONNECT may be finished now; false when the session closed or the check is pending.
  bool authenticate_connect(auth::Credentials credentials);
  // Checks credentials_ against authenticator_; calls auth_checked now (true) or from a
  // helper thread's result later (false).
  bool check_credentials(bool for_connect);
  void auth_checked(std::optional<auth::Identity> identity, bool for_connect, std::uint64_t check);
  void apply_identity(const auth::Identity& identity);
  // After a reload changed the permissions: subscriptions no longer allowed are removed.
  void drop_unauthorized_subscriptions();
  void auth_violation();
  void update_pub_gate() noexcept { pub_gate_ = awaiting_connect_ || publish_check_ != nullptr; }
  // Permissions (client_session_auth.cpp).
  std::string auth_user_label() const;
  void publish_violation(std::string_view subject);
  void subscribe_violation(const protocol::SubFrame& frame);
  // Loop thread: the CONNECT's client name/lang/version join the log prefix, as nats-server.
  void set_log_label_from_connect();

  // The rest of CONNECT once the client is authenticated: protocol checks and +OK.
  bool finish_connect();
  // PUB in two halves around the permission check, so that a session with neither pending
  // authentication nor publish permissions pays a single branch (pub_gate_).
  bool accept_pub(const protocol::PubFrame& frame);
  bool publish(const protocol::PubFrame& frame);
  bool on_gated_pub(const protocol::PubFrame& frame);
  void send_info();
  // Loop thread: queue protocol text (INFO, PONG, +OK, -ERR) for this client.
  void enqueue(std::string_view text);
  void send_error(std::string_view text);
  void send_ok();
  void route(const OutboundMessage& msg);
  void send_no_responders(std::string_view reply);
  void remove_subscription(const subjects::SubscriptionPtr& sub);
  void set_write_interest(bool on);
  void pause_reading();
  void resume_reading();
  // Pause timer: stay paused while the subscriber that caused the pause is still over half of
  // max_pending and still taking bytes, within a bounded total pause.
  void pause_elapsed();
  bool still_backlogged() const;
  bool stuck_for(std::chrono::nanoseconds window) const;  // any thread
  void update_interest();
  std::string describe() const;  // log prefix: "ip:port - cid:N" (+ " - \"v1.2:go:name\"")
  void trace_in(std::string_view op, std::string_view args) const;
  void close_now_for_error(CloseReason reason, std::string_view err_text);

  // TLS (client_session_tls.cpp); only called when tls_ is set.
  void begin_tls_handshake();
  void tls_handshake_expired();
  void on_tls_read_error();
  void on_tls_established();  // checks; does nothing until the handshake is done
  // After a read batch: resume output held back by the handshake, and come back for input
  // OpenSSL holds when the batch stopped before draining it.
  void after_tls_read(bool drained);
  void read_tls_buffered_input();
  void wait_writable_to_read();

  Server& server_;
  Worker& worker_;
  std::unique_ptr<net::Transport> transport_;
  net::TlsTransport* const tls_;  // transport_ when it is TLS, else null (not owning)
  const std::uint64_t cid_;
  const std::string ip_;
  const int port_;

  // Loop thread state.
  bool closed_ = false;
  bool write_interest_ = false;
  bool reading_paused_ = false;
  // TLS crosses directions: a read may have to send first, a write may wait for a handshake.
  bool read_waits_writable_ = false;
  bool flush_waits_readable_ = false;
  bool tls_handshake_pending_ = false;
  bool tls_reread_scheduled_ = false;
  Clock::time_point paused_since_{};
  std::weak_ptr<ClientSession> backlogged_target_;  // the subscriber this publisher waits for
  bool feeding_backlogged_ = false;  // this batch delivered to a subscriber that is far behind
  bool feeding_heavy_ = false;       // this batch left a subscriber over half of max_pending
  std::vector<char> in_buf_;
  std::size_t in_len_ = 0;
  net::ByteBuffer out_writing_;
  std::size_t out_written_ = 0;
  Clock::time_point start_time_;
  WallClock::time_point start_wall_;  // start_time_ on the wall clock: other instants derive
                                      // from it, so that they never drift between requests
  Clock::time_point last_read_;       // any bytes from the client: proves it alive (pings)
  // What monitoring calls last activity, as nats-server: CONNECT, SUB, UNSUB, PUB (the time of
  // the read that carried it) and deliveries (out_last_activity_), but not PING/PONG.
  Clock::time_point last_activity_;
  Clock::time_point rtt_start_{};  // when the INFO or our latest PING went out
  std::chrono::nanoseconds rtt_{0};
  Clock::time_point next_ping_;
  Clock::time_point write_blocked_since_{};
  int pings_out_ = 0;

  // CONNECT options; defaults as nats-server before a CONNECT arrives.
  bool verbose_ = true;
  bool pedantic_ = true;
  bool echo_ = true;
  bool headers_ = false;
  bool no_responders_ = false;
  int protocol_ = 0;
  std::string name_, lang_, version_;
  bool connect_seen_ = false;

  // Authentication and permissions (loop thread).
  std::shared_ptr<const auth::Authenticator> authenticator_;  // as of the latest CONNECT
  bool awaiting_connect_ = false;  // auth is required and no CONNECT has arrived yet
  bool auth_pending_ = false;      // a CONNECT's bcrypt check is running: input waits
  bool pub_gate_ = false;          // PUB takes on_gated_pub: awaiting_connect_ or publish_check_
  auth::Credentials credentials_;  // of the latest CONNECT, re-checked on a config reload
  std::uint64_t auth_checks_ = 0;  // numbers credential checks: only the latest verdict counts
  std::string connect_user_;       // CONNECT's user (or a redacted token), for monitoring
  std::string auth_user_;          // who the client is, for permission violation logs
  bool auth_nkey_ = false;         // auth_user_ is a public nkey
  // Set by a reload when the client had logged in as an entry of the users list: if the new
  // list no longer has that entry, it is closed as nats-server does (no -ERR, "Client Closed").
  bool listed_before_reload_ = false;
  std::string nonce_;  // sent in INFO when nkey users are configured, signed back
  std::shared_ptr<const auth::UserPermissions> permissions_;  // null: unrestricted
  std::unique_ptr<auth::PublishCheck> publish_check_;         // null: publish anywhere

  // The log prefix; read by other workers' deliveries when tracing.
  mutable std::mutex label_mutex_;
  std::string label_;  // guarded by label_mutex_

  // Subscriptions by sid. Owner thread writes; an auto-unsubscribe may erase from any thread.
  std::mutex subs_mutex_;
  std::unordered_map<std::string, subjects::SubscriptionPtr> subs_;

  // Outbound side shared with publishers on other workers.
  mutable std::mutex out_mutex_;
  net::ByteBuffer out_pending_;        // guarded by out_mutex_
  std::size_t out_pending_bytes_ = 0;  // guarded by out_mutex_: queued or being written
  // Set under out_mutex_ by a publisher; read lock-free by the owner at every flush.
  std::atomic<bool> slow_consumer_{false};
  bool out_headers_ = false;  // guarded by out_mutex_: copy of headers_ for deliver()
  bool out_closed_ = false;   // guarded by out_mutex_: no more deliveries
  // The delivery filter (nats-server's mperms): once a wildcard subscription reached into the
  // subscribe deny list, every delivery is checked against the plain deny entries of these
  // permissions, with a cache of decisions. Null: off. Written by the owner thread only.
  std::shared_ptr<const auth::UserPermissions> out_permissions_;  // guarded by out_mutex_
  auth::DecisionCache out_deny_cache_;                            // guarded by out_mutex_
  // allow_responses: deliveries record their reply subjects here for this client's PUBs to
  // use (through publish_check_). Null for everyone else, so that a delivery pays one branch.
  // Written by the owner thread only.
  std::shared_ptr<auth::ReplyPermits> reply_permits_;  // guarded by out_mutex_
  std::atomic<bool> flush_scheduled_{false};
  // Since when the socket has refused bytes (steady clock, ns; 0: it is not blocked): tells
  // publishers whether a backlogged subscriber is worth pausing for or stuck (to be cut off).
  std::atomic<std::int64_t> blocked_since_ns_{0};
  std::uint64_t out_msgs_ = 0, out_bytes_ = 0;  // guarded by out_mutex_
  TlsSummary tls_summary_;                      // guarded by out_mutex_; static strings
  Clock::time_point out_last_activity_{};       // guarded by out_mutex_
  std::uint64_t in_msgs_ = 0, in_bytes_ = 0;
};

}  // namespace gnatsd::server
