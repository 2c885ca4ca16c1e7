// Fuzz target for CONNECT's JSON argument (decode_connect): any text decodes or yields an error,
// never a crash, an escaped exception or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/connect.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  gnatsd::protocol::ConnectOptions options;
  (void)gnatsd::protocol::decode_connect(json, options);
  return 0;
}
