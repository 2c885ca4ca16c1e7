// The monitoring HTTP(S) server (-m / http_port, or -ms / https_port with the tls {} certificate):
// cpp-httplib on its own threads, so that a slow HTTP client never holds up message delivery.
// Serves nats-server's endpoints (/varz, /connz, /routez, /subsz, /healthz, /) plus /metrics for
// Prometheus.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "config/options.hpp"
#include "monitor/process_usage.hpp"

namespace httplib {
class Server;
}

namespace gnatsd::server {
class Server;
}

namespace gnatsd::monitor {

class MonitorServer {
 public:
  explicit MonitorServer(server::Server& server);
  ~MonitorServer();
  MonitorServer(const MonitorServer&) = delete;
  MonitorServer& operator=(const MonitorServer&) = delete;

  // Binds host:port (-1: a port the OS chooses) and starts serving: plain HTTP, or HTTPS when
  // `tls` is given (its certificate and policy; clients are never asked for certificates, as
  // nats-server's HTTPS monitor does not). Returns "" or the reason in nats-server's words
  // ("can't listen to the monitor port: listen tcp ...").
  std::string start(const std::string& host, int port, std::string_view base_path,
                    const config::TlsOptions* tls = nullptr);
  // Stops accepting, finishes the requests in flight and joins the threads. Idempotent.
  void stop();
  int port() const noexcept { return port_; }
  bool https() const noexcept { return https_; }

  // Counts a request to `path` for /varz http_req_stats (any thread).
  void count_request(const std::string& path);
  std::map<std::string, std::uint64_t> request_stats() const;
  ProcessUsage& usage() noexcept { return usage_; }

 private:
  void install_routes(const std::string& base);

  server::Server& server_;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  int port_ = 0;
  bool https_ = false;
  ProcessUsage usage_;
  mutable std::mutex stats_mutex_;
  std::map<std::string, std::uint64_t> request_stats_;  // sorted, as Go marshals maps
};

}  // namespace gnatsd::monitor
