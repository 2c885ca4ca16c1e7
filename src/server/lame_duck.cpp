// Lame duck mode, as nats-server: SIGUSR2 (or `--signal ldm`) stops accepting new clients, sends
// connected clients an INFO with "ldm": true so that they can move elsewhere, waits
// lame_duck_grace_period, then closes the remaining clients one at a time, spread over what is
// left of lame_duck_duration (at most 500 ms apart, as nats-server 2.9.10 does with few
// clients), and finally shuts down with exit code 0.
#include <algorithm>

#include "cluster/cluster.hpp"
#include "log/logger.hpp"
#include "server/server.hpp"
#include "server/worker.hpp"

namespace gnatsd::server {
namespace {
constexpr std::chrono::milliseconds kMaxCloseInterval{500};
}

void Server::enter_lame_duck() {
  if (lame_duck_ || shutting_down_.load()) return;
  lame_duck_ = true;
  log::info("Entering lame duck mode, stop accepting new clients");
  if (listener_.fd() >= 0 && !accept_paused_) main_loop_.remove(listener_.fd());
  accept_paused_ = false;
  listener_.close();
  stop_websocket_listener();
  if (num_clients() == 0) {
    request_shutdown();
    return;
  }
  // The other servers drop this one's client URLs from what they advertise (INFO "ldm").
  if (cluster_) cluster_->announce_lame_duck();
  for (auto& worker : workers_) worker->notify_lame_duck();

  const config::Options& options = this->options();
  const auto grace = std::min(options.lame_duck_grace_period, options.lame_duck_duration);
  lame_duck_deadline_ = std::chrono::steady_clock::now() + options.lame_duck_duration;
  main_loop_.run_after(grace, [this] {
    log::info("Closing existing clients");
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        lame_duck_deadline_ - std::chrono::steady_clock::now());
    const auto clients = std::max(1, num_clients());
    lame_duck_interval_ =
        std::clamp(left / clients, std::chrono::milliseconds(1), kMaxCloseInterval);
    lame_duck_step();
  });
}

void Server::lame_duck_step() {
  if (shutting_down_.load()) return;
  if (num_clients() == 0 || std::chrono::steady_clock::now() >= lame_duck_deadline_) {
    request_shutdown();
    return;
  }
  // One client per step, from the workers in turn; a worker with none left simply passes.
  workers_[lame_duck_next_worker_]->close_one_client();
  lame_duck_next_worker_ = (lame_duck_next_worker_ + 1) % workers_.size();
  main_loop_.run_after(lame_duck_interval_, [this] { lame_duck_step(); });
}

}  // namespace gnatsd::server
