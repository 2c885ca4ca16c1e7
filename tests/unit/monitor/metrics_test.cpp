// /metrics text from a /varz document.
#include "monitor/metrics.hpp"

#include <gtest/gtest.h>

namespace gnatsd::monitor {
namespace {

TEST(MetricsTest, VarzFiguresWithHelpTypeAndServerLabel) {
  Json varz;
  varz["server_id"] = "N\"X";
  varz["in_msgs"] = 1000;
  varz["cpu"] = 12.5;
  varz["connections"] = 2;
  varz["http_req_stats"] = {{"/varz", 3}};
  const std::string text = prometheus_text(varz);
  EXPECT_NE(text.find("# HELP gnatsd_varz_in_msgs "), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE gnatsd_varz_in_msgs counter\n"
                      "gnatsd_varz_in_msgs{server_id=\"N\\\"X\"} 1000\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE gnatsd_varz_connections gauge\n"
                      "gnatsd_varz_connections{server_id=\"N\\\"X\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("gnatsd_varz_cpu{server_id=\"N\\\"X\"} 12.5\n"), std::string::npos);
  EXPECT_NE(text.find("gnatsd_varz_http_req_stats{server_id=\"N\\\"X\",path=\"/varz\"} 3\n"),
            std::string::npos);
  // Fields absent from /varz are not invented.
  EXPECT_EQ(text.find("gnatsd_varz_out_msgs"), std::string::npos);
}

}  // namespace
}  // namespace gnatsd::monitor
