// Typed reads of config values for the options layer: each read either yields the value or
// records an error at the key's position, so one pass reports every bad key, as nats-server does.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/conf_value.hpp"

namespace gnatsd::config {

class ConfReader {
 public:
  // "file:line:col: text", or just the text when there is no position.
  static std::string at(const ConfPosition& position, std::string_view text);

  void error(const ConfPosition& position, std::string_view text);
  void warning(const ConfPosition& position, std::string_view text);

  std::optional<std::int64_t> integer(const ConfMapEntry& entry);
  std::optional<int> port(const ConfMapEntry& entry);  // -1..65535
  std::optional<std::string> string(const ConfMapEntry& entry);
  std::optional<bool> boolean(const ConfMapEntry& entry);
  const ConfMap* map(const ConfMapEntry& entry);
  // A string or an array of strings (nats-server accepts both for subject lists and routes).
  std::optional<std::vector<std::string>> string_list(const ConfMapEntry& entry);
  // A Go duration string ("2s", "1m30s"); a plain integer counts as seconds with nats-server's
  // "should be converted to a duration" warning.
  std::optional<std::chrono::milliseconds> duration(const ConfMapEntry& entry);
  // Seconds as an integer or a float (authorization/tls timeout).
  std::optional<std::chrono::milliseconds> seconds(const ConfMapEntry& entry);

  // The errors and warnings gathered so far, already formatted.
  const std::vector<std::string>& errors() const { return errors_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  void type_error(const ConfMapEntry& entry, std::string_view expected);

  std::vector<std::string> errors_;
  std::vector<std::string> warnings_;
};

// Lower-cased copy: nats-server matches option names case-insensitively.
std::string lower(std::string_view text);

}  // namespace gnatsd::config
