// The server-frame parser of nats-bench: every op, and every possible split of a stream.
#include "server_frames.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nats_bench {
namespace {

// Records what the parser handed over, as text, so two parses can be compared.
struct Recorder {
  std::vector<std::string> events;
  void on_msg(const MsgFrame& m) {
    events.push_back("MSG " + std::string(m.subject) + "|" + std::string(m.sid) + "|" +
                     std::string(m.reply) + "|" + std::string(m.payload));
  }
  void on_ping() { events.push_back("PING"); }
  void on_pong() { events.push_back("PONG"); }
  void on_err(std::string_view t) { events.push_back(std::string(t)); }
  void on_info(std::string_view j) { events.push_back("INFO" + std::string(j)); }
};

const std::string kStream =
    "INFO {\"max_payload\":1048576}\r\n"
    "MSG foo 1 5\r\nhello\r\n"
    "PING\r\n"
    "MSG foo.bar 22 _INBOX.x 4\r\na\r\nb\r\n"  // a payload may hold CRLF
    "+OK\r\n"
    "HMSG h 3 12 17\r\nNATS/1.0\r\n\r\nworld\r\n"
    "MSG empty 1 0\r\n\r\n"
    "PONG\r\n"
    "-ERR 'Permissions Violation'\r\n";

TEST(ServerFrames, ParsesEveryOpOfAWholeStream) {
  Recorder r;
  ParseOutcome out = parse_server_frames(kStream.data(), kStream.size(), r);
  EXPECT_FALSE(out.protocol_error);
  EXPECT_EQ(out.consumed, kStream.size());
  std::vector<std::string> want = {"INFO {\"max_payload\":1048576}",
                                   "MSG foo|1||hello",
                                   "PING",
                                   "MSG foo.bar|22|_INBOX.x|a\r\nb",
                                   "MSG h|3||world",
                                   "MSG empty|1||",
                                   "PONG",
                                   "-ERR 'Permissions Violation'"};
  EXPECT_EQ(r.events, want);
}

// Feeds the stream in two reads split at every offset, keeping the unconsumed tail as the
// connection does: the events must not depend on where the kernel cut the bytes.
TEST(ServerFrames, AnySplitGivesTheSameFrames) {
  Recorder whole;
  parse_server_frames(kStream.data(), kStream.size(), whole);
  for (std::size_t cut = 0; cut <= kStream.size(); ++cut) {
    Recorder r;
    std::string buf = kStream.substr(0, cut);
    ParseOutcome first = parse_server_frames(buf.data(), buf.size(), r);
    ASSERT_FALSE(first.protocol_error) << "cut at " << cut;
    buf = buf.substr(first.consumed) + kStream.substr(cut);
    ParseOutcome second = parse_server_frames(buf.data(), buf.size(), r);
    ASSERT_FALSE(second.protocol_error) << "cut at " << cut;
    EXPECT_EQ(second.consumed, buf.size()) << "cut at " << cut;
    EXPECT_EQ(r.events, whole.events) << "cut at " << cut;
  }
}

TEST(ServerFrames, ReportsTheSizeOfAnIncompleteMessage) {
  Recorder r;
  std::string partial = "PING\r\nMSG foo 1 100\r\nabc";
  ParseOutcome out = parse_server_frames(partial.data(), partial.size(), r);
  EXPECT_EQ(out.consumed, 6u);
  EXPECT_EQ(out.frame_bytes, std::string("MSG foo 1 100\r\n").size() + 102);
  EXPECT_FALSE(out.protocol_error);
}

TEST(ServerFrames, RejectsWhatIsNotNats) {
  for (std::string bad :
       {"HELLO\r\n", "MSG foo\r\n", "MSG foo 1 x\r\n", "MSG a b c d e\r\n", "HMSG h 1 9 5\r\n"}) {
    Recorder r;
    EXPECT_TRUE(parse_server_frames(bad.data(), bad.size(), r).protocol_error) << bad;
  }
  std::string endless(kMaxControlLine + 10, 'x');
  Recorder r;
  EXPECT_TRUE(parse_server_frames(endless.data(), endless.size(), r).protocol_error);
}

}  // namespace
}  // namespace nats_bench
