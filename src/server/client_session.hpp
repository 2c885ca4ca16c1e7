// A client connection on top of Connection's I/O: CONNECT and authentication, PUB/SUB/UNSUB,
// permissions, the MSG/HMSG encoding of deliveries and what monitoring shows of it.
//
// Threading: everything runs on the owning worker's loop thread except deliver(), which other
// workers call; it touches only the outbound side (under its lock) and the subscription.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/authenticator.hpp"
#include "auth/permissions.hpp"
#include "net/transport.hpp"
#include "protocol/client_parser.hpp"
#include "server/close_reason.hpp"
#include "server/conn_info.hpp"
#include "server/connection.hpp"
#include "server/interest.hpp"
#include "subjects/subscription.hpp"

namespace gnatsd::net {
class TlsTransport;
}
namespace gnatsd::websocket {
class WebSocketTransport;
}

namespace gnatsd::server {

// What a WebSocket client brings from its upgrade.
struct WebSocketClient {
  std::string forwarded_ip;          // X-Forwarded-For: shown first in the log prefix
  net::TlsTransport* tls = nullptr;  // wss: the TLS under the frames (its version and suite)
  // The client port has TLS: nats-server's INFO then says tls_required to WebSocket clients
  // too, whether or not their own connection is wss (TLS below the frames is not NATS TLS).
  bool client_port_tls = false;
};

class ClientSession final : public Connection {
 public:
  // `websocket`: the transport is a WebSocketTransport (the client came through the
  // websocket port), with what its upgrade said.
  ClientSession(ClientContext& server, ConnectionOwner& worker,
                std::unique_ptr<net::Transport> transport, std::uint64_t cid, std::string ip,
                int port, std::optional<WebSocketClient> websocket = std::nullopt);
  ~ClientSession() override;

  // Loop thread.
  void start() override;
  void send_lame_duck_info();
  // The cluster's client URLs changed: an INFO update for clients that take them.
  void send_cluster_info();

  // Any thread: queues one MSG/HMSG for `sub`.
  DeliveryOutcome deliver(const subjects::SubscriptionPtr& sub, const OutboundMessage& msg);

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
  ClientContext& context_;
  websocket::WebSocketTransport* const ws_;  // transport_ for a WebSocket client, else null
  net::TlsTransport* const ws_tls_;
  const std::string forwarded_ip_;
  const bool ws_info_tls_required_;

  // Connection's hooks.
  bool process_input() override;
  void on_closing(CloseReason reason) override;
  void on_closed() override;
  void on_expired(std::vector<subjects::SubscriptionPtr>& subs) override;
  std::string_view kind_name() const noexcept override { return "client"; }

  // WebSocket clients authenticate against the websocket block's override when it has one.
  std::shared_ptr<const auth::Authenticator> current_authenticator() const;
  // INFO's tls_required, as nats-server: the client's port requires TLS.
  bool secure() const noexcept { return tls_ != nullptr || ws_info_tls_required_; }
  // The close frame that tells a WebSocket client why (nats-server's status per reason).
  void tell_websocket_close(CloseReason reason);

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
  // This client's INFO (the first one with its nonce).
  std::string info(bool lame_duck, std::string_view nonce = {}) const;
  void send_ok();
  void send_no_responders(std::string_view reply);

  // Loop thread state.
  // What monitoring calls last activity, as nats-server: CONNECT, SUB, UNSUB, PUB (the time of
  // the read that carried it) and deliveries (out_last_activity_), but not PING/PONG.
  Clock::time_point last_activity_;

  // CONNECT options; defaults as nats-server before a CONNECT arrives.
  bool verbose_ = true;
  bool pedantic_ = true;
  bool echo_ = true;
  bool headers_ = false;
  bool no_responders_ = false;
  int protocol_ = 0;
  std::string name_, lang_, version_;
  bool connect_seen_ = false;
  // nats-server sends INFO updates only once a protocol-1 client's first PING was answered.
  bool first_pong_sent_ = false;
  std::uint64_t info_generation_ = 0;  // of the latest INFO sent

  // Authentication and permissions (loop thread).
  std::shared_ptr<const auth::Authenticator> authenticator_;  // as of the latest CONNECT
  bool awaiting_connect_ = false;  // auth is required and no CONNECT has arrived yet
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

  // Subscriptions by sid, and every change to them.
  Interest interest_;
};

}  // namespace gnatsd::server
