// How the frame parsers (client and route) report what they reject, in nats-server's words, and
// the check of a line whose end has not arrived yet. Cold paths: building the log text is the
// only allocation of a parser.
#pragma once

#include <cstddef>
#include <cstdint>
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
  r.error = ParseError::BadArgs;
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

}  // namespace gnatsd::protocol::scan
