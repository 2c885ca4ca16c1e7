// The logger's settings taken from the server options, the same way at start-up (main) and at
// reload (SIGHUP), so that a reload never silently drops a log target.
#pragma once

#include "config/options.hpp"
#include "log/logger.hpp"

namespace gnatsd::server {

inline log::LogOptions log_options(const config::Options& options) {
  log::LogOptions out;
  out.debug = options.debug;
  out.trace = options.trace;
  out.logtime = options.logtime;
  out.log_file = options.log_file;
  out.log_size_limit = options.log_size_limit;
  out.log_max_files = options.log_max_files;
  out.syslog = options.syslog;
  out.remote_syslog = options.remote_syslog;
  return out;
}

}  // namespace gnatsd::server
