// Compiled permissions: allow/deny precedence in both directions, the empty-list rules, and
// the bounded decision cache.
#include "auth/permissions.hpp"

#include <gtest/gtest.h>

#include <string>

namespace gnatsd::auth {
namespace {

config::SubjectPermission perm(std::vector<std::string> allow, std::vector<std::string> deny) {
  return config::SubjectPermission{std::move(allow), std::move(deny)};
}

struct FilterCase {
  config::SubjectPermission permission;
  std::string_view subject;
  bool allowed;
};

TEST(PermissionsTest, AllowDenyTable) {
  const FilterCase cases[] = {
      // Allow list only.
      {perm({"foo.>", "bar"}, {}), "foo.x", true},
      {perm({"foo.>", "bar"}, {}), "foo.x.y", true},
      {perm({"foo.>", "bar"}, {}), "bar", true},
      {perm({"foo.>", "bar"}, {}), "baz", false},
      {perm({"foo.>", "bar"}, {}), "foo", false},
      // Deny list only: everything else is allowed.
      {perm({}, {"secret.>"}), "public", true},
      {perm({}, {"secret.>"}), "secret.x", false},
      // Deny wins over allow.
      {perm({"foo.>"}, {"foo.secret"}), "foo.secret", false},
      {perm({"foo.>"}, {"foo.secret"}), "foo.open", true},
      {perm({">"}, {"*.admin"}), "x.admin", false},
      {perm({">"}, {"*.admin"}), "x.user", true},
      {perm({"foo.*"}, {"foo.*"}), "foo.x", false},
      // A subscription's wildcards are tokens, as nats-server checks them.
      {perm({"foo.*"}, {}), "foo.>", true},
      {perm({"foo.bar"}, {}), "foo.*", false},
      {perm({}, {"foo.bar"}), "foo.*", true},  // checked again on delivery instead
      {perm({}, {"foo.*"}), "foo.>", false},
      // An allow list of invalid subjects allows nothing.
      {perm({"foo..bar"}, {}), "foo.bar", false},
      // With an allow list, an invalid subject is not allowed.
      {perm({">"}, {}), "foo..x", false},
  };
  for (const auto& c : cases) {
    SubjectFilter filter(c.permission);
    EXPECT_TRUE(filter.restricts());
    EXPECT_EQ(filter.allows(c.subject), c.allowed) << c.subject;
  }
}

TEST(PermissionsTest, EmptyListsRestrictNothing) {
  EXPECT_FALSE(SubjectFilter(perm({}, {})).restricts());
  EXPECT_TRUE(SubjectFilter(perm({}, {})).allows("any.thing"));

  config::Permissions none;
  EXPECT_EQ(UserPermissions::compile(none), nullptr);
  none.publish = perm({}, {});
  none.subscribe = perm({}, {});
  EXPECT_EQ(UserPermissions::compile(none), nullptr);
}

TEST(PermissionsTest, CompileKeepsOnlyRestrictingDirections) {
  config::Permissions p;
  p.publish = perm({"a"}, {});
  p.subscribe = perm({}, {});
  auto compiled = UserPermissions::compile(p);
  ASSERT_NE(compiled, nullptr);
  ASSERT_TRUE(compiled->publish.has_value());
  EXPECT_FALSE(compiled->subscribe.has_value());
  EXPECT_TRUE(compiled->publish->allows("a"));
  EXPECT_FALSE(compiled->publish->allows("b"));
}

TEST(PermissionsTest, PublishCheckCachesDecisions) {
  config::Permissions p;
  p.publish = perm({"ok.>"}, {"ok.no"});
  PublishCheck check(UserPermissions::compile(p));
  for (int round = 0; round < 3; ++round) {
    EXPECT_TRUE(check.allowed("ok.yes"));
    EXPECT_FALSE(check.allowed("ok.no"));
    EXPECT_FALSE(check.allowed("other"));
  }
}

TEST(PermissionsTest, DecisionCacheIsBoundedAndComputesOncePerEntry) {
  DecisionCache cache;
  int computed = 0;
  auto decide = [&](std::string_view s) {
    ++computed;
    return s.size() % 2 == 0;
  };
  EXPECT_TRUE(cache.get("ab", decide));
  EXPECT_TRUE(cache.get("ab", decide));
  EXPECT_EQ(computed, 1);
  for (int i = 0; i < 1000; ++i) {
    const std::string subject = "s." + std::to_string(i);
    EXPECT_EQ(cache.get(subject, decide), subject.size() % 2 == 0);
    EXPECT_LE(cache.size(), DecisionCache::kMaxEntries);
  }
  EXPECT_EQ(computed, 1001);
  cache.clear();
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace gnatsd::auth
