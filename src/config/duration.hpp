// Go-style durations, as nats-server configs and logs spell them: "1h30m", "500ms", "2.5s".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace gnatsd::config {

// Parses Go's time.ParseDuration syntax (units ns, us/µs, ms, s, m, h; fractions; sign).
std::optional<std::chrono::nanoseconds> parse_go_duration(std::string_view text);

// Go's error text for a duration parse_go_duration rejects, e.g.
// `time: unknown unit "d" in duration "1d"`: the first problem, as time.ParseDuration finds it.
std::string go_duration_error(std::string_view text);

// Formats as Go's Duration.String(): "200ms", "10s", "2m0s", "1h30m0s", "1.5s", "0s".
std::string format_go_duration(std::chrono::nanoseconds d);

}  // namespace gnatsd::config
