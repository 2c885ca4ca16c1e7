// Compiling config permissions into matchers (server/client.go setPermissions semantics).
#include "auth/permissions.hpp"

namespace gnatsd::auth {

SubjectFilter::SubjectFilter(const config::SubjectPermission& permission)
    : has_allow_list_(!permission.allow.empty()),
      allow_(permission.allow),
      deny_(permission.deny) {}

std::shared_ptr<const UserPermissions> UserPermissions::compile(
    const config::Permissions& permissions) {
  auto compiled = std::make_shared<UserPermissions>();
  if (permissions.publish) {
    SubjectFilter filter(*permissions.publish);
    if (filter.restricts()) compiled->publish.emplace(std::move(filter));
  }
  if (permissions.subscribe) {
    SubjectFilter filter(*permissions.subscribe);
    if (filter.restricts()) compiled->subscribe.emplace(std::move(filter));
  }
  if (!compiled->publish && !compiled->subscribe) return nullptr;
  return compiled;
}

void DecisionCache::prune() {
  // Which entries go does not matter for correctness; the map's order is as good as any.
  for (std::size_t i = 0; i < kPruneCount && !entries_.empty(); ++i) {
    entries_.erase(entries_.begin());
  }
}

}  // namespace gnatsd::auth
