// HTTP helpers for the monitoring tests.
#include "http_client.hpp"

#include <httplib.h>

#include <gtest/gtest.h>

namespace gnatsd::test {

HttpResponse http_get(int port, const std::string& path_and_query,
                      std::chrono::milliseconds timeout) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  HttpResponse out;
  auto result = client.Get(path_and_query);
  if (!result) {
    out.error = httplib::to_string(result.error());
    return out;
  }
  out.status = result->status;
  out.content_type = result->get_header_value("Content-Type");
  out.body = result->body;
  return out;
}

nlohmann::json get_json(int port, const std::string& path_and_query) {
  HttpResponse r = http_get(port, path_and_query);
  EXPECT_EQ(r.status, 200) << path_and_query << ": " << r.error << r.body;
  EXPECT_EQ(r.content_type, "application/json") << path_and_query;
  if (r.status != 200) return nullptr;
  try {
    return nlohmann::json::parse(r.body);
  } catch (const std::exception& e) {
    ADD_FAILURE() << path_and_query << ": not JSON (" << e.what() << "): " << r.body;
    return nullptr;
  }
}

int monitor_port(const ServerProcess& server) {
  static constexpr std::string_view kLine = "Starting http monitor on ";
  // The line precedes "Listening for client connections", which the harness waited for.
  const std::string log = server.log();
  const size_t at = log.find(kLine);
  const size_t end = at == std::string::npos ? at : log.find('\n', at);
  if (end == std::string::npos) {
    ADD_FAILURE() << "no monitoring port in the log:\n" << log;
    return -1;
  }
  const std::string address = log.substr(at + kLine.size(), end - at - kLine.size());
  return std::stoi(address.substr(address.rfind(':') + 1));
}

bool testing_reference_server() {
  return server_binary().find("nats-server") != std::string::npos;
}

}  // namespace gnatsd::test
