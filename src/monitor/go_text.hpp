// Text exactly as nats-server (Go) writes it in monitoring responses: RFC 3339 times with
// nanoseconds, uptimes ("1m33s"), round-trip times, and JSON as Go's encoding/json
// marshals it.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/go_json.hpp"
#include "server/conn_info.hpp"

namespace gnatsd::monitor {

using Json = common::OrderedJson;  // keeps fields in nats-server's order

// Go's time.RFC3339Nano in UTC: "2026-01-10T08:17:29.970134607Z", trailing zeros of the
// fraction dropped (and the dot with them).
std::string rfc3339_nano(server::WallClock::time_point t);

// nats-server's myUptime: whole seconds as "1y2d3h4m5s", leading zero units left out ("0s").
std::string uptime_text(std::chrono::nanoseconds d);

// nats-server's getRTT().String(): a Go duration, truncated to microseconds below 1ms.
std::string rtt_text(std::chrono::nanoseconds rtt);

// A float64 field as Go prints it: integral values without a fraction ("2", not "2.0").
Json go_float(double value);

using common::to_go_json;

}  // namespace gnatsd::monitor
