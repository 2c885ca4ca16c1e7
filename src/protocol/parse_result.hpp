// What a frame parser reports (client and route parsers alike): how far it got, and why it
// stopped when it did not reach the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace gnatsd::protocol {

enum class ParseError {
  None,
  UnknownOp,       // -ERR 'Unknown Protocol Operation', then close
  MaxControlLine,  // -ERR 'maximum control line exceeded', then close
  MaxPayload,      // -ERR 'Maximum Payload Violation', then close
  BadArgs,         // malformed PUB/HPUB/SUB/UNSUB arguments: logged, connection closed, no -ERR
  PeerError,       // the peer sent -ERR: logged, closed as a parse error, no -ERR
};

struct ParserLimits {
  std::size_t max_control_line;
  std::int64_t max_payload;
};

struct ParseResult {
  // Bytes of complete frames handled; the caller keeps buffer[consumed..] for the next call.
  std::size_t consumed = 0;
  // When the buffer ends inside a frame whose size is known (a PUB waiting for its payload):
  // the total bytes that frame needs from buffer[consumed]. 0 when unknown or not waiting.
  std::size_t pending_frame_size = 0;
  ParseError error = ParseError::None;
  std::string error_log;  // detail for the server log (only on error), in nats-server's wording
};

}  // namespace gnatsd::protocol
