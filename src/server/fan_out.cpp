// Fan-out: the one place a message meets its subscribers. Every ingress calls it — a client's
// PUB/HPUB now, a route's RMSG/HMSG next — so that queue-group picks, echo and the accounting
// of deliveries and back-pressure happen once.
#include "server/client_session.hpp"
#include "server/connection.hpp"
#include "subjects/subject_index.hpp"

namespace gnatsd::server {
namespace {

// Local subscribers in this server's index are client sessions.
ClientSession* client_of(const subjects::Subscription& sub) {
  return static_cast<ClientSession*>(static_cast<Connection*>(sub.subscriber.get()));
}

}  // namespace

std::uint64_t Connection::fan_out(const OutboundMessage& msg, bool echo) {
  const subjects::MatchResult& match = match_cache_.match(msg.subject);
  std::uint64_t delivered = 0;
  // One subscriber: queue the message, have its flush scheduled, note the pressure it is under.
  auto offer = [&](const subjects::SubscriptionPtr& sub) {
    ClientSession* target = client_of(*sub);
    if (target == nullptr || (!echo && static_cast<Connection*>(target) == this)) return false;
    const DeliveryOutcome outcome = target->deliver(sub, msg);
    if (outcome.needs_flush)
      worker_.schedule_flush(std::static_pointer_cast<Connection>(sub->subscriber));
    if (outcome.backlogged || outcome.heavy)
      note_delivery_pressure(sub->subscriber, outcome.backlogged, outcome.heavy);
    return outcome.delivered;
  };
  // Local subscribers only: the index lists routes' interest apart (remote()), and until the
  // cluster layer forwards to it (RMSG, one copy per route) no route is ever in the index.
  for (const auto& sub : match.plain.local()) {
    if (offer(sub)) ++delivered;
  }
  for (const auto& group : match.queue_groups) {
    // One member per group: start at a random member, take the first that can still receive.
    const auto members = group.local();
    const std::size_t n = members.size();
    if (n == 0) continue;
    const std::size_t first = queue_random_.below(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (offer(members[(first + i) % n])) {
        ++delivered;
        break;
      }
    }
  }
  if (delivered > 0) {
    stats_.out_msgs.add(delivered);
    stats_.out_bytes.add(delivered * msg.payload.size());
  }
  return delivered;
}

}  // namespace gnatsd::server
