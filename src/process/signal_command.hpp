// `gnatsd --signal <command>[=<pid or pid file>]`: send a running server one of nats-server's
// control signals and exit. Commands and signals as nats-server's: stop SIGKILL, quit SIGINT,
// term SIGTERM, reload SIGHUP, reopen SIGUSR1, ldm SIGUSR2.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gnatsd::process {

// The name `--signal` looks for when no pid is given (nats-server runs `pgrep nats-server`).
inline constexpr std::string_view kProcessName = "gnatsd";

std::optional<int> signal_for_command(std::string_view command);

// Pids of the processes whose name contains `name` (as pgrep matches), this process excluded,
// ascending; nullopt when the process table cannot be read.
std::optional<std::vector<pid_t>> find_processes(std::string_view name);

// Sends the signal. The pid comes from `spec` after '=' (a number, or a file holding one),
// else from `pid_file` (-P), else from the one process named `process_name`. Returns "" on
// success or the error as nats-server words it ("no gnatsd processes running").
std::string send_signal_command(std::string_view spec, const std::string& pid_file,
                                std::string_view process_name = kProcessName);

// For main: send_signal_command looking for processes named `program` (the name this binary
// runs as: "gnatsd", or "nats-server" through a symlink), and on failure "<program>: <error>"
// on stderr. Returns the exit status (0 or 1).
int run_signal_command(std::string_view spec, const std::string& pid_file,
                       std::string_view program = kProcessName);

}  // namespace gnatsd::process
