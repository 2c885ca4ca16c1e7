// A user's publish/subscribe permissions compiled for matching, and the bounded per-session
// cache of decisions that makes a repeated check one hash lookup (nats-server's pcache/dcache).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/reply_permits.hpp"
#include "common/string_hash.hpp"
#include "config/options.hpp"
#include "subjects/subject_pattern_set.hpp"

namespace gnatsd::auth {

// Publish permissions: an empty allow list allows every subject, unless `unlisted_denied` (so
// for allow_responses: nats-server then turns the blanket allow off); deny wins over allow.
// Subjects are matched as nats-server's sublist does (see SubjectPatternSet).
class SubjectFilter {
 public:
  explicit SubjectFilter(const config::SubjectPermission& permission, bool unlisted_denied = false);

  bool allows(std::string_view subject) const noexcept {
    return (!has_allow_list_ || allow_.matches(subject)) && !deny_.matches(subject);
  }
  bool restricts() const noexcept { return has_allow_list_ || !deny_.empty(); }

 private:
  // Set by a non-empty configured list, even when none of its entries is a valid subject (an
  // allow list of invalid entries allows nothing rather than everything), or by unlisted_denied.
  bool has_allow_list_;
  subjects::SubjectPatternSet allow_;
  subjects::SubjectPatternSet deny_;
};

// Subscribe permissions. An entry is a subject ("foo.>") or a subject and a queue name
// ("bar v1", "bar *.dev"); nats-server's canSubscribe decides, with its precedence:
//  - allow list: a plain entry matching the subject allows; for a queue subscription, if queue
//    entries match the subject, whether one names the queue decides instead;
//  - deny list, if still allowed: a plain entry matching the subject denies; for a queue
//    subscription, if queue entries match the subject, whether none names the queue decides.
// So a plain subscription is never allowed by a queue entry, nor denied by one.
class SubscribeFilter {
 public:
  explicit SubscribeFilter(const config::SubjectPermission& permission);

  // `queue` empty: a plain subscription.
  bool allows(std::string_view subject, std::string_view queue) const;
  // Whether an existing subscription stays when these permissions replace others (a reload):
  // as nats-server, when its subject alone is allowed or its subject and queue are. So a queue
  // subscription survives a queue deny entry if plain subscriptions to the subject are allowed,
  // although a new SUB with that queue would be refused.
  bool keeps(std::string_view subject, std::string_view queue) const {
    return allows(subject, {}) || (!queue.empty() && allows(subject, queue));
  }
  bool restricts() const noexcept { return allow_.configured || deny_.configured; }

  // The plain deny entries: what deliveries are checked against once the delivery filter is on.
  const subjects::SubjectPatternSet& plain_deny() const noexcept { return deny_.plain; }
  // Whether an allowed subscription on `subject` turns the client's delivery filter on, as in
  // nats-server: a wildcard subject covering one of the deny entries (taken as written, queue
  // and all). Once on, every delivery to the client is checked against the plain deny entries
  // -- queue entries never filter deliveries, and a wildcard that only overlaps a deny entry
  // ("foo.bar.*" vs "foo.*.baz") does not turn the filter on.
  bool turns_on_delivery_filter(std::string_view subject) const;

 private:
  // The subjects of the entries naming one queue.
  struct QueueEntries {
    std::string queue;
    bool queue_has_wildcard = false;
    subjects::SubjectPatternSet subjects;
  };
  struct Side {
    explicit Side(const std::vector<std::string>& entries);
    // nullopt when no queue entry matches `subject`; otherwise whether one of those that match
    // names `queue`: literally, or as a wildcard pattern covering it ("a.dev" by "*.dev").
    std::optional<bool> queue_decision(std::string_view subject, std::string_view queue) const;

    bool configured;  // a non-empty list
    subjects::SubjectPatternSet plain;
    std::vector<QueueEntries> queues;
  };

  Side allow_;
  Side deny_;
  std::vector<std::string> deny_entries_;
};

// Immutable, shared by every session of the user.
struct UserPermissions {
  std::optional<SubjectFilter> publish;      // nullopt: publish anywhere
  std::optional<SubscribeFilter> subscribe;  // nullopt: subscribe to anything
  // allow_responses: replies to delivered requests are allowed beyond `publish` (always set then).
  std::optional<config::ResponsePermission> response;

  // Null when nothing is restricted, so that such sessions carry no permission state at all.
  static std::shared_ptr<const UserPermissions> compile(const config::Permissions& permissions);
};

// subject -> decision, bounded: past kMaxEntries a batch of entries is dropped, as nats-server
// prunes its permission caches (128 entries, 32 at a time). Not thread-safe. Keyed by subject
// alone, so it holds only decisions that do not depend on a queue: publish checks and the
// delivery filter. SUB checks (queue-aware) are not cached, as in nats-server.
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
  void prune();

  common::StringMap<bool> entries_;
};

// A session's publish permission: the user's filter, the session's own cache of its decisions,
// and with allow_responses the session's reply permits. The cache holds the filter's verdicts
// only, which never change; a permit is consulted afresh each time the filter refuses, as
// nats-server keeps such decisions out of its cache.
class PublishCheck {
 public:
  explicit PublishCheck(std::shared_ptr<const UserPermissions> permissions,
                        std::shared_ptr<ReplyPermits> replies = nullptr)
      : permissions_(std::move(permissions)), replies_(std::move(replies)) {}

  bool allowed(std::string_view subject) {
    if (cache_.get(subject,
                   [this](std::string_view s) { return permissions_->publish->allows(s); })) {
      return true;
    }
    return replies_ != nullptr && replies_->use(subject, ReplyPermits::Clock::now());
  }

 private:
  std::shared_ptr<const UserPermissions> permissions_;  // has a restricting publish filter
  std::shared_ptr<ReplyPermits> replies_;  // null: the permissions do not allow responses
  DecisionCache cache_;
};

}  // namespace gnatsd::auth
