// The interest this server's clients have, as its routes see it: one entry per subject for
// plain subscriptions (a route needs to know "someone here wants foo", not how many) and one per
// subject and queue group with its member count, which RS+ carries as the group's weight.
// Not thread-safe: the Cluster holds it under its lock.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "subjects/subscription.hpp"

namespace gnatsd::cluster {

class InterestTable {
 public:
  // The RS+/RS- frame the change makes routes need, or "" when they know already.
  std::string add(const subjects::Subscription& sub);
  std::string remove(const subjects::Subscription& sub);
  // Every entry as RS+ frames, for a route that just registered.
  void dump(std::string& out) const;
  std::size_t size() const noexcept { return counts_.size(); }

 private:
  // Key: the subject, or "subject queue".
  std::unordered_map<std::string, std::uint32_t> counts_;
};

}  // namespace gnatsd::cluster
