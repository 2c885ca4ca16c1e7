// The logger's line format, level filtering, file target, re-open after rotation and target
// replacement while other threads log.
#include "log/logger.hpp"

#include <sys/stat.h>

#include <atomic>
#include <regex>
#include <thread>
#include <vector>

#include "log_test_support.hpp"

namespace gnatsd::log::test {
namespace {

const std::string kStamp = R"(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d{6} )";

std::string escape(const std::string& s) {
  return std::regex_replace(s, std::regex(R"([\[\]().*+?^$|\\{}])"), R"(\$&)");
}

// nats-server's line: "[pid] 2016/01/10 08:54:16.178798 [INF] msg\n" (time optional).
std::regex line_regex(const std::string& label, const std::string& message, bool with_time) {
  return std::regex("^" + escape(pid_prefix()) + (with_time ? kStamp : "") + "\\[" + label +
                    "\\] " + escape(message) + "\n$");
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size() - 1;
    lines.push_back(text.substr(start, end - start + 1));
    start = end + 1;
  }
  return lines;
}

TEST_F(LoggerTest, FileLineFormatWithTime) {
  const auto path = dir_.file("gnatsd.log");
  ASSERT_EQ(init(Options().file(path)), "");
  info("Listening for client connections on {}:{}", "0.0.0.0", 4222);
  EXPECT_TRUE(std::regex_match(
      read_file(path), line_regex("INF", "Listening for client connections on 0.0.0.0:4222", true)))
      << read_file(path);
}

TEST_F(LoggerTest, FileLineFormatWithoutTime) {
  const auto path = dir_.file("gnatsd.log");
  ASSERT_EQ(init(Options().no_time().file(path)), "");
  info("Server is ready");
  EXPECT_EQ(read_file(path), pid_prefix() + "[INF] Server is ready\n");
}

TEST_F(LoggerTest, LevelLabels) {
  const auto path = dir_.file("gnatsd.log");
  ASSERT_EQ(init(Options().with_debug().with_trace().no_time().file(path)), "");
  info("i");
  warn("w");
  error("e");
  fatal("f");
  debug("d");
  trace("t");
  const auto p = pid_prefix();
  EXPECT_EQ(read_file(path), p + "[INF] i\n" + p + "[WRN] w\n" + p + "[ERR] e\n" + p + "[FTL] f\n" +
                                 p + "[DBG] d\n" + p + "[TRC] t\n");
}

TEST_F(LoggerTest, DebugAndTraceOnlyWhenEnabled) {
  const auto p = pid_prefix();
  struct Case {
    bool debug, trace;
    std::string expected;
  };
  const Case cases[] = {
      {false, false, p + "[INF] info\n"},
      {true, false, p + "[DBG] debug\n" + p + "[INF] info\n"},
      {false, true, p + "[TRC] trace\n" + p + "[INF] info\n"},
      {true, true, p + "[DBG] debug\n" + p + "[TRC] trace\n" + p + "[INF] info\n"},
  };
  int n = 0;
  for (const auto& c : cases) {
    const auto path = dir_.file("levels" + std::to_string(n++) + ".log");
    ASSERT_EQ(init(Options().with_debug(c.debug).with_trace(c.trace).no_time().file(path)), "");
    EXPECT_EQ(debug_enabled(), c.debug);
    EXPECT_EQ(trace_enabled(), c.trace);
    debug("debug");
    trace("trace");
    info("info");
    EXPECT_EQ(read_file(path), c.expected) << "debug=" << c.debug << " trace=" << c.trace;
  }
}

TEST_F(LoggerTest, StderrHasTheFileFormat) {
  StderrCapture captured(dir_);
  ASSERT_EQ(init(Options().with_debug()), "");
  warn("Plaintext passwords detected");
  captured.restore();
  EXPECT_TRUE(
      std::regex_match(captured.text(), line_regex("WRN", "Plaintext passwords detected", true)))
      << captured.text();
}

TEST_F(LoggerTest, FileIsAppendedNotTruncated) {
  const auto path = dir_.file("existing.log");
  { std::ofstream(path) << "earlier run\n"; }
  ASSERT_EQ(init(Options().no_time().file(path)), "");
  info("next run");
  EXPECT_EQ(read_file(path), "earlier run\n" + pid_prefix() + "[INF] next run\n");
}

TEST_F(LoggerTest, MissingFileIsCreatedWithNatsServerMode) {
  const auto path = dir_.file("new.log");
  const mode_t old_mask = ::umask(0);
  const auto error = init(Options().file(path));
  ::umask(old_mask);
  ASSERT_EQ(error, "");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0660u);
}

TEST_F(LoggerTest, UnopenableFileIsAnErrorAndKeepsTheOldTarget) {
  const auto good = dir_.file("good.log");
  ASSERT_EQ(init(Options().no_time().file(good)), "");
  const auto bad = dir_.file("no-such-dir/x.log");
  EXPECT_EQ(init(Options().file(bad)),
            "error opening file: open " + bad + ": no such file or directory");
  EXPECT_FALSE(std::filesystem::exists(dir_.file("no-such-dir")));  // no directory conjured
  info("still here");
  EXPECT_EQ(read_file(good), pid_prefix() + "[INF] still here\n");
}

TEST_F(LoggerTest, ReopenAfterRenameWritesToANewFile) {
  const auto path = dir_.file("gnatsd.log");
  const auto rotated = dir_.file("gnatsd.log.1");
  ASSERT_EQ(init(Options().no_time().file(path)), "");
  info("before rotation");
  std::filesystem::rename(path, rotated);
  info("after rename, before reopen");  // still the renamed file, as logrotate expects
  reopen();
  info("after reopen");
  const auto p = pid_prefix();
  EXPECT_EQ(read_file(rotated),
            p + "[INF] before rotation\n" + p + "[INF] after rename, before reopen\n");
  EXPECT_EQ(read_file(path), p + "[INF] File log re-opened\n" + p + "[INF] after reopen\n");
}

TEST_F(LoggerTest, ReopenKeepsLevelsAndTimeSetting) {
  const auto path = dir_.file("gnatsd.log");
  ASSERT_EQ(init(Options().with_debug().no_time().file(path)), "");
  reopen();
  debug("still debugging");
  EXPECT_TRUE(debug_enabled());
  EXPECT_EQ(read_file(path),
            pid_prefix() + "[INF] File log re-opened\n" + pid_prefix() + "[DBG] still debugging\n");
}

TEST_F(LoggerTest, ReopenWithoutLogFileIsIgnored) {
  StderrCapture captured(dir_);
  ASSERT_EQ(init(Options().no_time()), "");
  reopen();
  captured.restore();
  EXPECT_EQ(captured.text(), pid_prefix() + "[INF] File log re-open ignored, not a file logger\n");
}

// Reload swaps targets while workers log: every line lands whole in exactly one file.
TEST_F(LoggerTest, ReinitWhileOtherThreadsLog) {
  const auto a = dir_.file("a.log");
  const auto b = dir_.file("b.log");
  ASSERT_EQ(init(Options().no_time().file(a)), "");
  constexpr int kThreads = 3;
  constexpr int kLinesPerThread = 2000;
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([t] {
      for (int i = 0; i < kLinesPerThread; ++i) info("writer {} line {}", t, i);
    });
  }
  for (int swap = 0; swap < 200; ++swap) {
    ASSERT_EQ(init(Options().with_debug(swap % 2 == 0).no_time().file(swap % 2 ? a : b)), "");
  }
  for (auto& w : writers) w.join();
  const std::regex line("^" + escape(pid_prefix()) + R"(\[INF\] writer \d line \d+\n$)");
  std::size_t total = 0;
  for (const auto& path : {a, b}) {
    for (const auto& l : lines_of(read_file(path))) {
      ASSERT_TRUE(std::regex_match(l, line)) << l;
      ++total;
    }
  }
  EXPECT_EQ(total, static_cast<std::size_t>(kThreads * kLinesPerThread));
}

}  // namespace
}  // namespace gnatsd::log::test
