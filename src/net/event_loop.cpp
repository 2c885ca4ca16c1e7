// epoll loop with an eventfd for cross-thread wake-ups. Level-triggered: a handler that
// leaves data unread is simply called again on the next turn.
#include "net/event_loop.hpp"

#include <sched.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <system_error>

namespace gnatsd::net {

EventLoop::EventLoop() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;  // nullptr marks the wake-up fd
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
}

EventLoop::~EventLoop() {
  if (wake_fd_ >= 0) close(wake_fd_);
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

bool EventLoop::add(int fd, std::uint32_t events, IoHandler* handler) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = handler;
  return epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

bool EventLoop::modify(int fd, std::uint32_t events, IoHandler* handler) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = handler;
  return epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) == 0;
}

void EventLoop::remove(int fd) {
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
}

void EventLoop::set_tick(std::chrono::milliseconds period, std::function<void()> hook) {
  tick_period_ = period;
  tick_ = std::move(hook);
  next_tick_ = Clock::now() + period;
}

void EventLoop::run_after(std::chrono::milliseconds delay, Task task) {
  timers_.push(Timer{Clock::now() + delay, timer_seq_++, std::move(task)});
}

bool EventLoop::run_due_timers(Clock::time_point now) {
  bool ran = false;
  if (tick_ && now >= next_tick_) {
    ran = true;
    tick_();
    next_tick_ = now + tick_period_;
  }
  while (!timers_.empty() && timers_.top().due <= now) {
    Task task = std::move(const_cast<Timer&>(timers_.top()).task);
    timers_.pop();
    task();
    ran = true;
  }
  return ran;
}

int EventLoop::next_timeout_ms(Clock::time_point now) const {
  bool any = false;
  Clock::time_point next{};
  if (tick_) {
    next = next_tick_;
    any = true;
  }
  if (!timers_.empty() && (!any || timers_.top().due < next)) {
    next = timers_.top().due;
    any = true;
  }
  if (!any) return -1;
  if (next <= now) return 0;
  return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(next - now).count());
}

void EventLoop::post(Task task) {
  {
    std::lock_guard lock(tasks_mutex_);
    tasks_.push_back(std::move(task));
  }
  wake();
}

void EventLoop::wake() {
  // Coalesce: one eventfd write per burst of wake() calls, however many threads call it.
  if (wake_pending_.exchange(true, std::memory_order_acq_rel)) return;
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

void EventLoop::stop() {
  stop_.store(true, std::memory_order_release);
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

void EventLoop::drain_wakeups() {
  std::uint64_t count;
  while (::read(wake_fd_, &count, sizeof count) > 0) {
  }
  wake_pending_.store(false, std::memory_order_release);
  {
    std::lock_guard lock(tasks_mutex_);
    running_tasks_.swap(tasks_);
  }
  for (auto& task : running_tasks_) task();
  running_tasks_.clear();
  if (on_wake_) on_wake_();
}

int EventLoop::poll_briefly(std::span<epoll_event> events) {
  const auto until = Clock::now() + kPollAfterActivity;
  for (;;) {
    const int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), 0);
    if (n != 0 || Clock::now() >= until) return n;
    // Whoever else wants this core (the client about to answer, on a small machine) runs now.
    sched_yield();
  }
}

void EventLoop::run() {
  std::array<epoll_event, 256> events;
  while (!stop_.load(std::memory_order_acquire)) {
    auto now = Clock::now();
    // Timers may queue output (PINGs, resumed reads): flush it before sleeping.
    if (run_due_timers(now) && after_batch_) after_batch_();
    // A fresh clock: a timer queued just now with no delay (a TLS session coming back for
    // input OpenSSL holds) must not wait a millisecond.
    int timeout_ms = next_timeout_ms(Clock::now());
    int n = busy_ && timeout_ms != 0 ? poll_briefly(events) : 0;
    if (n == 0) {
      n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), timeout_ms);
    }
    busy_ = n > 0;
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "epoll_wait");
    }
    bool woken = false;
    for (int i = 0; i < n; ++i) {
      auto* handler = static_cast<IoHandler*>(events[i].data.ptr);
      if (handler == nullptr) {
        woken = true;
        continue;
      }
      handler->on_io(events[i].events);
    }
    if (woken) drain_wakeups();
    if (after_batch_) after_batch_();
  }
  // Run whatever was posted before stop(), e.g. the shutdown work itself.
  drain_wakeups();
  if (after_batch_) after_batch_();
}

}  // namespace gnatsd::net
