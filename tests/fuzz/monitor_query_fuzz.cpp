// Fuzz target for the monitoring endpoints' query arguments: the input is a query string,
// decoded into parameters as cpp-httplib does for a request, then through every decoder the
// endpoints use (/connz, /subsz, /routez options). Bad values must give a 400 text, not a crash.
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
  (void)parse_connz_options(params);
  (void)parse_subsz_options(params);
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
