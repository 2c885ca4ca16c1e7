// A catalogue of malformed client-protocol inputs sent over real sockets, each with the exact
// reaction a nats-server 2.9.10 user gets: an -ERR line and a close, an -ERR line on a connection
// that stays open, silence on a connection that stays open, or a silent close. After every case a
// long-lived bystander publisher/subscriber pair on the same server must still deliver.
// Calibrated against nats-server 2.9.10:
//   GNATSD_TEST_BINARY=build/reference/nats-server-2.9.10 build/tests/integration_tests
//   --gtest_filter='BadInput*'
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "client_helpers.hpp"
#include "raw_client.hpp"
#include "server_process.hpp"

namespace gnatsd::test {
namespace {

// How the case's connection is prepared before its bytes are sent.
enum class Start {
  kConnected,  // INFO read, CONNECT {"verbose":false} + PING/PONG done (open_connected)
  kPedantic,   // the same with CONNECT {"verbose":false,"pedantic":true,"headers":true}
  kInfoOnly,   // INFO read, nothing sent: the client is still verbose and pedantic
  kHeaders,    // CONNECT {"verbose":false,"headers":true} + PING/PONG
};

constexpr bool kCloses = true;
constexpr bool kStaysOpen = false;

struct Case {
  std::string name;
  std::vector<std::string> chunks;  // each sent with its own send(); a PING follows the last
  std::string expect;               // exactly what arrives before the PONG or the close
  bool closes;                      // the server closes instead of answering the PING
  Start start = Start::kConnected;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

const std::string kUnknown(kErrUnknownOp);
const std::string kBadPubSubject(kErrInvalidPublishSubject);
const std::string kBadSubject(kErrInvalidSubject);
const std::string kMaxPayload(kErrMaxPayload);
const std::string kMaxControl(kErrMaxControlLine);
const std::string kBadProtocol(kErrInvalidProtocol);
const std::string kNoResponders(kErrNoRespondersNeedsHeaders);

std::string repeat(std::string_view s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

// The first bytes of a TLS 1.2/1.3 ClientHello record, as a TLS client sends them unprompted.
std::string tls_client_hello() {
  std::string hello = {'\x16', '\x03', '\x01', '\x00', '\xa5', '\x01',
                       '\x00', '\x00', '\xa1', '\x03', '\x03'};
  hello += std::string(32, '\x5a');  // random
  hello += std::string{'\x00', '\x00', '\x02', '\x13', '\x01', '\x01', '\x00'};
  return hello;
}

std::vector<Case> catalogue() {
  const std::string hdr = "NATS/1.0\r\n\r\n";  // 12 bytes
  std::vector<Case> cases = {
      // --- Unknown and malformed operation names --------------------------------------------
      {"UnknownOp", {"FOO\r\n"}, kUnknown, kCloses},
      {"UnknownOpWithArgs", {"FOO bar 1\r\n"}, kUnknown, kCloses},
      {"PubWithSuffix", {"PUBX foo 1\r\nx\r\n"}, kUnknown, kCloses},
      {"SubWithSuffix", {"SUBS foo 1\r\n"}, kUnknown, kCloses},
      {"PingWithSuffixIsAPing", {"PINGX\r\n"}, "PONG\r\n", kStaysOpen},
      {"PongWithSuffixIsAPong", {"PONGX\r\n"}, "", kStaysOpen},
      {"ConnectWithoutSpaceIsAccepted", {"CONNECT{}\r\n"}, "", kStaysOpen},
      {"ConnectMisspelled", {"CONECT {}\r\n"}, kUnknown, kCloses},
      {"UnsubMisspelled", {"UNSUBSCRIBE 1\r\n"}, kUnknown, kCloses},
      {"EmptyLine", {"\r\n"}, kUnknown, kCloses},
      {"BareLineFeed", {"\n"}, kUnknown, kCloses},
      {"LeadingSpace", {" PING\r\n"}, kUnknown, kCloses},
      {"OnlySpaces", {"   \r\n"}, kUnknown, kCloses},
      {"ClientSendsMsg", {"MSG foo 1 1\r\nx\r\n"}, kUnknown, kCloses},
      {"ClientSendsHmsg", {"HMSG foo 1 12 12\r\n" + hdr + "\r\n"}, kUnknown, kCloses},
      {"ClientSendsInfo", {"INFO {}\r\n"}, "", kStaysOpen},
      {"ClientSendsPlusOk", {"+OK\r\n"}, "", kStaysOpen},
      {"ClientSendsMinusErr", {"-ERR 'boom'\r\n"}, "", kCloses},
      {"ClientSendsRouteSub", {"RS+ $G foo\r\n"}, kUnknown, kCloses},
      {"ClientSendsLeafSub", {"LS+ $G foo\r\n"}, kUnknown, kCloses},
      {"ClientSendsAccountSub", {"A+ foo\r\n"}, kUnknown, kCloses},
      {"HttpRequest", {"GET / HTTP/1.1\r\nHost: x\r\n\r\n"}, kUnknown, kCloses},
      {"BinaryGarbage", {std::string("\x00\x01\x02\xff\xfe\r\n", 7)}, kUnknown, kCloses},
      {"NulByteOnly", {std::string("\x00", 1)}, kUnknown, kCloses},
      {"HighBitBytes", {"\xc3\xa9\xc3\xa9\r\n"}, kUnknown, kCloses},
      {"TlsClientHelloAfterConnect", {tls_client_hello()}, kUnknown, kCloses},
      {"TlsClientHelloBeforeConnect", {tls_client_hello()}, kUnknown, kCloses, Start::kInfoOnly},
      {"GarbageBeforeConnect", {"HELLO\r\n"}, kUnknown, kCloses, Start::kInfoOnly},
      {"LowercasePubIsAccepted", {"pub foo 1\r\nx\r\n"}, "", kStaysOpen},
      {"MixedCaseSubIsAccepted", {"sUb foo 1\r\n"}, "", kStaysOpen},
      {"LineFeedOnlyTerminator", {"SUB foo 1\n"}, "", kStaysOpen},

      // --- PUB argument errors --------------------------------------------------------------
      {"PubNoArgs", {"PUB\r\n"}, kUnknown, kCloses},
      {"PubSpaceNoArgs", {"PUB \r\n"}, "", kCloses},
      {"PubSubjectOnly", {"PUB foo\r\n"}, "", kCloses},
      {"PubTooManyArgs", {"PUB foo bar baz 1\r\nx\r\n"}, "", kCloses},
      {"PubNegativeSize", {"PUB foo -1\r\n"}, "", kCloses},
      {"PubNonNumericSize", {"PUB foo abc\r\n"}, "", kCloses},
      {"PubSizeWithTrailingLetter", {"PUB foo 1a\r\nx\r\n"}, "", kCloses},
      {"PubSizeWithPlusSign", {"PUB foo +1\r\nx\r\n"}, "", kCloses},
      {"PubHexSize", {"PUB foo 0x1\r\nx\r\n"}, "", kCloses},
      {"PubSizeOverMaxPayload", {"PUB foo 1048577\r\n"}, kMaxPayload, kCloses},
      {"PubHugeSize", {"PUB foo 999999999\r\n"}, kMaxPayload, kCloses},
      {"PubOverflowingSize", {"PUB foo 99999999999999999999\r\n"}, "", kCloses},
      {"PubReplyAndNonNumericSize", {"PUB foo bar baz\r\n"}, "", kCloses},
      {"PubLeadingZeroSizeIsAccepted", {"PUB foo 01\r\nx\r\n"}, "", kStaysOpen},
      {"PubZeroSizeIsAccepted", {"PUB foo 0\r\n\r\n"}, "", kStaysOpen},
      {"PubExtraSpacesAreAccepted", {"PUB   foo    1  \r\nx\r\n"}, "", kStaysOpen},
      {"PubTabsAreAccepted", {"PUB\tfoo\t1\r\nx\r\n"}, "", kStaysOpen},
      {"PubSpaceInSubjectBecomesReply", {"PUB foo bar 1\r\nx\r\n"}, "", kStaysOpen},

      // --- Payload framing ------------------------------------------------------------------
      {"PayloadLongerThanDeclared", {"PUB foo 2\r\nabc\r\n"}, kUnknown, kCloses},
      {"PayloadShorterThanDeclared", {"PUB foo 5\r\nab\r\n"}, kUnknown, kCloses},
      {"PayloadMissingCrlf", {"PUB foo 2\r\nhi"}, kUnknown, kCloses},
      {"PayloadMissingLineFeed", {"PUB foo 2\r\nhi\r"}, kUnknown, kCloses},
      {"PayloadLineFeedOnly", {"PUB foo 2\r\nhi\n"}, kUnknown, kCloses},
      {"PayloadWrongTerminator", {"PUB foo 2\r\nhiXY"}, kUnknown, kCloses},
      {"ZeroSizeWithPayload", {"PUB foo 0\r\nx\r\n"}, kUnknown, kCloses},

      // --- Half frames completed by later writes --------------------------------------------
      {"HalfPayloadThenRest", {"PUB foo 5\r\nhe", "llo\r\n"}, "", kStaysOpen},
      {"HalfOpThenRest", {"PU", "B foo 1\r\nx\r\n"}, "", kStaysOpen},
      {"HalfSubArgsThenRest", {"SUB foo", " 1\r\n"}, "", kStaysOpen},
      {"HalfConnectThenRest", {"CONNECT {\"verbose\":", "false}\r\n"}, "", kStaysOpen},
      {"CarriageReturnThenLineFeed", {"PUB foo 5\r\nhello\r", "\n"}, "", kStaysOpen},
      {"CarriageReturnThenGarbage", {"PUB foo 5\r\nhello\r", "X"}, kUnknown, kCloses},
      {"HalfHeaderThenRest",
       {"HPUB foo 12 14\r\nNATS/1.0\r\n", "\r\nhi\r\n"},
       "",
       kStaysOpen,
       Start::kHeaders},
      {"PubInThreeWrites", {"PUB foo 1\r\n", "x", "\r\n"}, "", kStaysOpen},
      {"ByteByByteSub", {"S", "U", "B", " ", "f", " ", "1", "\r", "\n"}, "", kStaysOpen},
      {"HalfPayloadThenOversizedRest", {"PUB foo 3\r\nab", "cdef\r\n"}, kUnknown, kCloses},

      // --- PUB subjects ---------------------------------------------------------------------
      {"PedanticPubWildcardToken",
       {"PUB foo.* 1\r\nx\r\n"},
       kBadPubSubject,
       kStaysOpen,
       Start::kPedantic},
      {"PedanticPubFullWildcard",
       {"PUB foo.> 1\r\nx\r\n"},
       kBadPubSubject,
       kStaysOpen,
       Start::kPedantic},
      {"PedanticPubStar", {"PUB * 1\r\nx\r\n"}, kBadPubSubject, kStaysOpen, Start::kPedantic},
      {"PedanticPubGreater", {"PUB > 1\r\nx\r\n"}, kBadPubSubject, kStaysOpen, Start::kPedantic},
      {"PedanticPubEmptyToken",
       {"PUB foo..bar 1\r\nx\r\n"},
       kBadPubSubject,
       kStaysOpen,
       Start::kPedantic},
      {"PedanticPubLeadingDot",
       {"PUB .foo 1\r\nx\r\n"},
       kBadPubSubject,
       kStaysOpen,
       Start::kPedantic},
      {"PedanticPubTrailingDot",
       {"PUB foo. 1\r\nx\r\n"},
       kBadPubSubject,
       kStaysOpen,
       Start::kPedantic},
      {"PedanticPubFormFeedIsAccepted", {"PUB fo\fo 1\r\nx\r\n"}, "", kStaysOpen, Start::kPedantic},
      {"PedanticPubControlByte", {"PUB fo\x01o 1\r\nx\r\n"}, "", kStaysOpen, Start::kPedantic},
      {"PedanticPubStarInsideToken", {"PUB foo* 1\r\nx\r\n"}, "", kStaysOpen, Start::kPedantic},
      {"DefaultPedanticBeforeConnect",
       {"PUB foo.* 1\r\nx\r\n"},
       kBadPubSubject + "+OK\r\n",
       kStaysOpen,
       Start::kInfoOnly},
      {"NonPedanticPubWildcard", {"PUB foo.* 1\r\nx\r\n"}, kBadPubSubject, kStaysOpen},
      {"NonPedanticPubEmptyToken", {"PUB foo..bar 1\r\nx\r\n"}, kBadPubSubject, kStaysOpen},
      {"NonPedanticPubControlByte",
       {std::string("PUB fo") + '\0' + "o 1\r\nx\r\n"},
       "",
       kStaysOpen},

      // --- SUB arguments and subjects -------------------------------------------------------
      {"SubNoArgs", {"SUB\r\n"}, kUnknown, kCloses},
      {"SubSpaceNoArgs", {"SUB \r\n"}, "", kCloses},
      {"SubSubjectOnly", {"SUB foo\r\n"}, "", kCloses},
      {"SubTooManyArgs", {"SUB foo q1 q2 1\r\n"}, "", kCloses},
      {"SubEmptyToken", {"SUB foo..bar 1\r\n"}, kBadSubject, kStaysOpen},
      {"SubLeadingDot", {"SUB .foo 1\r\n"}, kBadSubject, kStaysOpen},
      {"SubTrailingDot", {"SUB foo. 1\r\n"}, kBadSubject, kStaysOpen},
      {"SubOnlyDot", {"SUB . 1\r\n"}, kBadSubject, kStaysOpen},
      {"SubFullWildcardNotLast", {"SUB foo.>.bar 1\r\n"}, kBadSubject, kStaysOpen},
      {"SubFullWildcardFirst", {"SUB >.foo 1\r\n"}, kBadSubject, kStaysOpen},
      {"SubFormFeedInSubjectIsAccepted", {"SUB fo\fo 1\r\n"}, "", kStaysOpen, Start::kConnected},
      {"SubFormFeedTokenIsAccepted", {"SUB foo.\f 1\r\n"}, "", kStaysOpen, Start::kConnected},
      {"SubInvalidSubjectWithQueue", {"SUB foo..bar q 1\r\n"}, kBadSubject, kStaysOpen},
      {"SubStarInsideTokenIsLiteral", {"SUB foo* 1\r\n"}, "", kStaysOpen},
      {"SubNonNumericSidIsAccepted", {"SUB foo abc\r\n"}, "", kStaysOpen},
      {"SubTabSplitsSubjectIntoQueue", {"SUB fo\to 1\r\n"}, "", kStaysOpen},
      {"SubWildcardQueueName", {"SUB foo q.* 1\r\n"}, "", kStaysOpen},
      {"SubDuplicateSid", {"SUB foo 1\r\nSUB bar 1\r\n"}, "", kStaysOpen},
      {"SubControlByteIsAccepted", {"SUB fo\x01o 1\r\n"}, "", kStaysOpen},

      // --- UNSUB ----------------------------------------------------------------------------
      {"UnsubNoArgs", {"UNSUB\r\n"}, kUnknown, kCloses},
      {"UnsubSpaceNoArgs", {"UNSUB \r\n"}, "", kCloses},
      {"UnsubTooManyArgs", {"UNSUB 1 2 3\r\n"}, "", kCloses},
      {"UnsubNonNumericMax", {"UNSUB 1 abc\r\n"}, "", kStaysOpen},
      {"UnsubNegativeMax", {"UNSUB 1 -5\r\n"}, "", kStaysOpen},
      {"UnsubZeroMax", {"SUB foo 1\r\nUNSUB 1 0\r\n"}, "", kStaysOpen},
      {"UnsubUnknownSid", {"UNSUB 999\r\n"}, "", kStaysOpen},

      // --- Over-long control lines (max_control_line 4096) ----------------------------------
      {"PubSubjectOverControlLine",
       {"PUB " + std::string(5000, 'a') + " 1\r\nx\r\n"},
       kMaxControl,
       kCloses},
      {"SubSubjectOverControlLine",
       {"SUB " + std::string(5000, 'a') + " 1\r\n"},
       kMaxControl,
       kCloses},
      {"UnsubSidOverControlLine",
       {"UNSUB " + std::string(5000, '1') + "\r\n"},
       kMaxControl,
       kCloses},
      {"HpubOverControlLine",
       {"HPUB " + std::string(5000, 'a') + " 12 12\r\n" + hdr + "\r\n"},
       kMaxControl,
       kCloses,
       Start::kHeaders},
      {"PubLineWithoutCrlfOverControlLine",
       {"PUB foo " + std::string(8000, 'b')},
       kMaxControl,
       kCloses},
      {"SplitLineOverControlLine",
       {"SUB " + std::string(3000, 'a'), std::string(3000, 'a') + " 1\r\n"},
       kMaxControl,
       kCloses},
      {"ConnectUnderControlLineIsAccepted",
       {"CONNECT {\"name\":\"" + std::string(4000, 'n') + "\"}\r\n"},
       "",
       kStaysOpen},
      {"SubUnderControlLineIsAccepted",
       {"SUB " + std::string(4000, 'a') + " 1\r\n"},
       "",
       kStaysOpen},

      // --- HPUB -----------------------------------------------------------------------------
      {"HpubNoArgs", {"HPUB\r\n"}, kUnknown, kCloses, Start::kHeaders},
      {"HpubSubjectOnly", {"HPUB foo\r\n"}, "", kCloses, Start::kHeaders},
      {"HpubMissingTotal", {"HPUB foo 12\r\n"}, "", kCloses, Start::kHeaders},
      {"HpubTooManyArgs", {"HPUB foo a b 12 12\r\n"}, "", kCloses, Start::kHeaders},
      {"HpubHeaderLargerThanTotal", {"HPUB foo 14 12\r\n"}, "", kCloses, Start::kHeaders},
      {"HpubNegativeHeaderSize", {"HPUB foo -1 12\r\n"}, "", kCloses, Start::kHeaders},
      {"HpubNonNumericHeaderSize", {"HPUB foo abc 12\r\n"}, "", kCloses, Start::kHeaders},
      {"HpubNonNumericTotal", {"HPUB foo 12 abc\r\n"}, "", kCloses, Start::kHeaders},
      {"HpubTotalOverMaxPayload",
       {"HPUB foo 12 1048577\r\n"},
       kMaxPayload,
       kCloses,
       Start::kHeaders},
      {"HpubPayloadLongerThanDeclared",
       {"HPUB foo 12 12\r\n" + hdr + "xx\r\n"},
       kUnknown,
       kCloses,
       Start::kHeaders},
      {"HpubHeaderNotNats10",
       {"HPUB foo 12 14\r\nXXXX/1.0\r\n\r\nhi\r\n"},
       "",
       kStaysOpen,
       Start::kHeaders},
      {"HpubZeroHeaderSize", {"HPUB foo 0 2\r\nhi\r\n"}, "", kStaysOpen, Start::kHeaders},
      {"HpubWithReply",
       {"HPUB foo bar 12 14\r\n" + hdr + "hi\r\n"},
       "",
       kStaysOpen,
       Start::kHeaders},
      {"HpubHeaderOneOverTotal", {"HPUB foo 13 12\r\n"}, "", kCloses, Start::kHeaders},
      {"HpubHeaderShorterThanDeclared",
       {"HPUB foo 12 14\r\nNATS/1.0\r\nhi\r\n"},
       kUnknown,
       kCloses,
       Start::kHeaders},
      {"HpubOnlyHeaders", {"HPUB foo 12 12\r\n" + hdr + "\r\n"}, "", kStaysOpen, Start::kHeaders},
      {"PedanticHpubWildcard",
       {"HPUB foo.* 12 12\r\n" + hdr + "\r\n"},
       kBadPubSubject,
       kStaysOpen,
       Start::kPedantic},

      // --- CONNECT --------------------------------------------------------------------------
      {"ConnectNoJson", {"CONNECT \r\n"}, "", kCloses},
      {"ConnectInvalidJson", {"CONNECT {bad}\r\n"}, "", kCloses},
      {"ConnectUnterminatedJson", {"CONNECT {\"verbose\":false\r\n"}, "", kCloses},
      {"ConnectTrailingComma", {"CONNECT {\"verbose\":false,}\r\n"}, "", kCloses},
      {"ConnectTrailingGarbage", {"CONNECT {\"verbose\":false} x\r\n"}, "", kCloses},
      {"ConnectJsonArray", {"CONNECT []\r\n"}, "", kCloses},
      {"ConnectJsonNumber", {"CONNECT 42\r\n"}, "", kCloses},
      {"ConnectJsonNull", {"CONNECT null\r\n"}, "", kStaysOpen, Start::kConnected},
      {"ConnectVerboseAsString", {"CONNECT {\"verbose\":\"yes\"}\r\n"}, "", kCloses},
      {"ConnectVerboseAsNumber", {"CONNECT {\"verbose\":1}\r\n"}, "", kCloses},
      {"ConnectNameAsNumber", {"CONNECT {\"name\":123}\r\n"}, "", kCloses},
      {"ConnectVerboseNull", {"CONNECT {\"verbose\":null}\r\n"}, "", kStaysOpen, Start::kConnected},
      {"ConnectUnknownFields",
       {"CONNECT {\"verbose\":false,\"foo\":1,\"bar\":{\"x\":[1,2]}}\r\n"},
       "",
       kStaysOpen},
      {"ConnectDuplicateKeys", {"CONNECT {\"name\":\"a\",\"name\":\"b\"}\r\n"}, "", kStaysOpen},
      {"ConnectEmptyObjectKeepsOptions", {"CONNECT {}\r\n"}, "", kStaysOpen},
      {"ConnectProtocolTwo", {"CONNECT {\"protocol\":2}\r\n"}, kBadProtocol, kCloses},
      {"ConnectProtocolNegative", {"CONNECT {\"protocol\":-1}\r\n"}, kBadProtocol, kCloses},
      {"ConnectProtocolHuge", {"CONNECT {\"protocol\":99999999999999999999}\r\n"}, "", kCloses},
      {"ConnectProtocolFloat", {"CONNECT {\"protocol\":1.5}\r\n"}, "", kCloses},
      {"ConnectProtocolString", {"CONNECT {\"protocol\":\"1\"}\r\n"}, "", kCloses},
      {"ConnectProtocolZeroIsAccepted", {"CONNECT {\"protocol\":0}\r\n"}, "", kStaysOpen},
      {"ConnectProtocolOneIsAccepted", {"CONNECT {\"protocol\":1}\r\n"}, "", kStaysOpen},
      {"ConnectNoRespondersWithoutHeaders",
       {"CONNECT {\"verbose\":false,\"headers\":false,\"no_responders\":true}\r\n"},
       kNoResponders,
       kCloses},
      {"HpubAfterHeadersFalse",
       {"CONNECT {\"verbose\":false,\"headers\":false}\r\nHPUB foo 12 12\r\n" + hdr + "\r\n"},
       "",
       kCloses},
      {"ConnectDeeplyNestedArray",
       {"CONNECT {\"x\":" + repeat("[", 1500) + repeat("]", 1500) + "}\r\n"},
       "",
       kStaysOpen},
      {"ConnectDeepNestingOverControlLine",
       {"CONNECT {\"x\":" + repeat("[", 10001) + repeat("]", 10001) + "}\r\n"},
       kMaxControl,
       kCloses},
      {"ConnectHugeNameOverControlLine",
       {"CONNECT {\"name\":\"" + std::string(100000, 'n') + "\"}\r\n"},
       kMaxControl,
       kCloses},
      {"HpubWithoutHeadersSupport", {"HPUB foo 12 12\r\n" + hdr + "\r\n"}, "", kCloses},
      {"ConnectDeeplyNestedObject",
       {"CONNECT {\"x\":" + repeat("{\"a\":", 500) + "1" + repeat("}", 500) + "}\r\n"},
       "",
       kStaysOpen},
      {"ConnectEchoAsString", {"CONNECT {\"echo\":\"no\"}\r\n"}, "", kCloses},
      {"ConnectHeadersAsString", {"CONNECT {\"headers\":\"yes\"}\r\n"}, "", kCloses},
      {"ConnectByteOrderMark", {"CONNECT \xef\xbb\xbf{}\r\n"}, "", kCloses, Start::kConnected},
      {"ConnectNulEscapeInName", {"CONNECT {\"name\":\"a\\u0000b\"}\r\n"}, "", kStaysOpen},
      {"ConnectInvalidEscape", {"CONNECT {\"name\":\"\\q\"}\r\n"}, "", kCloses},
      {"ConnectInvalidJsonBeforeConnect", {"CONNECT {bad}\r\n"}, "", kCloses, Start::kInfoOnly},
      {"ConnectProtocolTwoBeforeConnect",
       {"CONNECT {\"protocol\":2}\r\n"},
       kBadProtocol,
       kCloses,
       Start::kInfoOnly},
      {"HttpRequestBeforeConnect", {"GET / HTTP/1.1\r\n\r\n"}, kUnknown, kCloses, Start::kInfoOnly},
      {"PubBeforeConnectIsAcknowledged",
       {"PUB foo 1\r\nx\r\n"},
       "+OK\r\n",
       kStaysOpen,
       Start::kInfoOnly},
      {"PubArgErrorBeforeConnect", {"PUB foo\r\n"}, "", kCloses, Start::kInfoOnly},
      {"SubInvalidSubjectBeforeConnect",
       {"SUB foo..bar 1\r\n"},
       kBadSubject,
       kStaysOpen,
       Start::kInfoOnly},
  };
  return cases;
}

class BadInputCatalogue : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<ServerProcess>();
    subscriber_ = open_connected(*server_);
    publisher_ = open_connected(*server_);
    ASSERT_EQ(roundtrip(*subscriber_, "SUB bystander.check 1\r\n"), "PONG\r\n");
  }
  static void TearDownTestSuite() {
    publisher_.reset();
    subscriber_.reset();
    server_.reset();
  }

  // The bystander pair still exchanges a message carrying `tag`.
  static void expect_bystanders_deliver(const std::string& tag) {
    ASSERT_TRUE(publisher_ && subscriber_);
    ASSERT_EQ(roundtrip(*publisher_, "PUB bystander.check " + std::to_string(tag.size()) + "\r\n" +
                                         tag + "\r\n"),
              "PONG\r\n");
    EXPECT_EQ(roundtrip(*subscriber_, ""), msg("bystander.check", "1", tag) + "PONG\r\n");
  }

  static inline std::unique_ptr<ServerProcess> server_;
  static inline std::unique_ptr<RawClient> subscriber_;
  static inline std::unique_ptr<RawClient> publisher_;
};

TEST_P(BadInputCatalogue, Reaction) {
  const Case& tc = GetParam();
  ASSERT_TRUE(server_ && server_->running());

  std::unique_ptr<RawClient> c;
  RawClient::Options options;
  options.no_delay = true;  // so that each chunk leaves as its own segment
  switch (tc.start) {
    case Start::kConnected:
      c = open_connected(*server_, options);
      break;
    case Start::kPedantic:
    case Start::kHeaders:
      c = std::make_unique<RawClient>(server_->port(), options);
      ASSERT_TRUE(c->read_frame().starts_with("INFO {"));
      ASSERT_EQ(
          roundtrip(*c, tc.start == Start::kPedantic
                            ? "CONNECT {\"verbose\":false,\"pedantic\":true,\"headers\":true}\r\n"
                            : "CONNECT {\"verbose\":false,\"headers\":true}\r\n"),
          "PONG\r\n");
      break;
    case Start::kInfoOnly:
      c = std::make_unique<RawClient>(server_->port(), options);
      ASSERT_TRUE(c->read_frame().starts_with("INFO {"));
      break;
  }

  for (size_t i = 0; i < tc.chunks.size(); ++i) {
    std::string bytes = tc.chunks[i];
    if (i + 1 == tc.chunks.size()) bytes += "PING\r\n";
    // A send into a connection the server has already closed may fail; the reaction tells.
    if (!c->send(bytes, 2s)) break;
  }

  // Everything up to our PONG (server PINGs dropped), or up to the close. A case whose own
  // reaction holds PONGs (a PING in disguise) reads on while what came is a prefix of it.
  const std::string expect_open = tc.expect + "PONG\r\n";
  std::string got;
  for (;;) {
    std::string part = c->read_until_pong(3s);
    got += part;
    if (!part.ends_with("PONG\r\n") || got.size() >= expect_open.size() ||
        !expect_open.starts_with(got)) {
      break;
    }
  }
  bool open = got.ends_with("PONG\r\n");
  if (open) {
    got.resize(got.size() - 6);
  } else if (c->closed()) {
    got += c->take_buffered();
  }
  const char* state = open ? "kStaysOpen" : (c->closed() ? "kCloses" : "hung (no PONG, no close)");
  EXPECT_TRUE(open || c->closed())
      << "no PONG and no close within 3 s; got " << ::testing::PrintToString(got);
  EXPECT_EQ(got, tc.expect) << "actual reaction: " << ::testing::PrintToString(got) << ", "
                            << state;
  EXPECT_EQ(!open, tc.closes) << "actual reaction: " << ::testing::PrintToString(got) << ", "
                              << state;
  if (open) {
    // Still usable afterwards: a second round trip answers with nothing but PONG.
    EXPECT_EQ(roundtrip(*c, ""), "PONG\r\n");
  }
  c.reset();

  expect_bystanders_deliver(tc.name);
}

INSTANTIATE_TEST_SUITE_P(BadInput, BadInputCatalogue, ::testing::ValuesIn(catalogue()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace gnatsd::test
