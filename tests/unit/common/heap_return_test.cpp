// Freed-buffer accounting: small frees are ignored, memory is returned once enough large
// buffers were freed, and the count starts over after each return.
#include "common/heap_return.hpp"

#include <gtest/gtest.h>

namespace gnatsd::common {
namespace {

TEST(HeapReturnTest, ReturnsOnlyOnceEnoughLargeBuffersWereFreed) {
  constexpr std::size_t kThreshold = 4 * kLargeBuffer;
  return_freed_memory(0);  // start from a clean count whatever ran before
  for (int i = 0; i < 100; ++i) note_buffer_freed(kLargeBuffer - 1);  // too small to count
  EXPECT_FALSE(return_freed_memory(kThreshold));
  note_buffer_freed(2 * kLargeBuffer);
  EXPECT_FALSE(return_freed_memory(kThreshold));
  note_buffer_freed(2 * kLargeBuffer);
  EXPECT_TRUE(return_freed_memory(kThreshold));
  EXPECT_FALSE(return_freed_memory(kThreshold));  // counted afresh
}

}  // namespace
}  // namespace gnatsd::common
