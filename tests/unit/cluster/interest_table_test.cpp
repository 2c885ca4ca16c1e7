// What routes are told of local interest: one RS+ per subject, queue weights on every change.
#include "cluster/interest_table.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace gnatsd::cluster {
namespace {

// Subscription holds an atomic, so it is built in place and handed out by reference.
const subjects::Subscription& sub(std::string subject, std::string queue = {}) {
  static std::vector<std::unique_ptr<subjects::Subscription>> made;
  auto s = std::make_unique<subjects::Subscription>();
  s->subject = std::move(subject);
  s->queue = std::move(queue);
  made.push_back(std::move(s));
  return *made.back();
}

TEST(InterestTable, PlainSubjectIsAnnouncedOnceAndWithdrawnWithItsLastSubscriber) {
  InterestTable table;
  EXPECT_EQ(table.add(sub("foo")), "RS+ $G foo\r\n");
  EXPECT_EQ(table.add(sub("foo")), "");
  EXPECT_EQ(table.remove(sub("foo")), "");
  EXPECT_EQ(table.remove(sub("foo")), "RS- $G foo\r\n");
  EXPECT_EQ(table.size(), 0u);
}

TEST(InterestTable, QueueGroupCarriesItsMemberCountAsWeight) {
  InterestTable table;
  EXPECT_EQ(table.add(sub("work.*", "q")), "RS+ $G work.* q 1\r\n");
  EXPECT_EQ(table.add(sub("work.*", "q")), "RS+ $G work.* q 2\r\n");
  EXPECT_EQ(table.remove(sub("work.*", "q")), "RS+ $G work.* q 1\r\n");
  EXPECT_EQ(table.remove(sub("work.*", "q")), "RS- $G work.* q\r\n");
}

TEST(InterestTable, PlainAndQueueInterestInOneSubjectAreSeparateEntries) {
  InterestTable table;
  table.add(sub("foo"));
  table.add(sub("foo", "q"));
  table.add(sub("foo", "q"));
  std::string dump;
  table.dump(dump, [](std::string_view) { return true; });
  EXPECT_NE(dump.find("RS+ $G foo\r\n"), std::string::npos);
  EXPECT_NE(dump.find("RS+ $G foo q 2\r\n"), std::string::npos);
  EXPECT_EQ(dump.size(), std::string("RS+ $G foo\r\nRS+ $G foo q 2\r\n").size());
}

TEST(InterestTable, RemovingUnknownInterestSendsNothing) {
  InterestTable table;
  EXPECT_EQ(table.remove(sub("never")), "");
  EXPECT_EQ(table.remove(sub("never", "q")), "");
}

}  // namespace
}  // namespace gnatsd::cluster
