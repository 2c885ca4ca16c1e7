// /connz: query validation, gathering, sorting, paging and rendering.
#include "monitor/connz.hpp"

#include <algorithm>
#include <array>
#include <functional>

#include <fmt/format.h>

#include "server/server.hpp"

namespace gnatsd::monitor {
namespace {

using server::ConnInfo;
using server::WallClock;

constexpr std::chrono::milliseconds kSnapshotTimeout{2000};

// The sort keys nats-server 2.9 accepts ("start" orders as "cid").
constexpr std::array<std::string_view, 13> kSortKeys = {
    "cid",        "start", "subs", "pending", "msgs_to", "msgs_from", "bytes_to",
    "bytes_from", "last",  "idle", "uptime",  "stop",    "reason"};

// Closed connections are measured at their close, open ones at `now`.
WallClock::time_point end_of(const ConnInfo& c, WallClock::time_point now) {
  return c.stop ? *c.stop : now;
}

// Orders by the key; every order but cid/start/uptime/reason puts the largest first, as
// nats-server (sort.Reverse) does. Ties keep cid order.
void sort_connections(std::vector<ConnInfo>& conns, std::string_view key,
                      WallClock::time_point now) {
  std::sort(conns.begin(), conns.end(),
            [](const ConnInfo& a, const ConnInfo& b) { return a.cid < b.cid; });
  auto by = [&](auto projection, bool descending) {
    std::stable_sort(conns.begin(), conns.end(), [&](const ConnInfo& a, const ConnInfo& b) {
      return descending ? projection(b) < projection(a) : projection(a) < projection(b);
    });
  };
  if (key == "subs") by([](const ConnInfo& c) { return c.num_subs; }, true);
  if (key == "pending") by([](const ConnInfo& c) { return c.pending_bytes; }, true);
  if (key == "msgs_to") by([](const ConnInfo& c) { return c.out_msgs; }, true);
  if (key == "msgs_from") by([](const ConnInfo& c) { return c.in_msgs; }, true);
  if (key == "bytes_to") by([](const ConnInfo& c) { return c.out_bytes; }, true);
  if (key == "bytes_from") by([](const ConnInfo& c) { return c.in_bytes; }, true);
  if (key == "last") by([](const ConnInfo& c) { return c.last_activity; }, true);
  // Most idle first. (nats-server 2.9.10 compares last_activity - start here, which is not
  // the idle time; later releases sort by the idle time, as this does.)
  if (key == "idle") by([&](const ConnInfo& c) { return end_of(c, now) - c.last_activity; }, true);
  if (key == "uptime") by([&](const ConnInfo& c) { return end_of(c, now) - c.start; }, false);
  if (key == "stop") by([&](const ConnInfo& c) { return end_of(c, now); }, true);
  if (key == "reason") by([](const ConnInfo& c) { return c.reason; }, false);
}

Json sub_detail_json(const server::SubDetail& sub) {
  Json out;
  out["subject"] = sub.subject;
  if (!sub.queue.empty()) out["qgroup"] = sub.queue;
  out["sid"] = sub.sid;
  out["msgs"] = sub.msgs;
  if (sub.max != 0) out["max"] = sub.max;
  out["cid"] = sub.cid;
  return out;
}

Json conn_json(const ConnInfo& c, const ConnzOptions& options, WallClock::time_point now) {
  const auto end = end_of(c, now);
  Json out;
  out["cid"] = c.cid;
  out["kind"] = "Client";
  out["type"] = c.websocket ? "websocket" : "nats";
  out["ip"] = c.ip;
  out["port"] = c.port;
  out["start"] = rfc3339_nano(c.start);
  out["last_activity"] = rfc3339_nano(c.last_activity);
  if (c.stop) {
    out["stop"] = rfc3339_nano(*c.stop);
    out["reason"] = c.reason;
  }
  out["rtt"] = rtt_text(c.rtt);
  out["uptime"] = uptime_text(end - c.start);
  out["idle"] = uptime_text(end - c.last_activity);
  out["pending_bytes"] = c.pending_bytes;
  out["in_msgs"] = c.in_msgs;
  out["out_msgs"] = c.out_msgs;
  out["in_bytes"] = c.in_bytes;
  out["out_bytes"] = c.out_bytes;
  out["subscriptions"] = c.num_subs;
  if (!c.name.empty()) out["name"] = c.name;
  if (!c.lang.empty()) out["lang"] = c.lang;
  if (!c.version.empty()) out["version"] = c.version;
  if (!c.tls_version.empty()) out["tls_version"] = c.tls_version;
  if (!c.tls_cipher_suite.empty()) out["tls_cipher_suite"] = c.tls_cipher_suite;
  if (options.auth && !c.authorized_user.empty()) out["authorized_user"] = c.authorized_user;
  if (!c.subs.empty()) {
    if (options.subs.detail) {
      Json list = Json::array();
      for (const auto& sub : c.subs) list.push_back(sub_detail_json(sub));
      out["subscriptions_list_detail"] = std::move(list);
    } else if (options.subs.list) {
      Json list = Json::array();
      for (const auto& sub : c.subs) list.push_back(sub.subject);
      out["subscriptions_list"] = std::move(list);
    }
  }
  if (options.auth && !c.issuer_key.empty()) out["issuer_key"] = c.issuer_key;
  return out;
}

}  // namespace

Decoded<ConnzOptions> parse_connz_options(const Params& params) {
  ConnzOptions options;
  const std::string sort = param(params, "sort");
  // Decoded in nats-server's order, so that the first bad argument is the one reported.
  auto auth = decode_bool(params, "auth");
  if (!auth.ok()) return {{}, auth.error};
  auto subs = decode_subs(params);
  if (!subs.ok()) return {{}, subs.error};
  auto offset = decode_int(params, "offset");
  if (!offset.ok()) return {{}, offset.error};
  auto limit = decode_int(params, "limit");
  if (!limit.ok()) return {{}, limit.error};
  auto cid = decode_uint64(params, "cid");
  if (!cid.ok()) return {{}, cid.error};
  auto state = decode_state(params);
  if (!state.ok()) return {{}, state.error};

  if (!sort.empty()) {
    if (std::find(kSortKeys.begin(), kSortKeys.end(), sort) == kSortKeys.end()) {
      return {{}, fmt::format("invalid sorting option: {}", sort)};
    }
    options.sort = sort;
  }
  options.auth = auth.value;
  options.subs = subs.value;
  options.offset = std::max<std::int64_t>(offset.value, 0);
  options.limit = limit.value > 0 ? limit.value : kDefaultConnListSize;
  options.state = state.value;
  if (options.sort == "stop" && options.state != ConnState::Closed) {
    return {{}, "sort by stop only valid on closed connections"};
  }
  if (options.sort == "reason" && options.state != ConnState::Closed) {
    return {{}, "sort by reason only valid on closed connections"};
  }
  if (cid.value > 0) {
    options.cid = cid.value;
    options.limit = 1;
  }
  return {options, {}};
}

ConnzPage select_connections(std::vector<ConnInfo> open, std::size_t open_total,
                             std::vector<ConnInfo> closed, const ConnzOptions& options,
                             WallClock::time_point now) {
  ConnzPage page;
  std::vector<ConnInfo> all;
  switch (options.state) {
    case ConnState::Open:
      page.total = open_total;
      all = std::move(open);
      break;
    case ConnState::Closed:
      page.total = closed.size();
      all = std::move(closed);
      break;
    case ConnState::All:
      page.total = open_total + closed.size();
      all = std::move(open);
      all.insert(all.end(), std::make_move_iterator(closed.begin()),
                 std::make_move_iterator(closed.end()));
      break;
  }
  if (options.cid != 0) {
    std::erase_if(all, [&](const ConnInfo& c) { return c.cid != options.cid; });
  }
  sort_connections(all, options.sort, now);
  const auto [first, last] =
      page_bounds(options.offset, options.limit, static_cast<std::int64_t>(all.size()));
  page.connections.assign(std::make_move_iterator(all.begin() + first),
                          std::make_move_iterator(all.begin() + last));
  return page;
}

Json render_connz(const std::string& server_id, const ConnzOptions& options, const ConnzPage& page,
                  WallClock::time_point now) {
  Json out;
  out["server_id"] = server_id;
  out["now"] = rfc3339_nano(now);
  out["num_connections"] = page.connections.size();
  out["total"] = page.total;
  out["offset"] = options.offset;
  out["limit"] = options.limit;
  Json list = Json::array();
  for (const auto& c : page.connections) list.push_back(conn_json(c, options, now));
  out["connections"] = std::move(list);
  return out;
}

Json build_connz(server::Server& server, const ConnzOptions& options) {
  std::vector<ConnInfo> open, closed;
  std::size_t open_total = 0;
  if (options.state != ConnState::Closed) {
    server::SnapshotRequest request;
    request.subscriptions = options.subs.list || options.subs.detail;
    request.cid = options.cid;
    for (auto& snapshot : server.snapshot(request, kSnapshotTimeout)) {
      open_total += snapshot.open_connections;
      std::move(snapshot.connections.begin(), snapshot.connections.end(), std::back_inserter(open));
    }
  }
  if (options.state != ConnState::Open) closed = server.closed_connections().list();
  const auto now = WallClock::now();
  auto page = select_connections(std::move(open), open_total, std::move(closed), options, now);
  return render_connz(server.server_id(), options, page, now);
}

}  // namespace gnatsd::monitor
