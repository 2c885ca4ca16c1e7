// A small HTTP client for the monitoring tests (cpp-httplib's), and the monitoring port of a
// server started with `-m -1`, read from its "Starting http monitor on HOST:PORT" log line.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "server_process.hpp"

namespace gnatsd::test {

struct HttpResponse {
  int status = 0;  // 0: no response (the error says why)
  std::string content_type;
  std::string body;
  std::string error;
};

// GET http://127.0.0.1:port<path_and_query>; every wait bounded by `timeout`.
HttpResponse http_get(int port, const std::string& path_and_query,
                      std::chrono::milliseconds timeout = std::chrono::seconds(5));

// GET that must answer 200 application/json; the parsed body, or null with a test failure.
nlohmann::json get_json(int port, const std::string& path_and_query);

// The monitoring port the server logged at start-up; -1 (and a test failure) if none.
int monitor_port(const ServerProcess& server);

// Whether the binary under test is the reference nats-server (some gnatsd-only additions,
// like the 0.x field aliases, are checked only against gnatsd).
bool testing_reference_server();

}  // namespace gnatsd::test
