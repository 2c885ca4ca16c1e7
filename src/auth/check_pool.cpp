// Helper threads for slow credential checks (see check_pool.hpp).
#include "auth/check_pool.hpp"

#include <algorithm>

namespace gnatsd::auth {

CheckPool::CheckPool(std::size_t max_threads)
    : max_threads_(std::max<std::size_t>(1, max_threads)) {}

CheckPool::~CheckPool() {
  stop();
}

bool CheckPool::submit(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return false;
    jobs_.push_back(std::move(job));
    // Threads come with the first jobs, up to the limit, and then stay (idle ones just wait).
    if (threads_.size() < max_threads_) {
      threads_.emplace_back([this] { run(); });
    }
  }
  work_ready_.notify_one();
  return true;
}

void CheckPool::stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    jobs_.clear();
    threads.swap(threads_);
  }
  work_ready_.notify_all();
  for (auto& thread : threads) thread.join();
}

void CheckPool::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    work_ready_.wait(lock, [this] { return stopped_ || !jobs_.empty(); });
    if (stopped_) return;
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    job = nullptr;  // release what the job captured before waiting again
    lock.lock();
  }
}

}  // namespace gnatsd::auth
