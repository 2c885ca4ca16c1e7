// Why a connection closed, with nats-server's wording (server/monitor.go ClosedState.String):
// /connz?state=closed reports these texts as each closed connection's "reason".
#pragma once

#include <string_view>

namespace gnatsd::server {

enum class CloseReason {
  ClientClosed,
  AuthenticationTimeout,
  AuthenticationViolation,
  TlsHandshakeFailure,
  SlowConsumerPendingBytes,
  SlowConsumerWriteDeadline,
  WriteError,
  ReadError,
  ParseError,
  StaleConnection,
  ProtocolViolation,
  BadClientProtocolVersion,
  MaxConnectionsExceeded,
  MaxPayloadExceeded,
  MaxControlLineExceeded,
  MaxSubscriptionsExceeded,
  ServerShutdown,
  NoRespondersRequiresHeaders,
  // Routes.
  DuplicateRoute,
  RouteRemoved,
  ClusterNameConflict,
  DuplicateServerName,
  WrongPort,
  WrongGateway,
};

constexpr std::string_view to_string(CloseReason reason) {
  switch (reason) {
    case CloseReason::ClientClosed:
      return "Client Closed";
    case CloseReason::AuthenticationTimeout:
      return "Authentication Timeout";
    case CloseReason::AuthenticationViolation:
      return "Authentication Failure";
    case CloseReason::TlsHandshakeFailure:
      return "TLS Handshake Failure";
    case CloseReason::SlowConsumerPendingBytes:
      return "Slow Consumer (Pending Bytes)";
    case CloseReason::SlowConsumerWriteDeadline:
      return "Slow Consumer (Write Deadline)";
    case CloseReason::WriteError:
      return "Write Error";
    case CloseReason::ReadError:
      return "Read Error";
    case CloseReason::ParseError:
      return "Parse Error";
    case CloseReason::StaleConnection:
      return "Stale Connection";
    case CloseReason::ProtocolViolation:
      return "Protocol Violation";
    case CloseReason::BadClientProtocolVersion:
      return "Bad Client Protocol Version";
    case CloseReason::MaxConnectionsExceeded:
      return "Maximum Connections Exceeded";
    case CloseReason::MaxPayloadExceeded:
      return "Maximum Message Payload Exceeded";
    case CloseReason::MaxControlLineExceeded:
      return "Maximum Control Line Exceeded";
    case CloseReason::MaxSubscriptionsExceeded:
      return "Maximum Subscriptions Exceeded";
    case CloseReason::ServerShutdown:
      return "Server Shutdown";
    case CloseReason::NoRespondersRequiresHeaders:
      return "No Responders Requires Headers";
    case CloseReason::DuplicateRoute:
      return "Duplicate Route";
    case CloseReason::RouteRemoved:
      return "Route Removed";
    case CloseReason::ClusterNameConflict:
      return "Cluster Name Conflict";
    case CloseReason::DuplicateServerName:
      return "Duplicate Server Name";
    case CloseReason::WrongPort:
      return "Incorrect Port";
    case CloseReason::WrongGateway:
      return "Wrong Gateway";
  }
  return "Unknown State";
}

}  // namespace gnatsd::server
