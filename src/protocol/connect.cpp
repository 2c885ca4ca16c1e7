// CONNECT JSON decoding with nlohmann::json: a field of the wrong type is an error, as in
// nats-server's json.Unmarshal into its connect struct.
#include "protocol/connect.hpp"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <limits>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace gnatsd::protocol {
namespace {

// "protocol" is a Go int in nats-server, so a number with a fraction or an exponent, or one
// beyond int64, fails decoding. One beyond int is clamped: the version check still rejects it.
// (nlohmann's get<int> would convert 1e30 with undefined behaviour, and truncate 2^32 to the
// valid version 0.)
int decode_protocol(const nlohmann::json& connect) {
  const auto it = connect.find("protocol");
  if (it == connect.end()) return 0;
  constexpr std::int64_t kMin = std::numeric_limits<int>::min();
  constexpr std::int64_t kMax = std::numeric_limits<int>::max();
  if (it->is_number_float()) throw std::runtime_error("CONNECT protocol is not an integer");
  if (it->is_number_unsigned()) {
    const auto value = it->get<std::uint64_t>();
    if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      throw std::runtime_error("CONNECT protocol is out of range");
    }
    return static_cast<int>(std::min(static_cast<std::int64_t>(value), kMax));
  }
  if (it->is_number_integer()) {
    return static_cast<int>(std::clamp(it->get<std::int64_t>(), kMin, kMax));
  }
  return it->get<int>();  // not a number: nlohmann's type error
}

}  // namespace

std::optional<std::string> decode_connect(std::string_view json, ConnectOptions& into) {
  try {
    const nlohmann::json connect = nlohmann::json::parse(json);
    if (!connect.is_object()) throw std::runtime_error("CONNECT argument is not a JSON object");
    into.verbose = connect.value("verbose", into.verbose);  // absent: unchanged
    into.pedantic = connect.value("pedantic", into.pedantic);
    into.echo = connect.value("echo", true);
    into.headers = connect.value("headers", false);
    into.no_responders = connect.value("no_responders", false);
    into.name = connect.value("name", std::string());
    into.lang = connect.value("lang", std::string());
    into.version = connect.value("version", std::string());
    into.protocol = decode_protocol(connect);
    into.options_decoded = true;
    into.credentials.user = connect.value("user", std::string());
    into.credentials.password = connect.value("pass", std::string());
    into.credentials.token = connect.value("auth_token", std::string());
    into.credentials.nkey = connect.value("nkey", std::string());
    into.credentials.signature = connect.value("sig", std::string());
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

}  // namespace gnatsd::protocol
