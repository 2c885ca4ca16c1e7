// /metrics: the /varz figures in the Prometheus text exposition format (version 0.0.4), named
// as prometheus-nats-exporter names them (gnatsd_varz_<field>), so that dashboards built on
// that exporter read gnatsd directly.
#pragma once

#include <string>

#include "monitor/go_text.hpp"

namespace gnatsd::monitor {

inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// Every metric is a /varz field of the same value, labelled with the server id.
std::string prometheus_text(const Json& varz);
// The /routez figures: gnatsd_routez_num_routes, and per route (labelled with its rid and the
// remote server id) messages and bytes each way, pending bytes and subscriptions.
std::string prometheus_routez_text(const Json& routez);

}  // namespace gnatsd::monitor
