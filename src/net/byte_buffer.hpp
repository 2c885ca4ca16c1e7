// A growable byte buffer for outbound frames: reserve once, write with memcpy, no
// zero-filling and no per-append capacity checks. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace gnatsd::net {

class ByteBuffer {
 public:
  std::size_t size() const noexcept { return size_; }
  std::size_t capacity() const noexcept { return capacity_; }
  bool empty() const noexcept { return size_ == 0; }
  const char* data() const noexcept { return data_.get(); }
  std::string_view view() const noexcept { return {data_.get(), size_}; }

  void clear() noexcept { size_ = 0; }
  // Drops the storage too (after a burst, so it does not stay pinned).
  void release() noexcept {
    data_.reset();
    size_ = capacity_ = 0;
  }
  void swap(ByteBuffer& other) noexcept {
    data_.swap(other.data_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
  }

  // Space for `n` more bytes; write them through the pointer, then commit(n).
  char* reserve_tail(std::size_t n) {
    if (capacity_ - size_ < n) grow(size_ + n);
    return data_.get() + size_;
  }
  void commit(std::size_t n) noexcept { size_ += n; }

  void append(std::string_view bytes) {
    std::memcpy(reserve_tail(bytes.size()), bytes.data(), bytes.size());
    size_ += bytes.size();
  }

 private:
  // Small first: an idle connection holds only its INFO/PONG-sized buffer; a busy one doubles
  // its way up within a few flushes.
  static constexpr std::size_t kMinCapacity = 512;

  void grow(std::size_t needed) {
    std::size_t next = capacity_ < kMinCapacity ? kMinCapacity : capacity_ * 2;
    while (next < needed) next *= 2;
    auto bigger = std::make_unique_for_overwrite<char[]>(next);
    if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = next;
  }

  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace gnatsd::net
