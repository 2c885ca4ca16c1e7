// SubjectPatternSet: matching as nats-server's sublist matches permission lists (the subject's
// own wildcards are plain tokens).
#include "subjects/subject_pattern_set.hpp"

#include <gtest/gtest.h>

namespace gnatsd::subjects {
namespace {

struct MatchCase {
  std::vector<std::string> patterns;
  std::string_view subject;
  bool matches;
};

TEST(SubjectPatternSetTest, MatchTable) {
  const MatchCase cases[] = {
      {{"foo"}, "foo", true},
      {{"foo"}, "foo.bar", false},
      {{"foo"}, "fo", false},
      {{"foo.bar"}, "foo.bar", true},
      {{"foo.*"}, "foo.bar", true},
      {{"foo.*"}, "foo", false},
      {{"foo.*"}, "foo.bar.baz", false},
      {{"foo.>"}, "foo.bar", true},
      {{"foo.>"}, "foo.bar.baz", true},
      {{"foo.>"}, "foo", false},
      {{">"}, "anything.at.all", true},
      {{"*"}, "one", true},
      {{"*"}, "one.two", false},
      {{"*.bar"}, "foo.bar", true},
      {{"*.bar"}, "foo.baz", false},
      {{"foo.*.baz"}, "foo.x.baz", true},
      {{"foo.*.baz", "a"}, "a", true},
      {{"a", "b", "c.>"}, "c.d", true},
      {{"a", "b", "c.>"}, "d", false},
      // Wildcards in the subject are literal tokens, as in nats-server's sublist match:
      {{"foo.*"}, "foo.*", true},
      {{"foo.*"}, "foo.>", true},
      {{"foo.>"}, "foo.*", true},
      {{"foo.bar"}, "foo.*", false},
      {{"*.bar.x"}, "bar.*", false},
      // Subjects with empty tokens match nothing, not even '>'.
      {{">"}, "foo..x", false},
      {{">"}, "foo.", false},
      {{">"}, ".foo", false},
      {{">"}, "", false},
      // Invalid patterns are left out.
      {{"foo..bar"}, "foo..bar", false},
      {{"foo.>.bar"}, "foo.x.bar", false},
      {{}, "foo", false},
      // "foo*" is a literal token.
      {{"foo*"}, "foo*", true},
      {{"foo*"}, "foox", false},
  };
  for (const auto& c : cases) {
    SubjectPatternSet set(c.patterns);
    EXPECT_EQ(set.matches(c.subject), c.matches)
        << "patterns[0]=" << (c.patterns.empty() ? "<none>" : c.patterns[0])
        << " subject=" << c.subject;
  }
}

TEST(SubjectPatternSetTest, SizeCountsValidPatternsOnly) {
  SubjectPatternSet set({"a", "b.*", "c..d", ">", "e.>.f"});
  EXPECT_EQ(set.size(), 3u);
  EXPECT_FALSE(set.empty());
  EXPECT_TRUE(SubjectPatternSet().empty());
  EXPECT_TRUE(SubjectPatternSet({"", "x..y"}).empty());
}

TEST(SubjectPatternSetTest, MovesKeepTheTrie) {
  SubjectPatternSet a({"foo.*"});
  SubjectPatternSet b(std::move(a));
  EXPECT_TRUE(b.matches("foo.x"));
  SubjectPatternSet c;
  c = std::move(b);
  EXPECT_TRUE(c.matches("foo.y"));
  EXPECT_EQ(c.size(), 1u);
}

}  // namespace
}  // namespace gnatsd::subjects
