// A small HTTP(S) client for the monitoring tests (cpp-httplib's), and the monitoring port of a
// server started with `-m -1` / `-ms -1`, read from its "Starting http(s) monitor on HOST:PORT"
// log line.
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

// GET https://127.0.0.1:port<path_and_query>, verifying the server's certificate (chain to
// `ca_file`, and 127.0.0.1 among its names).
HttpResponse https_get(int port, const std::string& path_and_query, const std::string& ca_file,
                       std::chrono::milliseconds timeout = std::chrono::seconds(5));

// GET that must answer 200 application/json; the parsed body, or null with a test failure.
nlohmann::json get_json(int port, const std::string& path_and_query);
// The same over HTTPS (see https_get).
nlohmann::json get_json_https(int port, const std::string& path_and_query,
                              const std::string& ca_file);

// The monitoring port the server logged at start-up ("http" or "https"); -1 (and a test
// failure) if none.
int monitor_port(const ServerProcess& server, std::string_view scheme = "http");

// Whether the binary under test is the reference nats-server (some gnatsd-only additions,
// like the 0.x field aliases, are checked only against gnatsd).
bool testing_reference_server();

}  // namespace gnatsd::test
