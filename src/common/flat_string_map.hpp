// A flat (open-addressing) hash map keyed by std::string and searched by std::string_view, for
// the maps that grow large and sit on hot paths: the subject trie's levels and a route's peer
// interest. A node-based unordered_map costs a cache miss per probe and per entry when it grows;
// Abseil's flat map probes control bytes and moves slots. Values move on growth: hold no
// reference across an insert.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace gnatsd::common {

// Debian's Abseil has its own absl::string_view, so its transparent hash does not take a
// std::string_view; this one does, with Abseil's hash (the flat map needs well-mixed bits).
struct FlatStringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return absl::Hash<absl::string_view>{}(absl::string_view(s.data(), s.size()));
  }
};

template <typename Value>
using FlatStringMap = absl::flat_hash_map<std::string, Value, FlatStringHash, std::equal_to<>>;

}  // namespace gnatsd::common
