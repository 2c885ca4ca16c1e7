// CheckPool: jobs run off the caller's thread, every submitted job runs once, stop() is final.
#include "auth/check_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "eventually.hpp"

namespace gnatsd::auth {
namespace {

using namespace std::chrono_literals;
using gnatsd::test::eventually;

TEST(CheckPoolTest, RunsEveryJobOnAHelperThread) {
  CheckPool pool(2);
  std::atomic<int> ran{0};
  std::atomic<bool> on_caller{false};
  const auto caller = std::this_thread::get_id();
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(pool.submit([&] {
      if (std::this_thread::get_id() == caller) on_caller = true;
      ++ran;
    }));
  }
  EXPECT_TRUE(eventually([&] { return ran == 100; }));
  EXPECT_FALSE(on_caller);
}

TEST(CheckPoolTest, StopRefusesNewJobsAndIsIdempotent) {
  CheckPool pool(1);
  std::atomic<int> ran{0};
  ASSERT_TRUE(pool.submit([&] { ++ran; }));
  EXPECT_TRUE(eventually([&] { return ran == 1; }));
  pool.stop();
  EXPECT_FALSE(pool.submit([&] { ++ran; }));
  pool.stop();
  EXPECT_EQ(ran, 1);
}

TEST(CheckPoolTest, StopWaitsForTheRunningJob) {
  std::atomic<bool> finished{false};
  std::atomic<bool> started{false};
  {
    CheckPool pool(1);
    ASSERT_TRUE(pool.submit([&] {
      started = true;
      std::this_thread::sleep_for(50ms);
      finished = true;
    }));
    ASSERT_TRUE(eventually([&] { return started.load(); }));
  }  // destructor stops
  EXPECT_TRUE(finished);
}

}  // namespace
}  // namespace gnatsd::auth
