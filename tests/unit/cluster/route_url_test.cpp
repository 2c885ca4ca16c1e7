// Route URLs as --routes, cluster { routes } and gossiped INFO "ip" give them.
#include "cluster/route_url.hpp"

#include <gtest/gtest.h>

namespace gnatsd::cluster {
namespace {

TEST(RouteUrl, TakesSchemeUserinfoHostAndPort) {
  auto dial = parse_route_url("nats-route://ruser:s3cr:et@example.com:6222");
  ASSERT_TRUE(dial);
  EXPECT_EQ(dial->host, "example.com");
  EXPECT_EQ(dial->port, 6222);
  EXPECT_EQ(dial->user, "ruser");
  EXPECT_EQ(dial->password, "s3cr:et");
  EXPECT_EQ(dial->url, "nats-route://ruser:s3cr:et@example.com:6222");
}

TEST(RouteUrl, GossipedFormWithTrailingSlashAndIpv6) {
  auto dial = parse_route_url("nats-route://[::1]:16222/");
  ASSERT_TRUE(dial);
  EXPECT_EQ(dial->host, "::1");
  EXPECT_EQ(dial->port, 16222);
  EXPECT_TRUE(dial->user.empty());
  auto plain = parse_route_url("nats://127.0.0.1:4248");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->host, "127.0.0.1");
}

TEST(RouteUrl, RejectsMissingOrBadPorts) {
  EXPECT_FALSE(parse_route_url("nats://host"));
  EXPECT_FALSE(parse_route_url("nats://host:0"));
  EXPECT_FALSE(parse_route_url("nats://host:70000"));
  EXPECT_FALSE(parse_route_url("nats://host:12ab"));
  EXPECT_FALSE(parse_route_url("nats://:4222"));
}

TEST(RouteUrl, JoinsHostAndPortAsGo) {
  EXPECT_EQ(join_host_port("127.0.0.1", 6222), "127.0.0.1:6222");
  EXPECT_EQ(join_host_port("::1", 6222), "[::1]:6222");
}

}  // namespace
}  // namespace gnatsd::cluster
