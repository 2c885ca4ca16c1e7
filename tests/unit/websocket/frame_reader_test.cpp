// Client frames decoded in place: masking, fragments, control frames and their replies,
// compressed messages, and nats-server's protocol errors with their close frames.
#include "websocket/frame_reader.hpp"

#include <gtest/gtest.h>

#include <string>

#include "websocket/deflate.hpp"

namespace gnatsd::websocket {
namespace {

std::string frame(int opcode, std::string payload, bool fin = true, bool mask = true,
                  bool rsv1 = false) {
  std::string out;
  out.push_back(static_cast<char>((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode));
  const std::size_t n = payload.size();
  const char m = mask ? static_cast<char>(0x80) : 0;
  if (n < 126) {
    out.push_back(static_cast<char>(m | static_cast<char>(n)));
  } else if (n < 65536) {
    out.push_back(static_cast<char>(m | 126));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n));
  } else {
    out.push_back(static_cast<char>(m | 127));
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>(n >> (8 * i)));
  }
  if (mask) {
    const char key[4] = {0x11, 0x22, 0x33, 0x44};
    out.append(key, 4);
    for (std::size_t i = 0; i < n; ++i) payload[i] = static_cast<char>(payload[i] ^ key[i % 4]);
  }
  return out + payload;
}

// Everything the reader yields for `raw`, given in one piece.
std::string decode_all(FrameReader& reader, std::string raw) {
  std::string app;
  std::size_t at = 0;
  for (int i = 0; i < 100; ++i) {
    char sink[256];
    while (reader.has_inflated()) app.append(sink, reader.take_inflated(sink, sizeof sink));
    if (at == raw.size() || reader.state() != FrameReader::State::Open) break;
    std::string chunk = raw.substr(at);
    auto r = reader.decode(chunk.data(), chunk.size());
    app.append(chunk.data(), r.app_bytes);
    at += r.consumed;
  }
  return app;
}

TEST(WebSocketFrameReaderTest, UnmasksBinaryAndTextFramesLongAndShort) {
  FrameReader reader({});
  const std::string big(70'000, 'b');
  EXPECT_EQ(
      decode_all(reader, frame(2, "PING\r\n") + frame(1, std::string(300, 'a')) + frame(2, big)),
      "PING\r\n" + std::string(300, 'a') + big);
  EXPECT_EQ(reader.state(), FrameReader::State::Open);
}

TEST(WebSocketFrameReaderTest, FragmentsWithAPingInBetweenAndThePong) {
  FrameReader reader({});
  auto app = decode_all(reader, frame(2, "PUB a 5\r\n", false) + frame(9, "hey") +
                                    frame(0, "hello", false) + frame(0, "\r\n"));
  EXPECT_EQ(app, "PUB a 5\r\nhello\r\n");
  EXPECT_EQ(reader.take_replies(), std::string("\x8a\x03hey", 5));
}

TEST(WebSocketFrameReaderTest, ProtocolErrorsAsNatsServerWordsThem) {
  struct Case {
    std::string raw;
    const char* error;
  } cases[] = {
      {frame(2, "x", true, false), "mask bit missing"},
      {frame(9, std::string(126, 'p')),
       "control frame length bigger than maximum allowed of 125 bytes"},
      {frame(9, "p", false), "control frame does not have final bit set"},
      {frame(2, "x", false) + frame(2, "y"),
       "new message started before final frame for previous message was received"},
      {frame(0, "x"), "invalid continuation frame"},
      {frame(2, "x", false) + frame(0, "y", true, true, true), "invalid continuation frame"},
      {frame(3, ""), "unknown opcode 3"},
  };
  for (const auto& c : cases) {
    FrameReader reader({});
    decode_all(reader, c.raw);
    EXPECT_EQ(reader.state(), FrameReader::State::Failed) << c.error;
    EXPECT_EQ(reader.error(), c.error);
    EXPECT_EQ(reader.close_frame(),
              control_frame(Opcode::Close, close_payload(close_status::kProtocolError, c.error)));
  }
}

TEST(WebSocketFrameReaderTest, NoMaskingWhenTheClientAskedForIt) {
  FrameReader reader({.require_mask = false});
  EXPECT_EQ(decode_all(reader, frame(2, "PING\r\n", true, false)), "PING\r\n");
}

TEST(WebSocketFrameReaderTest, CloseIsEchoedWithItsStatus) {
  FrameReader reader({});
  decode_all(reader, frame(8, std::string("\x03\xe8", 2) + "bye") + frame(2, "ignored"));
  EXPECT_EQ(reader.state(), FrameReader::State::CloseReceived);
  EXPECT_EQ(reader.close_frame(), control_frame(Opcode::Close, close_payload(1000, "bye")));
  FrameReader empty({});
  decode_all(empty, frame(8, ""));
  EXPECT_EQ(empty.close_frame(), control_frame(Opcode::Close, close_payload(1005, "")));
  FrameReader bad_utf8({});
  decode_all(bad_utf8, frame(8, std::string("\x03\xe8\xff", 3)));
  EXPECT_EQ(bad_utf8.close_frame(),
            control_frame(Opcode::Close, close_payload(1007, "invalid utf8 body in close frame")));
}

TEST(WebSocketFrameReaderTest, CompressedMessagesInflateInOrder) {
  Compressor compressor;
  const std::string message = "PUB a 200\r\n" + std::string(200, 'x') + "\r\n";
  std::string deflated;
  ASSERT_TRUE(compressor.compress(message, deflated));
  ASSERT_LT(deflated.size(), message.size());
  FrameReader reader({});
  const auto half = deflated.size() / 2;
  auto app = decode_all(reader, frame(2, "PING\r\n") +
                                    frame(2, deflated.substr(0, half), false, true, true) +
                                    frame(0, deflated.substr(half)) + frame(2, "PONG\r\n"));
  EXPECT_EQ(app, "PING\r\n" + message + "PONG\r\n");
}

TEST(WebSocketFrameReaderTest, InflationIsBounded) {
  Compressor compressor;
  std::string deflated;
  ASSERT_TRUE(compressor.compress(std::string(100'000, '\0'), deflated));
  FrameReader reader({.require_mask = true, .max_inflated = 4096});
  decode_all(reader, frame(2, deflated, true, true, true));
  EXPECT_EQ(reader.state(), FrameReader::State::Failed);
  EXPECT_EQ(reader.error(), "decompressed message exceeds 4096 bytes");
}

}  // namespace
}  // namespace gnatsd::websocket
