// read_small_file: whole small files, the bound, and Go's texts for what cannot be read.
#include "process/small_file.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace gnatsd::process {
namespace {

class SmallFileTest : public ::testing::Test {
 protected:
  SmallFileTest() {
    char name[] = "/tmp/gnatsd-small-file-test-XXXXXX";
    dir_ = ::mkdtemp(name);
  }
  ~SmallFileTest() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& contents) const {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << contents;
    return path;
  }
  std::string dir_;
};

TEST_F(SmallFileTest, ReadsTheWholeFile) {
  const auto file = read_small_file(write("a.pid", "12345\n"), 64);
  ASSERT_TRUE(file);
  EXPECT_EQ(file.contents, "12345\n");
  EXPECT_EQ(file.error, "");
}

TEST_F(SmallFileTest, EmptyFile) {
  const auto file = read_small_file(write("empty", ""), 64);
  ASSERT_TRUE(file);
  EXPECT_EQ(file.contents, "");
}

TEST_F(SmallFileTest, StopsAtTheBound) {
  const std::string big(10000, '7');
  EXPECT_EQ(read_small_file(write("big", big), 64).contents, big.substr(0, 64));
  EXPECT_EQ(read_small_file(write("big", big), 4096).contents, big.substr(0, 4096));
  EXPECT_EQ(read_small_file(write("big", big), 300).contents, big.substr(0, 300));
  EXPECT_EQ(read_small_file(write("big", big), 0).contents, "");
}

TEST_F(SmallFileTest, MissingFileIsGoPathError) {
  const std::string path = dir_ + "/missing.pid";
  const auto file = read_small_file(path, 64);
  EXPECT_FALSE(file);
  EXPECT_EQ(file.contents, "");
  EXPECT_EQ(file.error, "open " + path + ": no such file or directory");
}

TEST_F(SmallFileTest, DirectoryIsAReadError) {
  const auto file = read_small_file(dir_, 64);
  EXPECT_FALSE(file);
  EXPECT_EQ(file.error, "read " + dir_ + ": is a directory");
}

TEST_F(SmallFileTest, ProcFiles) {
  const auto file = read_small_file("/proc/self/comm", 4096);
  ASSERT_TRUE(file);
  EXPECT_FALSE(file.contents.empty());
  EXPECT_EQ(file.contents.back(), '\n');
}

}  // namespace
}  // namespace gnatsd::process
