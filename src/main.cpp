// gnatsd entry point: wiring only — options, logging, server.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "config/command_line.hpp"
#include "log/logger.hpp"
#include "protocol/constants.hpp"
#include "server/server.hpp"

int main(int argc, char** argv) {
  using namespace gnatsd;
  config::Options options;
  std::vector<std::string> args(argv + 1, argv + argc);
  auto cli = config::parse_command_line(args, options);
  switch (cli.action) {
    case config::CommandLine::Action::ShowHelp:
      std::fputs(config::usage_text().c_str(), stdout);
      return 0;
    case config::CommandLine::Action::ShowVersion:
      std::printf("gnatsd: v%s (nats-server %s protocol)\n",
                  std::string(protocol::kGnatsdVersion).c_str(),
                  std::string(protocol::kServerVersion).c_str());
      return 0;
    case config::CommandLine::Action::Error:
      std::fprintf(stderr, "%s\n%s", cli.error.c_str(), config::usage_text().c_str());
      return 1;
    case config::CommandLine::Action::Run:
      break;
  }
  log::init({options.debug, options.trace, options.logtime});
  try {
    server::Server server(options);
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
