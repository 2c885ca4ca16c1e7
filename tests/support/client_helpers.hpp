// Small helpers shared by the raw-socket integration tests: a connected client, a PING/PONG
// round trip, and the exact bytes of a MSG frame.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "raw_client.hpp"
#include "server_process.hpp"

namespace gnatsd::test {

// A raw client past INFO and CONNECT {"verbose":false}, proven by a PING/PONG round trip.
std::unique_ptr<RawClient> open_connected(const ServerProcess& server,
                                          RawClient::Options options = {});
// Sends `bytes` then PING; returns everything received up to and including the PONG.
std::string roundtrip(RawClient& c, std::string_view bytes);
// "MSG <subject> <sid> <size>\r\n<payload>\r\n"
std::string msg(std::string_view subject, std::string_view sid, std::string_view payload);

}  // namespace gnatsd::test
