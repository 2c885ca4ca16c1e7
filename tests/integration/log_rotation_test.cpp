// Log files that rotate themselves (logfile_size_limit, logfile_max_num), as nats-server 2.10
// does: the file is renamed to <name>.YYYY.MM.DD.HH.MM.SS.NNNNNNNNN past the limit, the new one
// starts with "Rotated log, backup saved as ...", the oldest backups beyond max_num - 1 go
// ("Purged log file ..."), and no line is ever lost or split. Calibrated against nats-server
// 2.10.27 (GNATSD_TEST_BINARY=build/reference/nats-server-2.10.27).
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "eventually.hpp"
#include "raw_client.hpp"
#include "server_process.hpp"
#include "temp_dir.hpp"

namespace gnatsd::test {
namespace {

namespace fs = std::filesystem;

class LogRotationTest : public ::testing::Test {
 protected:
  LogRotationTest() {
    char name[] = "/tmp/gnatsd-logrot-test-XXXXXX";
    dir_ = ::mkdtemp(name);
  }
  ~LogRotationTest() override { fs::remove_all(dir_); }

  std::string log() const { return dir_ + "/nats.log"; }
  std::vector<std::string> backups() const {
    static const std::regex stamp(R"(nats\.log\.\d{4}\.\d{2}\.\d{2}\.\d{2}\.\d{2}\.\d{2}\.\d{9})");
    std::vector<std::string> out;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      const std::string name = entry.path().filename();
      if (name != "nats.log") {
        EXPECT_TRUE(std::regex_match(name, stamp)) << "unexpected file " << name;
        out.push_back(name);
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::string all_text() const {
    std::string text;
    for (const auto& entry : fs::directory_iterator(dir_)) text += read_file(entry.path().string());
    return text;
  }

  // Started with `conf` (log_file pointing into dir_); its client port from the log.
  std::unique_ptr<ServerProcess> start(const std::string& conf_text) {
    conf_ = std::make_unique<TempFile>(conf_text);
    auto server = ServerProcess::spawn_only({"-c", conf_->path()});
    static const std::regex listening(R"(Listening for client connections on [^\s]+:(\d+))");
    EXPECT_TRUE(eventually(
        [&] {
          std::smatch m;
          const std::string text = all_text();
          if (!std::regex_search(text, m, listening)) return false;
          port_ = std::stoi(m[1]);
          return true;
        },
        10s, 10ms))
        << server->log();
    return server;
  }

  // One client that connects and leaves: a few debug lines in the log.
  void churn_one() {
    RawClient c(port_);
    c.read_line();  // INFO
    c.send("CONNECT {\"verbose\":false}\r\nPING\r\n");
    c.read_until("PONG\r\n");
  }

  std::string dir_;
  std::unique_ptr<TempFile> conf_;
  int port_ = 0;
};

TEST_F(LogRotationTest, RotatesAtTheLimitKeepsMaxNumFilesAndNeverSplitsALine) {
  auto server = start("log_file: \"" + log() +
                      "\"\nlogfile_size_limit: 2000\nlogfile_max_num: 3\ndebug: true\n"
                      "host: 127.0.0.1\nport: -1\n");
  // Churn until a purge has happened: at least three rotations.
  bool purged = false;
  for (int i = 0; i < 400 && !purged; ++i) {
    churn_one();
    purged = all_text().find("Purged log file") != std::string::npos;
  }
  ASSERT_TRUE(purged) << all_text();
  // Lines the server writes for the last client may still be on their way.
  ASSERT_TRUE(eventually([&] { return backups().size() <= 2; }, 5s, 10ms));

  const auto kept = backups();
  EXPECT_EQ(kept.size(), 2u) << "max_num 3: the file and two backups";
  for (const auto& name : kept) {
    const std::string text = read_file(dir_ + "/" + name);
    EXPECT_GT(text.size(), 2000u) << name << ": rotated only once past the limit";
  }
  // The newest file begins with the rotation line naming a backup.
  const std::string current = read_file(log());
  EXPECT_TRUE(
      std::regex_search(current.substr(0, current.find('\n')),
                        std::regex(R"(\[INF\] Rotated log, backup saved as ".*nats\.log\.)")))
      << current.substr(0, 300);
  // Every line of every file is whole: "[pid] ..." through its newline.
  for (const auto& entry : fs::directory_iterator(dir_)) {
    const std::string text = read_file(entry.path().string());
    ASSERT_FALSE(text.empty());
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      EXPECT_EQ(line.front(), '[') << entry.path() << ": " << line;
    }
  }
}

TEST_F(LogRotationTest, ALimitWithoutMaxNumKeepsEveryBackup) {
  auto server = start("log_file: \"" + log() +
                      "\"\nlog_size_limit: 1500\ndebug: true\nhost: 127.0.0.1\nport: -1\n");
  for (int i = 0; i < 400 && backups().size() < 3; ++i) churn_one();
  EXPECT_GE(backups().size(), 3u);
  EXPECT_EQ(all_text().find("Purged log file"), std::string::npos);
}

}  // namespace
}  // namespace gnatsd::test
