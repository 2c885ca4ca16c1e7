// /subsz: index counters, summed per-thread match-cache figures, and the subscription list.
#include "monitor/subsz.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "server/server.hpp"
#include "subjects/subject.hpp"

namespace gnatsd::monitor {
namespace {

constexpr std::chrono::milliseconds kSnapshotTimeout{2000};

}  // namespace

Decoded<SubszOptions> parse_subsz_options(const Params& params) {
  SubszOptions options;
  auto subs = decode_bool(params, "subs");
  if (!subs.ok()) return {{}, subs.error};
  auto offset = decode_int(params, "offset");
  if (!offset.ok()) return {{}, offset.error};
  auto limit = decode_int(params, "limit");
  if (!limit.ok()) return {{}, limit.error};
  options.subs = subs.value;
  options.offset = std::max<std::int64_t>(offset.value, 0);
  if (limit.value > 0) options.limit = limit.value;
  options.test = param(params, "test");
  if (!options.test.empty() && !subjects::is_valid_literal_subject(options.test)) {
    return {{},
            fmt::format("invalid test subject, must be valid publish subject: {}", options.test)};
  }
  return {options, {}};
}

Json build_subsz(server::Server& server, const SubszOptions& options) {
  server::SnapshotRequest request;
  request.connections = options.subs;
  request.subscriptions = options.subs;
  auto snapshots = server.snapshot(request, kSnapshotTimeout);
  const auto index = server.subject_index().stats();
  const auto now = server::WallClock::now();

  std::size_t cache_entries = 0, max_fanout = 0;
  std::uint64_t hits = 0, lookups = 0, total_fanout = 0;
  for (const auto& s : snapshots) {
    cache_entries += s.cache_entries;
    hits += s.cache_hits;
    lookups += s.cache_hits + s.cache_misses;
    max_fanout = std::max(max_fanout, s.max_fanout);
    total_fanout += s.total_fanout;
  }
  Json stats;
  stats["num_subscriptions"] = index.num_subscriptions;
  stats["num_cache"] = cache_entries;
  stats["num_inserts"] = index.num_inserts;
  stats["num_removes"] = index.num_removes;
  // Every lookup counts as a match, cached or not, as in nats-server's sublist.
  stats["num_matches"] = lookups;
  stats["cache_hit_rate"] =
      go_float(lookups > 0 ? static_cast<double>(hits) / static_cast<double>(lookups) : 0.0);
  stats["max_fanout"] = max_fanout;
  stats["avg_fanout"] = go_float(cache_entries > 0 ? static_cast<double>(total_fanout) /
                                                         static_cast<double>(cache_entries)
                                                   : 0.0);
  stats["stats_time"] = rfc3339_nano(now);  // the 0.x name of the sample time

  Json list = Json::array();
  if (options.subs) {
    std::vector<server::SubDetail> subs;
    for (auto& s : snapshots) {
      for (auto& conn : s.connections) {
        for (auto& sub : conn.subs) {
          if (options.test.empty() || subjects::subject_matches(sub.subject, options.test)) {
            subs.push_back(std::move(sub));
          }
        }
      }
    }
    std::stable_sort(subs.begin(), subs.end(),
                     [](const auto& a, const auto& b) { return a.cid < b.cid; });
    const auto size = static_cast<std::int64_t>(subs.size());
    const auto [first, last] = page_bounds(options.offset, options.limit, size);
    for (auto i = first; i < last; ++i) {
      const auto& sub = subs[static_cast<std::size_t>(i)];
      Json item;
      item["account"] = "$G";  // the global account: gnatsd has no others yet
      item["subject"] = sub.subject;
      if (!sub.queue.empty()) item["qgroup"] = sub.queue;
      item["sid"] = sub.sid;
      item["msgs"] = sub.msgs;
      if (sub.max != 0) item["max"] = sub.max;
      item["cid"] = sub.cid;
      list.push_back(std::move(item));
    }
    if (!list.empty()) {
      // nats-server adds the header and the page only when there is a list to show.
      Json out;
      out["server_id"] = server.server_id();
      out["now"] = rfc3339_nano(now);
      for (auto& [key, value] : stats.items()) out[key] = value;
      out["total"] = size;
      out["offset"] = options.offset;
      out["limit"] = options.limit;
      out["subscriptions_list"] = std::move(list);
      return out;
    }
  }
  return stats;
}

}  // namespace gnatsd::monitor
