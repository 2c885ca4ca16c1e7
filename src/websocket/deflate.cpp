// zlib behind the two halves of permessage-deflate.
#include "websocket/deflate.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace gnatsd::websocket {
namespace {

constexpr int kWindowBits = 15;  // raw deflate (negated below), the extension's default window
constexpr int kMemLevel = 8;
constexpr std::size_t kChunk = 16 * 1024;
constexpr unsigned char kFlushTail[4] = {0x00, 0x00, 0xff, 0xff};

}  // namespace

Compressor::~Compressor() {
  if (stream_) deflateEnd(stream_.get());
}

bool Compressor::compress(std::string_view data, std::string& out) {
  if (!stream_) {
    auto stream = std::make_unique<z_stream>();
    // Level 1: nats-server's flate.BestSpeed.
    if (deflateInit2(stream.get(), 1, Z_DEFLATED, -kWindowBits, kMemLevel, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
      return false;
    }
    stream_ = std::move(stream);
  } else if (deflateReset(stream_.get()) != Z_OK) {
    return false;
  }
  z_stream& z = *stream_;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  const std::size_t start = out.size();
  for (;;) {
    const std::size_t before = out.size();
    const std::size_t room = deflateBound(&z, z.avail_in) + 16;
    out.resize(before + room);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + before);
    z.avail_out = static_cast<uInt>(room);
    const int rc = deflate(&z, Z_SYNC_FLUSH);
    out.resize(before + (room - z.avail_out));
    if (rc != Z_OK && rc != Z_BUF_ERROR) return false;
    if (z.avail_in == 0 && z.avail_out != 0) break;
  }
  // A sync flush ends with an empty stored block, 00 00 ff ff: the frame leaves it out.
  if (out.size() - start >= 4) out.resize(out.size() - 4);
  return true;
}

Decompressor::~Decompressor() {
  if (stream_) inflateEnd(stream_.get());
}

bool Decompressor::feed(std::string_view data, std::string& out, std::size_t limit) {
  return run(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, limit);
}

bool Decompressor::finish(std::string& out, std::size_t limit) {
  const bool ok = run(kFlushTail, sizeof kFlushTail, out, limit);
  produced_ = 0;
  if (stream_ && inflateReset(stream_.get()) != Z_OK) return false;
  return ok;
}

bool Decompressor::run(const unsigned char* data, std::size_t size, std::string& out,
                       std::size_t limit) {
  if (!stream_) {
    auto stream = std::make_unique<z_stream>();
    if (inflateInit2(stream.get(), -kWindowBits) != Z_OK) {
      error_ = "unable to start decompression";
      return false;
    }
    stream_ = std::move(stream);
  }
  z_stream& z = *stream_;
  z.next_in = const_cast<Bytef*>(data);
  z.avail_in = static_cast<uInt>(size);
  for (;;) {
    // The bound is on the message, however its bytes arrive: one byte past it is the error.
    const std::size_t before = out.size();
    const std::size_t room = std::min(kChunk, limit + 1 - produced_);
    out.resize(before + room);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + before);
    z.avail_out = static_cast<uInt>(room);
    const int rc = inflate(&z, Z_SYNC_FLUSH);
    produced_ += room - z.avail_out;
    out.resize(before + (room - z.avail_out));
    if (produced_ > limit) {
      error_ = fmt::format("decompressed message exceeds {} bytes", limit);
      return false;
    }
    if (rc == Z_STREAM_END) {
      // A final block: whatever follows in this message is ignored, as Go's flate reader does.
      return true;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      error_ = z.msg != nullptr ? std::string("flate: ") + z.msg : "flate: corrupt input";
      return false;
    }
    // Output room left over: zlib took all it could. A full buffer may hide more output.
    if (z.avail_out != 0 && (z.avail_in == 0 || rc == Z_BUF_ERROR)) break;
  }
  return true;
}

}  // namespace gnatsd::websocket
