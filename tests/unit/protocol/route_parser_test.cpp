// The route protocol parser: every op a nats-server 2.9.10 peer sends (route-protocol.md), the
// argument forms of RS+/RS-/RMSG/HMSG/LMSG, nats-server's error texts, and split reads.
#include "protocol/route_parser.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "protocol/encoder.hpp"

namespace gnatsd::protocol {
namespace {

// Every callback as one line of text.
struct Recorder {
  std::vector<std::string> events;
  bool on_info(std::string_view json) { return add("INFO " + std::string(json)); }
  bool on_connect(std::string_view json) { return add("CONNECT " + std::string(json)); }
  bool on_route_sub(const RouteSubFrame& f) {
    return add("SUB o=" + std::string(f.origin) + " a=" + std::string(f.account) +
               " s=" + std::string(f.subject) + " q=" + std::string(f.queue) +
               " w=" + std::to_string(f.weight));
  }
  bool on_route_unsub(const RouteUnsubFrame& f) {
    return add("UNSUB a=" + std::string(f.account) + " s=" + std::string(f.subject) +
               " q=" + std::string(f.queue) + " key=" + std::string(f.key));
  }
  bool on_route_msg(const RouteMsgFrame& f) {
    std::string queues;
    for_each_queue(f.queues, [&](std::string_view q) { queues += "<" + std::string(q) + ">"; });
    return add("MSG o=" + std::string(f.origin) + " a=" + std::string(f.account) +
               " s=" + std::string(f.subject) + " r=" + std::string(f.reply) + " q=" + queues +
               " h=" + std::to_string(f.header_len) + (f.has_headers ? " H" : "") + " [" +
               std::string(f.payload) + "]");
  }
  bool on_ping() { return add("PING"); }
  bool on_pong() { return add("PONG"); }
  bool on_ok() { return add("+OK"); }
  bool add(std::string e) {
    events.push_back(std::move(e));
    return true;
  }
};

constexpr ParserLimits kLimits{1024 * 1024, -1};

struct Parsed {
  std::vector<std::string> events;
  ParseResult result;
};

Parsed parse(std::string_view bytes, ParserLimits limits = kLimits) {
  Parsed p;
  Recorder rec;
  p.result = parse_route_frames(bytes, limits, rec);
  p.events = std::move(rec.events);
  return p;
}

TEST(RouteParser, HandshakeAndControlOps) {
  const auto p =
      parse("INFO {\"server_id\":\"A\"} \r\nCONNECT {\"name\":\"A\"}\r\nPING\r\nPONG\r\n+OK\r\n");
  EXPECT_EQ(p.result.error, ParseError::None);
  EXPECT_EQ(p.events,
            (std::vector<std::string>{"INFO {\"server_id\":\"A\"} ", "CONNECT {\"name\":\"A\"}",
                                      "PING", "PONG", "+OK"}));
}

TEST(RouteParser, InterestPlainQueueAndLeafOrigin) {
  const auto p = parse(
      "RS+ $G foo\r\nRS+ $G bar q1 3\r\nrs+ $SYS $SYS.REQ.SERVER.PING\r\nLS+ ORIG $G lq qq 2\r\n"
      "RS- $G foo\r\nRS- $G bar q1\r\nLS- $G lfoo\r\n");
  EXPECT_EQ(p.result.error, ParseError::None) << p.result.error_log;
  EXPECT_EQ(p.events, (std::vector<std::string>{
                          "SUB o= a=$G s=foo q= w=1",
                          "SUB o= a=$G s=bar q=q1 w=3",
                          "SUB o= a=$SYS s=$SYS.REQ.SERVER.PING q= w=1",
                          "SUB o=ORIG a=$G s=lq q=qq w=2",
                          "UNSUB a=$G s=foo q= key=$G foo",
                          "UNSUB a=$G s=bar q=q1 key=$G bar q1",
                          "UNSUB a=$G s=lfoo q= key=$G lfoo",
                      }));
}

TEST(RouteParser, EveryMessageFormOfTheFactSheet) {
  const std::string hdr = "NATS/1.0\r\nA: B\r\n\r\n";
  const auto p = parse(
      "RMSG $G foo 5\r\nhello\r\n"
      "RMSG $G foo _INBOX.r1 5\r\nhello\r\n"
      "RMSG $G bar | q1 5\r\nhello\r\n"
      "RMSG $G bar + _INBOX.r2 q1 5\r\nhello\r\n"
      "RMSG $G a.b | q1 q2 5\r\nhello\r\n"
      "RMSG $G a.b + rep.1 q1 q2 5\r\nhello\r\n"
      "HMSG $G foo 18 23\r\n" +
      hdr +
      "hello\r\n"
      "HMSG $G hq + rep.9 q1 18 23\r\n" +
      hdr +
      "hello\r\n"
      "LMSG ORIGCL $G foo 0 5\r\nhello\r\n");
  ASSERT_EQ(p.result.error, ParseError::None) << p.result.error_log;
  EXPECT_EQ(p.events, (std::vector<std::string>{
                          "MSG o= a=$G s=foo r= q= h=0 [hello]",
                          "MSG o= a=$G s=foo r=_INBOX.r1 q= h=0 [hello]",
                          "MSG o= a=$G s=bar r= q=<q1> h=0 [hello]",
                          "MSG o= a=$G s=bar r=_INBOX.r2 q=<q1> h=0 [hello]",
                          "MSG o= a=$G s=a.b r= q=<q1><q2> h=0 [hello]",
                          "MSG o= a=$G s=a.b r=rep.1 q=<q1><q2> h=0 [hello]",
                          "MSG o= a=$G s=foo r= q= h=18 H [" + hdr + "hello]",
                          "MSG o= a=$G s=hq r=rep.9 q=<q1> h=18 H [" + hdr + "hello]",
                          "MSG o=ORIGCL a=$G s=foo r= q= h=0 [hello]",
                      }));
}

TEST(RouteParser, WhatTheEncoderWritesParsesBack) {
  const std::array<std::string_view, 3> queues{"g1", "g2", "g3"};
  std::string wire;
  append_frame(
      wire,
      RouteMsg{
          .account = "$G", .subject = "x.y", .reply = "r", .queues = queues, .payload = "data"});
  wire += interest_frame({.account = "$G", .subject = "x.*", .queue = "g1", .weight = 7});
  wire += no_interest_frame({.account = "$G", .subject = "x.*", .queue = "g1"});
  const auto p = parse(wire);
  EXPECT_EQ(p.events, (std::vector<std::string>{
                          "MSG o= a=$G s=x.y r=r q=<g1><g2><g3> h=0 [data]",
                          "SUB o= a=$G s=x.* q=g1 w=7",
                          "UNSUB a=$G s=x.* q=g1 key=$G x.* g1",
                      }));
}

TEST(RouteParser, MalformedInterestIsRefusedInNatsServersWords) {
  auto p = parse("RS+ $G bad q\r\n");
  EXPECT_EQ(p.result.error, ParseError::BadArgs);
  EXPECT_EQ(p.result.error_log, "processRemoteSub Parse Error: '$G bad q'");
  p = parse("RS- $G\r\n");
  EXPECT_EQ(p.result.error, ParseError::BadArgs);
  EXPECT_EQ(p.result.error_log, "processRemoteUnsub parse error: '$G'");
}

TEST(RouteParser, MalformedMessagesAreRefusedInNatsServersWords) {
  auto p = parse("RMSG $G foo\r\n");
  EXPECT_EQ(p.result.error_log, "processRoutedMsgArgs Parse Error: '[$G foo]'");
  p = parse("RMSG $G foo x q1 5\r\nhello\r\n");
  EXPECT_EQ(p.result.error_log, "processRoutedMsgArgs Bad or Missing Reply Indicator: 'x'");
  p = parse("RMSG $G foo five\r\n");
  EXPECT_EQ(p.result.error_log, "processRoutedMsgArgs Bad or Missing Size: '[$G foo five]'");
  p = parse("HMSG $G foo x 5\r\n");
  EXPECT_EQ(p.result.error_log,
            "processRoutedHeaderMsgArgs Bad or Missing Header Size: '$G foo x 5'");
  p = parse("HMSG $G foo 6 5\r\n");
  EXPECT_EQ(p.result.error_log,
            "processRoutedHeaderMsgArgs Header Size larger then TotalSize: '$G foo 6 5'");
  EXPECT_EQ(p.result.error, ParseError::BadArgs);
}

TEST(RouteParser, UnknownOpsAndAPeersErrorCloseTheRoute) {
  auto p = parse("MSG foo 1 5\r\nhello\r\n");
  EXPECT_EQ(p.result.error, ParseError::UnknownOp);
  EXPECT_EQ(p.result.error_log.rfind("Router parser ERROR, i=0: proto=", 0), 0U)
      << p.result.error_log;
  p = parse("-ERR 'Unknown Protocol Operation'\r\n");
  EXPECT_EQ(p.result.error, ParseError::PeerError);
  EXPECT_EQ(p.result.error_log, "Route Error 'Unknown Protocol Operation'");
  p = parse("RMSG $G foo 5\r\nhelloX\r\n");
  EXPECT_EQ(p.result.error, ParseError::UnknownOp);  // wrong trailer
}

TEST(RouteParser, SubUnsubAndAccountInterestAreIgnored) {
  const std::string wire = "SUB foo 1\r\nUNSUB 1\r\nA+ $G\r\nA- $G\r\nPING\r\n";
  const auto p = parse(wire);
  EXPECT_EQ(p.result.error, ParseError::None);
  EXPECT_EQ(p.events, (std::vector<std::string>{"PING"}));
  EXPECT_EQ(p.result.consumed, wire.size());
}

TEST(RouteParser, AFrameSplitAnywhereParsesTheSame) {
  const std::string wire =
      "RS+ $G foo\r\nRMSG $G foo + r q1 q2 5\r\nhello\r\nHMSG $G h 2 3\r\n\r\nx\r\nPING\r\n";
  const auto whole = parse(wire);
  ASSERT_EQ(whole.result.error, ParseError::None);
  for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
    Recorder rec;
    std::string buffer = wire.substr(0, cut);
    ParseResult r = parse_route_frames(buffer, kLimits, rec);
    ASSERT_EQ(r.error, ParseError::None) << cut;
    buffer.erase(0, r.consumed);
    buffer += wire.substr(cut);
    r = parse_route_frames(buffer, kLimits, rec);
    ASSERT_EQ(r.error, ParseError::None) << cut;
    EXPECT_EQ(r.consumed, buffer.size()) << cut;
    EXPECT_EQ(rec.events, whole.events) << "cut at " << cut;
  }
}

TEST(RouteParser, BoundsWhatItBuffers) {
  const std::string long_line = "RS+ $G " + std::string(100, 'a') + "\r\n";
  auto p = parse(long_line, {64, -1});
  EXPECT_EQ(p.result.error, ParseError::MaxControlLine);
  p = parse("RMSG $G foo 100\r\n", {1024, 50});
  EXPECT_EQ(p.result.error, ParseError::MaxPayload);
  p = parse("RMSG $G foo 100\r\nabc", {1024, -1});
  EXPECT_EQ(p.result.error, ParseError::None);
  EXPECT_EQ(p.result.consumed, 0U);
  EXPECT_EQ(p.result.pending_frame_size, 17U + 100 + 2);
}

}  // namespace
}  // namespace gnatsd::protocol
