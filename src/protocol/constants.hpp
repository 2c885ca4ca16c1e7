// Protocol constants, defaults and error texts shared by the whole server.
// Every value mirrors nats-server 2.x (server/const.go, server/errors.go, server/client.go)
// so that clients and operators see exactly what they would see from nats-server.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gnatsd::protocol {

// gnatsd's own release.
inline constexpr std::string_view kGnatsdVersion = GNATSD_VERSION;
// What INFO and /varz report as "version": the nats-server release whose protocol and
// behaviour gnatsd implements. Clients gate features (headers, no_responders, ...) on it.
inline constexpr std::string_view kServerVersion = "2.9.10";
// nats-server reports the Go toolchain in INFO/varz ("go"); we report our compiler instead.
inline constexpr std::string_view kBuildToolchain = "c++20 g++ " __VERSION__;
inline constexpr int kProtoVersion = 1;
// CONNECT "protocol" values a client may ask for: 0 (original) or 1 (async INFO updates).
inline constexpr int kMinClientProtocol = 0;
inline constexpr int kMaxClientProtocol = 1;

// Defaults (server/const.go).
inline constexpr std::string_view kDefaultHost = "0.0.0.0";
inline constexpr int kDefaultPort = 4222;
inline constexpr int kRandomPort = -1;  // "-p -1": let the OS choose, as nats-server
inline constexpr std::int64_t kDefaultMaxPayload = 1024 * 1024;
inline constexpr std::size_t kDefaultMaxControlLine = 4096;
inline constexpr int kDefaultMaxConnections = 64 * 1024;
inline constexpr std::int64_t kDefaultMaxPending = 64 * 1024 * 1024;
inline constexpr std::chrono::seconds kDefaultPingInterval{120};
inline constexpr int kDefaultPingMax = 2;
inline constexpr std::chrono::seconds kDefaultWriteDeadline{10};
inline constexpr std::chrono::seconds kDefaultAuthTimeout{2};
// How often a connection's round trip is measured again: a PING goes out this long after the
// last one even to a busy peer (DEFAULT_RTT_MEASUREMENT_INTERVAL).
inline constexpr std::chrono::hours kRttMeasurementInterval{1};
// `allow_responses: true` (DEFAULT_ALLOW_RESPONSE_MAX_MSGS / _EXPIRATION): one reply per
// request, within two minutes of its delivery.
inline constexpr std::int64_t kDefaultAllowResponseMaxMsgs = 1;
inline constexpr std::chrono::minutes kDefaultAllowResponseExpiration{2};
// A queue name clients may not use: nats-server reserves it (server/client.go sysGroup) and
// refuses it with a subscribe permissions violation, permissions or not.
inline constexpr std::string_view kSystemQueueGroup = "_sys_";

// Error texts sent as -ERR '<text>' (server/errors.go, server/client.go).
namespace err {
inline constexpr std::string_view kUnknownProtocol = "Unknown Protocol Operation";
// A client dialled the cluster port (its CONNECT has "lang"; a route's has not).
inline constexpr std::string_view kClientOnRoutePort = "attempted to connect to route port";
inline constexpr std::string_view kMaxPayload = "Maximum Payload Violation";
inline constexpr std::string_view kMaxControlLine = "maximum control line exceeded";
inline constexpr std::string_view kInvalidSubject = "Invalid Subject";
inline constexpr std::string_view kInvalidPublishSubject = "Invalid Publish Subject";
inline constexpr std::string_view kStaleConnection = "Stale Connection";
inline constexpr std::string_view kSlowConsumer = "Slow Consumer";
inline constexpr std::string_view kMaxConnections = "maximum connections exceeded";
inline constexpr std::string_view kAuthorization = "Authorization Violation";
inline constexpr std::string_view kAuthTimeout = "Authentication Timeout";
inline constexpr std::string_view kNoRespondersNeedsHeaders =
    "no responders requires headers support";
inline constexpr std::string_view kBadClientProtocol = "invalid client protocol";
inline constexpr std::string_view kMaxSubscriptions = "maximum subscriptions exceeded";
inline constexpr std::string_view kSecureConnectionRequired = "Secure Connection - TLS Required";
}  // namespace err

// The status message nats-server sends for a request nobody can answer (no_responders).
inline constexpr std::string_view kNoRespondersHeader = "NATS/1.0 503\r\n\r\n";

}  // namespace gnatsd::protocol
