// Template body of parse_client_frames (declared in client_parser.hpp): one pass over whole
// frames, views into the caller's buffer, no allocation unless a frame is rejected.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "protocol/frame_errors.hpp"
#include "protocol/frame_scan.hpp"

namespace gnatsd::protocol {
namespace parser_detail {

using namespace scan;

// Values that mirror nats-server's parser (server/const.go).
inline constexpr std::size_t kPubMaxArgs = 3;    // subject [reply] size
inline constexpr std::size_t kHpubMaxArgs = 4;   // subject [reply] hdr total
inline constexpr std::size_t kSubMaxArgs = 3;    // subject [queue] sid
inline constexpr std::size_t kUnsubMaxArgs = 2;  // sid [max]

// +OK, INFO and -ERR are server-to-client ops, but nats-server's client parser accepts them
// too: +OK and INFO are ignored, -ERR closes the connection.
enum class Op : std::uint8_t { Pub, Hpub, Sub, Unsub, Ping, Pong, Connect, Info, Ok, Err };

using ClientOpScan = scan::OpScan<Op>;

// Whether an op needs a space/tab right after its name (nats-server's OP_xxx -> OP_xxx_SPC
// step): "PUB\r\n" and "UNSUB\r\n" are unknown ops, not bad arguments.
constexpr bool needs_separator(Op op) {
  return op == Op::Pub || op == Op::Hpub || op == Op::Sub || op == Op::Unsub || op == Op::Err;
}

// PING, PONG and +OK ignore whatever follows their name up to the end of the line.
constexpr bool takes_args(Op op) {
  return op != Op::Ping && op != Op::Pong && op != Op::Ok;
}

template <std::size_t N>
inline ClientOpScan match_name(const char* p, std::size_t avail, Op op, const char (&name)[N]) {
  return match_op_name(p, avail, op, name, needs_separator(op));
}

// Identifies the op at the start of a line from its first `avail` bytes (avail >= 1). Like
// nats-server, a byte that cannot continue any op name is an error at once, even before the
// line is complete.
inline ClientOpScan scan_op(const char* p, std::size_t avail) {
  const char c = p[0];
  // '+' and '-' are compared raw: upper() would map '\v' and '\r' onto them.
  if (c == '+') return match_name(p, avail, Op::Ok, "+OK");
  if (c == '-') return match_name(p, avail, Op::Err, "-ERR");
  switch (upper(c)) {
    case 'P':
      if (avail < 2) return {ScanStatus::NeedMore, Op::Pub, 0, 0};
      switch (upper(p[1])) {
        case 'U':
          return match_name(p, avail, Op::Pub, "PUB");
        case 'I':
          return match_name(p, avail, Op::Ping, "PING");
        case 'O':
          return match_name(p, avail, Op::Pong, "PONG");
        default:
          return {ScanStatus::Invalid, Op::Pub, 0, 1};
      }
    case 'H':
      return match_name(p, avail, Op::Hpub, "HPUB");
    case 'S':
      return match_name(p, avail, Op::Sub, "SUB");
    case 'U':
      return match_name(p, avail, Op::Unsub, "UNSUB");
    case 'C':
      return match_name(p, avail, Op::Connect, "CONNECT");
    case 'I':
      return match_name(p, avail, Op::Info, "INFO");
    default:
      return {ScanStatus::Invalid, Op::Pub, 0, 0};
  }
}

// A client's own -ERR line: nats-server logs "Client Error <text>" and closes, sending nothing.
[[gnu::cold]] inline void fail_client_error(ParseResult& r, std::string_view text) {
  scan::fail_peer_error(r, "Client Error ", text);
}

}  // namespace parser_detail

template <ClientFrameHandler H>
ParseResult parse_client_frames(std::string_view buffer, const ParserLimits& limits, H& handler) {
  using namespace parser_detail;
  ParseResult result;
  const std::size_t size = buffer.size();
  std::size_t pos = 0;

  // Clients send "PUB " in upper case nearly always: one 4-byte compare spares the
  // case-folding scan.
  const auto scan_client_op = [](const char* p, std::size_t avail) {
    return avail > 4 && std::memcmp(p, "PUB ", 4) == 0
               ? ClientOpScan{ScanStatus::Found, Op::Pub, 3, 0}
               : scan_op(p, avail);
  };
  while (pos < size) {
    scan::ControlLine<Op> control;
    if (!read_control_line(buffer, pos, limits, result, "Client", scan_client_op, takes_args,
                           control)) {
      break;
    }
    const char* const line = control.line;
    const std::size_t avail = size - pos;
    const std::size_t line_len = control.line_len;
    const ClientOpScan& scan = control.op;
    const std::string_view arg = control.arg;

    bool keep_going = true;
    switch (scan.op) {
      case Op::Pub:
      case Op::Hpub: {
        const bool headers = scan.op == Op::Hpub;
        std::string_view args[kHpubMaxArgs];
        const std::size_t n = split_args<false>(arg, args);
        PubFrame frame;
        std::int64_t header_len = 0;
        std::int64_t total_len = 0;
        if (!headers) {
          if (n != 2 && n != 3) {
            fail_bad_args(result, "processPub Parse Error: ", arg);
            break;
          }
          frame.subject = args[0];
          if (n == 3) frame.reply = args[1];
          total_len = parse_size(args[n - 1]);
          if (total_len < 0) {
            fail_bad_args(result, "processPub Bad or Missing Size: ", arg);
            break;
          }
        } else {
          if (n != 3 && n != 4) {
            fail_bad_args(result, "processHeaderPub Parse Error: ", arg);
            break;
          }
          frame.subject = args[0];
          if (n == 4) frame.reply = args[1];
          header_len = parse_size(args[n - 2]);
          total_len = parse_size(args[n - 1]);
          if (header_len < 0) {
            fail_bad_args(result, "processHeaderPub Bad or Missing Header Size: ", arg);
            break;
          }
          if (total_len < 0) {
            fail_bad_args(result, "processHeaderPub Bad or Missing Total Size: ", arg);
            break;
          }
          if (header_len > total_len) {
            // nats-server's wording, typo included.
            fail_bad_args(result, "processHeaderPub Header Size larger then TotalSize: ", arg);
            break;
          }
        }
        // Checked on the control line, before any payload arrives (a negative limit means
        // none, like nats-server's jwt.NoLimit).
        if (limits.max_payload >= 0 && total_len > limits.max_payload) {
          fail_max_payload(result, total_len, limits.max_payload);
          break;
        }
        const auto payload_len = static_cast<std::size_t>(total_len);
        const PayloadCheck check = check_payload(line, avail, line_len, payload_len);
        if (check.status == PayloadStatus::NeedMore) {
          result.pending_frame_size = check.frame_len;
          break;
        }
        if (check.status == PayloadStatus::BadTrailer) {
          fail_unknown_op(result, "Client", buffer, pos + check.bad_at);
          break;
        }
        frame.payload = std::string_view(line + line_len, payload_len);
        frame.header_len = static_cast<std::size_t>(header_len);
        frame.has_headers = headers;
        pos += check.frame_len;
        keep_going = handler.on_pub(frame);
        break;
      }
      case Op::Sub: {
        std::string_view args[kSubMaxArgs];
        const std::size_t n = split_args<true>(arg, args);
        if (n != 2 && n != 3) {
          fail_bad_args(result, "processSub Parse Error: ", arg);
          break;
        }
        SubFrame frame;
        frame.subject = args[0];
        if (n == 3) frame.queue = args[1];
        frame.sid = args[n - 1];
        pos += line_len;
        keep_going = handler.on_sub(frame);
        break;
      }
      case Op::Unsub: {
        std::string_view args[kUnsubMaxArgs];
        const std::size_t n = split_args<true>(arg, args);
        if (n != 1 && n != 2) {
          fail_bad_args(result, "processUnsub Parse Error: ", arg);
          break;
        }
        UnsubFrame frame;
        frame.sid = args[0];
        // A malformed max is not an error in nats-server: it reads as -1, i.e. no max.
        if (n == 2) frame.max_msgs = parse_size(args[1]);
        pos += line_len;
        keep_going = handler.on_unsub(frame);
        break;
      }
      case Op::Ping:
        pos += line_len;
        keep_going = handler.on_ping();
        break;
      case Op::Pong:
        pos += line_len;
        keep_going = handler.on_pong();
        break;
      case Op::Connect:
        pos += line_len;
        keep_going = handler.on_connect(arg);
        break;
      case Op::Info:
      case Op::Ok:
        // Accepted and ignored. (nats-server also parses a client's INFO JSON and closes the
        // connection when it is malformed; nothing else is done with it.)
        pos += line_len;
        break;
      case Op::Err:
        fail_client_error(result, arg);
        break;
    }
    if (result.error != ParseError::None || result.pending_frame_size != 0 || !keep_going) break;
  }
  result.consumed = pos;
  return result;
}

}  // namespace gnatsd::protocol
