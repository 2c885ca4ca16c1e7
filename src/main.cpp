// gnatsd entry point: wiring only — options (config file, then flags on top), logging, server.
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/command_line.hpp"
#include "config/options_loader.hpp"
#include "log/logger.hpp"
#include "process/signal_command.hpp"
#include "protocol/constants.hpp"
#include "server/log_options.hpp"
#include "server/server.hpp"

namespace {

using gnatsd::config::CommandLine;
using gnatsd::config::Options;

// The name this binary was started as: "gnatsd", or "nats-server" through a symlink or alias
// (the Helm chart and operators' scripts call that name). Messages carry it, and --signal
// looks for processes by it, as nats-server does with its own.
std::string program_name(const char* argv0) {
  std::string_view name = argv0 != nullptr ? argv0 : "";
  if (const auto slash = name.rfind('/'); slash != std::string_view::npos) {
    name.remove_prefix(slash + 1);
  }
  return name.empty() ? std::string(gnatsd::process::kProcessName) : std::string(name);
}

std::string g_program = std::string(gnatsd::process::kProcessName);

// nats-server's start-up error format: "<program>: <message>", exit code 1.
int fail(const std::string& message) {
  std::fprintf(stderr, "%s: %s\n", g_program.c_str(), message.c_str());
  return 1;
}

// Builds the options as nats-server does: defaults, then the config file, then the flags.
struct LoadedOptions {
  Options options;
  std::vector<std::string> warnings;
  std::string error;  // non-empty: unusable
};

LoadedOptions load_options(const std::vector<std::string>& args, const std::string& config_file) {
  LoadedOptions out;
  if (!config_file.empty()) {
    auto loaded = gnatsd::config::load_config_file(config_file, out.options);
    out.warnings = loaded.warnings;
    if (!loaded.ok()) {
      for (const auto& e : loaded.errors) out.error += (out.error.empty() ? "" : "\n") + e;
      return out;
    }
  }
  auto cli = gnatsd::config::parse_command_line(args, out.options);
  out.warnings.insert(out.warnings.end(), cli.warnings.begin(), cli.warnings.end());
  gnatsd::config::apply_baseline(out.options);
  out.error = gnatsd::config::validate_options(out.options);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace gnatsd;
  const std::vector<std::string> args(argv + 1, argv + argc);
  g_program = program_name(argc > 0 ? argv[0] : nullptr);

  // First pass: the action and the config file's name.
  Options scratch;
  const CommandLine cli = config::parse_command_line(args, scratch);
  switch (cli.action) {
    case CommandLine::Action::ShowHelp:
      std::fputs(config::usage_text().c_str(), stdout);
      return 0;
    case CommandLine::Action::ShowTlsHelp:
      std::fputs(config::tls_usage_text().c_str(), stdout);
      return 0;
    case CommandLine::Action::ShowVersion:
      std::printf("%s: v%s (nats-server %s protocol)\n", g_program.c_str(),
                  std::string(protocol::kGnatsdVersion).c_str(),
                  std::string(protocol::kServerVersion).c_str());
      return 0;
    case CommandLine::Action::Error:
      std::fprintf(stderr, "%s\n\n%s", cli.error.c_str(), config::usage_text().c_str());
      return 1;
    case CommandLine::Action::SendSignal:
      return process::run_signal_command(cli.signal, scratch.pid_file, g_program);
    case CommandLine::Action::TestConfig:
      if (cli.config_file.empty())
        return fail("must specify [-c, --config] option to check configuration file syntax");
      break;
    case CommandLine::Action::Run:
      break;
  }

  LoadedOptions loaded = load_options(args, cli.config_file);
  for (const auto& warning : loaded.warnings) std::fprintf(stderr, "%s\n", warning.c_str());
  if (!loaded.error.empty()) return fail(loaded.error);
  if (cli.action == CommandLine::Action::TestConfig) {
    std::fprintf(stderr, "%s: configuration file %s is valid\n", g_program.c_str(),
                 cli.config_file.c_str());
    return 0;
  }

  const Options& options = loaded.options;
  if (auto err = log::init(server::log_options(options)); !err.empty())
    log::exit_with_startup_error(err);
  try {
    server::Server server(options);
    server.set_options_source(
        [&args, config_file = cli.config_file]() -> std::variant<Options, std::string> {
          LoadedOptions reloaded = load_options(args, config_file);
          for (const auto& warning : reloaded.warnings) log::warn("{}", warning);
          if (!reloaded.error.empty()) return reloaded.error;
          return std::move(reloaded.options);
        });
    if (auto err = server.start(); !err.empty()) {
      log::fatal("{}", err);
      return 1;
    }
    server.run();
  } catch (const std::exception& e) {
    log::fatal("{}", e.what());
    return 1;
  }
  return 0;
}
