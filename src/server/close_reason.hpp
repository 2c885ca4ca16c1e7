// Why a connection closed, with nats-server's wording (server/client.go ClosedState).
#pragma once

#include <string_view>

namespace gnatsd::server {

enum class CloseReason {
  ClientClosed,
  ReadError,
  WriteError,
  ProtocolViolation,
  ParseError,
  MaxPayloadExceeded,
  MaxControlLineExceeded,
  SlowConsumerPendingBytes,
  SlowConsumerWriteDeadline,
  StaleConnection,
  MaxConnectionsExceeded,
  ServerShutdown,
  BadClientProtocolVersion,
  AuthenticationTimeout,
  AuthenticationViolation,
  TlsHandshakeFailure,
};

constexpr std::string_view to_string(CloseReason reason) {
  switch (reason) {
    case CloseReason::ClientClosed:
      return "Client Closed";
    case CloseReason::ReadError:
      return "Read Error";
    case CloseReason::WriteError:
      return "Write Error";
    case CloseReason::ProtocolViolation:
      return "Protocol Violation";
    case CloseReason::ParseError:
      return "Parse Error";
    case CloseReason::MaxPayloadExceeded:
      return "Maximum Payload Exceeded";
    case CloseReason::MaxControlLineExceeded:
      return "Maximum Control Line Exceeded";
    case CloseReason::SlowConsumerPendingBytes:
      return "Slow Consumer (Pending Bytes)";
    case CloseReason::SlowConsumerWriteDeadline:
      return "Slow Consumer (Write Deadline)";
    case CloseReason::StaleConnection:
      return "Stale Connection";
    case CloseReason::MaxConnectionsExceeded:
      return "Maximum Connections Exceeded";
    case CloseReason::ServerShutdown:
      return "Server Shutdown";
    case CloseReason::BadClientProtocolVersion:
      return "Bad Client Protocol Version";
    case CloseReason::AuthenticationTimeout:
      return "Authentication Timeout";
    case CloseReason::AuthenticationViolation:
      return "Authentication Failure";
    case CloseReason::TlsHandshakeFailure:
      return "TLS Handshake Failure";
  }
  return "Unknown";
}

}  // namespace gnatsd::server
