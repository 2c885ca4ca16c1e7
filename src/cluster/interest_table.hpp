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
  // Every entry whose subject `allowed` accepts, as RS+ frames (a route that just registered).
  template <class Allowed>
  void dump(std::string& out, Allowed&& allowed) const {
    for_each([&](std::string_view subject, std::string_view queue, std::uint32_t count) {
      if (allowed(subject)) out += frame(subject, queue, count);
    });
  }
  // fn(subject, queue, count) for every entry (queue empty for plain interest).
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (const auto& [key, count] : counts_) {
      const auto space = key.find(' ');
      const std::string_view k = key;
      fn(k.substr(0, space), space == std::string::npos ? std::string_view{} : k.substr(space + 1),
         count);
    }
  }
  // The RS+ that announces an entry: plain, or a queue with its weight.
  static std::string frame(std::string_view subject, std::string_view queue, std::uint32_t count);
  std::size_t size() const noexcept { return counts_.size(); }

 private:
  // Key: the subject, or "subject queue".
  std::unordered_map<std::string, std::uint32_t> counts_;
};

}  // namespace gnatsd::cluster
