// Template body of parse_route_frames (declared in route_parser.hpp). Argument rules and error
// texts follow nats-server 2.9.10's route.go (processRemoteSub, processRemoteUnsub,
// processRoutedMsgArgs, processRoutedHeaderMsgArgs, processRoutedOriginClusterMsgArgs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "protocol/frame_errors.hpp"
#include "protocol/frame_scan.hpp"

namespace gnatsd::protocol {
namespace route_parser_detail {

using namespace scan;

enum class Op : std::uint8_t {
  Ping,
  Pong,
  Info,
  Connect,
  Ok,
  Err,
  RouteSub,
  RouteUnsub,
  RouteMsg,
  HeaderMsg,
  LeafSub,
  LeafUnsub,
  LeafMsg,
  Sub,
  Unsub,
  AccountSub,
  AccountUnsub,  // accepted and ignored on a route
};
using RouteOpScan = scan::OpScan<Op>;

constexpr bool takes_args(Op op) {
  return op != Op::Ping && op != Op::Pong && op != Op::Ok;
}

constexpr bool needs_separator(Op op) {
  return takes_args(op) && op != Op::Info && op != Op::Connect;
}

template <std::size_t N>
inline RouteOpScan match_name(const char* p, std::size_t avail, Op op, const char (&name)[N]) {
  return match_op_name(p, avail, op, name, needs_separator(op));
}

// The op at the start of a line from its first `avail` (>= 1) bytes. Two-letter prefixes that
// several ops share (RS+/RS-/RMSG, LS+/LS-/LMSG, A+/A-) are told apart by their later bytes.
inline RouteOpScan scan_op(const char* p, std::size_t avail) {
  const char c = p[0];
  if (c == '+') return match_name(p, avail, Op::Ok, "+OK");
  if (c == '-') return match_name(p, avail, Op::Err, "-ERR");
  const auto at = [&](std::size_t i) { return i < avail ? upper(p[i]) : '\0'; };
  switch (upper(c)) {
    case 'P':
      if (avail < 2) return {ScanStatus::NeedMore, Op::Ping, 0, 0};
      if (at(1) == 'I') return match_name(p, avail, Op::Ping, "PING");
      if (at(1) == 'O') return match_name(p, avail, Op::Pong, "PONG");
      return {ScanStatus::Invalid, Op::Ping, 0, 1};
    case 'I':
      return match_name(p, avail, Op::Info, "INFO");
    case 'C':
      return match_name(p, avail, Op::Connect, "CONNECT");
    case 'H':
      return match_name(p, avail, Op::HeaderMsg, "HMSG");
    case 'S':
      return match_name(p, avail, Op::Sub, "SUB");
    case 'U':
      return match_name(p, avail, Op::Unsub, "UNSUB");
    case 'R':
    case 'L': {
      const bool leaf = upper(c) == 'L';
      if (avail < 2) return {ScanStatus::NeedMore, Op::RouteSub, 0, 0};
      if (at(1) == 'M') {
        return leaf ? match_name(p, avail, Op::LeafMsg, "LMSG")
                    : match_name(p, avail, Op::RouteMsg, "RMSG");
      }
      if (at(1) != 'S') return {ScanStatus::Invalid, Op::RouteSub, 0, 1};
      if (avail < 3) return {ScanStatus::NeedMore, Op::RouteSub, 0, 0};
      if (p[2] == '+') {
        return leaf ? match_name(p, avail, Op::LeafSub, "LS+")
                    : match_name(p, avail, Op::RouteSub, "RS+");
      }
      if (p[2] == '-') {
        return leaf ? match_name(p, avail, Op::LeafUnsub, "LS-")
                    : match_name(p, avail, Op::RouteUnsub, "RS-");
      }
      return {ScanStatus::Invalid, Op::RouteSub, 0, 2};
    }
    case 'A':
      if (avail < 2) return {ScanStatus::NeedMore, Op::AccountSub, 0, 0};
      if (p[1] == '+') return match_name(p, avail, Op::AccountSub, "A+");
      if (p[1] == '-') return match_name(p, avail, Op::AccountUnsub, "A-");
      return {ScanStatus::Invalid, Op::AccountSub, 0, 1};
    default:
      return {ScanStatus::Invalid, Op::Ping, 0, 0};
  }
}

// The blank-separated arguments of a line (nats-server's splitArg: space, tab, CR), kept
// without a limit on their number: the first few by position, the last three by a ring, which
// is all an RMSG with any number of queue names needs.
struct ArgTokens {
  static constexpr std::size_t kHead = 6;
  std::string_view head[kHead];
  std::string_view tail[3];
  std::size_t count = 0;

  // Token i; valid for i < kHead or i >= count - 3.
  std::string_view at(std::size_t i) const noexcept { return i < kHead ? head[i] : tail[i % 3]; }
};

inline void tokenize(std::string_view arg, ArgTokens& out) {
  const char* p = arg.data();
  const char* const end = p + arg.size();
  auto is_sep = [](char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; };
  while (true) {
    while (p < end && is_sep(*p)) ++p;
    if (p == end) return;
    const char* const start = p;
    p = token_end<true>(p, end);
    const std::string_view token(start, static_cast<std::size_t>(p - start));
    if (out.count < ArgTokens::kHead) out.head[out.count] = token;
    out.tail[out.count % 3] = token;
    ++out.count;
  }
}

// Go's '%s' of a [][]byte: "[a b c]". Only error texts use it.
[[gnu::cold]] inline std::string bracketed(std::string_view arg) {
  std::string out = "[";
  for_each_queue(arg, [&out](std::string_view token) {
    if (out.size() > 1) out += ' ';
    out.append(token);
  });
  out += ']';
  return out;
}

[[gnu::cold]] inline void fail_quoted(ParseResult& r, std::string_view what,
                                      std::string_view text) {
  r.error = ParseError::BadArgs;
  r.error_log.assign(what);
  r.error_log += " '";
  r.error_log.append(text);
  r.error_log += "'";
}

// RS+/LS+ arguments into `frame`; false (and `r` set) when malformed.
inline bool read_route_sub(std::string_view arg, bool has_origin, RouteSubFrame& frame,
                           ParseResult& r) {
  ArgTokens t;
  tokenize(arg, t);
  const std::size_t off = has_origin ? 1 : 0;
  if (t.count == 2 + off) {
    frame.queue = {};
    frame.weight = 1;
  } else if (t.count == 4 + off) {
    frame.queue = t.at(2 + off);
    frame.weight = parse_size(t.at(3 + off));
  } else {
    fail_quoted(r, "processRemoteSub Parse Error:", arg);
    return false;
  }
  if (has_origin) frame.origin = t.at(0);
  frame.account = t.at(off);
  frame.subject = t.at(1 + off);
  return true;
}

inline bool read_route_unsub(std::string_view arg, RouteUnsubFrame& frame, ParseResult& r) {
  ArgTokens t;
  tokenize(arg, t);
  if (t.count != 2 && t.count != 3) {
    fail_quoted(r, "processRemoteUnsub parse error:", arg);
    return false;
  }
  frame.account = t.at(0);
  frame.subject = t.at(1);
  frame.queue = t.count == 3 ? t.at(2) : std::string_view();
  frame.key = arg;
  return true;
}

// RMSG/HMSG/LMSG arguments. `sizes`: 1 (RMSG: size) or 2 (HMSG, LMSG: header size, total).
// Returns the total size, or -1 with `r` set.
inline std::int64_t read_route_msg(std::string_view arg, std::string_view who, bool has_origin,
                                   std::size_t sizes, RouteMsgFrame& frame, ParseResult& r) {
  ArgTokens t;
  tokenize(arg, t);
  const std::size_t off = has_origin ? 1 : 0;
  const std::size_t min = 2 + off + sizes;
  const std::string who_s(who);
  if (t.count < min) {
    fail_quoted(r, who_s + " Parse Error:", bracketed(arg));
    return -1;
  }
  frame.reply = {};
  frame.queues = {};
  if (t.count == min + 1) {
    frame.reply = t.at(2 + off);
  } else if (t.count > min + 1) {
    // The reply indicator: "+" (a reply, then queues) or "|" (queues only).
    const std::string_view indicator = t.at(2 + off);
    std::size_t first_queue = 3 + off;
    if (indicator == "+") {
      frame.reply = t.at(3 + off);
      first_queue = 4 + off;
    } else if (indicator != "|") {
      fail_quoted(r, who_s + " Bad or Missing Reply Indicator:", indicator);
      return -1;
    }
    const std::size_t last_queue = t.count - sizes - 1;
    if (first_queue <= last_queue) {
      const char* const begin = t.at(first_queue).data();
      const std::string_view last = t.at(last_queue);
      frame.queues =
          std::string_view(begin, static_cast<std::size_t>(last.data() + last.size() - begin));
    }
  }
  const std::int64_t total = parse_size(t.at(t.count - 1));
  std::int64_t header = 0;
  if (sizes == 2) {
    header = parse_size(t.at(t.count - 2));
    if (header < 0) {
      fail_quoted(r, who_s + " Bad or Missing Header Size:", arg);
      return -1;
    }
  }
  if (total < 0) {
    fail_quoted(r, who_s + " Bad or Missing Size:", bracketed(arg));
    return -1;
  }
  if (header > total) {
    fail_quoted(r, who_s + " Header Size larger then TotalSize:", arg);  // sic, nats-server's
    return -1;
  }
  if (has_origin) frame.origin = t.at(0);
  frame.account = t.at(off);
  frame.subject = t.at(1 + off);
  frame.header_len = static_cast<std::size_t>(header);
  return total;
}

}  // namespace route_parser_detail

template <class Fn>
void for_each_queue(std::string_view queues, Fn&& fn) {
  const char* p = queues.data();
  const char* const end = p + queues.size();
  while (p < end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r')) ++p;
    if (p == end) return;
    const char* const start = p;
    p = scan::token_end<true>(p, end);
    fn(std::string_view(start, static_cast<std::size_t>(p - start)));
  }
}

template <RouteFrameHandler H>
ParseResult parse_route_frames(std::string_view buffer, const ParserLimits& limits, H& handler) {
  using namespace route_parser_detail;
  ParseResult result;
  const std::size_t size = buffer.size();
  std::size_t pos = 0;

  while (pos < size) {
    scan::ControlLine<Op> control;
    if (!read_control_line(buffer, pos, limits, result, "Router", scan_op, takes_args, control)) {
      break;
    }
    const char* const line = control.line;
    const std::size_t avail = size - pos;
    const std::size_t line_len = control.line_len;
    const RouteOpScan& op = control.op;
    const std::string_view arg = control.arg;

    bool keep_going = true;
    switch (op.op) {
      case Op::RouteMsg:
      case Op::HeaderMsg:
      case Op::LeafMsg: {
        RouteMsgFrame frame;
        const bool leaf = op.op == Op::LeafMsg;
        const std::string_view who = op.op == Op::RouteMsg    ? "processRoutedMsgArgs"
                                     : op.op == Op::HeaderMsg ? "processRoutedHeaderMsgArgs"
                                                              : "processRoutedOriginClusterMsgArgs";
        const std::int64_t total =
            read_route_msg(arg, who, leaf, op.op == Op::RouteMsg ? 1 : 2, frame, result);
        if (total < 0) break;
        if (limits.max_payload >= 0 && total > limits.max_payload) {
          fail_max_payload(result, total, limits.max_payload);
          break;
        }
        const auto payload_len = static_cast<std::size_t>(total);
        const PayloadCheck check = check_payload(line, avail, line_len, payload_len);
        if (check.status == PayloadStatus::NeedMore) {
          result.pending_frame_size = check.frame_len;
          break;
        }
        if (check.status == PayloadStatus::BadTrailer) {
          fail_unknown_op(result, "Router", buffer, pos + check.bad_at);
          break;
        }
        frame.payload = std::string_view(line + line_len, payload_len);
        frame.has_headers = op.op == Op::HeaderMsg || frame.header_len > 0;
        pos += check.frame_len;
        keep_going = handler.on_route_msg(frame);
        break;
      }
      case Op::RouteSub:
      case Op::LeafSub: {
        RouteSubFrame frame;
        if (!read_route_sub(arg, op.op == Op::LeafSub, frame, result)) break;
        pos += line_len;
        keep_going = handler.on_route_sub(frame);
        break;
      }
      case Op::RouteUnsub:
      case Op::LeafUnsub: {
        RouteUnsubFrame frame;
        if (!read_route_unsub(arg, frame, result)) break;
        pos += line_len;
        keep_going = handler.on_route_unsub(frame);
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
      case Op::Ok:
        pos += line_len;
        keep_going = handler.on_ok();
        break;
      case Op::Info:
        pos += line_len;
        keep_going = handler.on_info(arg);
        break;
      case Op::Connect:
        pos += line_len;
        keep_going = handler.on_connect(arg);
        break;
      case Op::Err:
        fail_peer_error(result, "Route Error ", arg);
        break;
      case Op::Sub:
      case Op::Unsub:
      case Op::AccountSub:
      case Op::AccountUnsub:
        pos += line_len;  // nats-server parses these on a route and does nothing with them
        break;
    }
    if (result.error != ParseError::None || result.pending_frame_size != 0 || !keep_going) break;
  }
  result.consumed = pos;
  return result;
}

}  // namespace gnatsd::protocol
