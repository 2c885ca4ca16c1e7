// Fuzz target for the JSON arguments of a handshake — a client's CONNECT (decode_connect), a
// route's INFO and CONNECT (decode_route_info, decode_route_connect): any text decodes or yields
// an error, never a crash, an escaped exception or undefined behaviour; what decodes encodes
// again.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/connect.hpp"
#include "protocol/route_info.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  gnatsd::protocol::ConnectOptions options;
  (void)gnatsd::protocol::decode_connect(json, options);
  const auto info = gnatsd::protocol::decode_route_info(json);
  if (!info.error) (void)gnatsd::protocol::route_info_frame(info.info);
  const auto connect = gnatsd::protocol::decode_route_connect(json);
  if (!connect.error) (void)gnatsd::protocol::route_connect_frame(connect.connect);
  return 0;
}
