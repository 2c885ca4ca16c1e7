// Freed-buffer accounting and malloc_trim (see heap_return.hpp).
#include "common/heap_return.hpp"

#include <malloc.h>

#include <atomic>

namespace gnatsd::common {
namespace {

std::atomic<std::size_t> freed_since_return{0};

}  // namespace

void note_buffer_freed(std::size_t capacity) noexcept {
  if (capacity >= kLargeBuffer) freed_since_return.fetch_add(capacity, std::memory_order_relaxed);
}

bool return_freed_memory(std::size_t threshold) noexcept {
  std::size_t freed = freed_since_return.load(std::memory_order_relaxed);
  if (freed < threshold) return false;
  // One caller returns the memory; the others see the count reset.
  if (!freed_since_return.compare_exchange_strong(freed, 0, std::memory_order_relaxed)) {
    return false;
  }
  ::malloc_trim(0);
  return true;
}

}  // namespace gnatsd::common
