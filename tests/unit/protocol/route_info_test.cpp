// Route INFO and CONNECT JSON: nats-server 2.9.10's observed bytes (route-protocol.md 1.3, 1.4),
// Go's escaping, and decoding as strictly as json.Unmarshal.
#include "protocol/route_info.hpp"

#include <gtest/gtest.h>

#include <string>

#include "protocol/constants.hpp"

namespace gnatsd::protocol {
namespace {

TEST(RouteInfo, InitialInfoHasNatsServersFieldsInItsOrder) {
  RouteInfo info;
  info.server_id = "NID";
  info.server_name = "A";
  info.go = "go1.19.8";
  info.host = "127.0.0.1";
  info.port = 16222;
  info.max_payload = 1048576;
  info.nonce = "y88Uz2LWid8t4xA";
  info.cluster = "C1";
  info.connect_urls = {"127.0.0.1:14222"};
  // E1's bytes, with our ID and version.
  EXPECT_EQ(route_info_frame(info),
            "INFO {\"server_id\":\"NID\",\"server_name\":\"A\",\"version\":\"" +
                std::string(kServerVersion) +
                "\",\"proto\":2,\"go\":\"go1.19.8\",\"host\":\"127.0.0.1\",\"port\":16222,"
                "\"headers\":true,\"max_payload\":1048576,\"nonce\":\"y88Uz2LWid8t4xA\","
                "\"cluster\":\"C1\",\"connect_urls\":[\"127.0.0.1:14222\"],\"lnoc\":true} \r\n");
}

TEST(RouteInfo, OptionalFieldsAppearWhenSet) {
  RouteInfo info;
  info.server_id = "NID";
  info.auth_required = true;
  info.tls_required = true;
  info.tls_verify = true;
  info.ip = "nats-route://10.9.9.9:7777/";
  info.cluster = "C1";
  info.cluster_dynamic = true;
  info.lame_duck = true;
  const std::string frame = route_info_frame(info);
  for (const char* field :
       {"\"auth_required\":true", "\"tls_required\":true", "\"tls_verify\":true",
        "\"ip\":\"nats-route://10.9.9.9:7777/\"", "\"cluster_dynamic\":true", "\"ldm\":true"}) {
    EXPECT_NE(frame.find(field), std::string::npos) << field << " in " << frame;
  }
  EXPECT_EQ(frame.find("nonce"), std::string::npos);
  EXPECT_EQ(frame.find("connect_urls"), std::string::npos);
}

TEST(RouteInfo, JsonIsEscapedAsGoDoes) {
  RouteInfo info;
  info.server_name = "a<b>&c";
  EXPECT_NE(route_info_frame(info).find("\"server_name\":\"a\\u003cb\\u003e\\u0026c\""),
            std::string::npos);
}

TEST(RouteInfo, DecodesAPeersInfoIncludingGossipAndPoolFields) {
  const auto decoded = decode_route_info(
      R"({"server_id":"NB","server_name":"B","version":"2.10.27","proto":2,"host":"0.0.0.0",)"
      R"("port":6222,"headers":true,"max_payload":1048576,"ip":"nats-route://127.0.0.1:6222/",)"
      R"("cluster":"C1","cluster_dynamic":true,"connect_urls":["127.0.0.1:4222"],"lnoc":true,)"
      R"("route_pool_size":3,"route_pool_idx":1,"some_new_field":{"x":1}} )");
  ASSERT_FALSE(decoded.error) << *decoded.error;
  const RouteInfo& info = decoded.info;
  EXPECT_EQ(info.server_id, "NB");
  EXPECT_EQ(info.version, "2.10.27");
  EXPECT_EQ(info.port, 6222);
  EXPECT_EQ(info.ip, "nats-route://127.0.0.1:6222/");
  EXPECT_TRUE(info.cluster_dynamic);
  EXPECT_EQ(info.connect_urls, (std::vector<std::string>{"127.0.0.1:4222"}));
  EXPECT_EQ(info.route_pool_size, 3);
  EXPECT_EQ(info.route_pool_idx, 1);
  EXPECT_TRUE(info.headers);
}

TEST(RouteInfo, AbsentFieldsAreGoZeroValuesAndWrongTypesAreErrors) {
  auto decoded = decode_route_info("{}");
  ASSERT_FALSE(decoded.error);
  EXPECT_FALSE(decoded.info.headers);
  EXPECT_FALSE(decoded.info.lnoc);
  EXPECT_TRUE(decoded.info.cluster.empty());
  EXPECT_TRUE(decode_route_info(R"({"port":"6222"})").error);
  EXPECT_TRUE(decode_route_info("[1]").error);
  EXPECT_TRUE(decode_route_info("{\"server_id\":").error);
}

TEST(RouteConnect, AsNatsServerSendsIt) {
  RouteConnect connect;
  connect.user = "ruser";
  connect.password = "rpass";
  connect.name = "NAVS7WFA";
  connect.cluster = "C1";
  // E2's bytes.
  EXPECT_EQ(route_connect_frame(connect),
            "CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"ruser\","
            "\"pass\":\"rpass\",\"tls_required\":false,\"headers\":true,\"name\":\"NAVS7WFA\","
            "\"cluster\":\"C1\",\"lnoc\":true}\r\n");
}

TEST(RouteConnect, DecodesWhatTellsARouteFromAClient) {
  auto decoded = decode_route_connect(
      R"({"echo":true,"verbose":false,"pedantic":false,"tls_required":false,"headers":true,)"
      R"("name":"NA","cluster":"C1","lnoc":true})");
  ASSERT_FALSE(decoded.error);
  EXPECT_EQ(decoded.connect.name, "NA");
  EXPECT_EQ(decoded.connect.cluster, "C1");
  EXPECT_TRUE(decoded.connect.lang.empty());
  decoded = decode_route_connect(R"({"verbose":false,"lang":"go","version":"1.30.0"})");
  ASSERT_FALSE(decoded.error);
  EXPECT_EQ(decoded.connect.lang, "go");         // a client on the route port
  EXPECT_TRUE(decoded.connect.cluster.empty());  // no key: "" (nats-server compares it so)
  EXPECT_TRUE(decode_route_connect(R"({"headers":"yes"})").error);
}

TEST(RouteInfo, PermissionsGoBetweenLameDuckAndLnocAsGoWritesThem) {
  RouteInfo info;
  info.server_id = "NA";
  info.import_permission = RoutePermission{{"imp.>"}, {}};
  info.export_permission = RoutePermission{{}, {"secret.*"}};
  const std::string frame = route_info_frame(info);
  EXPECT_NE(frame.find("\"import\":{\"allow\":[\"imp.\\u003e\"]},"
                       "\"export\":{\"deny\":[\"secret.*\"]},\"lnoc\":true}"),
            std::string::npos)
      << frame;
}

}  // namespace
}  // namespace gnatsd::protocol
