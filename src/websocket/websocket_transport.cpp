// Framing both ways over the inner transport. Uncompressed output is never copied: a frame
// header goes out with the caller's bytes in one gather write, and when the socket takes only
// part of a frame the rest of its payload is the caller's next bytes (a flush always resumes
// where it stopped), so only the header remainder is kept here.
#include "websocket/websocket_transport.hpp"

#include <sys/uio.h>

#include <algorithm>
#include <cstring>

namespace gnatsd::websocket {
namespace {

// Frames per gather write when browser frames (4 KB) cut a big flush.
constexpr int kFramesPerWrite = 16;

}  // namespace

WebSocketTransport::WebSocketTransport(std::unique_ptr<net::Transport> inner,
                                       TransportSettings settings)
    : inner_(std::move(inner)),
      settings_(settings),
      reader_(FrameReader::Settings{settings.require_mask, settings.max_inflated}) {}

WebSocketTransport::~WebSocketTransport() = default;

// ---- input ----------------------------------------------------------------------------------

bool WebSocketTransport::has_buffered_input() const noexcept {
  return reader_.has_inflated() || unread_pos_ < unread_.size() ||
         (reader_.state() != FrameReader::State::Open && !end_reported_);
}

net::IoResult WebSocketTransport::read(char* buffer, std::size_t capacity) {
  if (reader_.has_inflated()) return {net::IoStatus::Ok, reader_.take_inflated(buffer, capacity)};
  if (reader_.state() != FrameReader::State::Open) {
    end_reported_ = true;
    return {reader_.state() == FrameReader::State::CloseReceived ? net::IoStatus::Closed
                                                                 : net::IoStatus::Error};
  }
  std::size_t n = 0;
  const bool from_unread = unread_pos_ < unread_.size();
  if (from_unread) {
    n = std::min(capacity, unread_.size() - unread_pos_);
    std::memcpy(buffer, unread_.data() + unread_pos_, n);
    unread_pos_ += n;
  } else {
    net::IoResult io = inner_->read(buffer, capacity);
    if (io.status != net::IoStatus::Ok) return io;
    n = io.bytes;
  }
  const FrameReader::Result decoded = reader_.decode(buffer, n);
  if (decoded.consumed < n && reader_.state() == FrameReader::State::Open) {
    // Stopped for inflated bytes: what it did not take is read again after them.
    const std::size_t left = n - decoded.consumed;
    if (from_unread) {
      unread_pos_ -= left;
    } else {
      unread_.assign(buffer + decoded.consumed, left);
      unread_pos_ = 0;
    }
  }
  if (unread_pos_ == unread_.size() && !unread_.empty()) {
    unread_.clear();
    unread_pos_ = 0;
  }
  if (reader_.has_replies()) replies_.append(reader_.take_replies());
  // Filled with raw bytes: the caller grows its buffer and reads on as for a full TCP read.
  net::IoResult io{net::IoStatus::Ok, decoded.app_bytes};
  io.filled = n == capacity;
  return io;
}

// ---- output ---------------------------------------------------------------------------------

net::IoResult WebSocketTransport::drain_owed() {
  while (owed_pos_ < owed_.size()) {
    net::IoResult io = inner_->write(owed_.data() + owed_pos_, owed_.size() - owed_pos_);
    if (io.status != net::IoStatus::Ok) return io;
    if (io.bytes == 0) return {net::IoStatus::WouldBlock};
    owed_pos_ += io.bytes;
  }
  owed_.clear();
  owed_pos_ = 0;
  return {net::IoStatus::Ok};
}

void WebSocketTransport::take_replies() {
  if (frame_left_ != 0 || replies_.empty()) return;
  if (owed_.empty()) {
    owed_.swap(replies_);
    owed_pos_ = 0;
  } else {
    owed_.append(replies_);
  }
  replies_.clear();
}

net::IoResult WebSocketTransport::flush_pending() {
  take_replies();
  return drain_owed();
}

net::IoResult WebSocketTransport::write(const char* data, std::size_t size) {
  if (net::IoResult io = drain_owed(); io.status != net::IoStatus::Ok) return io;
  if (frame_left_ > 0) {
    // The rest of a frame whose header already went: these are its payload bytes.
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(frame_left_, size));
    net::IoResult io = inner_->write(data, n);
    if (io.status == net::IoStatus::Ok) frame_left_ -= io.bytes;
    return io;
  }
  take_replies();
  if (net::IoResult io = drain_owed(); io.status != net::IoStatus::Ok) return io;
  if (settings_.compress && size > kCompressThreshold) return write_compressed(data, size);
  return write_frames(data, size);
}

net::IoResult WebSocketTransport::write_compressed(const char* data, std::size_t size) {
  compressed_.clear();
  if (!compressor_.compress({data, size}, compressed_)) return {net::IoStatus::Error};
  // Browsers get 4 KB frames: the first carries the opcode and RSV1, the rest continue it;
  // Safari only takes a compressed message whole.
  const std::size_t max_frame = settings_.browser && !settings_.no_compressed_fragments
                                    ? kBrowserFrameSize
                                    : compressed_.size();
  owed_.clear();
  owed_pos_ = 0;
  std::size_t at = 0;
  bool first = true;
  do {
    const std::size_t len = std::min(max_frame, compressed_.size() - at);
    const bool final = at + len == compressed_.size();
    char header[kMaxFrameHeader];
    const std::size_t h = write_frame_header(header, Opcode::Binary, first, final, first, len);
    owed_.append(header, h);
    owed_.append(compressed_, at, len);
    at += len;
    first = false;
  } while (at < compressed_.size());
  if (compressed_.capacity() > 256 * 1024) std::string().swap(compressed_);
  net::IoResult io = drain_owed();
  if (io.status == net::IoStatus::Error) return io;
  // All of `data` is taken: what the socket did not accept is owed and goes first next time.
  return {net::IoStatus::Ok, size};
}

net::IoResult WebSocketTransport::write_frames(const char* data, std::size_t size) {
  if (size == 0) return {net::IoStatus::Ok, 0};
  const std::size_t max_frame = settings_.browser ? kBrowserFrameSize : size;
  char headers[kFramesPerWrite][kMaxFrameHeader];
  std::size_t header_len[kFramesPerWrite];
  std::size_t payload_len[kFramesPerWrite];
  iovec parts[2 * kFramesPerWrite] = {};
  int frames = 0;
  std::size_t at = 0;
  while (at < size && frames < kFramesPerWrite) {
    const std::size_t len = std::min(max_frame, size - at);
    header_len[frames] =
        write_frame_header(headers[frames], Opcode::Binary, true, true, false, len);
    payload_len[frames] = len;
    parts[2 * frames] = {headers[frames], header_len[frames]};
    parts[2 * frames + 1] = {const_cast<char*>(data + at), len};
    at += len;
    ++frames;
  }
  net::IoResult io = inner_->write_gather(parts, 2 * frames);
  if (io.status != net::IoStatus::Ok) return io;
  // Which frames went whole, and where the socket stopped in the one that did not.
  std::size_t written = io.bytes;
  std::size_t consumed = 0;
  for (int f = 0; f < frames; ++f) {
    if (written >= header_len[f] + payload_len[f]) {
      written -= header_len[f] + payload_len[f];
      consumed += payload_len[f];
      continue;
    }
    if (written >= header_len[f]) {
      const std::size_t sent = written - header_len[f];
      consumed += sent;
      frame_left_ = payload_len[f] - sent;
    } else {
      owed_.assign(headers[f] + written, header_len[f] - written);
      owed_pos_ = 0;
      frame_left_ = payload_len[f];
    }
    break;
  }
  return {net::IoStatus::Ok, consumed};
}

void WebSocketTransport::set_close(std::uint16_t status, std::string_view reason) {
  if (!close_frame_.empty() || !reader_.close_frame().empty()) return;
  close_frame_ = control_frame(Opcode::Close, close_payload(status, reason));
}

void WebSocketTransport::shutdown_write() {
  // A frame cut half way cannot be followed by a control frame: then the close is dropped.
  if (frame_left_ == 0) {
    take_replies();
    owed_.append(reader_.close_frame().empty() ? close_frame_ : reader_.close_frame());
    drain_owed();
  }
  inner_->shutdown_write();
}

}  // namespace gnatsd::websocket
