// Subject validation and single-pattern matching, against nats-server's sublist_test.go cases.
#include "subjects/subject.hpp"

#include <gtest/gtest.h>

#include <string_view>

namespace gnatsd::subjects {
namespace {

struct ValidityCase {
  std::string_view subject;
  bool valid;          // is_valid_subject
  bool valid_literal;  // is_valid_literal_subject
};

constexpr ValidityCase kValidityCases[] = {
    // Literals.
    {"foo", true, true},
    {"foo.bar", true, true},
    {"foo.bar.baz.qux.quux", true, true},
    {"a", true, true},
    {"_INBOX.abc123.1", true, true},
    {"foo-bar.baz_qux$", true, true},
    // Wildcards as whole tokens.
    {"*", true, false},
    {">", true, false},
    {"foo.*", true, false},
    {"*.foo", true, false},
    {"foo.*.bar", true, false},
    {"foo.>", true, false},
    {"foo.*.>", true, false},
    {"*.*.*", true, false},
    {"foo.bar.*", true, false},
    {"foo.bar.>", true, false},
    // Wildcard characters inside a longer token are literal characters.
    {"foo*", true, true},
    {"foo**", true, true},
    {"foo.**", true, true},
    {"foo*bar", true, true},
    {"foo.*bar", true, true},
    {"foo*.bar", true, true},
    {"*bar", true, true},
    {"foo>", true, true},
    {"foo.>>", true, true},
    {"foo>bar", true, true},
    {"foo.>bar", true, true},
    {"foo>.bar", true, true},
    {">bar", true, true},
    // Empty subject or empty tokens.
    {"", false, false},
    {".", false, false},
    {".foo", false, false},
    {"foo.", false, false},
    {"foo..bar", false, false},
    {"..", false, false},
    // '>' anywhere but last.
    {">.bar", false, false},
    {"foo.>.bar", false, false},
    {">.>", false, false},
    {"foo.>.*", false, false},
};

TEST(SubjectTest, ValidityTable) {
  for (const auto& c : kValidityCases) {
    EXPECT_EQ(is_valid_subject(c.subject), c.valid) << '"' << c.subject << '"';
    EXPECT_EQ(is_valid_literal_subject(c.subject), c.valid_literal) << '"' << c.subject << '"';
  }
}

// nats-server's IsValidSubject (permissions, a route's RS+).
TEST(SubjectTest, WhitespaceMakesASubjectInvalid) {
  for (std::string_view s : {"foo bar", "foo\tbar", "foo.\n", "foo.bar\r", "\f", " ", "foo. .bar",
                             "foo.* ", " >", "a.b\tc.>"}) {
    EXPECT_FALSE(is_valid_subject(s)) << '"' << s << '"';
  }
  // Vertical tab is not in nats-server's set.
  EXPECT_TRUE(is_valid_subject("foo\vbar"));
}

// A client's SUB is only checked as Sublist.Insert checks it: nats-server 2.9.10 accepts
// "SUB fo\fo 1" and "SUB foo.\f 1".
TEST(SubjectTest, SubscriptionCheckIsTheSublistsTokenRule) {
  for (std::string_view s : {"fo\fo", "foo.\f", "a.*.>", "*", ">", "foo*.b>r"}) {
    EXPECT_TRUE(is_valid_subscription_subject(s)) << '"' << s << '"';
  }
  for (std::string_view s : {"", ".", "foo.", ".foo", "foo..bar", ">.foo", "foo.>.bar"}) {
    EXPECT_FALSE(is_valid_subscription_subject(s)) << '"' << s << '"';
  }
}

TEST(SubjectTest, LiteralCheckIgnoresWhitespaceLikeNatsServer) {
  // IsValidLiteralSubject only looks at empty and wildcard tokens.
  EXPECT_TRUE(is_valid_literal_subject("foo bar"));
  EXPECT_TRUE(is_valid_literal_subject("foo.\f"));
  EXPECT_FALSE(is_valid_literal_subject("foo bar.*"));
}

struct MatchCase {
  std::string_view pattern;
  std::string_view subject;
  bool matches;
};

constexpr MatchCase kMatchCases[] = {
    // Literal patterns.
    {"foo", "foo", true},
    {"foo", "bar", false},
    {"foo", "fo", false},
    {"foo", "fooo", false},
    {"foo.bar", "foo.bar", true},
    {"foo.bar", "foo", false},
    {"foo", "foo.bar", false},
    {"stats.test.foos", "stats.test.foos", true},
    {"stats.test.foo", "stats.test.foos", false},
    // '*' takes exactly one token.
    {"*", "foo", true},
    {"*", "foo.bar", false},
    {"foo.*", "foo.bar", true},
    {"foo.*", "foo", false},
    {"foo.*", "foo.bar.baz", false},
    {"*.bar", "foo.bar", true},
    {"*.bar", "foo.baz", false},
    {"foo.*.baz", "foo.bar.baz", true},
    {"foo.*.baz", "foo.bar.qux", false},
    {"stats.*.*", "stats.test.22", true},
    {"stats.test.*", "stats.test", false},
    {"stats.*", "stats.test.foos", false},
    {"stats.*.*.foos", "stats.test.foos", false},
    {"*.*", "a.b", true},
    // '>' takes one or more trailing tokens.
    {">", "foo", true},
    {">", "foo.bar.baz", true},
    {"foo.>", "foo.bar", true},
    {"foo.>", "foo.bar.baz", true},
    {"foo.>", "foo", false},
    {"bar.>", "foo.bar", false},
    {"stats.>", "stats.test.22", true},
    {"*.>", "foo.bar", true},
    {"*.>", "foo", false},
    {"foo.*.>", "foo.bar.baz", true},
    {"foo.*.>", "foo.bar", false},
    // Wildcard characters that are not whole tokens are literal.
    {"*bar", "*bar", true},
    {"*bar", "foobar", false},
    {"foo*", "foo*", true},
    {"foo*", "foox", false},
    {"foo.***.bar", "foo.***.bar", true},
    {">bar", ">bar", true},
    {"foo>", "foo>", true},
    {"foo>", "foo.bar", false},
    {"foo.>>>.bar", "foo.>>>.bar", true},
    // A published "*" is just a token: '*' and '>' patterns take it, a literal does not.
    {"foo.*", "foo.*", true},
    {"foo.>", "foo.*", true},
    {"foo.bar", "foo.*", false},
    // Empty subjects and tokens never match.
    {"foo", "", false},
    {">", "", false},
    {"*", "", false},
};

TEST(SubjectTest, MatchTable) {
  for (const auto& c : kMatchCases) {
    EXPECT_EQ(subject_matches(c.pattern, c.subject), c.matches)
        << '"' << c.pattern << "\" vs \"" << c.subject << '"';
  }
}

TEST(SubjectTest, HasWildcardOnlyForWholeTokens) {
  EXPECT_TRUE(has_wildcard("*"));
  EXPECT_TRUE(has_wildcard("foo.>"));
  EXPECT_TRUE(has_wildcard("*.dev"));
  EXPECT_FALSE(has_wildcard("foo"));
  EXPECT_FALSE(has_wildcard("foo*.bar"));
  EXPECT_FALSE(has_wildcard("a.>b"));
  EXPECT_FALSE(has_wildcard(""));
}

struct SubsetCase {
  std::string_view subject;
  std::string_view pattern;
  bool within;
};

// nats-server's subjectIsSubsetMatch, as used for queue-name permissions and for turning on the
// delivery filter.
constexpr SubsetCase kSubsetCases[] = {
    {"a.dev", "*.dev", true},
    {"*.dev", "*.dev", true},
    {"a.b.dev", "*.dev", false},
    {"dev", "*.dev", false},
    {"a.prod", "*.dev", false},
    {"a", ">", true},
    {"a.b.c", "a.>", true},
    {"a", "a.>", false},
    {"a.*", "a.>", true},
    {"a.>", "a.>", true},
    {"a.>", "a.*", false},
    {"a.*", "a.b", false},
    {"a.b", "a.*", true},
    {"foo.bar", "foo.*", true},
    {"foo.*.baz", "foo.>", true},
    {"foo.*.baz", "foo.bar.*", false},  // overlapping is not enough
    {"foo.bar v1", "foo.*", true},      // a queue permission entry taken as written
    {"", "a", false},
    {"a..b", "a.*.b", false},
    {"a", "", false},
};

TEST(SubjectTest, SubsetMatchTable) {
  for (const auto& c : kSubsetCases) {
    EXPECT_EQ(is_subset_match(c.subject, c.pattern), c.within)
        << '"' << c.subject << "\" within \"" << c.pattern << '"';
  }
}

}  // namespace
}  // namespace gnatsd::subjects
