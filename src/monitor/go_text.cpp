// Go-compatible text for monitoring responses (see go_text.hpp).
#include "monitor/go_text.hpp"

#include <cmath>
#include <ctime>

#include <fmt/format.h>

#include "config/duration.hpp"

namespace gnatsd::monitor {

std::string rfc3339_nano(server::WallClock::time_point t) {
  const auto ns_since_epoch =
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  std::int64_t seconds = ns_since_epoch / 1'000'000'000;
  std::int64_t nanos = ns_since_epoch % 1'000'000'000;
  if (nanos < 0) {
    nanos += 1'000'000'000;
    --seconds;
  }
  const std::time_t tt = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&tt, &utc);
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", utc.tm_year + 1900,
                                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
  if (nanos != 0) {
    std::string fraction = fmt::format("{:09}", nanos);
    while (fraction.back() == '0') fraction.pop_back();
    out += "." + fraction;
  }
  out += "Z";
  return out;
}

std::string uptime_text(std::chrono::nanoseconds d) {
  const std::int64_t secs = std::max<std::int64_t>(0, d.count() / 1'000'000'000);
  const std::int64_t mins = secs / 60, hours = mins / 60, days = hours / 24, years = days / 365;
  if (years > 0) {
    return fmt::format("{}y{}d{}h{}m{}s", years, days % 365, hours % 24, mins % 60, secs % 60);
  }
  if (days > 0) return fmt::format("{}d{}h{}m{}s", days, hours % 24, mins % 60, secs % 60);
  if (hours > 0) return fmt::format("{}h{}m{}s", hours, mins % 60, secs % 60);
  if (mins > 0) return fmt::format("{}m{}s", mins, secs % 60);
  return fmt::format("{}s", secs);
}

std::string rtt_text(std::chrono::nanoseconds rtt) {
  using namespace std::chrono_literals;
  if (rtt > 1us && rtt < 1ms) rtt = std::chrono::duration_cast<std::chrono::microseconds>(rtt);
  return config::format_go_duration(rtt);
}

Json go_float(double value) {
  if (std::isfinite(value) && value == std::trunc(value) && std::fabs(value) < 1e15) {
    return static_cast<std::int64_t>(value);
  }
  return value;
}

}  // namespace gnatsd::monitor
