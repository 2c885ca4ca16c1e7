// Pid file lifecycle: nats-server's contents and mode, removal at exit (only of our own file),
// and the error text.
#include "process/pid_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "temp_dir.hpp"

namespace gnatsd::process {
namespace {

class PidFileTest : public ::testing::Test {
 protected:
  std::string file(const std::string& name) const { return dir_.file(name); }
  static std::string read(const std::string& path) { return test::read_file(path); }
  test::TempDir dir_;
};

TEST_F(PidFileTest, WritesThePidWithoutNewline) {
  const auto path = file("gnatsd.pid");
  PidFile pid_file;
  const mode_t old_mask = ::umask(0);
  const auto error = pid_file.write(path);
  ::umask(old_mask);
  ASSERT_EQ(error, "");
  EXPECT_EQ(read(path), std::to_string(::getpid()));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0660u);
}

TEST_F(PidFileTest, ReplacesStaleContents) {
  const auto path = file("gnatsd.pid");
  { std::ofstream(path) << "123456789 stale\n"; }
  PidFile pid_file;
  ASSERT_EQ(pid_file.write(path), "");
  EXPECT_EQ(read(path), std::to_string(::getpid()));
}

TEST_F(PidFileTest, RemovedExplicitlyAndOnDestruction) {
  const auto path = file("gnatsd.pid");
  {
    PidFile pid_file;
    ASSERT_EQ(pid_file.write(path), "");
    pid_file.remove();
    EXPECT_FALSE(std::filesystem::exists(path));
    pid_file.remove();  // harmless twice
    ASSERT_EQ(pid_file.write(path), "");
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(PidFileTest, LeavesAFileAnotherProcessHasTakenOver) {
  const auto path = file("gnatsd.pid");
  PidFile pid_file;
  ASSERT_EQ(pid_file.write(path), "");
  { std::ofstream(path, std::ios::trunc) << "1"; }  // a newer server on the same path
  pid_file.remove();
  EXPECT_EQ(read(path), "1");
}

TEST_F(PidFileTest, UnwritableIsGoPathError) {
  const auto path = file("missing-dir/gnatsd.pid");
  PidFile pid_file;
  EXPECT_EQ(pid_file.write(path), "open " + path + ": no such file or directory");
}

}  // namespace
}  // namespace gnatsd::process
