// HTTP helpers for the monitoring tests.
#include "http_client.hpp"

#include <httplib.h>

#include <gtest/gtest.h>

namespace gnatsd::test {
namespace {

template <typename Client>
HttpResponse get_with(Client& client, const std::string& path_and_query,
                      std::chrono::milliseconds timeout) {
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

nlohmann::json parse_json_reply(const HttpResponse& r, const std::string& path_and_query) {
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

}  // namespace

HttpResponse http_get(int port, const std::string& path_and_query,
                      std::chrono::milliseconds timeout) {
  httplib::Client client("127.0.0.1", port);
  return get_with(client, path_and_query, timeout);
}

HttpResponse https_get(int port, const std::string& path_and_query, const std::string& ca_file,
                       std::chrono::milliseconds timeout) {
  httplib::SSLClient client("127.0.0.1", port);
  client.set_ca_cert_path(ca_file.c_str());
  client.enable_server_certificate_verification(true);
  HttpResponse out = get_with(client, path_and_query, timeout);
  if (out.status == 0 && client.get_openssl_verify_result() != X509_V_OK) {
    out.error +=
        std::string(": ") + X509_verify_cert_error_string(client.get_openssl_verify_result());
  }
  return out;
}

nlohmann::json get_json(int port, const std::string& path_and_query) {
  return parse_json_reply(http_get(port, path_and_query), path_and_query);
}

nlohmann::json get_json_https(int port, const std::string& path_and_query,
                              const std::string& ca_file) {
  return parse_json_reply(https_get(port, path_and_query, ca_file), path_and_query);
}

int monitor_port(const ServerProcess& server, std::string_view scheme) {
  const std::string kLine = "Starting " + std::string(scheme) + " monitor on ";
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
