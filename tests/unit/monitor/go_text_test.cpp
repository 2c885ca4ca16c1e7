// Go-compatible monitoring text: times, uptimes, round-trip times, JSON escaping.
#include "monitor/go_text.hpp"

#include <gtest/gtest.h>

namespace gnatsd::monitor {
namespace {

using namespace std::chrono_literals;

server::WallClock::time_point at(std::int64_t unix_ns) {
  return server::WallClock::time_point(
      std::chrono::duration_cast<server::WallClock::duration>(std::chrono::nanoseconds(unix_ns)));
}

TEST(GoTextTest, Rfc3339NanoDropsTrailingZeros) {
  EXPECT_EQ(rfc3339_nano(at(1452413849970134607)), "2016-01-10T08:17:29.970134607Z");
  EXPECT_EQ(rfc3339_nano(at(1452413849970000000)), "2016-01-10T08:17:29.97Z");
  EXPECT_EQ(rfc3339_nano(at(1452413849000000000)), "2016-01-10T08:17:29Z");
  EXPECT_EQ(rfc3339_nano(at(0)), "1970-01-01T00:00:00Z");
}

TEST(GoTextTest, UptimeAsNatsServerWritesIt) {
  EXPECT_EQ(uptime_text(0ns), "0s");
  EXPECT_EQ(uptime_text(999ms), "0s");
  EXPECT_EQ(uptime_text(93s), "1m33s");
  EXPECT_EQ(uptime_text(3h + 2s), "3h0m2s");
  EXPECT_EQ(uptime_text(std::chrono::hours(24 * 2) + 5min), "2d0h5m0s");
  EXPECT_EQ(uptime_text(std::chrono::hours(24 * 366) + 1s), "1y1d0h0m1s");
  EXPECT_EQ(uptime_text(-5s), "0s");
}

TEST(GoTextTest, RttTruncatedToMicrosecondsBelowOneMillisecond) {
  EXPECT_EQ(rtt_text(0ns), "0s");
  EXPECT_EQ(rtt_text(800ns), "800ns");
  EXPECT_EQ(rtt_text(603456ns), "603µs");
  EXPECT_EQ(rtt_text(6085459ns), "6.085459ms");
  EXPECT_EQ(rtt_text(1500ms), "1.5s");
}

TEST(GoTextTest, JsonAsGoMarshalsIt) {
  Json v;
  v["b"] = 1;
  v["a"] = "<x&y>";
  v["f"] = go_float(2.0);
  v["g"] = go_float(0.5);
  v["e"] = Json::array();
  v["o"] = Json::object();
  EXPECT_EQ(to_go_json(v, false),
            R"({"b":1,"a":"\u003cx\u0026y\u003e","f":2,"g":0.5,"e":[],"o":{}})");
  EXPECT_EQ(to_go_json(v),
            "{\n  \"b\": 1,\n  \"a\": \"\\u003cx\\u0026y\\u003e\",\n  \"f\": 2,\n"
            "  \"g\": 0.5,\n  \"e\": [],\n  \"o\": {}\n}");
  // Invalid UTF-8 from a client (a CONNECT name) must not break the response.
  Json bad;
  bad["name"] = std::string(
      "a\xff"
      "b");
  EXPECT_EQ(to_go_json(bad, false),
            "{\"name\":\"a\xEF\xBF\xBD"
            "b\"}");
}

}  // namespace
}  // namespace gnatsd::monitor
