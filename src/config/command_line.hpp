// Command-line parsing with Go's `flag` semantics, as nats-server users type it:
// -p 4222, -p=4222, --port 4222, --port=4222, booleans as -D or -T=false.
#pragma once

#include <string>
#include <vector>

#include "config/options.hpp"

namespace gnatsd::config {

struct CommandLine {
  enum class Action { Run, ShowHelp, ShowVersion, Error };
  Action action = Action::Run;
  std::string error;  // set when action == Error
};

// Applies the flags in `args` (argv without the program name) on top of `options`.
CommandLine parse_command_line(const std::vector<std::string>& args, Options& options);

// The usage text printed by -h, in the layout of the spec's README.
std::string usage_text();

}  // namespace gnatsd::config
