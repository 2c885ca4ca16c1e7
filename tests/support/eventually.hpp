// The bounded wait of every test: poll a condition until it holds or a deadline passes. Tests
// never sleep and hope; they wait for what they need, for at most a stated time.
#pragma once

#include <chrono>
#include <filesystem>
#include <thread>

namespace gnatsd::test {

inline constexpr std::chrono::milliseconds kEventuallyTimeout = std::chrono::seconds(5);
inline constexpr std::chrono::milliseconds kEventuallyPoll = std::chrono::milliseconds(5);

// True as soon as `predicate()` holds; false if it still does not once `timeout` has passed
// (it is asked one last time at the deadline). Between tries it sleeps `poll`.
template <class Predicate>
bool eventually(Predicate&& predicate, std::chrono::milliseconds timeout = kEventuallyTimeout,
                std::chrono::milliseconds poll = kEventuallyPoll) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (predicate()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(poll);
  }
}

// True once `path` no longer exists (a file the server removes), within `timeout`.
inline bool wait_until_gone(const std::filesystem::path& path,
                            std::chrono::milliseconds timeout = kEventuallyTimeout) {
  return eventually([&] { return !std::filesystem::exists(path); }, timeout,
                    std::chrono::milliseconds(10));
}

}  // namespace gnatsd::test
