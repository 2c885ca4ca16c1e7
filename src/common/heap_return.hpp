// Giving freed buffer memory back to the OS. glibc keeps what a thread frees in that thread's
// arena, and after the first large buffer is freed it raises its mmap threshold, so later large
// buffers come from arenas too and stay resident when freed: RSS climbs with every burst of
// slow consumers (issue 13) even though the memory is free. The outbound buffers that grow to
// megabytes report their frees here, and each worker's tick returns the memory once enough of
// it was freed (malloc_trim), so RSS follows the live buffers instead of the largest burst.
#pragma once

#include <cstddef>

namespace gnatsd::common {

// Buffers at least this large count: smaller chunks are reused by the allocator anyway.
inline constexpr std::size_t kLargeBuffer = 128 * 1024;

// Any thread: a buffer of `capacity` bytes was freed (ignored below kLargeBuffer).
void note_buffer_freed(std::size_t capacity) noexcept;

// Any thread: when at least `threshold` bytes of large buffers were freed since the memory was
// last returned, returns it to the OS and says so; otherwise one atomic load and false.
bool return_freed_memory(std::size_t threshold) noexcept;

}  // namespace gnatsd::common
