// go_quote / append_go_quoted: the same output as Go's strconv.Quote (%q).
#include "common/go_quote.hpp"

#include <gtest/gtest.h>

namespace gnatsd::common {
namespace {

TEST(GoQuoteTest, AsciiPassesThrough) {
  EXPECT_EQ(go_quote(""), R"("")");
  EXPECT_EQ(go_quote("foo.bar"), R"("foo.bar")");
  EXPECT_EQ(go_quote("v1.2.3:go:name *>~ {}"), R"("v1.2.3:go:name *>~ {}")");
}

TEST(GoQuoteTest, EscapesAsGo) {
  EXPECT_EQ(go_quote(R"(a"b)"), R"("a\"b")");
  EXPECT_EQ(go_quote(R"(a\b)"), R"("a\\b")");
  EXPECT_EQ(go_quote("\a\b\f\n\r\t\v"), R"("\a\b\f\n\r\t\v")");
  EXPECT_EQ(go_quote(std::string_view("\0\x01\x1b\x1f\x7f", 5)), R"("\x00\x01\x1b\x1f\x7f")");
}

TEST(GoQuoteTest, ValidUtf8PassesThrough) {
  EXPECT_EQ(go_quote("caf\xc3\xa9"), "\"caf\xc3\xa9\"");                            // é
  EXPECT_EQ(go_quote("\xe6\x97\xa5\xe6\x9c\xac"), "\"\xe6\x97\xa5\xe6\x9c\xac\"");  // 日本
  EXPECT_EQ(go_quote("\xe2\x82\xac"), "\"\xe2\x82\xac\"");                          // €
  EXPECT_EQ(go_quote("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\"");                  // U+1F600
  EXPECT_EQ(go_quote("\xef\xbf\xbd"), "\"\xef\xbf\xbd\"");                          // U+FFFD itself
}

TEST(GoQuoteTest, InvalidBytesAsHex) {
  EXPECT_EQ(go_quote("\xff"), R"("\xff")");
  EXPECT_EQ(go_quote("a\x80z"), R"("a\x80z")");                      // lone continuation byte
  EXPECT_EQ(go_quote("\xc3"), R"("\xc3")");                          // truncated 2-byte sequence
  EXPECT_EQ(go_quote("\xe6\x97"), R"("\xe6\x97")");                  // truncated 3-byte sequence
  EXPECT_EQ(go_quote("\xe6\x97z"), R"("\xe6\x97z")");                // interrupted sequence
  EXPECT_EQ(go_quote("\xc0\x80"), R"("\xc0\x80")");                  // overlong NUL
  EXPECT_EQ(go_quote("\xed\xa0\x80"), R"("\xed\xa0\x80")");          // surrogate U+D800
  EXPECT_EQ(go_quote("\xf4\x90\x80\x80"), R"("\xf4\x90\x80\x80")");  // above U+10FFFF
}

TEST(GoQuoteTest, NonPrintableRunesAsUnicodeEscapes) {
  EXPECT_EQ(go_quote("\xc2\x80"), R"("\u0080")");  // C1 controls
  EXPECT_EQ(go_quote("\xc2\x85"), R"("\u0085")");
  EXPECT_EQ(go_quote("\xc2\x9f"), R"("\u009f")");
  EXPECT_EQ(go_quote("\xc2\xa0"), R"("\u00a0")");              // no-break space
  EXPECT_EQ(go_quote("\xc2\xad"), R"("\u00ad")");              // soft hyphen
  EXPECT_EQ(go_quote("\xc2\xa1"), "\"\xc2\xa1\"");             // ¡ is printable
  EXPECT_EQ(go_quote("\xe2\x80\x8b"), R"("\u200b")");          // zero-width space
  EXPECT_EQ(go_quote("\xef\xbb\xbf"), R"("\ufeff")");          // BOM
  EXPECT_EQ(go_quote("\xef\xbf\xbe"), R"("\ufffe")");          // noncharacter
  EXPECT_EQ(go_quote("\xf3\xa0\x80\x81"), R"("\U000e0001")");  // language tag
}

// The cases of the quoters this one replaces (log::go_quote, monitor::go_quote), unchanged
// but for the C1 control, which Go writes as \u0085 (the old log one passed it through).
TEST(GoQuoteTest, CasesOfTheFormerQuoters) {
  EXPECT_EQ(go_quote("v1.2.3:go:name"), R"("v1.2.3:go:name")");
  EXPECT_EQ(go_quote("a\tb\nc\rd"), R"("a\tb\nc\rd")");
  EXPECT_EQ(go_quote(std::string_view("\0\x01\x7f", 3)), R"("\x00\x01\x7f")");
  EXPECT_EQ(go_quote("abc"), "\"abc\"");
  EXPECT_EQ(go_quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
  EXPECT_EQ(go_quote(std::string("\x01", 1)), "\"\\x01\"");
}

TEST(GoQuoteTest, AppendsToWhatIsThere) {
  std::string out = "proto='";
  append_go_quoted(out, "X\r\n");
  out += "...'";
  EXPECT_EQ(out, R"(proto='"X\r\n"...')");
  append_go_quoted(out, "");
  EXPECT_EQ(out, R"(proto='"X\r\n"...'"")");
}

}  // namespace
}  // namespace gnatsd::common
