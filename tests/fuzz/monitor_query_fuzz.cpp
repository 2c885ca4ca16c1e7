// Fuzz target for the monitoring endpoints' query arguments: the input is a query string,
// decoded into parameters as cpp-httplib does for a request, then through every decoder the
// endpoints use (/connz, /subsz, /routez options), and the page they select. Bad values must
// give a 400 text, not a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include <httplib.h>

#include "monitor/connz.hpp"
#include "monitor/query.hpp"
#include "monitor/subsz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gnatsd::monitor;
  const std::string query(reinterpret_cast<const char*>(data), size);
  Params params;
  httplib::detail::parse_query_text(query, params);
  // The page each endpoint would cut from lists of a few sizes must lie inside the list.
  auto check_page = [](std::int64_t offset, std::int64_t limit) {
    for (const std::int64_t size : {0, 1, 7, 1000}) {
      const PageBounds page = page_bounds(offset, limit, size);
      if (page.first < 0 || page.first > page.last || page.last > size) __builtin_trap();
    }
  };
  if (auto connz = parse_connz_options(params); connz.ok()) {
    check_page(connz.value.offset, connz.value.limit);
  }
  if (auto subsz = parse_subsz_options(params); subsz.ok()) {
    check_page(subsz.value.offset, subsz.value.limit);
  }
  // And the raw decoded values, whatever the endpoints' clamping.
  check_page(decode_int(params, "offset").value, decode_int(params, "limit").value);
  (void)decode_subs(params);
  (void)param(params, "callback");
  // Every name the input uses, through each decoder.
  for (const auto& [name, value] : params) {
    (void)decode_bool(params, name);
    (void)decode_int(params, name);
    (void)decode_uint64(params, name);
  }
  return 0;
}
