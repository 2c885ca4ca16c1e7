// Go duration syntax: the values nats-server configs use, and Go's Duration.String() output.
#include "config/duration.hpp"

#include <gtest/gtest.h>

namespace gnatsd::config {
namespace {

using std::chrono::nanoseconds;
using namespace std::chrono_literals;

TEST(DurationTest, ParsesGoSyntax) {
  EXPECT_EQ(parse_go_duration("100ms"), nanoseconds(100ms));
  EXPECT_EQ(parse_go_duration("2m"), nanoseconds(2min));
  EXPECT_EQ(parse_go_duration("1h30m"), nanoseconds(90min));
  EXPECT_EQ(parse_go_duration("1.5s"), nanoseconds(1500ms));
  EXPECT_EQ(parse_go_duration("10us"), nanoseconds(10us));
  EXPECT_EQ(parse_go_duration("10µs"), nanoseconds(10us));
  EXPECT_EQ(parse_go_duration("7ns"), nanoseconds(7));
  EXPECT_EQ(parse_go_duration("0"), nanoseconds(0));
  EXPECT_EQ(parse_go_duration("-2s"), nanoseconds(-2s));
  EXPECT_EQ(parse_go_duration(".5s"), nanoseconds(500ms));
}

TEST(DurationTest, RejectsWhatGoRejects) {
  for (const char* bad : {"", "10", "s", "1x", "1.s.", "--1s", "1s2", "ms"}) {
    EXPECT_FALSE(parse_go_duration(bad).has_value()) << bad;
  }
}

TEST(DurationTest, ErrorTextsAsGo) {
  EXPECT_EQ(go_duration_error("bad"), "time: invalid duration \"bad\"");
  EXPECT_EQ(go_duration_error(""), "time: invalid duration \"\"");
  EXPECT_EQ(go_duration_error("5"), "time: missing unit in duration \"5\"");
  EXPECT_EQ(go_duration_error("1.5.3s"), "time: missing unit in duration \"1.5.3s\"");
  EXPECT_EQ(go_duration_error(".s"), "time: invalid duration \".s\"");
  EXPECT_EQ(go_duration_error("1d"), "time: unknown unit \"d\" in duration \"1d\"");
  EXPECT_EQ(go_duration_error("99999999999h"), "time: invalid duration \"99999999999h\"");
  // Bytes outside printable ASCII are spelled out, quotes escaped.
  EXPECT_EQ(go_duration_error("1\xC3\xA9"),
            "time: unknown unit \"\\xc3\\xa9\" in duration \"1\\xc3\\xa9\"");
  EXPECT_EQ(go_duration_error("a\"b"), "time: invalid duration \"a\\\"b\"");
}

TEST(DurationTest, FormatsAsGoDurationString) {
  EXPECT_EQ(format_go_duration(0s), "0s");
  EXPECT_EQ(format_go_duration(200ms), "200ms");
  EXPECT_EQ(format_go_duration(10s), "10s");
  EXPECT_EQ(format_go_duration(2min), "2m0s");
  EXPECT_EQ(format_go_duration(93s), "1m33s");
  EXPECT_EQ(format_go_duration(90min), "1h30m0s");
  EXPECT_EQ(format_go_duration(1500ms), "1.5s");
  EXPECT_EQ(format_go_duration(nanoseconds(1500)), "1.5µs");
  EXPECT_EQ(format_go_duration(nanoseconds(12)), "12ns");
  EXPECT_EQ(format_go_duration(-10s), "-10s");
}

}  // namespace
}  // namespace gnatsd::config
