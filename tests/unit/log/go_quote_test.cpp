// go_quote: the same output as Go's strconv.Quote (%q) for what subjects and names contain.
#include "log/go_quote.hpp"

#include <gtest/gtest.h>

namespace gnatsd::log {
namespace {

TEST(GoQuoteTest, MatchesGoStrconvQuote) {
  EXPECT_EQ(go_quote("foo.bar"), R"("foo.bar")");
  EXPECT_EQ(go_quote(""), R"("")");
  EXPECT_EQ(go_quote("v1.2.3:go:name"), R"("v1.2.3:go:name")");
  EXPECT_EQ(go_quote(R"(a"b)"), R"("a\"b")");
  EXPECT_EQ(go_quote(R"(a\b)"), R"("a\\b")");
  EXPECT_EQ(go_quote("a\tb\nc\rd"), R"("a\tb\nc\rd")");
  EXPECT_EQ(go_quote(std::string_view("\0\x01\x7f", 3)), R"("\x00\x01\x7f")");
  EXPECT_EQ(go_quote("caf\xc3\xa9"), "\"caf\xc3\xa9\"");    // printable UTF-8 as is
  EXPECT_EQ(go_quote("\xe2\x82\xac"), "\"\xe2\x82\xac\"");  // the euro sign
  EXPECT_EQ(go_quote("\xff"), R"("\xff")");                 // malformed UTF-8
  EXPECT_EQ(go_quote("\xc3"), R"("\xc3")");                 // truncated sequence
  EXPECT_EQ(go_quote("\xc0\x80"), R"("\xc0\x80")");         // overlong NUL
  EXPECT_EQ(go_quote("\xc2\x85"), R"("\xc2\x85")");         // C1 control (Go: \u0085)
}

}  // namespace
}  // namespace gnatsd::log
