// How the frame parsers (client and route) report what they reject, in nats-server's words, and
// the check of a line whose end has not arrived yet. Cold paths: building the log text is the
// only allocation of a parser.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/go_quote.hpp"
#include "protocol/frame_scan.hpp"
#include "protocol/parse_result.hpp"

namespace gnatsd::protocol::scan {

// Values that mirror nats-server's parser (server/const.go).
inline constexpr std::size_t kProtoSnippetSize = 32;         // PROTO_SNIPPET_SIZE
inline constexpr std::size_t kControlLineSnippetSize = 128;  // MAX_CONTROL_LINE_SNIPPET_SIZE

// "<Kind> parser ERROR, i=<at>: proto='<snippet>...'" (nats-server also prints its state
// number, which a parser that is not its state machine has no equivalent for).
[[gnu::cold]] inline void fail_unknown_op(ParseResult& r, std::string_view kind,
                                          std::string_view buffer, std::size_t at) {
  r.error = ParseError::UnknownOp;
  r.error_log.assign(kind);
  r.error_log += " parser ERROR, i=" + std::to_string(at) + ": proto='";
  common::append_go_quoted(r.error_log, buffer.substr(at, kProtoSnippetSize));
  r.error_log += "...'";
}

[[gnu::cold]] inline void fail_bad_args(ParseResult& r, std::string_view what,
                                        std::string_view arg) {
  r.error = ParseError::BadArgs;
  r.error_log.assign(what);
  common::append_go_quoted(r.error_log, arg);
}

// The peer's own -ERR line: logged ("Client Error …", "Route Error …") and closed, no reply.
[[gnu::cold]] inline void fail_peer_error(ParseResult& r, std::string_view prefix,
                                          std::string_view text) {
  r.error = ParseError::PeerError;
  r.error_log.assign(prefix);
  r.error_log.append(text);
}

[[gnu::cold]] inline void fail_max_payload(ParseResult& r, std::int64_t size,
                                           std::int64_t max_payload) {
  r.error = ParseError::MaxPayload;
  r.error_log =
      "maximum payload exceeded: " + std::to_string(size) + " vs " + std::to_string(max_payload);
}

[[gnu::cold]] inline void fail_max_control_line(ParseResult& r, std::size_t max_control_line,
                                                std::string_view arg) {
  r.error = ParseError::MaxControlLine;
  r.error_log = "maximum control line exceeded: max_control_line " +
                std::to_string(max_control_line) + ", Buffer len " + std::to_string(arg.size()) +
                " (snip: ";
  common::append_go_quoted(r.error_log, arg.substr(0, kControlLineSnippetSize));
  r.error_log += "...)";
}

// Checks a line whose '\n' has not arrived: reports an impossible op at once, and a line that
// already breaks max_control_line, so the caller never buffers an unbounded line. `scan_op` and
// `takes_args` are the parser's own (its op names; whether an op's argument counts).
template <class ScanOp, class TakesArgs>
inline void check_partial_line(std::string_view buffer, std::size_t pos, const ParserLimits& limits,
                               ParseResult& r, std::string_view kind, ScanOp scan_op,
                               TakesArgs takes_args) {
  const char* const line = buffer.data() + pos;
  const std::size_t avail = buffer.size() - pos;
  const auto scan = scan_op(line, avail);
  if (scan.status == ScanStatus::Invalid)
    return fail_unknown_op(r, kind, buffer, pos + scan.bad_at);
  if (scan.status == ScanStatus::NeedMore) return;
  std::string_view arg;
  if (takes_args(scan.op)) {
    const std::size_t start = skip_blanks(line, scan.name_len, avail);
    std::size_t end = avail;
    if (end > start && line[end - 1] == '\r') --end;  // the CR of a CRLF split before its LF
    arg = std::string_view(line + start, end - start);
  }
  const std::size_t mcl = limits.max_control_line;
  if (arg.size() > mcl || line_too_long(avail, mcl)) {
    fail_max_control_line(r, mcl, arg.empty() ? std::string_view(line, avail) : arg);
  }
}

// One control line at buffer[pos..] whose '\n' has arrived: the op, its argument, and the
// line's length with the '\n'.
template <class Op>
struct ControlLine {
  const char* line = nullptr;
  std::size_t line_len = 0;
  OpScan<Op> op;
  std::string_view arg;
};

// Reads the control line at buffer[pos..] (pos < buffer.size()). False when the parser must
// stop there: the line is incomplete (checked as check_partial_line does) or rejected
// (r.error set: an unknown op, or max_control_line).
template <class Op, class ScanOp, class TakesArgs>
[[gnu::always_inline]] inline bool read_control_line(std::string_view buffer, std::size_t pos,
                                                     const ParserLimits& limits, ParseResult& r,
                                                     std::string_view kind, ScanOp scan_op,
                                                     TakesArgs takes_args, ControlLine<Op>& out) {
  const char* const line = buffer.data() + pos;
  const std::size_t avail = buffer.size() - pos;
  const auto* const lf = static_cast<const char*>(std::memchr(line, '\n', avail));
  if (lf == nullptr) {
    check_partial_line(buffer, pos, limits, r, kind, scan_op, takes_args);
    return false;
  }
  // The line including its '\n'. A bare '\n' ends a line as well as CRLF does.
  const std::size_t line_len = static_cast<std::size_t>(lf - line) + 1;
  std::size_t ctl_end = line_len - 1;
  if (ctl_end > 0 && line[ctl_end - 1] == '\r') --ctl_end;
  // With the '\n' inside the scanned bytes the op is either found or invalid.
  out.op = scan_op(line, line_len);
  if (out.op.status != ScanStatus::Found) {
    fail_unknown_op(r, kind, buffer, pos + out.op.bad_at);
    return false;
  }
  const std::size_t arg_start = skip_blanks(line, out.op.name_len, ctl_end);
  out.arg = std::string_view(line + arg_start, ctl_end - arg_start);
  if (takes_args(out.op.op) && out.arg.size() > limits.max_control_line) {
    fail_max_control_line(r, limits.max_control_line, out.arg);
    return false;
  }
  // The bytes before the '\n' (a CR included): what a read ending just before it would hold.
  if (line_too_long(line_len - 1, limits.max_control_line)) {
    fail_max_control_line(r, limits.max_control_line,
                          out.arg.empty() ? std::string_view(line, line_len - 1) : out.arg);
    return false;
  }
  out.line = line;
  out.line_len = line_len;
  return true;
}

}  // namespace gnatsd::protocol::scan
