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

TEST(MetricsTest, RoutezFiguresPerRoute) {
  Json routez;
  routez["server_id"] = "NA";
  routez["num_routes"] = 1;
  Json route;
  route["rid"] = 7;
  route["remote_id"] = "NB";
  route["in_msgs"] = 5;
  route["out_bytes"] = 99;
  routez["routes"] = Json::array({route});
  const std::string text = prometheus_routez_text(routez);
  EXPECT_NE(text.find("gnatsd_routez_num_routes{server_id=\"NA\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE gnatsd_routez_in_msgs counter\n"
                      "gnatsd_routez_in_msgs{server_id=\"NA\",rid=\"7\",remote_id=\"NB\"} 5\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("gnatsd_routez_out_bytes{server_id=\"NA\",rid=\"7\",remote_id=\"NB\"} 99\n"),
            std::string::npos);
  // Without routes, only the count.
  routez["routes"] = Json::array();
  routez["num_routes"] = 0;
  EXPECT_EQ(prometheus_routez_text(routez).find("gnatsd_routez_in_msgs"), std::string::npos);
}

}  // namespace
}  // namespace gnatsd::monitor
