// Go's %q quoting now lives in common/go_quote.hpp. This alias remains only for callers in
// src/server/client_session* (being reworked elsewhere); new code uses common::go_quote.
#pragma once

#include "common/go_quote.hpp"

namespace gnatsd::log {

using common::go_quote;

}  // namespace gnatsd::log
