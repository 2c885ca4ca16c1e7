// Client frame decoding, checked in nats-server's order (wsRead): mask bit, then the opcode's
// rules, then the extended length and the masking key.
#include "websocket/frame_reader.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace gnatsd::websocket {
namespace {

bool is_control(Opcode op) noexcept {
  return op == Opcode::Close || op == Opcode::Ping || op == Opcode::Pong;
}

// RFC 3629 UTF-8 (no overlongs, no surrogates, at most U+10FFFF), as Go's utf8.ValidString.
bool valid_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else {
      return false;
    }
    if (static_cast<std::size_t>(end - p) <= n) return false;
    if (p[1] < lo || p[1] > hi) return false;
    for (std::size_t i = 2; i <= n; ++i)
      if (p[i] < 0x80 || p[i] > 0xbf) return false;
    p += n + 1;
  }
  return true;
}

// The checks nats-server makes as soon as the first two bytes are in.
std::string first_bytes_error(unsigned char b0, unsigned char b1, bool require_mask,
                              bool message_open) {
  if (require_mask && (b1 & kMaskBit) == 0) return "mask bit missing";
  const auto op = static_cast<Opcode>(b0 & 0x0f);
  const bool final = (b0 & kFinalBit) != 0;
  const bool compressed = (b0 & kRsv1Bit) != 0;
  switch (op) {
    case Opcode::Ping:
    case Opcode::Pong:
    case Opcode::Close:
      if ((b1 & 0x7f) > kMaxControlPayload)
        return fmt::format("control frame length bigger than maximum allowed of {} bytes",
                           kMaxControlPayload);
      if (!final) return "control frame does not have final bit set";
      return {};
    case Opcode::Text:
    case Opcode::Binary:
      if (message_open)
        return "new message started before final frame for previous message was received";
      return {};
    case Opcode::Continuation:
      if (!message_open || compressed) return "invalid continuation frame";
      return {};
  }
  return fmt::format("unknown opcode {}", static_cast<int>(op));
}

}  // namespace

std::size_t FrameReader::header_size() const noexcept {
  std::size_t size = 2;
  const unsigned len7 = header_[1] & 0x7f;
  if (len7 == 126) size += 2;
  if (len7 == 127) size += 8;
  if (masked_) size += 4;
  return size;
}

void FrameReader::fail(std::string reason) {
  state_ = State::Failed;
  close_frame_ = control_frame(Opcode::Close, close_payload(close_status::kProtocolError, reason));
  error_ = std::move(reason);
}

void FrameReader::unmask(char* out, const char* in, std::size_t n) {
  if (!masked_) {
    if (out != in) std::memmove(out, in, n);
    return;
  }
  std::size_t i = 0;
  // 64 bytes a round in 16-byte vectors with the key rotated to the current position. `out`
  // never runs ahead of `in` (out <= in): a round loads all its input before it stores, and
  // its stores end at or before the next round's input.
  if (n >= 16) {
    using Vec = unsigned char __attribute__((vector_size(16)));
    Vec key;
    for (std::size_t k = 0; k < 16; ++k) key[k] = mask_[(mask_pos_ + k) & 3];
    for (; i + 64 <= n; i += 64) {
      Vec a, b, c, d;
      std::memcpy(&a, in + i, 16);
      std::memcpy(&b, in + i + 16, 16);
      std::memcpy(&c, in + i + 32, 16);
      std::memcpy(&d, in + i + 48, 16);
      a ^= key;
      b ^= key;
      c ^= key;
      d ^= key;
      std::memcpy(out + i, &a, 16);
      std::memcpy(out + i + 16, &b, 16);
      std::memcpy(out + i + 32, &c, 16);
      std::memcpy(out + i + 48, &d, 16);
    }
    for (; i + 16 <= n; i += 16) {
      Vec a;
      std::memcpy(&a, in + i, 16);
      a ^= key;
      std::memcpy(out + i, &a, 16);
    }
  }
  for (; i < n; ++i) out[i] = static_cast<char>(in[i] ^ mask_[(mask_pos_ + i) & 3]);
  mask_pos_ = (mask_pos_ + n) & 3;
}

void FrameReader::parse_header() {
  const unsigned char b0 = header_[0];
  opcode_ = static_cast<Opcode>(b0 & 0x0f);
  final_ = (b0 & kFinalBit) != 0;
  const unsigned len7 = header_[1] & 0x7f;
  if (len7 == 126) {
    remaining_ = (std::uint64_t{header_[2]} << 8) | header_[3];
  } else if (len7 == 127) {
    remaining_ = 0;
    for (int i = 0; i < 8; ++i) remaining_ = (remaining_ << 8) | header_[2 + i];
  } else {
    remaining_ = len7;
  }
  if (masked_) {
    std::memcpy(mask_, header_ + header_size() - 4, 4);
    mask_pos_ = 0;
  }
  if (is_control(opcode_)) control_payload_.clear();
}

FrameReader::Result FrameReader::decode(char* data, std::size_t size) {
  std::size_t r = 0, w = 0;
  while (r < size && state_ == State::Open) {
    if (in_header_) {
      if (header_len_ < 2) {
        header_[header_len_++] = static_cast<unsigned char>(data[r++]);
        if (header_len_ < 2) continue;
        std::string err =
            first_bytes_error(header_[0], header_[1], settings_.require_mask, message_open_);
        if (!err.empty()) {
          fail(std::move(err));
          break;
        }
        masked_ = (header_[1] & kMaskBit) != 0;
      }
      const std::size_t need = header_size();
      const std::size_t take = std::min(need - header_len_, size - r);
      std::memcpy(header_ + header_len_, data + r, take);
      header_len_ += take;
      r += take;
      if (header_len_ < need) break;
      parse_header();
      header_len_ = 0;
      in_header_ = false;
      if (!is_control(opcode_) && opcode_ != Opcode::Continuation) {
        message_open_ = !final_;
        compressed_ = (header_[0] & kRsv1Bit) != 0;
      } else if (opcode_ == Opcode::Continuation) {
        message_open_ = !final_;
      }
      if (remaining_ == 0 && !end_of_frame()) break;
      continue;
    }
    if (is_control(opcode_)) {
      const std::size_t take =
          static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, size - r));
      const std::size_t at = control_payload_.size();
      control_payload_.resize(at + take);
      unmask(control_payload_.data() + at, data + r, take);
      r += take;
      remaining_ -= take;
      if (remaining_ == 0 && !end_of_frame()) break;
      continue;
    }
    // Payload of a text, binary or continuation frame.
    if (!compressed_ && has_inflated()) break;  // the inflated message is read first
    const std::size_t take =
        static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, size - r));
    if (compressed_) {
      unmask(data + r, data + r, take);
      if (!decompressor_.feed({data + r, take}, inflated_, settings_.max_inflated)) {
        fail(decompressor_.error());
        break;
      }
    } else {
      unmask(data + w, data + r, take);
      w += take;
    }
    r += take;
    remaining_ -= take;
    if (remaining_ == 0 && !end_of_frame()) break;
  }
  return {w, r};
}

bool FrameReader::end_of_frame() {
  in_header_ = true;
  if (is_control(opcode_)) {
    on_control_frame();
    return state_ == State::Open;
  }
  if (final_ && compressed_) {
    compressed_ = false;
    if (!decompressor_.finish(inflated_, settings_.max_inflated)) {
      fail(decompressor_.error());
      return false;
    }
  }
  return true;
}

void FrameReader::on_control_frame() {
  switch (opcode_) {
    case Opcode::Ping:
      replies_.append(control_frame(Opcode::Pong, control_payload_));
      break;
    case Opcode::Close: {
      // Echo the client's status (1005 when it gave none) and reason; a reason that is not
      // UTF-8 is answered with 1007, as nats-server does.
      std::uint16_t status = close_status::kNoStatus;
      std::string_view body;
      if (control_payload_.size() >= 2) {
        status = static_cast<std::uint16_t>((static_cast<unsigned char>(control_payload_[0]) << 8) |
                                            static_cast<unsigned char>(control_payload_[1]));
        body = std::string_view(control_payload_).substr(2);
        if (!valid_utf8(body)) {
          status = close_status::kInvalidPayload;
          body = "invalid utf8 body in close frame";
        }
      }
      close_frame_ = control_frame(Opcode::Close, close_payload(status, body));
      state_ = State::CloseReceived;
      break;
    }
    default:
      break;  // a pong: nothing to do
  }
  control_payload_.clear();
}

std::size_t FrameReader::take_inflated(char* out, std::size_t capacity) {
  const std::size_t n = std::min(capacity, inflated_.size() - inflated_pos_);
  std::memcpy(out, inflated_.data() + inflated_pos_, n);
  inflated_pos_ += n;
  if (inflated_pos_ == inflated_.size()) {
    inflated_pos_ = 0;
    inflated_.clear();
    // A big message's buffer is not kept for a connection that may now go quiet.
    if (inflated_.capacity() > 64 * 1024) std::string().swap(inflated_);
  }
  return n;
}

std::string FrameReader::take_replies() {
  std::string out;
  out.swap(replies_);
  return out;
}

}  // namespace gnatsd::websocket
