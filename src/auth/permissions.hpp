// A user's publish/subscribe permissions compiled for matching, and the bounded per-session
// cache of decisions that makes a repeated check one hash lookup (nats-server's pcache/dcache).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "config/options.hpp"
#include "routing/subject_pattern_set.hpp"

namespace gnatsd::auth {

// One direction (publish or subscribe): an empty allow list allows every subject; deny wins
// over allow. Subjects are matched as nats-server's sublist does (see SubjectPatternSet).
class SubjectFilter {
 public:
  explicit SubjectFilter(const config::SubjectPermission& permission);

  bool allows(std::string_view subject) const noexcept {
    return (!has_allow_list_ || allow_.matches(subject)) && !deny_.matches(subject);
  }
  bool restricts() const noexcept { return has_allow_list_ || !deny_.empty(); }
  const routing::SubjectPatternSet& deny() const noexcept { return deny_; }

 private:
  // Set by a non-empty configured list, even when none of its entries is a valid subject: an
  // allow list of invalid entries allows nothing rather than everything.
  bool has_allow_list_;
  routing::SubjectPatternSet allow_;
  routing::SubjectPatternSet deny_;
};

// Immutable, shared by every session of the user.
struct UserPermissions {
  std::optional<SubjectFilter> publish;    // nullopt: publish anywhere
  std::optional<SubjectFilter> subscribe;  // nullopt: subscribe to anything

  // Null when nothing is restricted, so that such sessions carry no permission state at all.
  static std::shared_ptr<const UserPermissions> compile(const config::Permissions& permissions);
};

// subject -> decision, bounded: past kMaxEntries a batch of entries is dropped, as nats-server
// prunes its permission caches (128 entries, 32 at a time). Not thread-safe.
class DecisionCache {
 public:
  static constexpr std::size_t kMaxEntries = 128;
  static constexpr std::size_t kPruneCount = 32;

  // The cached decision for `subject`, computing and remembering it on a miss.
  template <class Decide>
  bool get(std::string_view subject, Decide&& decide) {
    if (const auto it = entries_.find(subject); it != entries_.end()) return it->second;
    const bool decision = decide(subject);
    if (entries_.size() >= kMaxEntries) prune();
    entries_.emplace(subject, decision);
    return decision;
  }
  std::size_t size() const noexcept { return entries_.size(); }
  void clear() noexcept { entries_.clear(); }

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  void prune();

  std::unordered_map<std::string, bool, StringHash, std::equal_to<>> entries_;
};

// A session's publish permission: the user's filter and the session's own cache.
class PublishCheck {
 public:
  explicit PublishCheck(std::shared_ptr<const UserPermissions> permissions)
      : permissions_(std::move(permissions)) {}

  bool allowed(std::string_view subject) {
    return cache_.get(subject,
                      [this](std::string_view s) { return permissions_->publish->allows(s); });
  }

 private:
  std::shared_ptr<const UserPermissions> permissions_;  // has a restricting publish filter
  DecisionCache cache_;
};

}  // namespace gnatsd::auth
