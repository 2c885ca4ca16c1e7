// Client protocol parser: every op, every error nats-server 2.9 raises for client input, and
// that any split of a stream into reads yields exactly the callbacks of a single read.
#include "protocol/client_parser.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/constants.hpp"

namespace gnatsd::protocol {
namespace {

constexpr ParserLimits kLimits{kDefaultMaxControlLine, kDefaultMaxPayload};

// Payloads above this size are recorded by length and hash, not by content.
constexpr std::size_t kInlinePayload = 64;

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

// Records every callback as one line of text, so whole sequences compare with ==.
struct Recorder {
  std::vector<std::string> events;
  std::size_t stop_after = 0;  // return false from the callback that records this many events

  bool record(std::string event) {
    events.push_back(std::move(event));
    return stop_after == 0 || events.size() < stop_after;
  }
  std::string describe(std::string_view payload) const {
    if (payload.size() <= kInlinePayload) return "[" + std::string(payload) + "]";
    return std::to_string(payload.size()) + "#" + std::to_string(fnv1a(payload));
  }

  bool on_connect(std::string_view json) { return record("CONNECT " + std::string(json)); }
  bool on_pub(const PubFrame& f) {
    std::string e = f.has_headers ? "HPUB " : "PUB ";
    e += std::string(f.subject) + " reply=" + std::string(f.reply);
    if (f.has_headers) e += " hdr=" + std::to_string(f.header_len);
    return record(e + " " + describe(f.payload));
  }
  bool on_sub(const SubFrame& f) {
    return record("SUB " + std::string(f.subject) + " queue=" + std::string(f.queue) +
                  " sid=" + std::string(f.sid));
  }
  bool on_unsub(const UnsubFrame& f) {
    return record("UNSUB " + std::string(f.sid) + " max=" + std::to_string(f.max_msgs));
  }
  bool on_ping() { return record("PING"); }
  bool on_pong() { return record("PONG"); }
};

using Events = std::vector<std::string>;

ParseResult parse(std::string_view buffer, Recorder& rec, const ParserLimits& limits = kLimits) {
  return parse_client_frames(buffer, limits, rec);
}

// One read holding the whole input.
struct Outcome {
  Events events;
  ParseResult result;
};
Outcome parse_all(std::string_view buffer, const ParserLimits& limits = kLimits) {
  Recorder rec;
  ParseResult r = parse(buffer, rec, limits);
  return {std::move(rec.events), std::move(r)};
}

// Feeds `reads` the way a connection's read loop does: it keeps the unconsumed tail, appends
// the next read and parses again. Checks pending_frame_size on every call on the way.
struct FeedOutcome {
  Events events;
  ParseError error = ParseError::None;
  std::string leftover;
};
FeedOutcome feed(const std::vector<std::string_view>& reads) {
  Recorder rec;
  std::string buffer;
  FeedOutcome out;
  for (const std::string_view read : reads) {
    buffer.append(read);
    const ParseResult r = parse(buffer, rec);
    EXPECT_LE(r.consumed, buffer.size());
    if (r.pending_frame_size != 0) {
      // The frame waiting for its payload must need more than what is buffered.
      EXPECT_GT(r.pending_frame_size, buffer.size() - r.consumed);
    }
    buffer.erase(0, r.consumed);
    if (r.error != ParseError::None) {
      out.error = r.error;
      break;
    }
  }
  out.events = std::move(rec.events);
  out.leftover = std::move(buffer);
  return out;
}

std::vector<std::string_view> split_every(std::string_view s, std::size_t step) {
  std::vector<std::string_view> reads;
  for (std::size_t i = 0; i < s.size(); i += step) reads.push_back(s.substr(i, step));
  return reads;
}

// ---------------------------------------------------------------------------------------------
// Each op.

TEST(ClientParser, EmptyBufferConsumesNothing) {
  const auto [events, r] = parse_all("");
  EXPECT_TRUE(events.empty());
  EXPECT_EQ(r.consumed, 0u);
  EXPECT_EQ(r.error, ParseError::None);
  EXPECT_EQ(r.pending_frame_size, 0u);
}

TEST(ClientParser, Connect) {
  const std::string in = R"(CONNECT {"verbose":false,"pedantic":false})"
                         "\r\n";
  const auto [events, r] = parse_all(in);
  EXPECT_EQ(events, Events{R"(CONNECT {"verbose":false,"pedantic":false})"});
  EXPECT_EQ(r.consumed, in.size());
  EXPECT_EQ(r.error, ParseError::None);
}

TEST(ClientParser, ConnectArgumentIsTheRestOfTheLine) {
  // Blanks after the op are skipped; everything else up to CR LF is the argument, including
  // trailing blanks and, as in nats-server, letters glued to the op name.
  EXPECT_EQ(parse_all("CONNECT \t {\"a\":1} \r\n").events, Events{"CONNECT {\"a\":1} "});
  EXPECT_EQ(parse_all("CONNECTX {}\r\n").events, Events{"CONNECT X {}"});
  EXPECT_EQ(parse_all("CONNECT\r\n").events, Events{"CONNECT "});
}

TEST(ClientParser, Pub) {
  const auto [events, r] = parse_all("PUB foo.bar 5\r\nhello\r\n");
  EXPECT_EQ(events, Events{"PUB foo.bar reply= [hello]"});
  EXPECT_EQ(r.consumed, 22u);
  EXPECT_EQ(r.error, ParseError::None);
}

TEST(ClientParser, PubWithReply) {
  EXPECT_EQ(parse_all("PUB foo _INBOX.1 2\r\nhi\r\n").events,
            Events{"PUB foo reply=_INBOX.1 [hi]"});
}

TEST(ClientParser, PubFrameViewsPointIntoTheBuffer) {
  struct Capture {
    PubFrame frame;
    bool on_connect(std::string_view) { return true; }
    bool on_pub(const PubFrame& f) {
      frame = f;
      return true;
    }
    bool on_sub(const SubFrame&) { return true; }
    bool on_unsub(const UnsubFrame&) { return true; }
    bool on_ping() { return true; }
    bool on_pong() { return true; }
  } capture;
  const std::string in = "PUB foo bar 3\r\nabc\r\n";
  parse_client_frames(in, kLimits, capture);
  EXPECT_EQ(capture.frame.subject.data(), in.data() + 4);
  EXPECT_EQ(capture.frame.reply.data(), in.data() + 8);
  EXPECT_EQ(capture.frame.payload.data(), in.data() + 15);
  EXPECT_EQ(capture.frame.payload.size(), 3u);
  EXPECT_EQ(capture.frame.header_len, 0u);
  EXPECT_FALSE(capture.frame.has_headers);
}

TEST(ClientParser, Hpub) {
  const std::string headers = "NATS/1.0\r\nA: b\r\n\r\n";
  const std::string in = "HPUB foo 18 23\r\n" + headers + "hello\r\n";
  ASSERT_EQ(headers.size(), 18u);
  const auto [events, r] = parse_all(in);
  EXPECT_EQ(events, Events{"HPUB foo reply= hdr=18 [" + headers + "hello]"});
  EXPECT_EQ(r.consumed, in.size());
}

TEST(ClientParser, HpubWithReplyAndHeadersOnly) {
  EXPECT_EQ(parse_all("HPUB foo r 12 12\r\nNATS/1.0\r\n\r\n\r\n").events,
            Events{"HPUB foo reply=r hdr=12 [NATS/1.0\r\n\r\n]"});
}

TEST(ClientParser, Sub) {
  EXPECT_EQ(parse_all("SUB foo.* 1\r\n").events, Events{"SUB foo.* queue= sid=1"});
  EXPECT_EQ(parse_all("SUB foo.> workers 22\r\n").events, Events{"SUB foo.> queue=workers sid=22"});
}

TEST(ClientParser, Unsub) {
  EXPECT_EQ(parse_all("UNSUB 1\r\n").events, Events{"UNSUB 1 max=-1"});
  EXPECT_EQ(parse_all("UNSUB 1 10\r\n").events, Events{"UNSUB 1 max=10"});
  EXPECT_EQ(parse_all("UNSUB 1 0\r\n").events, Events{"UNSUB 1 max=0"});
}

TEST(ClientParser, UnsubMalformedMaxMeansNoMax) {
  // nats-server parses max with parseSize and ignores failure: -1, i.e. unsubscribe now.
  EXPECT_EQ(parse_all("UNSUB 1 x\r\n").events, Events{"UNSUB 1 max=-1"});
  EXPECT_EQ(parse_all("UNSUB 1 -5\r\n").events, Events{"UNSUB 1 max=-1"});
  EXPECT_EQ(parse_all("UNSUB 1 1234567890\r\n").events, Events{"UNSUB 1 max=-1"});
}

TEST(ClientParser, PingPong) {
  const auto [events, r] = parse_all("PING\r\nPONG\r\n");
  EXPECT_EQ(events, (Events{"PING", "PONG"}));
  EXPECT_EQ(r.consumed, 12u);
}

TEST(ClientParser, PingAndPongIgnoreTheRestOfTheLine) {
  EXPECT_EQ(parse_all("PINGX\r\nPING foo\r\nPONG\t\r\nPONGbar\r\n").events,
            (Events{"PING", "PING", "PONG", "PONG"}));
  // Even past max_control_line, when the line is complete (nats-server never buffers it), up
  // to the 2x bound on every buffered line (MaxControlLineBoundsWholeLinesAsPartialOnes).
  EXPECT_EQ(parse_all("PING" + std::string(8000, 'x') + "\r\n").events, Events{"PING"});
}

TEST(ClientParser, BareLineFeedEndsALine) {
  const auto [events, r] = parse_all("PING\nSUB foo 1\nPUB foo 2\nhi\r\n");
  EXPECT_EQ(events, (Events{"PING", "SUB foo queue= sid=1", "PUB foo reply= [hi]"}));
  EXPECT_EQ(r.consumed, 29u);
}

TEST(ClientParser, ServerOpsFromAClientAreIgnored) {
  // nats-server's client parser accepts +OK and INFO and does nothing with them.
  const auto [events, r] = parse_all("+OK\r\n+okjunk\r\nINFO {}\r\nPING\r\n");
  EXPECT_EQ(events, Events{"PING"});
  EXPECT_EQ(r.error, ParseError::None);
  EXPECT_EQ(r.consumed, 29u);
}

TEST(ClientParser, ClientErrClosesWithoutReply) {
  const auto [events, r] = parse_all("PING\r\n-ERR 'boom'\r\nPING\r\n");
  EXPECT_EQ(events, Events{"PING"});
  EXPECT_EQ(r.error, ParseError::PeerError);
  EXPECT_EQ(r.error_log, "Client Error 'boom'");
  EXPECT_EQ(r.consumed, 6u);
}

// ---------------------------------------------------------------------------------------------
// Case and whitespace.

TEST(ClientParser, OpNamesAreCaseInsensitive) {
  const auto [events, r] = parse_all(
      "ping\r\nPiNg\r\npong\r\nPub foo 1\r\nx\r\nhpub foo 0 1\r\ny\r\nsub foo 1\r\n"
      "uNsUb 1\r\nconnect {}\r\n+ok\r\ninfo {}\r\n");
  EXPECT_EQ(r.error, ParseError::None);
  EXPECT_EQ(events,
            (Events{"PING", "PING", "PONG", "PUB foo reply= [x]", "HPUB foo reply= hdr=0 [y]",
                    "SUB foo queue= sid=1", "UNSUB 1 max=-1", "CONNECT {}"}));
}

TEST(ClientParser, ArgumentsKeepTheirCase) {
  EXPECT_EQ(parse_all("sub Foo.BAR Q Sid\r\n").events, Events{"SUB Foo.BAR queue=Q sid=Sid"});
}

TEST(ClientParser, RunsOfSpacesAndTabsSeparateArguments) {
  const auto [events, r] = parse_all(
      "PUB \t foo \t\t bar   3 \t\r\nabc\r\n"
      "SUB\tfoo\t\tq\t 7  \r\n"
      "UNSUB  7 \t 2\t\r\n"
      "HPUB\t\tfoo  1   2  \r\nAB\r\n"
      "PUB foo 3 \r\nxyz\r\n");
  EXPECT_EQ(r.error, ParseError::None);
  EXPECT_EQ(events, (Events{"PUB foo reply=bar [abc]", "SUB foo queue=q sid=7", "UNSUB 7 max=2",
                            "HPUB foo reply= hdr=1 [AB]", "PUB foo reply= [xyz]"}));
}

// ---------------------------------------------------------------------------------------------
// Payloads.

TEST(ClientParser, ZeroLengthPayloads) {
  const std::string in = "PUB foo 0\r\n\r\nHPUB foo 0 0\r\n\r\nPUB bar r 0\r\n\r\n";
  const auto [events, r] = parse_all(in);
  EXPECT_EQ(events,
            (Events{"PUB foo reply= []", "HPUB foo reply= hdr=0 []", "PUB bar reply=r []"}));
  EXPECT_EQ(r.consumed, in.size());
}

TEST(ClientParser, PayloadMayContainProtocolText) {
  // The payload is taken by size: CR LF and op names inside it are data.
  const std::string payload = "a\r\nPING\r\nPUB x 1\r\n\r\n";
  const std::string in =
      "PUB foo " + std::to_string(payload.size()) + "\r\n" + payload + "\r\nPONG\r\n";
  const auto [events, r] = parse_all(in);
  EXPECT_EQ(events, (Events{"PUB foo reply= [" + payload + "]", "PONG"}));
  EXPECT_EQ(r.consumed, in.size());
}

TEST(ClientParser, PayloadMayContainBinaryBytes) {
  std::string payload;
  for (int i = 0; i < 256; ++i) payload += static_cast<char>(i);
  const std::string in = "PUB bin 256\r\n" + payload + "\r\n";
  struct Capture {
    std::string payload;
    bool on_connect(std::string_view) { return true; }
    bool on_pub(const PubFrame& f) {
      payload = f.payload;
      return true;
    }
    bool on_sub(const SubFrame&) { return true; }
    bool on_unsub(const UnsubFrame&) { return true; }
    bool on_ping() { return true; }
    bool on_pong() { return true; }
  } capture;
  const ParseResult r = parse_client_frames(in, kLimits, capture);
  EXPECT_EQ(r.consumed, in.size());
  EXPECT_EQ(capture.payload, payload);
}

// ---------------------------------------------------------------------------------------------
// Pipelining and incomplete frames.

TEST(ClientParser, PipelinedFramesInOneBuffer) {
  const std::string in =
      "SUB foo 1\r\nPUB foo 2\r\nhi\r\nPUB foo 3\r\nhey\r\nPING\r\nUNSUB 1\r\nPING\r\n";
  const auto [events, r] = parse_all(in);
  EXPECT_EQ(events, (Events{"SUB foo queue= sid=1", "PUB foo reply= [hi]", "PUB foo reply= [hey]",
                            "PING", "UNSUB 1 max=-1", "PING"}));
  EXPECT_EQ(r.consumed, in.size());
  EXPECT_EQ(r.pending_frame_size, 0u);
}

TEST(ClientParser, IncompleteControlLineWaits) {
  for (const std::string_view in :
       {"P", "PU", "PUB", "PUB ", "PUB foo 5", "PUB foo 5\r", "PIN", "PING", "PINGxx", "CONNECT {",
        "HPUB foo", "UNSUB 1", "+O", "-ERR 'x", "INFO {", "sub", "C"}) {
    const auto [events, r] = parse_all(in);
    EXPECT_TRUE(events.empty()) << in;
    EXPECT_EQ(r.consumed, 0u) << in;
    EXPECT_EQ(r.error, ParseError::None) << in;
    EXPECT_EQ(r.pending_frame_size, 0u) << in;  // size unknown until the line is complete
  }
}

TEST(ClientParser, PendingFrameSizeCoversControlLinePayloadAndCrlf) {
  // "PUB foo 5\r\n" is 11 bytes, then 5 of payload and 2 of CR LF.
  for (const std::string_view in :
       {"PUB foo 5\r\n", "PUB foo 5\r\nhe", "PUB foo 5\r\nhello", "PUB foo 5\r\nhello\r"}) {
    const auto [events, r] = parse_all(in);
    EXPECT_TRUE(events.empty()) << in;
    EXPECT_EQ(r.consumed, 0u) << in;
    EXPECT_EQ(r.error, ParseError::None) << in;
    EXPECT_EQ(r.pending_frame_size, 18u) << in;
  }
}

TEST(ClientParser, PendingFrameSizeCountsFromConsumed) {
  const std::string_view control = "HPUB foo r 2 100\r\n";
  const auto [events, r] = parse_all("PING\r\n" + std::string(control) + "ab");
  EXPECT_EQ(events, Events{"PING"});
  EXPECT_EQ(r.consumed, 6u);
  EXPECT_EQ(r.pending_frame_size, control.size() + 100u + 2u);
}

TEST(ClientParser, PendingFrameSizeOfAMaximalPayload) {
  const std::string in = "PUB big 1048576\r\n" + std::string(1000, 'x');
  const auto [events, r] = parse_all(in);
  EXPECT_EQ(r.error, ParseError::None);
  EXPECT_EQ(r.pending_frame_size, 17u + 1048576u + 2u);
}

// ---------------------------------------------------------------------------------------------
// Handler asks to stop.

TEST(ClientParser, HandlerReturningFalseStopsAfterThatFrame) {
  const std::string in =
      "PING\r\nSUB foo 1\r\nPUB foo 2\r\nhi\r\nUNSUB 1\r\nCONNECT {}\r\nPONG\r\nPING\r\n";
  const Events all = {
      "PING", "SUB foo queue= sid=1", "PUB foo reply= [hi]", "UNSUB 1 max=-1", "CONNECT {}", "PONG",
      "PING"};
  const std::size_t ends[] = {6, 17, 32, 41, 53, 59, 65};
  for (std::size_t stop = 1; stop <= all.size(); ++stop) {
    Recorder rec;
    rec.stop_after = stop;
    const ParseResult r = parse(in, rec);
    EXPECT_EQ(rec.events, Events(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(stop)));
    EXPECT_EQ(r.consumed, ends[stop - 1]) << stop;
    EXPECT_EQ(r.error, ParseError::None);
    EXPECT_EQ(r.pending_frame_size, 0u);
  }
}

// ---------------------------------------------------------------------------------------------
// Errors.

struct ErrorCase {
  std::string_view input;
  ParseError error;
  std::string_view log;  // exact error_log, or empty to skip the check
};

void expect_error(const ErrorCase& c, std::size_t consumed = 0) {
  const auto [events, r] = parse_all(c.input);
  EXPECT_EQ(r.error, c.error) << c.input;
  EXPECT_EQ(r.consumed, consumed) << c.input;
  EXPECT_EQ(r.pending_frame_size, 0u) << c.input;
  EXPECT_FALSE(r.error_log.empty()) << c.input;
  if (!c.log.empty()) {
    EXPECT_EQ(r.error_log, c.log) << c.input;
  }
  EXPECT_TRUE(events.empty()) << c.input;
}

TEST(ClientParser, UnknownOps) {
  for (const std::string_view in : {"FOO\r\n",
                                    "\r\n",
                                    "\n",
                                    "\r",
                                    "X",
                                    "PUBX foo 3\r\n",
                                    "PUBX",
                                    "PUB\r\n",
                                    "PUB\n",
                                    "UNSUB\r\n",
                                    "SUB\r\n",
                                    "HPUB\r\n",
                                    "PINX\r\n",
                                    "PONX\r\n",
                                    "PX\r\n",
                                    "MSG foo 1 2\r\n",
                                    "HMSG foo 1 2 2\r\n",
                                    "RS+ foo\r\n",
                                    "CONNEXT {}\r\n",
                                    "-ERR\r\n",
                                    "+O\r\n",
                                    " PING\r\n",
                                    "INFX\r\n"}) {
    expect_error({in, ParseError::UnknownOp, {}});
  }
}

TEST(ClientParser, UnknownOpLogShowsTheOffendingBytes) {
  expect_error({"PUBX foo 3\r\n", ParseError::UnknownOp,
                R"(Client parser ERROR, i=3: proto='"X foo 3\r\n"...')"});
}

TEST(ClientParser, UnknownOpAfterGoodFramesKeepsThem) {
  const auto [events, r] = parse_all("PING\r\nSUB foo 1\r\nBAD\r\nPING\r\n");
  EXPECT_EQ(events, (Events{"PING", "SUB foo queue= sid=1"}));
  EXPECT_EQ(r.error, ParseError::UnknownOp);
  EXPECT_EQ(r.consumed, 17u);
}

TEST(ClientParser, PayloadMustBeFollowedByCrlf) {
  expect_error({"PUB foo 2\r\nhiX\r\n", ParseError::UnknownOp,
                R"(Client parser ERROR, i=13: proto='"X\r\n"...')"});
  expect_error({"PUB foo 2\r\nhi\rX", ParseError::UnknownOp, {}});
  expect_error({"PUB foo 2\r\nhi\n\r", ParseError::UnknownOp, {}});
  expect_error({"PUB foo 0\r\nX\r\n", ParseError::UnknownOp, {}});
  expect_error({"HPUB foo 1 2\r\nabc\r\n", ParseError::UnknownOp, {}});
  // Seen as soon as the wrong byte arrives, before the rest of the frame.
  expect_error({"PUB foo 2\r\nhiX", ParseError::UnknownOp, {}});
}

TEST(ClientParser, BadArgs) {
  const ErrorCase cases[] = {
      {"PUB foo\r\n", ParseError::BadArgs, R"(processPub Parse Error: "foo")"},
      {"PUB foo bar baz 3\r\n", ParseError::BadArgs, R"(processPub Parse Error: "foo bar baz 3")"},
      {"PUB \r\n", ParseError::BadArgs, R"(processPub Parse Error: "")"},
      {"PUB foo -1\r\n", ParseError::BadArgs, R"(processPub Bad or Missing Size: "foo -1")"},
      {"PUB foo x\r\n", ParseError::BadArgs, R"(processPub Bad or Missing Size: "foo x")"},
      {"PUB foo 1x\r\n", ParseError::BadArgs, R"(processPub Bad or Missing Size: "foo 1x")"},
      {"PUB foo r 3a\r\n", ParseError::BadArgs, R"(processPub Bad or Missing Size: "foo r 3a")"},
      // parseSize takes at most 9 digits.
      {"PUB foo 0000000001\r\n", ParseError::BadArgs,
       R"(processPub Bad or Missing Size: "foo 0000000001")"},
      {"HPUB foo 3\r\n", ParseError::BadArgs, R"(processHeaderPub Parse Error: "foo 3")"},
      {"HPUB a b c 1 2\r\n", ParseError::BadArgs, R"(processHeaderPub Parse Error: "a b c 1 2")"},
      {"HPUB foo x 3\r\n", ParseError::BadArgs,
       R"(processHeaderPub Bad or Missing Header Size: "foo x 3")"},
      {"HPUB foo 1 x\r\n", ParseError::BadArgs,
       R"(processHeaderPub Bad or Missing Total Size: "foo 1 x")"},
      {"HPUB foo 5 3\r\n", ParseError::BadArgs,
       R"(processHeaderPub Header Size larger then TotalSize: "foo 5 3")"},
      {"SUB foo\r\n", ParseError::BadArgs, R"(processSub Parse Error: "foo")"},
      {"SUB  1\r\n", ParseError::BadArgs, R"(processSub Parse Error: "1")"},
      {"SUB a b c d\r\n", ParseError::BadArgs, R"(processSub Parse Error: "a b c d")"},
      {"SUB \r\n", ParseError::BadArgs, R"(processSub Parse Error: "")"},
      {"UNSUB 1 2 3\r\n", ParseError::BadArgs, R"(processUnsub Parse Error: "1 2 3")"},
      {"UNSUB \r\n", ParseError::BadArgs, R"(processUnsub Parse Error: "")"},
  };
  for (const ErrorCase& c : cases) expect_error(c);
}

TEST(ClientParser, BadArgsLogQuotesLikeGo) {
  expect_error(
      {"SUB a\"b\\\x01\r\n", ParseError::BadArgs, R"(processSub Parse Error: "a\"b\\\x01")"});
}

TEST(ClientParser, MaxPayloadIsCheckedOnTheControlLine) {
  // No payload bytes needed: the size alone is the violation.
  expect_error({"PUB foo 1048577\r\n", ParseError::MaxPayload,
                "maximum payload exceeded: 1048577 vs 1048576"});
  expect_error({"PUB foo r 999999999\r\n", ParseError::MaxPayload,
                "maximum payload exceeded: 999999999 vs 1048576"});
  // For HPUB the total size counts, not the header size.
  expect_error({"HPUB foo 10 1048577\r\n", ParseError::MaxPayload,
                "maximum payload exceeded: 1048577 vs 1048576"});
  // At the limit it is fine.
  EXPECT_EQ(parse_all("PUB foo 1048576\r\n").result.error, ParseError::None);
  EXPECT_EQ(parse_all("HPUB foo 1048576 1048576\r\n").result.error, ParseError::None);
}

TEST(ClientParser, MaxPayloadUsesTheGivenLimit) {
  const ParserLimits small{kDefaultMaxControlLine, 4};
  EXPECT_EQ(parse_all("PUB foo 4\r\nabcd\r\n", small).events, Events{"PUB foo reply= [abcd]"});
  const auto [events, r] = parse_all("PING\r\nPUB foo 5\r\nabcde\r\n", small);
  EXPECT_EQ(events, Events{"PING"});
  EXPECT_EQ(r.error, ParseError::MaxPayload);
  EXPECT_EQ(r.error_log, "maximum payload exceeded: 5 vs 4");
  EXPECT_EQ(r.consumed, 6u);
  // A negative limit means none.
  const ParserLimits unlimited{kDefaultMaxControlLine, -1};
  EXPECT_EQ(parse_all("PUB foo 5000000\r\n", unlimited).result.pending_frame_size,
            17u + 5000000u + 2u);
}

// nats-server measures the argument: the bytes after the op name and its blanks, before CR LF.
TEST(ClientParser, MaxControlLineCountsArgumentBytes) {
  const std::string at_limit = std::string(4094, 'a') + " 0";  // 4096 bytes
  EXPECT_EQ(parse_all("PUB " + at_limit + "\r\n\r\n").events,
            Events{"PUB " + std::string(4094, 'a') + " reply= []"});
  EXPECT_EQ(parse_all("PUB \t  " + at_limit + "\r\n\r\n").result.error, ParseError::None);

  const std::string over = std::string(4095, 'a') + " 0";  // 4097 bytes
  const auto [events, r] = parse_all("PING\r\nPUB " + over + "\r\n\r\n");
  EXPECT_EQ(events, Events{"PING"});
  EXPECT_EQ(r.error, ParseError::MaxControlLine);
  EXPECT_EQ(r.consumed, 6u);
  EXPECT_EQ(r.error_log.rfind("maximum control line exceeded: max_control_line 4096", 0), 0u)
      << r.error_log;
}

TEST(ClientParser, MaxControlLineAppliesToEveryOpWithArguments) {
  const std::string big(4097, 'a');
  for (const std::string& in :
       {"SUB " + big + " 1\r\n", "UNSUB " + big + "\r\n", "HPUB " + big + " 0 0\r\n",
        "CONNECT {\"name\":\"" + big + "\"}\r\n", "INFO " + big + "\r\n", "-ERR " + big + "\r\n",
        "PUB foo " + big + "\r\n"}) {
    EXPECT_EQ(parse_all(in).result.error, ParseError::MaxControlLine) << in.substr(0, 8);
  }
}

TEST(ClientParser, MaxControlLineOnAnIncompleteLine) {
  // Argument bytes beyond the limit without a '\n' yet: no point waiting for the rest.
  const std::string over = "SUB " + std::string(4097, 'a');
  const auto [events, r] = parse_all(over);
  EXPECT_EQ(r.error, ParseError::MaxControlLine);
  EXPECT_EQ(r.consumed, 0u);
  // At the limit, or with the CR of a split CR LF, it may still complete.
  EXPECT_EQ(parse_all("SUB " + std::string(4096, 'a')).result.error, ParseError::None);
  EXPECT_EQ(parse_all("SUB " + std::string(4096, 'a') + "\r").result.error, ParseError::None);
  // Lines nats-server streams through without holding them (PING junk, blanks after the op)
  // are still bounded, at twice the limit, since we buffer them.
  EXPECT_EQ(parse_all("PING" + std::string(8000, 'x')).result.error, ParseError::None);
  EXPECT_EQ(parse_all("PING" + std::string(8200, 'x')).result.error, ParseError::MaxControlLine);
  EXPECT_EQ(parse_all("PUB" + std::string(8200, ' ')).result.error, ParseError::MaxControlLine);
}

// Found by fuzzing: a complete "PING<junk>" line longer than twice max_control_line was a PING
// in one read but MaxControlLine when a read ended inside it, so the outcome depended on how
// TCP segmented the stream. Complete lines now get the partial lines' 2x bound.
TEST(ClientParser, MaxControlLineBoundsWholeLinesAsPartialOnes) {
  const ParserLimits small{32, 16};
  for (const std::string& line :
       {"PING" + std::string(61, 'x') + "\r\n", "PONG" + std::string(61, 'x') + "\n",
        "+OK" + std::string(62, 'x') + "\r\n", "SUB" + std::string(60, ' ') + "foo 1\r\n",
        "PUB\t" + std::string(60, '\t') + "foo 1\r\nx\r\n"}) {
    const std::string stream = "SUB a 1\r\n" + line + "PING\r\n";
    EXPECT_EQ(parse_all(stream, small).result.error, ParseError::MaxControlLine) << line;
    for (std::size_t split = 0; split <= stream.size(); ++split) {
      Recorder rec;
      const std::string_view s = stream;
      ParseResult first = parse(s.substr(0, split), rec, small);
      if (first.error == ParseError::None) first = parse(s.substr(first.consumed), rec, small);
      ASSERT_EQ(first.error, ParseError::MaxControlLine) << split << " " << line;
      ASSERT_EQ(rec.events, Events{"SUB a queue= sid=1"}) << split;
    }
  }
  // At the bound (64 bytes before the '\n', CR included) the line still passes.
  EXPECT_EQ(parse_all("PING" + std::string(59, 'x') + "\r\n", small).events, Events{"PING"});
  EXPECT_EQ(parse_all("PING" + std::string(59, 'x') + "\r", small).result.error, ParseError::None);
}

TEST(ClientParser, MaxControlLineUsesTheGivenLimit) {
  const ParserLimits small{8, kDefaultMaxPayload};
  EXPECT_EQ(parse_all("SUB foo 1234\r\n", small).events, Events{"SUB foo queue= sid=1234"});
  EXPECT_EQ(parse_all("SUB foo 12345\r\n", small).result.error, ParseError::MaxControlLine);
  EXPECT_EQ(parse_all("SUB foo 12345", small).result.error, ParseError::MaxControlLine);
  EXPECT_EQ(parse_all("SUB foo 1234", small).result.error, ParseError::None);
}

// ---------------------------------------------------------------------------------------------
// Any split of a stream into reads gives the callbacks of a single read.

struct Frame {
  std::string bytes;
  std::size_t control_line = 0;  // bytes up to and including '\n' for PUB/HPUB; 0 otherwise
};

Frame pub_frame(std::string_view control, std::string_view payload) {
  return {std::string(control) + std::string(payload) + "\r\n", control.size()};
}

std::vector<Frame> mixed_frames(std::size_t big_payload) {
  std::string big(big_payload, 'z');
  // Protocol text inside the big payload must not confuse the parser.
  big.replace(0, 12, "\r\nPING\r\nPUB ");
  big.replace(big.size() / 2, 6, "\r\n\r\nX\n");
  big.replace(big.size() - 4, 4, "\r\n\r\n");
  const std::string headers = "NATS/1.0\r\nX-Id: 42\r\n\r\n";  // 22 bytes
  return {
      {R"(CONNECT {"verbose":false,"pedantic":false,"headers":true})"
       "\r\n"},
      {"SUB foo.* 1\r\n"},
      {"sub\tbar  workers \t 2 \r\n"},
      pub_frame("PUB foo.a _INBOX.x 5\r\n", "hello"),
      pub_frame("HPUB foo.b 22 27\r\n", headers + "world"),
      pub_frame("HPUB foo.c _INBOX.y 22 22\r\n", headers),
      {"UNSUB 1 10\r\n"},
      {"PING\r\n"},
      {"PONG\r\n"},
      pub_frame("PUB big " + std::to_string(big.size()) + "\r\n", big),
      pub_frame("pub foo.d 0\r\n", ""),
      pub_frame("Pub foo.e 6\r\n", "a\r\nb\r\n"),
      {"UNSUB 2\r\n"},
      {"PING\n"},
      {"+OK\r\n"},
      {"PONG\r\n"},
  };
}

std::string join(const std::vector<Frame>& frames) {
  std::string s;
  for (const Frame& f : frames) s += f.bytes;
  return s;
}

TEST(ClientParserSplit, SingleReadOfTheMixedStream) {
  const std::vector<Frame> frames = mixed_frames(1 << 20);
  const std::string stream = join(frames);
  Recorder rec;
  const ParseResult r = parse(stream, rec);
  EXPECT_EQ(r.error, ParseError::None);
  EXPECT_EQ(r.consumed, stream.size());
  ASSERT_EQ(rec.events.size(), 15u);  // every frame but +OK
  EXPECT_EQ(rec.events[0], R"(CONNECT {"verbose":false,"pedantic":false,"headers":true})");
  EXPECT_EQ(rec.events[2], "SUB bar queue=workers sid=2");
  EXPECT_EQ(rec.events[3], "PUB foo.a reply=_INBOX.x [hello]");
  EXPECT_EQ(rec.events[4], "HPUB foo.b reply= hdr=22 [NATS/1.0\r\nX-Id: 42\r\n\r\nworld]");
  EXPECT_EQ(rec.events[6], "UNSUB 1 max=10");
  const std::string big = frames[9].bytes.substr(frames[9].control_line, 1 << 20);
  EXPECT_EQ(rec.events[9], "PUB big reply= " + rec.describe(big));
  EXPECT_EQ(rec.events[11], "PUB foo.e reply= [a\r\nb\r\n]");
  EXPECT_EQ(rec.events.back(), "PONG");
}

// Callbacks recorded as views into the stream, compared without copying: cheap enough to
// record at each of a million split points. A payload is compared by address, which for views
// into one stream means the same bytes (their content is checked by the single-read test).
struct ViewEvent {
  char kind = 0;
  std::string_view a{};
  std::string_view b{};
  std::string_view c{};
  const char* payload = nullptr;
  std::size_t payload_len = 0;
  std::int64_t n = 0;
  bool operator==(const ViewEvent&) const = default;
};
struct ViewRecorder {
  std::vector<ViewEvent> events;
  bool on_connect(std::string_view json) { return add({.kind = 'C', .a = json}); }
  bool on_pub(const PubFrame& f) {
    return add({.kind = f.has_headers ? 'H' : 'P',
                .a = f.subject,
                .b = f.reply,
                .payload = f.payload.data(),
                .payload_len = f.payload.size(),
                .n = static_cast<std::int64_t>(f.header_len)});
  }
  bool on_sub(const SubFrame& f) {
    return add({.kind = 'S', .a = f.subject, .b = f.queue, .c = f.sid});
  }
  bool on_unsub(const UnsubFrame& f) { return add({.kind = 'U', .a = f.sid, .n = f.max_msgs}); }
  bool on_ping() { return add({.kind = 'I'}); }
  bool on_pong() { return add({.kind = 'O'}); }
  bool add(const ViewEvent& e) {
    events.push_back(e);
    return true;
  }
};

// Every split point of the stream (1 MB payload included) into two reads. The caller's buffer
// after the second read holds exactly stream[consumed..], so it is passed as a view of the
// stream rather than copied a million times.
TEST(ClientParserSplit, EverySplitIntoTwoReads) {
  const std::vector<Frame> frames = mixed_frames(1 << 20);
  const std::string stream = join(frames);
  const std::string_view view = stream;

  ViewRecorder reference;
  ASSERT_EQ(parse_client_frames(view, kLimits, reference).consumed, stream.size());
  ASSERT_EQ(reference.events.size(), 15u);

  std::vector<std::size_t> starts;  // where each frame starts
  std::size_t at = 0;
  for (const Frame& f : frames) {
    starts.push_back(at);
    at += f.bytes.size();
  }

  std::size_t frame = 0;  // the frame holding byte `split` (the last one at the end)
  ViewRecorder rec;
  rec.events.reserve(reference.events.size());
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    while (frame + 1 < frames.size() && starts[frame + 1] <= split) ++frame;
    rec.events.clear();
    const ParseResult first = parse_client_frames(view.substr(0, split), kLimits, rec);
    ASSERT_EQ(first.error, ParseError::None) << split;
    // Every frame before the one the split cuts.
    ASSERT_EQ(first.consumed, split == stream.size() ? stream.size() : starts[frame]) << split;
    // A PUB/HPUB cut after its control line reports its whole size.
    const Frame& f = frames[frame];
    const bool waits_for_payload =
        split < stream.size() && f.control_line != 0 && split >= starts[frame] + f.control_line;
    ASSERT_EQ(first.pending_frame_size, waits_for_payload ? f.bytes.size() : 0) << split;

    const ParseResult second = parse_client_frames(view.substr(first.consumed), kLimits, rec);
    ASSERT_EQ(second.error, ParseError::None) << split;
    ASSERT_EQ(second.pending_frame_size, 0u) << split;
    ASSERT_EQ(first.consumed + second.consumed, stream.size()) << split;
    ASSERT_TRUE(rec.events == reference.events) << split;
  }
}

// The same with a real copying caller (tail kept, next read appended) on a stream small enough
// to copy at every split point.
TEST(ClientParserSplit, EverySplitIntoTwoCopiedReads) {
  const std::string stream = join(mixed_frames(300));
  const Events expected = parse_all(stream).events;
  ASSERT_EQ(expected.size(), 15u);
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    const std::string_view s = stream;
    const FeedOutcome out = feed({s.substr(0, split), s.substr(split)});
    ASSERT_EQ(out.error, ParseError::None) << split;
    ASSERT_TRUE(out.leftover.empty()) << split;
    ASSERT_EQ(out.events, expected) << split;
  }
}

TEST(ClientParserSplit, OneByteAtATime) {
  const std::string stream = join(mixed_frames(1 << 20));
  const Events expected = parse_all(stream).events;
  const FeedOutcome out = feed(split_every(stream, 1));
  EXPECT_EQ(out.error, ParseError::None);
  EXPECT_TRUE(out.leftover.empty());
  EXPECT_EQ(out.events, expected);
}

TEST(ClientParserSplit, OddSizedReads) {
  const std::string stream = join(mixed_frames(1 << 20));
  const Events expected = parse_all(stream).events;
  for (const std::size_t step : {7u, 4096u, 65536u, 1048577u}) {
    const FeedOutcome out = feed(split_every(stream, step));
    EXPECT_EQ(out.error, ParseError::None) << step;
    EXPECT_TRUE(out.leftover.empty()) << step;
    EXPECT_EQ(out.events, expected) << step;
  }
}

TEST(ClientParserSplit, ErrorsSurviveSplits) {
  // An error is reported whatever the read boundaries, after the same good frames.
  const std::string stream = "SUB foo 1\r\nPUB foo 2\r\nhi\r\nPUB foo 2\r\nhiX\r\nPING\r\n";
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    const std::string_view s = stream;
    const FeedOutcome out = feed({s.substr(0, split), s.substr(split)});
    ASSERT_EQ(out.error, ParseError::UnknownOp) << split;
    ASSERT_EQ(out.events, (Events{"SUB foo queue= sid=1", "PUB foo reply= [hi]"})) << split;
  }
}

// Arguments are scanned a word at a time: tokens of every length around the 8-byte steps,
// separated by runs of blanks, with control and non-ASCII bytes inside them (which belong to
// the token, as in nats-server's splitArg) must split exactly as a byte-by-byte scan does.
TEST(ClientParser, ArgumentsSplitAtEveryTokenLength) {
  const std::string fillers[] = {"a", "\x01", "\xc3\xa9", "\x7f", "!", "\x80"};
  for (std::size_t len = 1; len <= 40; ++len) {
    for (const std::string& filler : fillers) {
      std::string subject;
      while (subject.size() < len) subject += (subject.size() % 3 == 1) ? filler : "s";
      std::string reply = subject + ".r";
      for (const std::string sep : {" ", "\t", " \t  ", "\t\t\t\t\t\t\t\t\t"}) {
        const std::string input = "PUB" + sep + subject + sep + reply + sep + "2\r\nhi\r\n" +
                                  "SUB" + sep + subject + sep + "q" + sep + "7\r\n";
        const Outcome out = parse_all(input);
        ASSERT_EQ(out.result.error, ParseError::None) << input;
        EXPECT_EQ(out.events, (Events{"PUB " + subject + " reply=" + reply + " [hi]",
                                      "SUB " + subject + " queue=q sid=7"}))
            << "length " << len << ", separator of " << sep.size() << " bytes";
      }
    }
  }
}

}  // namespace
}  // namespace gnatsd::protocol
