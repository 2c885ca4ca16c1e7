// spdlog set-up: one process-wide logger whose single sink is a dist_sink; init() and reopen()
// build the new target and swap it into the dist_sink under the dist_sink's own mutex, so a
// thread logging at that moment writes wholly to the old target or wholly to the new one.
#include "log/logger.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <mutex>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "log/rotating_file_sink.hpp"
#include "log/syslog_sink.hpp"
#include "process/os_error.hpp"

namespace gnatsd::log {
namespace {

// nats-server's level labels (logger/log.go): INF, WRN, ERR, FTL, DBG, TRC.
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

// The label sits in spdlog's colour range (%^ %$): only a colour sink on a terminal uses it.
std::unique_ptr<spdlog::formatter> line_formatter(bool logtime) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<LevelLabel>('*');
  // The pid is fixed for the process: put it in the pattern rather than ask the OS per line.
  const std::string pid = fmt::format("[{}] ", ::getpid());
  formatter->set_pattern(pid + (logtime ? "%Y/%m/%d %H:%M:%S.%f [%^%*%$] %v" : "[%^%*%$] %v"));
  return formatter;
}

// nats-server's label colours on a terminal (logger/log.go setColoredLabelFormats).
std::shared_ptr<spdlog::sinks::sink> stderr_target() {
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  sink->set_color(spdlog::level::info, "\033[32m");
  sink->set_color(spdlog::level::debug, "\033[36m");
  sink->set_color(spdlog::level::warn, "\033[0;93m");
  sink->set_color(spdlog::level::err, "\033[31m");
  sink->set_color(spdlog::level::critical, "\033[31m");
  sink->set_color(spdlog::level::trace, "\033[33m");
  return sink;
}

struct Target {
  std::shared_ptr<spdlog::sinks::sink> sink;
  std::string error;
};

Target file_target(const LogOptions& options) {
  // Opened ourselves: nats-server's mode (0660 before umask) and its error text, no parent
  // directories conjured up, and its size-based rotation.
  std::string error;
  auto sink = std::make_shared<RotatingFileSink>(
      RotatingFileSink::Settings{options.log_file, options.log_size_limit, options.log_max_files,
                                 options.logtime},
      error);
  if (!error.empty()) return {nullptr, std::move(error)};
  return {std::move(sink), {}};
}

// nats-server notes at start (and at a reopen) that a file already past the limit is rotated.
void note_over_limit(const std::shared_ptr<spdlog::sinks::sink>& sink) {
  if (auto* file = dynamic_cast<RotatingFileSink*>(sink.get()); file && file->over_limit())
    write(Level::Info, "Rotating logfile...");
}

Target build_target(const LogOptions& options) {
  Target target;
  if (!options.log_file.empty()) {
    target = file_target(options);
  } else if (!options.remote_syslog.empty()) {
    SyslogTarget where;
    if (auto err = parse_remote_syslog(options.remote_syslog, where); !err.empty()) {
      return {nullptr, err};
    }
    target.sink = SyslogSink::connect(std::move(where), target.error);
  } else if (options.syslog) {
    target.sink = SyslogSink::connect(local_syslog_target(), target.error);
  } else {
    target.sink = stderr_target();
  }
  if (target.sink) target.sink->set_formatter(line_formatter(options.logtime));
  return target;
}

spdlog::level::level_enum threshold(const LogOptions& options) {
  return options.trace   ? spdlog::level::trace
         : options.debug ? spdlog::level::debug
                         : spdlog::level::info;
}

struct Core {
  Core() : targets(std::make_shared<spdlog::sinks::dist_sink_mt>()) {
    logger = std::make_shared<spdlog::logger>("gnatsd", targets);
    // Every line reaches its target at once, as nats-server writes unbuffered.
    logger->flush_on(spdlog::level::trace);
    Target initial = build_target(options);  // stderr: cannot fail
    targets->set_sinks({initial.sink});
    logger->set_level(threshold(options));
  }

  std::shared_ptr<spdlog::sinks::dist_sink_mt> targets;
  std::shared_ptr<spdlog::logger> logger;
  std::mutex config_mutex;  // serialises init() and reopen(); logging never takes it
  LogOptions options;       // the ones in effect; guarded by config_mutex
};

Core& core() {
  static Core instance;
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

std::string init(const LogOptions& options) {
  Core& c = core();
  std::lock_guard lock(c.config_mutex);
  Target target = build_target(options);
  if (!target.sink) return target.error;
  auto sink = target.sink;
  c.targets->set_sinks({std::move(target.sink)});
  c.logger->set_level(threshold(options));
  g_debug.store(options.debug, std::memory_order_relaxed);
  g_trace.store(options.trace, std::memory_order_relaxed);
  c.options = options;
  note_over_limit(sink);
  return {};
}

void reopen() {
  Core& c = core();
  Level level = Level::Info;
  std::string outcome = "File log re-opened";
  std::shared_ptr<spdlog::sinks::sink> reopened;
  {
    std::lock_guard lock(c.config_mutex);
    if (c.options.log_file.empty()) {
      outcome = "File log re-open ignored, not a file logger";
    } else if (Target target = file_target(c.options); target.sink) {
      target.sink->set_formatter(line_formatter(c.options.logtime));
      reopened = target.sink;
      c.targets->set_sinks({std::move(target.sink)});
    } else {
      // nats-server exits here; keeping the file already open loses nothing and keeps serving.
      level = Level::Error;
      outcome = std::move(target.error);
    }
  }
  write(level, outcome);  // into the new file: the first line after a rotation
  if (reopened) note_over_limit(reopened);
}

void exit_with_startup_error(std::string_view message) {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  ::localtime_r(&now, &local);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y/%m/%d %H:%M:%S", &local);
  std::fprintf(stderr, "%s %.*s\n", stamp, static_cast<int>(message.size()), message.data());
  std::exit(1);
}

void write(Level level, std::string_view message) {
  core().logger->log(to_spdlog(level), message);
}

}  // namespace gnatsd::log
