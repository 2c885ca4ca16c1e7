// permessage-deflate (RFC 7692) with no context takeover either way, as nats-server negotiates
// it: every message is compressed and inflated on its own. zlib's raw deflate; each side's
// state is made on first use, so a connection that never compresses pays nothing.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace gnatsd::websocket {

class Compressor {
 public:
  Compressor() = default;
  ~Compressor();
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;

  // Appends the compressed form of `data` (one message) to `out`, without the trailing
  // 00 00 ff ff of the sync flush, as the extension's frames carry it. False on a zlib error.
  bool compress(std::string_view data, std::string& out);

 private:
  std::unique_ptr<z_stream> stream_;
};

class Decompressor {
 public:
  Decompressor() = default;
  ~Decompressor();
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;

  // Feeds compressed bytes of the current message; appends what they inflate to into `out`.
  // False on corrupt data or when the message inflates to more than `limit` bytes.
  bool feed(std::string_view data, std::string& out, std::size_t limit);
  // Ends the current message (feeds the 00 00 ff ff the sender left out) and readies the next.
  bool finish(std::string& out, std::size_t limit);
  const std::string& error() const noexcept { return error_; }

 private:
  bool run(const unsigned char* data, std::size_t size, std::string& out, std::size_t limit);

  std::unique_ptr<z_stream> stream_;
  std::size_t produced_ = 0;  // inflated bytes of the current message
  std::string error_;
};

}  // namespace gnatsd::websocket
