#include "cluster/interest_table.hpp"

#include "protocol/encoder.hpp"

namespace gnatsd::cluster {
namespace {

constexpr std::string_view kGlobalAccount = "$G";

std::string key_of(std::string_view subject, std::string_view queue) {
  std::string key(subject);
  if (!queue.empty()) key.append(" ").append(queue);
  return key;
}

}  // namespace

std::string InterestTable::add(const subjects::Subscription& sub) {
  const std::uint32_t count = ++counts_[key_of(sub.subject, sub.queue)];
  // A plain subject is announced once; a queue group's every new member changes its weight.
  if (sub.queue.empty() && count > 1) return {};
  return protocol::interest_frame(
      {.account = kGlobalAccount, .subject = sub.subject, .queue = sub.queue, .weight = count});
}

std::string InterestTable::remove(const subjects::Subscription& sub) {
  const auto it = counts_.find(key_of(sub.subject, sub.queue));
  if (it == counts_.end()) return {};
  const std::uint32_t count = --it->second;
  if (count == 0) {
    counts_.erase(it);
    return protocol::no_interest_frame(
        {.account = kGlobalAccount, .subject = sub.subject, .queue = sub.queue});
  }
  if (sub.queue.empty()) return {};
  return protocol::interest_frame(
      {.account = kGlobalAccount, .subject = sub.subject, .queue = sub.queue, .weight = count});
}

std::string InterestTable::frame(std::string_view subject, std::string_view queue,
                                 std::uint32_t count) {
  return protocol::interest_frame(
      {.account = kGlobalAccount, .subject = subject, .queue = queue, .weight = count});
}

}  // namespace gnatsd::cluster
