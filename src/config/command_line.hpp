// Command-line parsing with Go's `flag` semantics, as nats-server users type it:
// -p 4222, -p=4222, --port 4222, --port=4222, booleans as -D or -T=false.
#pragma once

#include <string>
#include <vector>

#include "config/options.hpp"

namespace gnatsd::config {

struct CommandLine {
  enum class Action { Run, ShowHelp, ShowTlsHelp, ShowVersion, TestConfig, SendSignal, Error };
  Action action = Action::Run;
  std::string error;        // set when action == Error
  std::string signal;       // --signal's value when action == SendSignal
  std::string config_file;  // -c, so the caller can load it before applying the flags on top
  std::vector<std::string> warnings;  // accepted flags gnatsd does not act on
};

// Applies the flags in `args` (argv without the program name) on top of `options`. Pure apart
// from `options`: call it once to find -c, load the file, then again so flags override the file.
CommandLine parse_command_line(const std::vector<std::string>& args, Options& options);

// The usage text printed by -h, in the layout of the spec's README.
std::string usage_text();

// The --help_tls text: how TLS is configured.
std::string tls_usage_text();

}  // namespace gnatsd::config
