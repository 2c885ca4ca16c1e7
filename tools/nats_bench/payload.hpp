// The stamp every benchmark payload starts with: which publisher sent it and its sequence
// number, so a subscriber can prove nothing was lost, duplicated or reordered.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace nats_bench {

// 16 bits of publisher id, 48 bits of sequence, in the first 8 payload bytes. Payloads
// shorter than this carry no stamp and are only counted.
inline constexpr std::size_t kStampBytes = 8;
inline constexpr std::uint64_t kSeqMask = (std::uint64_t{1} << 48) - 1;
inline constexpr std::size_t kMaxPublishers = 1 << 16;

inline void write_stamp(char* payload, std::uint32_t publisher, std::uint64_t seq) {
  std::uint64_t v = (std::uint64_t{publisher} << 48) | (seq & kSeqMask);
  std::memcpy(payload, &v, sizeof v);
}

struct Stamp {
  std::uint32_t publisher;
  std::uint64_t seq;
};

// Payloads of 16 bytes or more also carry a number drawn once per run in bytes 8..15, so a
// subscriber can tell this run's messages from another client's on the same subject.
inline constexpr std::size_t kRunTagEnd = 16;

inline void write_run_tag(char* payload, std::uint64_t tag) {
  std::memcpy(payload + kStampBytes, &tag, sizeof tag);
}

inline bool has_run_tag(std::string_view payload, std::uint64_t tag) {
  return std::memcmp(payload.data() + kStampBytes, &tag, sizeof tag) == 0;
}

inline Stamp read_stamp(std::string_view payload) {
  std::uint64_t v;
  std::memcpy(&v, payload.data(), sizeof v);
  return {static_cast<std::uint32_t>(v >> 48), v & kSeqMask};
}

}  // namespace nats_bench
