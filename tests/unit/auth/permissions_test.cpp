// Compiled permissions: allow/deny precedence in both directions, queue entries in subscribe
// permissions, the empty-list rules, allow_responses, and the bounded decision cache.
#include "auth/permissions.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
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
    SubjectFilter publish(c.permission);
    EXPECT_TRUE(publish.restricts());
    EXPECT_EQ(publish.allows(c.subject), c.allowed) << c.subject;
    // Without queue entries, subscribe permissions decide the same for any queue.
    SubscribeFilter subscribe(c.permission);
    EXPECT_TRUE(subscribe.restricts());
    EXPECT_EQ(subscribe.allows(c.subject, {}), c.allowed) << c.subject;
    EXPECT_EQ(subscribe.allows(c.subject, "q"), c.allowed) << c.subject << " q";
  }
}

struct QueueCase {
  config::SubjectPermission permission;
  std::string_view subject;
  std::string_view queue;  // empty: a plain subscription
  bool allowed;
};

// Each row was checked against nats-server 2.9.10 (a SUB over a raw connection).
TEST(PermissionsTest, SubscribeQueueEntriesAsNatsServer) {
  const QueueCase cases[] = {
      // A queue allow entry admits that queue only, and no plain subscription.
      {perm({"foo.>", "bar v1"}, {}), "bar", "", false},
      {perm({"foo.>", "bar v1"}, {}), "bar", "v1", true},
      {perm({"foo.>", "bar v1"}, {}), "bar", "v2", false},
      {perm({"foo.>", "bar v1"}, {}), "foo.x", "q", true},  // plain entry, no queue entry
      {perm({"foo.>", "bar v1"}, {}), "foo.x", "", true},
      {perm({"foo.>", "bar v1"}, {}), "bar.*", "v1", false},
      // Matching queue entries decide over a matching plain one.
      {perm({"bar", "bar v1"}, {}), "bar", "v2", false},
      {perm({"bar", "bar v1"}, {}), "bar", "", true},
      {perm({"bar", "bar v1"}, {}), "bar", "v1", true},
      {perm({"bar v1", "bar v2"}, {}), "bar", "v2", true},
      {perm({"bar v1", "bar v2"}, {}), "bar", "v3", false},
      // A wildcard queue name covers queue names as subjects are covered.
      {perm({"foo *.dev"}, {}), "foo", "a.dev", true},
      {perm({"foo *.dev"}, {}), "foo", "*.dev", true},
      {perm({"foo *.dev"}, {}), "foo", "a.prod", false},
      {perm({"foo *.dev"}, {}), "foo", "a.b.dev", false},
      {perm({"foo *.dev"}, {}), "foo", "dev", false},
      {perm({"foo *.dev"}, {}), "foo", ".dev", false},
      {perm({"foo *.dev"}, {}), "foo", "*", false},
      {perm({"foo *.dev"}, {}), "foo", ">", false},
      {perm({"foo >"}, {}), "foo", "x.y", true},
      {perm({"foo >"}, {}), "foo", "*", true},
      {perm({"foo v1.>"}, {}), "foo", "v1", false},
      {perm({"foo v1.>"}, {}), "foo", "v1.a.b", true},
      {perm({"foo v1.>"}, {}), "foo", "v1.*", true},
      // A wildcard subject in a queue entry, the SUB's wildcards taken as tokens.
      {perm({"foo.* v1"}, {}), "foo.x", "v1", true},
      {perm({"foo.* v1"}, {}), "foo.>", "v1", true},
      {perm({"foo.* v1"}, {}), "foo.x.y", "v1", false},
      {perm({"foo.* v1"}, {}), "foo.x", "v2", false},
      {perm({"bar v1"}, {}), "bar..x", "v1", false},
      // White space around and between the fields.
      {perm({" bar   v1 ", "baz\tv1"}, {}), "bar", "v1", true},
      {perm({" bar   v1 ", "baz\tv1"}, {}), "baz", "v1", true},
      {perm({" bar   v1 ", "baz\tv1"}, {}), "baz", "v2", false},
      // A queue deny entry denies that queue only, never a plain subscription.
      {perm({">"}, {"bar v1"}), "bar", "v1", false},
      {perm({">"}, {"bar v1"}), "bar", "v2", true},
      {perm({">"}, {"bar v1"}), "bar", "", true},
      {perm({">"}, {"bar v1"}), "bar.x", "v1", true},
      {perm({}, {"bar *.dev"}), "bar", "a.dev", false},
      {perm({}, {"bar *.dev"}), "bar", "*.dev", false},
      {perm({}, {"bar *.dev"}), "bar", "a.prod", true},
      {perm({}, {"bar *.dev"}), "bar", "", true},
      // Matching queue deny entries decide over a matching plain one: another queue gets in.
      {perm({}, {"bar", "bar v1"}), "bar", "v2", true},
      {perm({}, {"bar", "bar v1"}), "bar", "", false},
      {perm({}, {"bar", "bar v1"}), "bar", "v1", false},
      // A plain deny entry without queue entries denies every queue.
      {perm({"bar v1", "baz"}, {"bar"}), "bar", "v1", false},
      {perm({"bar v1", "baz"}, {"bar"}), "baz", "v1", true},
      // Allow, then deny.
      {perm({"bar v1"}, {"bar v1"}), "bar", "v1", false},
      {perm({"bar v1"}, {"bar v2"}), "bar", "v1", true},
      {perm({"bar v1"}, {"bar v2"}), "bar", "v2", false},
      {perm({"bar", "bar v1"}, {"bar", "bar v2"}), "bar", "v1", true},
      {perm({"bar", "bar v1"}, {"bar", "bar v2"}), "bar", "v2", false},
      {perm({"bar", "bar v1"}, {"bar", "bar v2"}), "bar", "v3", false},
      {perm({"bar", "bar v1"}, {"bar", "bar v2"}), "bar", "", false},
  };
  for (const auto& c : cases) {
    SubscribeFilter filter(c.permission);
    EXPECT_EQ(filter.allows(c.subject, c.queue), c.allowed)
        << "SUB " << c.subject << " " << c.queue << " with allow " << c.permission.allow.size()
        << ", deny " << c.permission.deny.size() << " entries";
  }
}

// A reload keeps a subscription if its subject alone or its subject and queue are allowed
// (checked against nats-server 2.9.10's reload).
TEST(PermissionsTest, ReloadKeepsWhatSubjectOrQueueAllows) {
  const SubscribeFilter queue_only(perm({"bar v1"}, {}));
  EXPECT_TRUE(queue_only.keeps("bar", "v1"));
  EXPECT_FALSE(queue_only.keeps("bar", "v2"));
  EXPECT_FALSE(queue_only.keeps("bar", ""));
  // Kept although a new "SUB bar v2" would be refused.
  const SubscribeFilter plain_and_queue_deny(perm({"bar"}, {"bar v2"}));
  EXPECT_FALSE(plain_and_queue_deny.allows("bar", "v2"));
  EXPECT_TRUE(plain_and_queue_deny.keeps("bar", "v2"));
  const SubscribeFilter plain_and_queue_allow(perm({"bar", "bar v1"}, {}));
  EXPECT_FALSE(plain_and_queue_allow.allows("bar", "v2"));
  EXPECT_TRUE(plain_and_queue_allow.keeps("bar", "v2"));
  const SubscribeFilter override_deny(perm({}, {"bar", "bar v2"}));
  EXPECT_TRUE(override_deny.keeps("bar", "v1"));
  EXPECT_FALSE(override_deny.keeps("bar", "v2"));
  EXPECT_FALSE(override_deny.keeps("bar", ""));
}

// nats-server's delivery filter: turned on by an allowed wildcard subscription covering a deny
// entry as written; it then drops what the plain deny entries match, never by queue.
TEST(PermissionsTest, DeliveryFilterAsNatsServer) {
  const SubscribeFilter plain(perm({}, {"foo.bar", "foo.*.baz"}));
  EXPECT_TRUE(plain.turns_on_delivery_filter("foo.*"));
  EXPECT_TRUE(plain.turns_on_delivery_filter("foo.>"));
  EXPECT_TRUE(plain.turns_on_delivery_filter(">"));
  EXPECT_FALSE(plain.turns_on_delivery_filter("foo.bar.*"));  // overlaps foo.*.baz only
  EXPECT_FALSE(plain.turns_on_delivery_filter("foo.bar"));    // not a wildcard
  EXPECT_FALSE(plain.turns_on_delivery_filter("other.*"));
  EXPECT_TRUE(plain.plain_deny().matches("foo.bar"));

  // Queue deny entries alone filter nothing.
  const SubscribeFilter queue_only(perm({}, {"foo.bar v1"}));
  EXPECT_FALSE(queue_only.turns_on_delivery_filter("foo.*"));
  EXPECT_TRUE(queue_only.plain_deny().empty());

  // A queue entry as written can turn the filter on for the plain ones.
  const SubscribeFilter mixed(perm({}, {"foo.bar", "foo.> v2"}));
  EXPECT_TRUE(mixed.turns_on_delivery_filter("foo.*"));
  EXPECT_FALSE(mixed.plain_deny().matches("foo.baz"));
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

// As nats-server: allow_responses turns the blanket publish allow off, an explicit allow list
// stays, and a deny-only publish permission denies everything else too.
TEST(PermissionsTest, AllowResponsesDeniesUnlistedPublishing) {
  config::Permissions p;
  p.response = config::ResponsePermission{};
  auto only_responses = UserPermissions::compile(p);
  ASSERT_NE(only_responses, nullptr);
  ASSERT_TRUE(only_responses->publish && only_responses->response);
  EXPECT_FALSE(only_responses->publish->allows("any"));
  EXPECT_EQ(only_responses->response->max_msgs, 1);
  EXPECT_EQ(only_responses->response->expires, std::chrono::minutes(2));

  p.publish = perm({"ok.>"}, {});
  auto listed = UserPermissions::compile(p);
  EXPECT_TRUE(listed->publish->allows("ok.1"));
  EXPECT_FALSE(listed->publish->allows("other"));

  p.publish = perm({}, {"x"});
  auto deny_only = UserPermissions::compile(p);
  EXPECT_FALSE(deny_only->publish->allows("x"));
  EXPECT_FALSE(deny_only->publish->allows("y"));
}

TEST(PermissionsTest, PublishCheckConsultsReplyPermitsEveryTimeTheFilterRefuses) {
  config::Permissions p;
  p.publish = perm({"ok"}, {});
  p.response = config::ResponsePermission{};
  auto replies = std::make_shared<ReplyPermits>(*p.response);
  PublishCheck check(UserPermissions::compile(p), replies);
  const auto now = ReplyPermits::Clock::now();
  EXPECT_FALSE(check.allowed("_INBOX.1"));  // refused before the request came...
  replies->record("_INBOX.1", now);
  EXPECT_TRUE(check.allowed("_INBOX.1"));   // ...so that refusal was not cached
  EXPECT_FALSE(check.allowed("_INBOX.1"));  // and the allow was not either
  replies->record("_INBOX.1", now);
  EXPECT_TRUE(check.allowed("_INBOX.1"));
  // The allow list needs no permit and uses none.
  replies->record("ok", now);
  EXPECT_TRUE(check.allowed("ok"));
  EXPECT_TRUE(check.allowed("ok"));
  EXPECT_EQ(replies->size(), 1u);
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
