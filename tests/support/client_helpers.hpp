// Small helpers shared by the raw-socket integration tests: a connected client, a PING/PONG
// round trip, and the exact bytes of a MSG frame.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "raw_client.hpp"
#include "server_process.hpp"

namespace gnatsd::test {

// -ERR lines exactly as nats-server 2.9.10 writes them. The tests spell them out instead of
// using the server's constants, so that a changed server text fails them.
inline constexpr std::string_view kErrInvalidPublishSubject = "-ERR 'Invalid Publish Subject'\r\n";
inline constexpr std::string_view kErrInvalidSubject = "-ERR 'Invalid Subject'\r\n";
inline constexpr std::string_view kErrUnknownOp = "-ERR 'Unknown Protocol Operation'\r\n";
inline constexpr std::string_view kErrMaxPayload = "-ERR 'Maximum Payload Violation'\r\n";
inline constexpr std::string_view kErrMaxControlLine = "-ERR 'maximum control line exceeded'\r\n";
inline constexpr std::string_view kErrNoRespondersNeedsHeaders =
    "-ERR 'no responders requires headers support'\r\n";
inline constexpr std::string_view kErrInvalidProtocol = "-ERR 'invalid client protocol'\r\n";
inline constexpr std::string_view kErrMaxConnections = "-ERR 'maximum connections exceeded'\r\n";
inline constexpr std::string_view kErrStale = "-ERR 'Stale Connection'\r\n";

// A raw client past INFO and CONNECT {"verbose":false}, proven by a PING/PONG round trip.
std::unique_ptr<RawClient> open_connected(const ServerProcess& server,
                                          RawClient::Options options = {});
// Sends `bytes` then PING; returns everything received up to and including the PONG.
std::string roundtrip(RawClient& c, std::string_view bytes);
// "MSG <subject> <sid> <size>\r\n<payload>\r\n"
std::string msg(std::string_view subject, std::string_view sid, std::string_view payload);

}  // namespace gnatsd::test
