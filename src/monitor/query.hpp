// Query-string arguments of the monitoring endpoints, decoded as nats-server decodes them, with
// its exact 400 texts ("Error decoding int for 'limit': strconv.Atoi: parsing "x": invalid
// syntax").
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace gnatsd::monitor {

// Decoded query arguments (cpp-httplib's Params): a name may repeat; the first value counts.
using Params = std::multimap<std::string, std::string>;

// A decoded argument, or the text of the 400 that rejects it.
template <class T>
struct Decoded {
  T value{};
  std::string error;
  bool ok() const noexcept { return error.empty(); }
};

// The first value of `name`, or "" when absent (Go's url.Values.Get).
std::string param(const Params& params, std::string_view name);

// Absent or empty arguments decode to false / 0, as in nats-server.
Decoded<bool> decode_bool(const Params& params, std::string_view name);
Decoded<std::int64_t> decode_int(const Params& params, std::string_view name);
Decoded<std::uint64_t> decode_uint64(const Params& params, std::string_view name);

// /connz?state=open|closed|any|all (any case).
enum class ConnState { Open, Closed, All };
Decoded<ConnState> decode_state(const Params& params);

// subs=detail, or a boolean.
struct SubsOption {
  bool list = false;
  bool detail = false;
};
Decoded<SubsOption> decode_subs(const Params& params);

// The slice [first, last) of `size` items that ?offset and ?limit select: never past the end,
// and no overflow for any limit (offset=1&limit=9223372036854775807 once wrapped around).
struct PageBounds {
  std::int64_t first = 0;
  std::int64_t last = 0;
};
PageBounds page_bounds(std::int64_t offset, std::int64_t limit, std::int64_t size);

}  // namespace gnatsd::monitor
