// nats-bench's WebSocket layer: the accept key, masking, and unframing at every split.
#include "ws_client.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include <string>
#include <vector>

namespace nats_bench::ws {
namespace {

// An unmasked server frame, as a NATS server writes it.
std::string server_frame(unsigned char opcode, const std::string& payload, bool fin = true) {
  std::string f;
  f += static_cast<char>((fin ? 0x80 : 0) | opcode);
  if (payload.size() < 126) {
    f += static_cast<char>(payload.size());
  } else if (payload.size() <= 0xFFFF) {
    f += static_cast<char>(126);
    f += static_cast<char>(payload.size() >> 8);
    f += static_cast<char>(payload.size() & 0xFF);
  } else {
    f += static_cast<char>(127);
    for (int shift = 56; shift >= 0; shift -= 8)
      f += static_cast<char>((static_cast<std::uint64_t>(payload.size()) >> shift) & 0xFF);
  }
  return f + payload;
}

struct Collected {
  std::string data;
  std::vector<Unframer::Control> controls;
  std::string error;
};

// Feeds `stream` in pieces cut at `cuts`, carrying incomplete headers as WsStream does.
Collected unframe_in_pieces(const std::string& stream, std::vector<std::size_t> cuts) {
  Unframer u;
  Collected got;
  std::string carry;
  std::size_t from = 0;
  cuts.push_back(stream.size());
  for (std::size_t cut : cuts) {
    std::string buf = carry + stream.substr(from, cut - from);
    from = cut;
    Unframer::Outcome r = u.unframe(buf.data(), buf.size());
    if (!r.error.empty()) {
      got.error = r.error;
      return got;
    }
    got.data.append(buf.data(), r.payload_bytes);
    for (auto& c : r.controls) got.controls.push_back(c);
    carry = buf.substr(r.consumed);
  }
  return got;
}

TEST(WebSocket, AcceptKeyOfTheRfcExample) {
  EXPECT_EQ(accept_for("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocket, MaskedFrameRoundTrip) {
  const unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};
  for (std::size_t len : {0u, 1u, 5u, 125u, 126u, 1000u, 65535u, 65536u, 70001u}) {
    std::string data(len, '\0');
    for (std::size_t i = 0; i < len; ++i) data[i] = static_cast<char>(i * 7 + 3);
    std::vector<char> out;
    std::size_t end = append_masked_frame(out, 0, kBinary, data.data(), data.size(), key);
    auto* h = reinterpret_cast<const unsigned char*>(out.data());
    EXPECT_EQ(h[0], 0x82);
    ASSERT_TRUE(h[1] & 0x80) << "clients must mask";
    std::size_t header = (h[1] & 0x7F) < 126 ? 2 : (h[1] & 0x7F) == 126 ? 4 : 10;
    std::uint64_t size = h[1] & 0x7F;
    if (header == 4) size = (std::uint64_t{h[2]} << 8) | h[3];
    if (header == 10) {
      size = 0;
      for (int i = 2; i < 10; ++i) size = (size << 8) | h[i];
    }
    EXPECT_EQ(size, len);
    ASSERT_EQ(end, header + 4 + len);
    EXPECT_EQ(0, std::memcmp(h + header, key, 4));
    std::string unmasked(len, '\0');
    for (std::size_t i = 0; i < len; ++i)
      unmasked[i] = static_cast<char>(out[header + 4 + i] ^ key[i % 4]);
    EXPECT_EQ(unmasked, data) << len;
  }
}

TEST(WebSocket, MaskBytesMatchesBytewiseAtEveryLength) {
  const unsigned char key[4] = {1, 2, 0x80, 0xff};
  for (std::size_t len = 0; len < 80; ++len) {
    std::string src(len, 'x');
    for (std::size_t i = 0; i < len; ++i) src[i] = static_cast<char>(i);
    std::string dst(len, '\0');
    mask_bytes(dst.data(), src.data(), len, key);
    for (std::size_t i = 0; i < len; ++i)
      ASSERT_EQ(static_cast<char>(src[i] ^ key[i % 4]), dst[i]) << len << " " << i;
  }
}

TEST(WebSocket, UnframesAtEverySplit) {
  const std::string big(70000, 'b');
  const std::string stream =
      server_frame(kBinary, "INFO {}\r\n") + server_frame(kPing, "hi") +
      server_frame(kBinary, "MSG a 1 3\r\nabc\r\n") + server_frame(kBinary, "") +
      server_frame(kText, std::string(300, 'm')) + server_frame(kBinary, "PI", false) +
      server_frame(kContinuation, "NG\r\n") + server_frame(kPong, "") + server_frame(kBinary, big);
  const std::string want =
      "INFO {}\r\nMSG a 1 3\r\nabc\r\n" + std::string(300, 'm') + "PING\r\n" + big;
  // Every single cut, and every pair of cuts in the first 400 bytes.
  for (std::size_t a = 0; a <= stream.size(); a += (a < 400 ? 1 : 997)) {
    Collected got = unframe_in_pieces(stream, {a});
    ASSERT_EQ(got.error, "") << a;
    ASSERT_EQ(got.data, want) << a;
    ASSERT_EQ(got.controls.size(), 2u) << a;
    EXPECT_EQ(got.controls[0].opcode, kPing);
    EXPECT_EQ(got.controls[0].payload, "hi");
    EXPECT_EQ(got.controls[1].opcode, kPong);
  }
  for (std::size_t a = 0; a < 400; a += 3)
    for (std::size_t b = a; b < 400; b += 7) {
      Collected got = unframe_in_pieces(stream, {a, b});
      ASSERT_EQ(got.data, want) << a << " " << b;
    }
}

TEST(WebSocket, CloseEndsTheStream) {
  std::string close_payload = "\x03\xf0going away";  // 1008
  const std::string stream = server_frame(kBinary, "-ERR 'x'\r\n") +
                             server_frame(kClose, close_payload) + server_frame(kBinary, "late");
  Collected got = unframe_in_pieces(stream, {});
  EXPECT_EQ(got.data, "-ERR 'x'\r\n");
  ASSERT_EQ(got.controls.size(), 1u);
  EXPECT_EQ(got.controls[0].opcode, kClose);
  EXPECT_EQ(got.controls[0].payload, close_payload);
}

TEST(WebSocket, RefusesWhatAServerMustNotSend) {
  std::string masked =
      "\x82\x81"
      "abcd"
      "x";
  EXPECT_NE(unframe_in_pieces(masked, {}).error, "");
  std::string compressed = "\xc2\x01x";  // RSV1: permessage-deflate, never offered
  EXPECT_NE(unframe_in_pieces(compressed, {}).error, "");
  EXPECT_NE(unframe_in_pieces(server_frame(kPing, std::string(126, 'p')), {}).error, "");
  EXPECT_NE(unframe_in_pieces(server_frame(0x3, "x"), {}).error, "");
}

}  // namespace
}  // namespace nats_bench::ws
