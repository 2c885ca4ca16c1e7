// Permission entries: splitting "subject queue" as Go's strings.Fields, and nats-server's
// config-load check with its error texts.
#include "auth/permission_entry.hpp"

#include <gtest/gtest.h>

namespace gnatsd::auth {
namespace {

TEST(PermissionEntryTest, SplitsOnWhiteSpaceLikeGoFields) {
  auto e = split_permission_entry("foo.>");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->subject, "foo.>");
  EXPECT_EQ(e->queue, "");

  e = split_permission_entry("  bar   v1 ");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->subject, "bar");
  EXPECT_EQ(e->queue, "v1");

  e = split_permission_entry("baz\tq.*");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->subject, "baz");
  EXPECT_EQ(e->queue, "q.*");

  // Go's unicode.IsSpace: vertical tab, NEL, no-break space, ideographic space...
  for (std::string_view entry : {"a\vb",
                                 "a\xC2\x85"
                                 "b",
                                 "a\xC2\xA0"
                                 "b",
                                 "a\xE2\x80\x83"
                                 "b",
                                 "a\xE3\x80\x80"
                                 "b"}) {
    e = split_permission_entry(entry);
    ASSERT_TRUE(e) << entry;
    EXPECT_EQ(e->subject, "a");
    EXPECT_EQ(e->queue, "b");
  }
  // ...but not other multi-byte characters or stray bytes.
  e = split_permission_entry(
      "a\xC2\xA1"
      "b");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->queue, "");

  EXPECT_FALSE(split_permission_entry(""));
  EXPECT_FALSE(split_permission_entry("   "));
  EXPECT_FALSE(split_permission_entry("a b c"));
}

TEST(PermissionEntryTest, ConfigCheckAsNatsServer) {
  for (std::string_view ok :
       {"foo", "foo.>", "bar v1", "foo *.dev", " y   z ", "foo a..b", "x >", "a\vb"}) {
    EXPECT_EQ(permission_entry_error(ok), std::nullopt) << ok;
  }
  // Not one or two fields: the entry as written is named.
  EXPECT_EQ(permission_entry_error("foo bar baz"),
            "subject \"foo bar baz\" is not a valid subject");
  EXPECT_EQ(permission_entry_error(""), "subject \"\" is not a valid subject");
  EXPECT_EQ(permission_entry_error(" a.. "), "subject \" a.. \" is not a valid subject");
  EXPECT_EQ(permission_entry_error("a\tb\tc"), "subject \"a\\tb\\tc\" is not a valid subject");
  // A queue entry with a bad subject: only the subject is named.
  EXPECT_EQ(permission_entry_error("foo..bar v1"), "subject \"foo..bar\" is not a valid subject");
  EXPECT_EQ(permission_entry_error("a.>.b q"), "subject \"a.>.b\" is not a valid subject");
}

}  // namespace
}  // namespace gnatsd::auth
