// Parses NATS config files into a ConfMap tree: variables resolved, includes merged, sizes turned
// into integers. Interpreting the options is the options layer's job.
#pragma once

#include <string>
#include <string_view>

#include "config/conf_value.hpp"

namespace gnatsd::config {

// Reads and parses the file at `path`. Includes are resolved against the directory of the file
// that names them.
ConfResult<ConfMap> parse_config_file(const std::string& path);

// Parses `text`; `name` labels positions and errors, and its directory (the working directory when
// it has none) is where includes are resolved.
ConfResult<ConfMap> parse_config_string(std::string_view text, const std::string& name);

}  // namespace gnatsd::config
