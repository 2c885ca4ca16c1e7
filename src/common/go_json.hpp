// JSON as Go's encoding/json marshals it, for everything gnatsd sends that nats-server builds
// with json.Marshal: monitoring responses, route INFO and CONNECT.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace gnatsd::common {

using OrderedJson = nlohmann::ordered_json;  // keeps fields in the order they are set

// Go's json.MarshalIndent(v, "", "  ") (or json.Marshal when !indent): invalid UTF-8 replaced,
// and <, >, & escaped as \u003c, \u003e, \u0026 as Go does for HTML safety.
std::string to_go_json(const OrderedJson& value, bool indent = true);

}  // namespace gnatsd::common
