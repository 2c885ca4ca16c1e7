#include "config/conf_reader.hpp"

#include <cmath>
#include <cstdint>
#include <limits>

#include <fmt/format.h>

#include "config/duration.hpp"

namespace gnatsd::config {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string ConfReader::at(const ConfPosition& position, std::string_view text) {
  if (position.line == 0) return std::string(text);
  return fmt::format("{}:{}:{}: {}", position.file, position.line, position.column, text);
}

void ConfReader::error(const ConfPosition& position, std::string_view text) {
  errors_.push_back(at(position, text));
}

void ConfReader::warning(const ConfPosition& position, std::string_view text) {
  warnings_.push_back(at(position, text));
}

void ConfReader::type_error(const ConfMapEntry& entry, std::string_view expected) {
  std::string got(entry.value.type_name());
  if (entry.value.is_string()) got += fmt::format(" \"{}\"", entry.value.as_string());
  error(entry.key_position,
        fmt::format("error parsing \"{}\": expected {}, got {}", entry.key, expected, got));
}

std::optional<std::int64_t> ConfReader::integer(const ConfMapEntry& entry) {
  if (entry.value.is_integer()) return entry.value.as_integer();
  type_error(entry, "an integer");
  return std::nullopt;
}

std::optional<int> ConfReader::port(const ConfMapEntry& entry) {
  auto value = integer(entry);
  if (!value) return std::nullopt;
  if (*value < -1 || *value > 65535) {
    error(entry.key_position,
          fmt::format("error parsing \"{}\": port {} out of range", entry.key, *value));
    return std::nullopt;
  }
  return static_cast<int>(*value);
}

std::optional<std::string> ConfReader::string(const ConfMapEntry& entry) {
  if (entry.value.is_string()) return entry.value.as_string();
  type_error(entry, "a string");
  return std::nullopt;
}

std::optional<bool> ConfReader::boolean(const ConfMapEntry& entry) {
  if (entry.value.is_bool()) return entry.value.as_bool();
  type_error(entry, "a boolean");
  return std::nullopt;
}

const ConfMap* ConfReader::map(const ConfMapEntry& entry) {
  if (entry.value.is_map()) return &entry.value.as_map();
  type_error(entry, "a map");
  return nullptr;
}

std::optional<std::vector<std::string>> ConfReader::string_list(const ConfMapEntry& entry) {
  if (entry.value.is_string()) return std::vector<std::string>{entry.value.as_string()};
  if (!entry.value.is_array()) {
    type_error(entry, "a string or an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const ConfValue& item : entry.value.as_array()) {
    if (!item.is_string()) {
      error(item.position(), fmt::format("error parsing \"{}\": expected strings, got {}",
                                         entry.key, item.type_name()));
      return std::nullopt;
    }
    out.push_back(item.as_string());
  }
  return out;
}

std::optional<std::chrono::milliseconds> ConfReader::duration(const ConfMapEntry& entry) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  if (entry.value.is_integer()) {
    warning(entry.key_position,
            fmt::format("invalid use of field \"{0}\": {0} should be converted to a duration",
                        entry.key));
    // A Go Duration holds int64 nanoseconds, as does parse_go_duration: seconds beyond that
    // are an error rather than an overflow (nats-server's multiplication wraps silently).
    const std::int64_t secs = entry.value.as_integer();
    constexpr std::int64_t kMaxSecs = std::numeric_limits<std::int64_t>::max() / 1000000000;
    if (secs > kMaxSecs || secs < -kMaxSecs) {
      error(entry.key_position,
            fmt::format("error parsing \"{}\": invalid duration \"{}\"", entry.key, secs));
      return std::nullopt;
    }
    return milliseconds(secs * 1000);
  }
  if (!entry.value.is_string()) {
    type_error(entry, "a duration");
    return std::nullopt;
  }
  auto parsed = parse_go_duration(entry.value.as_string());
  if (!parsed || parsed->count() < 0) {
    error(entry.key_position, fmt::format("error parsing \"{}\": invalid duration \"{}\"",
                                          entry.key, entry.value.as_string()));
    return std::nullopt;
  }
  return duration_cast<milliseconds>(*parsed);
}

std::optional<std::chrono::milliseconds> ConfReader::seconds(const ConfMapEntry& entry) {
  double secs = 0;
  if (entry.value.is_integer()) {
    secs = static_cast<double>(entry.value.as_integer());
  } else if (entry.value.is_float()) {
    secs = entry.value.as_float();
  } else {
    type_error(entry, "a number of seconds");
    return std::nullopt;
  }
  if (!(secs >= 0) || secs > 1e9) {
    error(entry.key_position, fmt::format("error parsing \"{}\": invalid timeout", entry.key));
    return std::nullopt;
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(secs * 1000)));
}

}  // namespace gnatsd::config
