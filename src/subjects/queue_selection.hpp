// Picks the one member of a queue group that gets a message: a tiny per-thread PRNG.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <thread>

namespace gnatsd::subjects {

// wyrand (Wang Yi, public domain): one add and one 64x64->128 multiply per number, 8 bytes of
// state. std::mt19937 would cost 2.5 KB of state per thread and a regeneration pass every 624
// draws, and std::uniform_int_distribution adds a rejection loop; neither buys anything when
// all we need is "spread messages evenly over the group", not statistical or cryptographic
// quality.
class QueueRandom {
 public:
  explicit constexpr QueueRandom(std::uint64_t seed) noexcept : state_(seed) {}

  constexpr std::uint64_t next() noexcept {
    state_ += 0xa0761d6478bd642fULL;
    const unsigned __int128 product =
        static_cast<unsigned __int128>(state_) * (state_ ^ 0xe7037ed1a0b428dbULL);
    return static_cast<std::uint64_t>(product >> 64) ^ static_cast<std::uint64_t>(product);
  }

  // A value in [0, n) for n > 0 (0 when n == 0). Lemire's multiply-shift instead of `% n`: no
  // division, and the bias (at most n / 2^64) is far below anything a queue group could show.
  constexpr std::size_t below(std::size_t n) noexcept {
    return static_cast<std::size_t>(
        (static_cast<unsigned __int128>(next()) * static_cast<std::uint64_t>(n)) >> 64);
  }

 private:
  std::uint64_t state_;
};

namespace detail {

// splitmix64 finaliser: spreads a weak seed (thread id, clock) over all 64 bits.
constexpr std::uint64_t mix_seed(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

inline std::uint64_t thread_seed() noexcept {
  // Threads must not share a sequence, or I/O threads would pick members in lockstep.
  const auto id =
      static_cast<std::uint64_t>(std::hash<std::thread::id>{}(std::this_thread::get_id()));
  const auto now =
      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  return mix_seed(id ^ mix_seed(now));
}

}  // namespace detail

// The calling thread's generator, seeded on first use. Plain thread_local value with a trivial
// constructor, so access needs no TLS guard check.
inline QueueRandom& thread_queue_random() noexcept {
  thread_local QueueRandom random{0};
  thread_local bool seeded = false;
  if (!seeded) [[unlikely]] {
    random = QueueRandom{detail::thread_seed()};
    seeded = true;
  }
  return random;
}

// Index of the queue member to deliver to, uniform over [0, n); n must be > 0.
inline std::size_t pick_index(std::size_t n) noexcept {
  return thread_queue_random().below(n);
}

}  // namespace gnatsd::subjects
