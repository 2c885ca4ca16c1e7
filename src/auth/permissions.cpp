// Compiling config permissions into matchers (server/client.go setPermissions semantics).
#include "auth/permissions.hpp"

#include <algorithm>

#include "auth/permission_entry.hpp"
#include "subjects/subject.hpp"

namespace gnatsd::auth {

SubjectFilter::SubjectFilter(const config::SubjectPermission& permission, bool unlisted_denied)
    : has_allow_list_(unlisted_denied || !permission.allow.empty()),
      allow_(permission.allow),
      deny_(permission.deny) {}

namespace {

// Entries with no or more than two fields are left out (nats-server logs and skips them); the
// config loader already refuses them.
std::vector<std::string> plain_subjects(const std::vector<std::string>& entries) {
  std::vector<std::string> out;
  for (const std::string& entry : entries) {
    const auto split = split_permission_entry(entry);
    if (split && split->queue.empty()) out.emplace_back(split->subject);
  }
  return out;
}

}  // namespace

SubscribeFilter::Side::Side(const std::vector<std::string>& entries)
    : configured(!entries.empty()), plain(plain_subjects(entries)) {
  // Queue entries grouped by queue name, as nats-server's sublist groups queue subscriptions.
  std::vector<std::pair<std::string, std::vector<std::string>>> by_queue;
  for (const std::string& entry : entries) {
    const auto split = split_permission_entry(entry);
    if (!split || split->queue.empty()) continue;
    auto it = std::find_if(by_queue.begin(), by_queue.end(),
                           [&](const auto& group) { return group.first == split->queue; });
    if (it == by_queue.end()) it = by_queue.insert(by_queue.end(), {std::string(split->queue), {}});
    it->second.emplace_back(split->subject);
  }
  for (auto& [queue, subjects] : by_queue) {
    const bool wildcard = subjects::has_wildcard(queue);
    queues.push_back(
        QueueEntries{std::move(queue), wildcard, subjects::SubjectPatternSet(subjects)});
  }
}

std::optional<bool> SubscribeFilter::Side::queue_decision(std::string_view subject,
                                                          std::string_view queue) const {
  bool any_matched = false;
  for (const QueueEntries& entries : queues) {
    if (!entries.subjects.matches(subject)) continue;
    any_matched = true;
    // '*' and '>' may be plain characters of a queue name, so the literal compare comes first.
    if (entries.queue == queue ||
        (entries.queue_has_wildcard && subjects::is_subset_match(queue, entries.queue))) {
      return true;
    }
  }
  if (!any_matched) return std::nullopt;
  return false;
}

SubscribeFilter::SubscribeFilter(const config::SubjectPermission& permission)
    : allow_(permission.allow), deny_(permission.deny), deny_entries_(permission.deny) {}

bool SubscribeFilter::allows(std::string_view subject, std::string_view queue) const {
  bool allowed = true;
  if (allow_.configured) {
    allowed = allow_.plain.matches(subject);
    if (!queue.empty()) {
      if (const auto named = allow_.queue_decision(subject, queue)) allowed = *named;
    }
  }
  if (allowed && deny_.configured) {
    allowed = !deny_.plain.matches(subject);
    if (!queue.empty()) {
      if (const auto named = deny_.queue_decision(subject, queue)) allowed = !*named;
    }
  }
  return allowed;
}

bool SubscribeFilter::turns_on_delivery_filter(std::string_view subject) const {
  if (deny_.plain.empty() || !subjects::has_wildcard(subject)) return false;
  return std::any_of(deny_entries_.begin(), deny_entries_.end(), [&](const std::string& entry) {
    return subjects::is_subset_match(entry, subject);
  });
}

std::shared_ptr<const UserPermissions> UserPermissions::compile(
    const config::Permissions& permissions) {
  auto compiled = std::make_shared<UserPermissions>();
  if (permissions.publish || permissions.response) {
    const bool responses = permissions.response.has_value();
    SubjectFilter filter(permissions.publish.value_or(config::SubjectPermission{}), responses);
    if (filter.restricts()) compiled->publish.emplace(std::move(filter));
    compiled->response = permissions.response;
  }
  if (permissions.subscribe) {
    SubscribeFilter filter(*permissions.subscribe);
    if (filter.restricts()) compiled->subscribe.emplace(std::move(filter));
  }
  if (!compiled->publish && !compiled->subscribe && !compiled->response) return nullptr;
  return compiled;
}

void DecisionCache::prune() {
  // Which entries go does not matter for correctness; the map's order is as good as any.
  for (std::size_t i = 0; i < kPruneCount && !entries_.empty(); ++i) {
    entries_.erase(entries_.begin());
  }
}

}  // namespace gnatsd::auth
