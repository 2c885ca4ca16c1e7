// Byte-exact client protocol transcripts over raw sockets, calibrated against nats-server 2.9.10:
// INFO, verbose/pedantic, -ERR texts and which errors close, framing, headers, no-responders.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "client_helpers.hpp"
#include "raw_client.hpp"
#include "server_process.hpp"

namespace gnatsd::test {
namespace {

constexpr size_t kDefaultMaxPayload = 1024 * 1024;
constexpr size_t kDefaultMaxControlLine = 4096;

class ProtocolTest : public ::testing::Test {
 protected:
  // A connected raw client whose INFO line has been consumed (and returned via `info_line`).
  std::unique_ptr<RawClient> open(RawClient::Options options = {},
                                  std::string* info_line = nullptr) {
    auto client = std::make_unique<RawClient>(server_.port(), options);
    std::string info = client->read_line();
    EXPECT_TRUE(info.starts_with("INFO {")) << "first line: " << info;
    if (info_line != nullptr) *info_line = info;
    return client;
  }

  // A client that has sent CONNECT `json` and completed a PING/PONG round trip.
  std::unique_ptr<RawClient> open_connected(std::string_view json) {
    auto client = open();
    bool verbose = nlohmann::json::parse(json).value("verbose", false);
    EXPECT_EQ(roundtrip(*client, "CONNECT " + std::string(json) + "\r\n"),
              verbose ? "+OK\r\nPONG\r\n" : "PONG\r\n");
    return client;
  }

  // Sends `bytes` followed by PING and returns everything received up to and including the
  // PONG: PING is the barrier that proves nothing else was (or will be) sent in between.
  static std::string roundtrip(RawClient& client, std::string_view bytes) {
    EXPECT_TRUE(client.send(std::string(bytes) + "PING\r\n"));
    return client.read_until_pong();
  }

  // Asserts the next bytes are exactly `error`, then that the server closes the connection
  // without sending anything more.
  static void expect_error_and_close(RawClient& client, std::string_view error) {
    EXPECT_EQ(client.read_frame(), error);
    EXPECT_TRUE(client.expect_closed());
    EXPECT_EQ(client.buffered(), "");
  }

  ServerProcess server_;
};

std::string msg(std::string_view subject, std::string_view sid, std::string_view payload,
                std::string_view reply = "") {
  std::string out = "MSG " + std::string(subject) + " " + std::string(sid) + " ";
  if (!reply.empty()) out += std::string(reply) + " ";
  return out + std::to_string(payload.size()) + "\r\n" + std::string(payload) + "\r\n";
}

// ---------------------------------------------------------------------------------------------
// The seed transcript and INFO.

TEST_F(ProtocolTest, SeedTelnetSessionBeforeConnectIsVerbose) {
  auto c = open();
  // No CONNECT: the client defaults to verbose, so every operation is acknowledged.
  ASSERT_TRUE(c->send("SUB foo 1\r\n"));
  EXPECT_EQ(c->read_line(), "+OK\r\n");
  ASSERT_TRUE(c->send("PUB foo 11\r\nHello World\r\n"));
  std::string expected = "+OK\r\nMSG foo 1 11\r\nHello World\r\n";
  EXPECT_EQ(c->read_bytes(expected.size()), expected);
  EXPECT_EQ(roundtrip(*c, ""), "PONG\r\n");
}

TEST_F(ProtocolTest, ConnectWithoutVerboseOrPedanticKeepsTheDefaults) {
  auto c = open();
  // nats-server reads CONNECT into options that start verbose and pedantic: absent keys stay on.
  ASSERT_TRUE(c->send("CONNECT {}\r\nPUB foo.* 1\r\na\r\n"));
  const std::string expected = "+OK\r\n-ERR 'Invalid Publish Subject'\r\n+OK\r\n";
  EXPECT_EQ(c->read_bytes(expected.size()), expected);
  EXPECT_EQ(roundtrip(*c, ""), "PONG\r\n");
}

TEST_F(ProtocolTest, InfoLineCarriesTheDocumentedFields) {
  std::string line;
  auto c = open({}, &line);
  // nats-server writes a space between the JSON object and CRLF.
  ASSERT_TRUE(line.ends_with("} \r\n")) << line;
  auto info = nlohmann::json::parse(line.substr(5, line.size() - 5 - 3));

  ASSERT_TRUE(info.contains("server_id") && info["server_id"].is_string()) << info;
  EXPECT_FALSE(info["server_id"].get<std::string>().empty());
  ASSERT_TRUE(info.contains("server_name") && info["server_name"].is_string()) << info;
  EXPECT_FALSE(info["server_name"].get<std::string>().empty());
  ASSERT_TRUE(info.contains("version") && info["version"].is_string()) << info;
  EXPECT_FALSE(info["version"].get<std::string>().empty());
  EXPECT_EQ(info.value("proto", -1), 1) << info;
  EXPECT_EQ(info.value("host", ""), "127.0.0.1") << info;
  EXPECT_EQ(info.value("port", -1), server_.port()) << info;
  EXPECT_EQ(info.value("headers", false), true) << info;
  EXPECT_EQ(info.value("max_payload", int64_t{-1}), int64_t{1048576}) << info;
  ASSERT_TRUE(info.contains("client_id") && info["client_id"].is_number_unsigned()) << info;
  EXPECT_EQ(info.value("client_ip", ""), "127.0.0.1") << info;

  // Every connection gets its own client id; the server identity stays the same.
  std::string second_line;
  auto c2 = open({}, &second_line);
  auto second = nlohmann::json::parse(second_line.substr(5, second_line.size() - 5 - 3));
  EXPECT_NE(second["client_id"], info["client_id"]);
  EXPECT_EQ(second["server_id"], info["server_id"]);
}

// ---------------------------------------------------------------------------------------------
// Verbose and pedantic.

TEST_F(ProtocolTest, VerboseAcknowledgesEveryOperationButPing) {
  auto c = open();
  EXPECT_EQ(roundtrip(*c, "CONNECT {\"verbose\":true}\r\n"), "+OK\r\nPONG\r\n");
  EXPECT_EQ(roundtrip(*c, "SUB foo 1\r\n"), "+OK\r\nPONG\r\n");
  EXPECT_EQ(roundtrip(*c, "PUB foo 2\r\nhi\r\n"), "+OK\r\n" + msg("foo", "1", "hi") + "PONG\r\n");
  EXPECT_EQ(roundtrip(*c, "UNSUB 1\r\n"), "+OK\r\nPONG\r\n");
  // UNSUB of an unknown sid is still acknowledged.
  EXPECT_EQ(roundtrip(*c, "UNSUB 99\r\n"), "+OK\r\nPONG\r\n");
  // A client PONG is not acknowledged.
  EXPECT_EQ(roundtrip(*c, "PONG\r\n"), "PONG\r\n");
}

TEST_F(ProtocolTest, NonVerboseIsSilent) {
  auto c = open_connected(R"({"verbose":false})");
  EXPECT_EQ(roundtrip(*c, "SUB foo 1\r\nPUB foo 2\r\nhi\r\nUNSUB 1\r\nPUB foo 2\r\nho\r\n"),
            msg("foo", "1", "hi") + "PONG\r\n");
  // A second CONNECT may switch verbose back on.
  EXPECT_EQ(roundtrip(*c, "CONNECT {\"verbose\":true}\r\n"), "+OK\r\nPONG\r\n");
  EXPECT_EQ(roundtrip(*c, "SUB foo 1\r\n"), "+OK\r\nPONG\r\n");
}

TEST_F(ProtocolTest, PedanticRejectsWildcardPublishAndKeepsConnection) {
  auto c = open_connected(R"({"verbose":false,"pedantic":true})");
  for (std::string subject : {"foo.*", "foo.>", "*", ">", "foo.*.>", "foo..bar", ".foo", "foo."}) {
    SCOPED_TRACE(subject);
    EXPECT_EQ(roundtrip(*c, "PUB " + subject + " 1\r\nx\r\n"),
              std::string(kErrInvalidPublishSubject) + "PONG\r\n");
  }
  // '*' inside a token is a literal character, not a wildcard.
  EXPECT_EQ(roundtrip(*c, "SUB foo* 1\r\nPUB foo* 1\r\nx\r\n"), msg("foo*", "1", "x") + "PONG\r\n");
}

TEST_F(ProtocolTest, PedanticAndVerboseSendsErrorThenOk) {
  // The pre-CONNECT defaults (verbose+pedantic): nats-server 2.9.10 still acknowledges the
  // rejected PUB after the -ERR.
  auto c = open();
  EXPECT_EQ(roundtrip(*c, "PUB foo.* 1\r\nx\r\n"),
            std::string(kErrInvalidPublishSubject) + "+OK\r\nPONG\r\n");
  EXPECT_EQ(roundtrip(*c, "PUB foo 1\r\nx\r\n"), "+OK\r\nPONG\r\n");
}

TEST_F(ProtocolTest, NonPedanticPublishToWildcardSubjectIsDeliveredLiterally) {
  auto c = open_connected(R"({"verbose":false,"pedantic":false})");
  EXPECT_EQ(roundtrip(*c, "SUB foo.* 1\r\nPUB foo.* 1\r\nx\r\nPUB foo..bar 1\r\ny\r\n"),
            msg("foo.*", "1", "x") + "PONG\r\n");
}

TEST_F(ProtocolTest, InvalidSubscribeSubjectIsRejectedInEveryMode) {
  for (std::string json :
       {R"({"verbose":false,"pedantic":false})", R"({"verbose":true,"pedantic":false})",
        R"({"verbose":false,"pedantic":true})", R"({"verbose":true,"pedantic":true})"}) {
    SCOPED_TRACE(json);
    auto c = open_connected(json);
    for (std::string subject : {"foo..bar", "foo.", ".foo", "foo.>.bar", ">.foo", "."}) {
      SCOPED_TRACE(subject);
      // No +OK after the -ERR, even in verbose mode; the connection stays open.
      EXPECT_EQ(roundtrip(*c, "SUB " + subject + " 1\r\n"),
                std::string(kErrInvalidSubject) + "PONG\r\n");
    }
  }
}

TEST_F(ProtocolTest, ValidWildcardSubscriptionsAreAccepted) {
  auto c = open_connected(R"({"verbose":false})");
  EXPECT_EQ(roundtrip(*c, "SUB * 1\r\nSUB > 2\r\nSUB foo.*.> 3\r\nSUB foo.*bar 4\r\n"), "PONG\r\n");
  std::string out = roundtrip(*c, "PUB foo.x.y 1\r\na\r\n");
  // sid 2 ('>') and sid 3 ('foo.*.>') match; sid 1 ('*') needs exactly one token.
  EXPECT_NE(out.find(msg("foo.x.y", "2", "a")), std::string::npos) << out;
  EXPECT_NE(out.find(msg("foo.x.y", "3", "a")), std::string::npos) << out;
  EXPECT_EQ(out.size(), 2 * msg("foo.x.y", "2", "a").size() + 6) << out;
}

// ---------------------------------------------------------------------------------------------
// Errors that close the connection.

TEST_F(ProtocolTest, UnknownOperationSendsErrorAndCloses) {
  for (std::string frame :
       {"FOO bar\r\n", "MSG foo 1 1\r\n", "\r\n", "PUB\r\n", "SUB\r\n", "UNSUB\r\n"}) {
    SCOPED_TRACE(::testing::PrintToString(frame));
    auto c = open_connected(R"({"verbose":false})");
    ASSERT_TRUE(c->send(frame));
    expect_error_and_close(*c, kErrUnknownOp);
  }
}

TEST_F(ProtocolTest, PayloadLongerThanDeclaredSendsUnknownOperationAndCloses) {
  auto c = open_connected(R"({"verbose":false})");
  ASSERT_TRUE(c->send("PUB foo 3\r\nabcde\r\n"));
  expect_error_and_close(*c, kErrUnknownOp);
}

TEST_F(ProtocolTest, MaxPayloadViolationSendsErrorAndCloses) {
  auto c = open_connected(R"({"verbose":false})");
  // The error comes from the control line alone; no payload is needed.
  ASSERT_TRUE(c->send("PUB foo " + std::to_string(kDefaultMaxPayload + 1) + "\r\n"));
  expect_error_and_close(*c, kErrMaxPayload);
}

TEST_F(ProtocolTest, MaxPayloadViolationOnHpubSendsErrorAndCloses) {
  auto c = open_connected(R"({"verbose":false,"headers":true})");
  ASSERT_TRUE(c->send("HPUB foo 12 " + std::to_string(kDefaultMaxPayload + 1) + "\r\n"));
  expect_error_and_close(*c, kErrMaxPayload);
}

TEST_F(ProtocolTest, OneMegabytePayloadIsDeliveredIntact) {
  auto c = open_connected(R"({"verbose":false})");
  std::string payload(kDefaultMaxPayload, '\0');
  std::mt19937 rng(42);
  for (auto& ch : payload) ch = static_cast<char>(rng() & 0xff);  // any byte, CRLF included
  ASSERT_EQ(roundtrip(*c, "SUB big 1\r\n"), "PONG\r\n");
  ASSERT_TRUE(c->send("PUB big " + std::to_string(payload.size()) + "\r\n" + payload + "\r\n" +
                      "PING\r\n"));
  std::string expected = msg("big", "1", payload) + "PONG\r\n";
  std::string got = c->read_until_pong(10s);
  ASSERT_EQ(got.size(), expected.size()) << got.substr(0, 40);
  EXPECT_TRUE(got == expected) << "payload differs; starts with " << got.substr(0, 30);
}

TEST_F(ProtocolTest, ControlLineLimitIsOnTheArgumentsAndInclusive) {
  // The limit counts the bytes after "SUB "/"PUB " up to CR: 4096 is accepted.
  std::string arg(kDefaultMaxControlLine - 2, 'a');
  {
    auto c = open_connected(R"({"verbose":false})");
    EXPECT_EQ(roundtrip(*c, "SUB " + arg + " 1\r\n"), "PONG\r\n");
    EXPECT_EQ(roundtrip(*c, "PUB " + arg + " 1\r\nx\r\n"), msg(arg, "1", "x") + "PONG\r\n");
  }
  for (std::string op : {"SUB ", "PUB "}) {
    SCOPED_TRACE(op);
    auto c = open_connected(R"({"verbose":false})");
    ASSERT_TRUE(c->send(op + arg + "a 1\r\n"));
    expect_error_and_close(*c, kErrMaxControlLine);
  }
}

TEST_F(ProtocolTest, ControlLineTooLongSendsErrorAndCloses) {
  auto c = open();
  // No CRLF needed: the server gives up once the pending line is over the limit.
  ASSERT_TRUE(c->send("SUB " + std::string(5000, 'a')));
  expect_error_and_close(*c, kErrMaxControlLine);

  // CONNECT lines are subject to the limit too.
  auto c2 = open();
  ASSERT_TRUE(c2->send("CONNECT {\"name\":\"" + std::string(6000, 'n') + "\"}\r\n"));
  expect_error_and_close(*c2, kErrMaxControlLine);
}

TEST_F(ProtocolTest, MalformedArgumentsCloseWithoutError) {
  for (std::string frame : {"SUB foo\r\n", "SUB foo 1 2 3\r\n", "PUB foo\r\n", "PUB foo -1\r\n",
                            "PUB foo bar baz 1\r\n", "CONNECT\r\n", "CONNECT {bad json\r\n"}) {
    SCOPED_TRACE(::testing::PrintToString(frame));
    auto c = open_connected(R"({"verbose":false})");
    ASSERT_TRUE(c->send(frame));
    EXPECT_TRUE(c->expect_closed());
    EXPECT_EQ(c->buffered(), "");  // nats-server sends no -ERR for these
  }
}

TEST_F(ProtocolTest, UnsupportedProtocolVersionIsRejected) {
  auto c = open();
  ASSERT_TRUE(c->send("CONNECT {\"verbose\":false,\"protocol\":2}\r\n"));
  expect_error_and_close(*c, kErrInvalidProtocol);
  auto ok = open_connected(R"({"verbose":false,"protocol":1})");
}

// ---------------------------------------------------------------------------------------------
// Framing: the same bytes give the same output however TCP splits them.

struct Frame {
  std::string bytes;
  std::string output;  // what the server answers to this frame alone
};

// `queue` should be unique per connection: nats-server may pick a queue member whose
// connection is still being torn down and drop the message, so members must not linger
// from one iteration to the next.
std::vector<Frame> script_frames(const std::string& queue = "q") {
  const std::string hdr = "NATS/1.0\r\nA: b\r\n\r\n";
  return {
      {"CONNECT {\"verbose\":true,\"pedantic\":false,\"headers\":true}\r\n", "+OK\r\n"},
      {"SUB foo 1\r\n", "+OK\r\n"},
      {"SUB bar.* " + queue + " 2\r\n", "+OK\r\n"},
      {"PUB foo 5\r\nhello\r\n", "+OK\r\n" + msg("foo", "1", "hello")},
      {"PUB bar.x reply.to 0\r\n\r\n", "+OK\r\n" + msg("bar.x", "2", "", "reply.to")},
      {"HPUB foo 18 23\r\n" + hdr + "hello\r\n", "+OK\r\nHMSG foo 1 18 23\r\n" + hdr + "hello\r\n"},
      {"pub bar.y 7\r\na\r\nb\r\nc\r\n", "+OK\r\n" + msg("bar.y", "2", "a\r\nb\r\nc")},
      {"UNSUB 1\r\n", "+OK\r\n"},
      {"PUB foo 2\r\nno\r\n", "+OK\r\n"},
      {"PING\r\n", "PONG\r\n"},
  };
}

std::string join_bytes(const std::vector<Frame>& frames) {
  std::string out;
  for (const auto& f : frames) out += f.bytes;
  return out;
}

std::string join_output(const std::vector<Frame>& frames) {
  std::string out;
  for (const auto& f : frames) out += f.output;
  return out;
}

TEST_F(ProtocolTest, ScriptInOneWrite) {
  auto frames = script_frames();
  auto c = open();
  ASSERT_TRUE(c->send(join_bytes(frames)));
  EXPECT_EQ(c->read_until_pong(), join_output(frames));
}

TEST_F(ProtocolTest, ScriptSplitAtEveryOffset) {
  for (size_t split = 1; split < join_bytes(script_frames()).size(); ++split) {
    SCOPED_TRACE("split at byte " + std::to_string(split));
    auto frames = script_frames("q" + std::to_string(split));
    std::string script = join_bytes(frames);
    std::string expected = join_output(frames);
    // Output owed for the frames complete in the first part: waiting for it proves the server
    // has parsed up to the split before the second part is sent.
    size_t owed = 0, consumed = 0;
    for (const auto& f : frames) {
      if (consumed + f.bytes.size() > split) break;
      consumed += f.bytes.size();
      owed += f.output.size();
    }
    auto c = open({.no_delay = true});
    ASSERT_TRUE(c->send(script.substr(0, split)));
    std::string first = c->read_frames(owed);
    ASSERT_EQ(first, expected.substr(0, owed));
    ASSERT_TRUE(c->send(script.substr(split)));
    ASSERT_EQ(first + c->read_until_pong(), expected);
  }
}

TEST_F(ProtocolTest, ScriptByteByByte) {
  auto frames = script_frames();
  std::string script = join_bytes(frames);
  auto c = open({.no_delay = true});
  for (char ch : script) ASSERT_TRUE(c->send(std::string_view(&ch, 1)));
  EXPECT_EQ(c->read_until_pong(), join_output(frames));
}

TEST_F(ProtocolTest, ScriptInRandomChunks) {
  constexpr unsigned kSeed = 20240601;
  for (unsigned round = 0; round < 30; ++round) {
    SCOPED_TRACE("seed " + std::to_string(kSeed + round));
    auto frames = script_frames("q" + std::to_string(round));
    std::string script = join_bytes(frames);
    std::string expected = join_output(frames);
    std::mt19937 rng(kSeed + round);
    std::uniform_int_distribution<size_t> chunk(1, 24);
    auto c = open({.no_delay = true});
    for (size_t at = 0; at < script.size();) {
      size_t n = std::min(chunk(rng), script.size() - at);
      ASSERT_TRUE(c->send(std::string_view(script).substr(at, n)));
      at += n;
    }
    ASSERT_EQ(c->read_until_pong(), expected);
  }
}

TEST_F(ProtocolTest, ManyFramesPipelinedInOneWrite) {
  auto c = open_connected(R"({"verbose":false})");
  constexpr int kCount = 2000;
  std::string in = "SUB pipe.* 9\r\n";
  std::string expected;
  for (int i = 0; i < kCount; ++i) {
    std::string subject = "pipe." + std::to_string(i % 7);
    std::string payload = "m" + std::to_string(i);
    in.append("PUB ").append(subject).append(" ").append(std::to_string(payload.size()));
    in.append("\r\n").append(payload).append("\r\n");
    expected += msg(subject, "9", payload);
  }
  EXPECT_EQ(roundtrip(*c, in), expected + "PONG\r\n");
}

// ---------------------------------------------------------------------------------------------
// Delivery options.

TEST_F(ProtocolTest, EchoFalseSuppressesOwnMessagesOnly) {
  auto quiet = open_connected(R"({"verbose":false,"echo":false})");
  auto other = open_connected(R"({"verbose":false})");
  EXPECT_EQ(roundtrip(*quiet, "SUB foo 1\r\nPUB foo 1\r\na\r\n"), "PONG\r\n");
  EXPECT_EQ(roundtrip(*other, "PUB foo 1\r\nb\r\n"), "PONG\r\n");
  EXPECT_EQ(roundtrip(*quiet, ""), msg("foo", "1", "b") + "PONG\r\n");
}

TEST_F(ProtocolTest, HpubIsDeliveredAsHmsgToHeaderSubscribersAndStrippedForOthers) {
  auto with_headers = open_connected(R"({"verbose":false,"headers":true})");
  auto without = open_connected(R"({"verbose":false})");
  auto pub = open_connected(R"({"verbose":false,"headers":true})");
  ASSERT_EQ(roundtrip(*with_headers, "SUB foo 1\r\n"), "PONG\r\n");
  ASSERT_EQ(roundtrip(*without, "SUB foo 2\r\n"), "PONG\r\n");

  const std::string hdr = "NATS/1.0\r\nA: b\r\n\r\n";  // 18 bytes
  ASSERT_EQ(
      roundtrip(*pub, "HPUB foo 18 20\r\n" + hdr + "hi\r\nHPUB foo rep 18 20\r\n" + hdr + "hi\r\n"),
      "PONG\r\n");
  EXPECT_EQ(roundtrip(*with_headers, ""), "HMSG foo 1 18 20\r\n" + hdr + "hi\r\n" +
                                              "HMSG foo 1 rep 18 20\r\n" + hdr + "hi\r\nPONG\r\n");
  // A subscriber that did not ask for headers gets the payload without them.
  EXPECT_EQ(roundtrip(*without, ""),
            msg("foo", "2", "hi") + msg("foo", "2", "hi", "rep") + "PONG\r\n");
}

TEST_F(ProtocolTest, HpubWithZeroHeaderLengthIsAPlainMessage) {
  auto c = open_connected(R"({"verbose":false,"headers":true})");
  EXPECT_EQ(roundtrip(*c, "SUB foo 1\r\nHPUB foo 0 2\r\nhi\r\n"),
            msg("foo", "1", "hi") + "PONG\r\n");
}

TEST_F(ProtocolTest, HpubWithoutHeadersSupportCloses) {
  for (std::string json : {R"({"verbose":false})", R"({"verbose":false,"headers":false})"}) {
    SCOPED_TRACE(json);
    auto c = open_connected(json);
    ASSERT_TRUE(c->send("HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"));
    EXPECT_TRUE(c->expect_closed());
    EXPECT_EQ(c->buffered(), "");  // no -ERR from nats-server 2.9.10
  }
}

TEST_F(ProtocolTest, HpubWithHeaderLengthAboveTotalCloses) {
  auto c = open_connected(R"({"verbose":false,"headers":true})");
  ASSERT_TRUE(c->send("HPUB foo 15 14\r\nNATS/1.0\r\n\r\nhi\r\n"));
  EXPECT_TRUE(c->expect_closed());
  EXPECT_EQ(c->buffered(), "");
}

TEST_F(ProtocolTest, NoRespondersRequiresHeaders) {
  auto c = open();
  ASSERT_TRUE(c->send("CONNECT {\"verbose\":false,\"no_responders\":true}\r\n"));
  expect_error_and_close(*c, kErrNoRespondersNeedsHeaders);
}

TEST_F(ProtocolTest, RequestWithoutRespondersGetsStatus503) {
  auto c = open_connected(R"({"verbose":false,"headers":true,"no_responders":true})");
  const std::string status = "HMSG _INBOX.req.1 7 16 16\r\nNATS/1.0 503\r\n\r\n\r\n";
  EXPECT_EQ(roundtrip(*c, "SUB _INBOX.req.* 7\r\nPUB nobody _INBOX.req.1 2\r\nhi\r\n"),
            status + "PONG\r\n");
  // HPUB requests get the same answer.
  EXPECT_EQ(roundtrip(*c, "HPUB nobody _INBOX.req.1 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"),
            status + "PONG\r\n");
  // No status without a subscription on the reply subject.
  EXPECT_EQ(roundtrip(*c, "PUB nobody _INBOX.other.1 2\r\nhi\r\n"), "PONG\r\n");

  // With a responder there is no status, just the request.
  auto responder = open_connected(R"({"verbose":false})");
  ASSERT_EQ(roundtrip(*responder, "SUB service 3\r\n"), "PONG\r\n");
  EXPECT_EQ(roundtrip(*c, "PUB service _INBOX.req.2 2\r\nhi\r\n"), "PONG\r\n");
  EXPECT_EQ(roundtrip(*responder, ""), msg("service", "3", "hi", "_INBOX.req.2") + "PONG\r\n");
}

TEST_F(ProtocolTest, NoStatusWithoutNoRespondersOption) {
  auto c = open_connected(R"({"verbose":false,"headers":true})");
  EXPECT_EQ(roundtrip(*c, "SUB _INBOX.req.* 7\r\nPUB nobody _INBOX.req.1 2\r\nhi\r\n"), "PONG\r\n");
}

// ---------------------------------------------------------------------------------------------
// Subscriptions and keep-alive.

TEST_F(ProtocolTest, UnsubWithMaxAutoUnsubscribes) {
  auto c = open_connected(R"({"verbose":false})");
  EXPECT_EQ(roundtrip(*c,
                      "SUB foo 1\r\nUNSUB 1 2\r\nPUB foo 1\r\na\r\nPUB foo 1\r\nb\r\n"
                      "PUB foo 1\r\nc\r\n"),
            msg("foo", "1", "a") + msg("foo", "1", "b") + "PONG\r\n");
  // A max already reached by earlier deliveries removes the subscription at once.
  EXPECT_EQ(roundtrip(*c, "SUB bar 2\r\nPUB bar 1\r\na\r\nUNSUB 2 1\r\nPUB bar 1\r\nb\r\n"),
            msg("bar", "2", "a") + "PONG\r\n");
}

TEST_F(ProtocolTest, QueueGroupDeliversOncePerGroup) {
  auto c = open_connected(R"({"verbose":false})");
  std::string out = roundtrip(*c, "SUB foo q 1\r\nSUB foo q 2\r\nSUB foo 3\r\nPUB foo 1\r\na\r\n");
  bool to_one = out.find(msg("foo", "1", "a")) != std::string::npos;
  bool to_two = out.find(msg("foo", "2", "a")) != std::string::npos;
  EXPECT_NE(to_one, to_two) << out;
  EXPECT_NE(out.find(msg("foo", "3", "a")), std::string::npos) << out;
  EXPECT_EQ(out.size(), 2 * msg("foo", "1", "a").size() + 6) << out;
}

TEST_F(ProtocolTest, PingPong) {
  auto c = open();
  // Before CONNECT, in upper and lower case; a client PONG is ignored.
  ASSERT_TRUE(c->send("PING\r\n"));
  EXPECT_EQ(c->read_line(), "PONG\r\n");
  ASSERT_TRUE(c->send("ping\r\n"));
  EXPECT_EQ(c->read_line(), "PONG\r\n");
  EXPECT_EQ(roundtrip(*c, "PONG\r\n"), "PONG\r\n");
  EXPECT_EQ(roundtrip(*c, "CONNECT {\"verbose\":false}\r\n"), "PONG\r\n");
  // Bare LF line endings are accepted as well.
  ASSERT_TRUE(c->send("PING\n"));
  EXPECT_EQ(c->read_until_pong(), "PONG\r\n");
}

}  // namespace
}  // namespace gnatsd::test
