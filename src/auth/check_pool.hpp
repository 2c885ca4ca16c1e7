// A few helper threads for slow credential checks (bcrypt costs ~100 ms at cost 11), so that an
// I/O worker's event loop keeps serving its other clients while one CONNECT is verified.
// nats-server blocks only the connecting client's goroutine; this is the event-loop equivalent.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace gnatsd::auth {

class CheckPool {
 public:
  // Threads are started on the first submit(): a server without bcrypt secrets has none.
  explicit CheckPool(std::size_t max_threads);
  ~CheckPool();
  CheckPool(const CheckPool&) = delete;
  CheckPool& operator=(const CheckPool&) = delete;

  // Any thread. Runs `job` on a helper thread; false (and `job` dropped) once stopped.
  bool submit(std::function<void()> job);
  // Drops queued jobs, waits for running ones, joins the threads. Idempotent.
  void stop();

 private:
  void run();

  const std::size_t max_threads_;
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::deque<std::function<void()>> jobs_;  // guarded by mutex_
  bool stopped_ = false;                    // guarded by mutex_
  std::vector<std::thread> threads_;        // guarded by mutex_ until stop()
};

}  // namespace gnatsd::auth
