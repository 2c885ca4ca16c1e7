// Fan-out: the one place a message meets its subscribers. Both ingresses come here — a client's
// PUB/HPUB (fan_out: local subscribers and one copy per interested route) and a route's
// RMSG/HMSG (fan_out_routed: local subscribers only) — so that queue-group picks, echo and the
// accounting of deliveries and back-pressure happen once.
//
// Queue groups across the cluster: a client's message draws one member over this server's
// members and every route's weight (the peer's member count, RS+), so each group gets the
// message exactly once cluster-wide; a route picked for a group gets the group's name in its
// RMSG. The receiving server gives a listed group to one of its local members. If the group
// has no local member any more (it left while the message was in flight), the message is
// dropped for that group: it never goes back out to a route, so it cannot loop or reach the
// group twice — as nats-server 2.9 does.
#include "cluster/route.hpp"
#include "protocol/route_parser.hpp"
#include "server/client_session.hpp"
#include "server/connection.hpp"
#include "subjects/subject_index.hpp"

namespace gnatsd::server {
namespace {

// Local subscribers in this server's index are client sessions.
ClientSession* client_of(const subjects::Subscription& sub) {
  return static_cast<ClientSession*>(static_cast<Connection*>(sub.subscriber.get()));
}

cluster::Route* route_of(const subjects::Subscription& sub) {
  return static_cast<cluster::Route*>(static_cast<Connection*>(sub.subscriber.get()));
}

bool lists_queue(std::string_view queues, std::string_view name) {
  bool found = false;
  protocol::for_each_queue(queues, [&](std::string_view q) { found = found || q == name; });
  return found;
}

}  // namespace

Connection::RouteTarget& Connection::route_target(Connection* route) {
  for (std::size_t i = 0; i < route_target_count_; ++i) {
    if (route_targets_[i].route == route) return route_targets_[i];
  }
  if (route_target_count_ == route_targets_.size()) route_targets_.emplace_back();
  RouteTarget& target = route_targets_[route_target_count_++];
  target.route = route;
  target.queues.clear();
  return target;
}

// One local subscriber: queue the message, have its flush scheduled, note the pressure it is
// under. Inlined into both fan-outs: this is the per-subscriber cost of a message.
[[gnu::always_inline]] inline bool Connection::offer_local(const subjects::SubscriptionPtr& sub,
                                                           const OutboundMessage& msg, bool echo) {
  ClientSession* target = client_of(*sub);
  if (target == nullptr || (!echo && static_cast<Connection*>(target) == this)) return false;
  const DeliveryOutcome outcome = target->deliver(sub, msg);
  if (outcome.needs_flush)
    worker_.schedule_flush(std::static_pointer_cast<Connection>(sub->subscriber));
  if (outcome.backlogged || outcome.heavy)
    note_delivery_pressure(sub->subscriber, outcome.backlogged, outcome.heavy);
  return outcome.delivered;
}

// A queue group's local members from `first` on, round: the first that can still receive.
[[gnu::always_inline]] inline bool Connection::offer_to_one_of(
    std::span<const subjects::SubscriptionPtr> members, std::size_t first,
    const OutboundMessage& msg, bool echo) {
  const std::size_t n = members.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (offer_local(members[(first + i) % n], msg, echo)) return true;
  }
  return false;
}

void Connection::count_deliveries(std::uint64_t delivered, const OutboundMessage& msg) {
  if (delivered == 0) return;
  stats_.out_msgs.add(delivered);
  stats_.out_bytes.add(delivered * msg.payload.size());
}

std::uint64_t Connection::fan_out(const OutboundMessage& msg, bool echo) {
  const subjects::MatchResult& match = match_cache_.match(msg.subject);
  std::uint64_t delivered = 0;
  for (const auto& sub : match.plain.local()) {
    if (offer_local(sub, msg, echo)) ++delivered;
  }
  route_target_count_ = 0;
  // A route with several matching subscriptions ("foo", "foo.>") still gets one copy.
  for (const auto& sub : match.plain.remote()) route_target(route_of(*sub));
  for (const auto& group : match.queue_groups) {
    const auto members = group.local();
    const std::size_t n = members.size();
    const std::uint64_t remote_weight = group.remote_weight();
    if (n + remote_weight == 0) continue;
    std::uint64_t pick = queue_random_.below(n + remote_weight);
    if (pick < n) {
      // A local member: start there, take the first that can still receive.
      if (offer_to_one_of(members, pick, msg, echo)) {
        ++delivered;
        continue;
      }
      if (remote_weight == 0) continue;
      pick = n;  // no local member could take it: the first route with members does
    }
    pick -= n;
    for (const auto& sub : group.remote()) {
      if (pick < static_cast<std::uint64_t>(sub->weight)) {
        route_target(route_of(*sub)).queues.push_back(sub->queue);
        break;
      }
      pick -= static_cast<std::uint64_t>(sub->weight);
    }
  }
  if (route_target_count_ > 0) delivered += forward_to_routes(msg);
  count_deliveries(delivered, msg);
  return delivered;
}

std::uint64_t Connection::forward_to_routes(const OutboundMessage& msg) {
  std::uint64_t delivered = 0;
  for (std::size_t i = 0; i < route_target_count_; ++i) {
    RouteTarget& target = route_targets_[i];
    auto* route = static_cast<cluster::Route*>(target.route);
    const DeliveryOutcome outcome = route->deliver(msg, target.queues);
    if (outcome.needs_flush) worker_.schedule_flush(route->shared_from_this());
    if (outcome.backlogged || outcome.heavy)
      note_delivery_pressure(route->shared_from_this(), outcome.backlogged, outcome.heavy);
    if (outcome.delivered) ++delivered;
  }
  route_target_count_ = 0;
  return delivered;
}

std::uint64_t Connection::fan_out_routed(const OutboundMessage& msg, std::string_view queues) {
  const subjects::MatchResult& match = match_cache_.match(msg.subject);
  std::uint64_t delivered = 0;
  for (const auto& sub : match.plain.local()) {
    if (offer_local(sub, msg, /*echo=*/true)) ++delivered;
  }
  if (!queues.empty()) {
    for (const auto& group : match.queue_groups) {
      const auto members = group.local();
      if (members.empty() || !lists_queue(queues, members[0]->queue)) continue;
      if (offer_to_one_of(members, queue_random_.below(members.size()), msg, /*echo=*/true))
        ++delivered;
    }
  }
  count_deliveries(delivered, msg);
  return delivered;
}

}  // namespace gnatsd::server
