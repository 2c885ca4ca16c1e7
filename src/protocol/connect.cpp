// CONNECT JSON decoding with nlohmann::json: a field of the wrong type is an error, as in
// nats-server's json.Unmarshal into its connect struct.
#include "protocol/connect.hpp"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <limits>
#include <stdexcept>
#include <string_view>

#include <nlohmann/json.hpp>

namespace gnatsd::protocol {
namespace {

// "protocol" is a Go int in nats-server, so a number with a fraction or an exponent, or one
// beyond int64, fails decoding. One beyond int is clamped: the version check still rejects it.
// (nlohmann's get<int> would convert 1e30 with undefined behaviour, and truncate 2^32 to the
// valid version 0.)
int decode_protocol(const nlohmann::json& connect) {
  const auto it = connect.find("protocol");
  if (it == connect.end() || it->is_null()) return 0;
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

// A field as json.Unmarshal fills a Go struct field: absent or null leaves `fallback`; any other
// value must have the field's type.
template <typename T>
T field(const nlohmann::json& connect, const char* key, T fallback) {
  const auto it = connect.find(key);
  if (it == connect.end() || it->is_null()) return fallback;
  return it->get<T>();  // the wrong type: nlohmann's type error
}

// Go's decoder does not skip a byte order mark (nlohmann's does).
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

}  // namespace

std::optional<std::string> decode_connect(std::string_view json, ConnectOptions& into) {
  try {
    if (json.starts_with(kUtf8Bom)) throw std::runtime_error("CONNECT argument is not JSON");
    const nlohmann::json parsed = nlohmann::json::parse(json);
    // A JSON null decodes into a Go struct as nothing at all, as an empty object does.
    const nlohmann::json connect = parsed.is_null() ? nlohmann::json::object() : parsed;
    if (!connect.is_object()) throw std::runtime_error("CONNECT argument is not a JSON object");
    into.verbose = field(connect, "verbose", into.verbose);  // absent: unchanged
    into.pedantic = field(connect, "pedantic", into.pedantic);
    into.echo = field(connect, "echo", true);
    into.headers = field(connect, "headers", false);
    into.no_responders = field(connect, "no_responders", false);
    into.name = field(connect, "name", std::string());
    into.lang = field(connect, "lang", std::string());
    into.version = field(connect, "version", std::string());
    into.protocol = decode_protocol(connect);
    into.options_decoded = true;
    into.credentials.user = field(connect, "user", std::string());
    into.credentials.password = field(connect, "pass", std::string());
    into.credentials.token = field(connect, "auth_token", std::string());
    into.credentials.nkey = field(connect, "nkey", std::string());
    into.credentials.signature = field(connect, "sig", std::string());
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

}  // namespace gnatsd::protocol
