// spdlog set-up: one stderr sink, nats-server's three-letter level names via a custom flag.
#include "log/logger.hpp"

#include <memory>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace gnatsd::log {
namespace {

// nats-server's level labels (server/log.go): INF, WRN, ERR, FTL, DBG, TRC.
class LevelLabel final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string_view label = "INF";
    switch (msg.level) {
      case spdlog::level::trace:
        label = "TRC";
        break;
      case spdlog::level::debug:
        label = "DBG";
        break;
      case spdlog::level::warn:
        label = "WRN";
        break;
      case spdlog::level::err:
        label = "ERR";
        break;
      case spdlog::level::critical:
        label = "FTL";
        break;
      default:
        break;
    }
    dest.append(label.data(), label.data() + label.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<LevelLabel>();
  }
};

std::shared_ptr<spdlog::logger>& logger() {
  static std::shared_ptr<spdlog::logger> instance;
  return instance;
}

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::Trace:
      return spdlog::level::trace;
    case Level::Debug:
      return spdlog::level::debug;
    case Level::Info:
      return spdlog::level::info;
    case Level::Warn:
      return spdlog::level::warn;
    case Level::Error:
      return spdlog::level::err;
    case Level::Fatal:
      return spdlog::level::critical;
  }
  return spdlog::level::info;
}

}  // namespace

void init(const LogOptions& options) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<LevelLabel>('*');
  formatter->set_pattern(options.logtime ? "[%P] %Y/%m/%d %H:%M:%S.%f [%*] %v" : "[%P] [%*] %v");
  sink->set_formatter(std::move(formatter));
  auto instance = std::make_shared<spdlog::logger>("gnatsd", std::move(sink));
  instance->set_level(options.trace   ? spdlog::level::trace
                      : options.debug ? spdlog::level::debug
                                      : spdlog::level::info);
  // Errors and above reach the terminal at once; the rest is flushed by the sink per line too,
  // because stderr is unbuffered in the stdout_sinks implementation.
  instance->flush_on(spdlog::level::trace);
  logger() = std::move(instance);
  g_debug.store(options.debug, std::memory_order_relaxed);
  g_trace.store(options.trace, std::memory_order_relaxed);
}

void write(Level level, std::string_view message) {
  auto& instance = logger();
  if (!instance) init(LogOptions{});
  instance->log(to_spdlog(level), message);
}

}  // namespace gnatsd::log
