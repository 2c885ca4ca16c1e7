// A cluster route: a connection to another server of the cluster, in nats-server 2.x's route
// protocol (../shared/spec/route-protocol.md). It carries the peer's interest into this server's
// subject index (RS+/RS-, standing for every subscriber the peer has) and messages both ways
// (RMSG/HMSG); what it learns about the cluster (the peer's INFO, gossip) goes to the Cluster.
//
// Threading: the protocol runs on the owning worker's loop thread. deliver() (a message for the
// peer) and queue_protocol() (interest updates) run on any thread; summary() too.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/route_context.hpp"
#include "common/flat_string_map.hpp"
#include "protocol/route_info.hpp"
#include "protocol/route_parser.hpp"
#include "server/connection.hpp"

namespace gnatsd::cluster {

class Route final : public server::Connection {
 public:
  // `dial`: the URL this server solicited; null for an accepted route.
  Route(RouteContext& cluster, const server::ServerContext& server, server::ConnectionOwner& worker,
        std::unique_ptr<net::Transport> transport, std::uint64_t rid, std::string ip, int port,
        std::shared_ptr<RouteDial> dial);
  ~Route() override;

  // Loop thread.
  void start() override;
  // Drops every other route of the cluster (a dynamic name changed): closed as nats-server does.
  void close_removed() { close(server::CloseReason::ClusterNameConflict); }
  // Loop thread, after a reload narrowed the export permissions: the peer's interest they no
  // longer allow leaves the index.
  void drop_unexported_interest();
  // A reload removed the configured route this connection was dialled for.
  void close_removed_route() { close(server::CloseReason::RouteRemoved); }

  // Any thread: queues one RMSG/HMSG for the peer, for its plain subscribers and the queue
  // groups this server picked the peer for.
  server::DeliveryOutcome deliver(const server::OutboundMessage& msg,
                                  std::span<const std::string_view> queues);
  // Any thread: queues protocol text (RS+, RS-, INFO) and has it flushed.
  void queue_protocol(std::string_view text);

  // Any thread, once registered: who is at the other end.
  const std::string& remote_id() const noexcept { return remote_id_; }
  const std::shared_ptr<RouteDial>& dial() const noexcept { return dial_; }
  const std::string& peer_ip() const noexcept { return ip_; }
  RouteSummary summary();
  // Any thread: the peer's interest (subject and key), for /routez?subs=1|detail.
  struct RemoteInterest {
    std::string subject;
    std::string key;  // "<account> <subject>[ <queue>]"
  };
  std::vector<RemoteInterest> remote_interest() const;

  // Parser callbacks (see protocol::RouteFrameHandler).
  bool on_info(std::string_view json);
  bool on_connect(std::string_view json);
  bool on_route_sub(const protocol::RouteSubFrame& frame);
  bool on_route_unsub(const protocol::RouteUnsubFrame& frame);
  bool on_route_msg(const protocol::RouteMsgFrame& frame);
  bool on_ping();
  bool on_pong();
  bool on_ok() { return true; }

 private:
  bool process_input() override;
  void on_closing(server::CloseReason reason) override;
  std::string_view kind_name() const noexcept override { return "route"; }
  std::chrono::milliseconds tls_timeout() const override {
    return server_.options().cluster.tls.timeout;
  }

  // The first INFO: checks, then registration with the cluster.
  bool on_first_info(protocol::RouteInfo info);
  // Route authorization (cluster { authorization {} }): an accepted route must open with a
  // CONNECT carrying the cluster's user and password within the auth timeout.
  void arm_auth_timer();
  bool authorized(const protocol::RouteConnect& connect) const;
  // Any frame but CONNECT while awaiting it: refused as nats-server refuses it.
  bool refuse_unauthenticated();
  void auth_violation();
  // The peer's interest, by nats-server's key: "<account> <subject>[ <queue>]".
  void remove_remote_interest(const std::string& key);

  RouteContext& cluster_;
  const std::shared_ptr<RouteDial> dial_;

  // Loop thread.
  bool info_received_ = false;
  bool registered_ = false;
  bool awaiting_auth_ = false;
  // Set before registration, read by any thread after it (registration is under the cluster's
  // lock, which publishes it).
  std::string remote_id_;
  std::string remote_name_;
  std::optional<protocol::RoutePermission> peer_export_;  // from the peer's INFO
  // Written on the loop thread, under subs_mutex_ so that monitoring can list it.
  mutable std::mutex subs_mutex_;
  // Flat: a new peer announces its whole interest at once (100,000 RS+ in a row).
  common::FlatStringMap<subjects::SubscriptionPtr> remote_subs_;

  // Read by monitoring from any thread.
  std::atomic<std::uint64_t> in_msgs_count_{0}, in_bytes_count_{0};
  std::atomic<std::int64_t> rtt_ns_{0};
  std::atomic<std::int64_t> last_activity_ns_{0};  // steady clock
};

}  // namespace gnatsd::cluster
