// Applies a parsed NATS config file to Options: nats-server's option names (case-insensitive),
// its aliases, its units, and its errors (every bad key reported with its position).
#pragma once

#include <string>
#include <vector>

#include "config/conf_value.hpp"
#include "config/options.hpp"

namespace gnatsd::config {

struct ConfigLoadResult {
  std::vector<std::string> errors;    // non-empty: the config is unusable
  std::vector<std::string> warnings;  // printed, but the server starts
  bool ok() const { return errors.empty(); }
};

// Reads `path` and applies it on top of `options` (sets options.config_file).
ConfigLoadResult load_config_file(const std::string& path, Options& options);

// Applies an already parsed tree (exposed for tests).
ConfigLoadResult apply_config(const ConfMap& config, Options& options);

// nats-server's setBaselineOptions, once the config file and the command line are applied:
// port 0 means the default port (-1 is the one that lets the OS choose).
void apply_baseline(Options& options);

// Cross-field checks run after the config file and the command line are both applied, with
// nats-server's messages. Returns the first problem, or "" when the options are usable.
std::string validate_options(const Options& options);

}  // namespace gnatsd::config
