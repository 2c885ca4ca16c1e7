// When a publisher is held back for a subscriber its deliveries leave behind, and when that
// subscriber counts as stuck instead (see Connection::pause_reading and the deliveries).
#pragma once

#include <chrono>
#include <cstddef>

namespace gnatsd::server::back_pressure {

// A publisher whose deliveries leave a subscriber more than this fraction of max_pending behind
// stops being read for kPublisherPause, giving the subscriber's worker time to drain it — unless
// that subscriber is stuck: its socket has refused bytes for longer than kStuckWindow. A stuck
// subscriber gets no such courtesy: it reaches max_pending and is cut off, and never holds up
// the publisher. A subscriber whose worker simply has not flushed yet (a busy or descheduled
// thread) is not stuck, and the publisher waits for it.
constexpr std::size_t kBacklogNumerator = 1, kBacklogDenominator = 2;
constexpr std::chrono::milliseconds kPublisherPause{1};
constexpr std::chrono::nanoseconds kStuckWindow = std::chrono::milliseconds(5);
// Once paused, a publisher waits in kPublisherPause steps for as long as its subscriber is still
// backlogged and not stuck for kPausedStuckWindow (wider, so that a subscriber whose reader is
// briefly descheduled is not mistaken for a stuck one), up to kMaxPublisherPause in all.
constexpr std::chrono::nanoseconds kPausedStuckWindow = std::chrono::milliseconds(50);
constexpr std::chrono::milliseconds kMaxPublisherPause{250};

// More than half of max_pending queued.
constexpr bool is_heavy(std::size_t pending, std::size_t max_pending) noexcept {
  return pending * kBacklogDenominator > max_pending * kBacklogNumerator;
}

}  // namespace gnatsd::server::back_pressure
