// One epoll event loop, run by exactly one thread. Other threads talk to it only through
// post() and wake(), which are thread-safe; everything else must be called on the loop thread.
#pragma once

#include <sys/epoll.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <span>
#include <vector>

namespace gnatsd::net {

// Receives readiness events for one registered file descriptor.
class IoHandler {
 public:
  virtual void on_io(std::uint32_t events) = 0;

 protected:
  ~IoHandler() = default;
};

// An IoHandler that forwards to a callable; for the few fds that are not sessions.
class CallbackHandler final : public IoHandler {
 public:
  explicit CallbackHandler(std::function<void(std::uint32_t)> fn) : fn_(std::move(fn)) {}
  void on_io(std::uint32_t events) override { fn_(events); }

 private:
  std::function<void(std::uint32_t)> fn_;
};

class EventLoop {
 public:
  using Task = std::function<void()>;
  using Clock = std::chrono::steady_clock;

  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Registration (loop thread, or before run()).
  bool add(int fd, std::uint32_t events, IoHandler* handler);
  bool modify(int fd, std::uint32_t events, IoHandler* handler);
  void remove(int fd);

  // Called on the loop thread after each batch of events, and after woken-up work:
  // the place where sessions touched during the batch flush their output once.
  void set_after_batch(std::function<void()> hook) { after_batch_ = std::move(hook); }
  // Called on the loop thread whenever another thread called wake().
  void set_on_wake(std::function<void()> hook) { on_wake_ = std::move(hook); }
  // A periodic callback on the loop thread (pings, write deadlines).
  void set_tick(std::chrono::milliseconds period, std::function<void()> hook);

  // Loop thread: run `task` once, no sooner than `delay` from now (millisecond resolution).
  void run_after(std::chrono::milliseconds delay, Task task);

  // Thread-safe.
  void post(Task task);
  void wake();
  void stop();

  void run();  // until stop()
  bool stopped() const noexcept { return stop_.load(std::memory_order_acquire); }

 private:
  // After a batch with events, the loop polls for this long (yielding the core between polls)
  // before it sleeps: a reply, the next request or the rest of a stream usually comes within
  // it, and a thread that slept must be woken by the kernel — tens of microseconds when its
  // core went idle (more in a VM, where an idle vCPU halts) and twice per round trip. An idle
  // server does not poll; a busy one rarely finds nothing. The cost is bounded: this much CPU
  // per burst of activity, given up to any other thread that wants the core. Measured on 2
  // cores (make bench, request/reply placements): 20 µs left the blocking client's half round
  // trip (~25 µs) outside the window; 50 µs and 100 µs did equally well, with lower server CPU
  // per request than sleeping (fewer wake-ups).
  static constexpr std::chrono::microseconds kPollAfterActivity{50};
  // Non-blocking polls until an event comes or kPollAfterActivity passed; the event count.
  int poll_briefly(std::span<epoll_event> events);
  void drain_wakeups();
  bool run_due_timers(Clock::time_point now);  // true when anything ran
  int next_timeout_ms(Clock::time_point now) const;

  struct Timer {
    Clock::time_point due;
    std::uint64_t seq;  // FIFO among equal deadlines
    Task task;
    bool operator>(const Timer& other) const {
      return due != other.due ? due > other.due : seq > other.seq;
    }
  };

  bool busy_ = false;  // the last wait returned events
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<bool> wake_pending_{false};
  std::mutex tasks_mutex_;
  std::vector<Task> tasks_;
  std::vector<Task> running_tasks_;
  std::function<void()> after_batch_;
  std::function<void()> on_wake_;
  std::function<void()> tick_;
  std::chrono::milliseconds tick_period_{0};
  Clock::time_point next_tick_{};
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::uint64_t timer_seq_ = 0;
};

}  // namespace gnatsd::net
