// Go's json.Marshal output from nlohmann's dump (see go_json.hpp).
#include "common/go_json.hpp"

namespace gnatsd::common {

std::string to_go_json(const OrderedJson& value, bool indent) {
  std::string text =
      value.dump(indent ? 2 : -1, ' ', false, nlohmann::json::error_handler_t::replace);
  // Outside strings JSON never has these characters, so escaping every one is exact.
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace gnatsd::common
