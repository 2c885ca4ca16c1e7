// A config text loaded into Options as a file named "test.conf", for the loader's tests.
#pragma once

#include <string>
#include <string_view>

#include "config/conf_parser.hpp"
#include "config/options_loader.hpp"

namespace gnatsd::config::test {

struct Loaded {
  Options options;
  ConfigLoadResult result;
};

// Parse errors land in result.errors like the loader's own.
inline Loaded load(std::string_view text) {
  Loaded out;
  auto parsed = parse_config_string(text, "test.conf");
  if (!parsed) {
    out.result.errors.push_back(parsed.error().message());
    return out;
  }
  out.result = apply_config(*parsed, out.options);
  return out;
}

}  // namespace gnatsd::config::test
