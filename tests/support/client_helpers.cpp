// Helpers shared by the raw-socket integration tests.
#include "client_helpers.hpp"

#include <gtest/gtest.h>

namespace gnatsd::test {

// A raw client past INFO and CONNECT {"verbose":false}, proven by a PING/PONG round trip.
std::unique_ptr<RawClient> open_connected(const ServerProcess& server, RawClient::Options options) {
  auto c = std::make_unique<RawClient>(server.port(), options);
  std::string info = c->read_frame();
  EXPECT_TRUE(info.starts_with("INFO {")) << info;
  EXPECT_TRUE(c->send("CONNECT {\"verbose\":false}\r\nPING\r\n"));
  EXPECT_EQ(c->read_until_pong(), "PONG\r\n");
  return c;
}

std::string roundtrip(RawClient& c, std::string_view bytes) {
  EXPECT_TRUE(c.send(std::string(bytes) + "PING\r\n"));
  return c.read_until_pong();
}

std::string msg(std::string_view subject, std::string_view sid, std::string_view payload) {
  return "MSG " + std::string(subject) + " " + std::string(sid) + " " +
         std::to_string(payload.size()) + "\r\n" + std::string(payload) + "\r\n";
}

}  // namespace gnatsd::test
