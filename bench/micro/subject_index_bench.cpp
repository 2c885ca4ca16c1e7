// Micro-benchmarks for the subject-matching hot path: cached and uncached matches, wildcard matches
// over 10k subscriptions, insert/remove, queue member selection; each reports allocations per op.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "subjects/queue_selection.hpp"
#include "subjects/subject_index.hpp"

// Counts every allocation made through the plain global operator new. The replacement is
// binary-wide, so any benchmark in bench_micro may read it; aligned new is not counted. A
// thread_local plain counter rather than an atomic keeps it off the measured cost.
namespace {
thread_local std::uint64_t allocation_count = 0;
}  // namespace

// GCC pairs the inlined free() with the builtin meaning of operator new and warns; here both
// sides are ours and malloc-based.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  ++allocation_count;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace gnatsd::subjects {
namespace {

// Reports allocations per iteration for the measured loop it is constructed just before.
class AllocationsPerOp {
 public:
  explicit AllocationsPerOp(benchmark::State& state) : state_(state), start_(allocation_count) {}
  ~AllocationsPerOp() {
    state_.counters["allocs/op"] = benchmark::Counter(
        static_cast<double>(allocation_count - start_), benchmark::Counter::kAvgIterations);
  }

 private:
  benchmark::State& state_;
  std::uint64_t start_;
};

constexpr int kSubscriptions = 10000;

SubscriptionPtr make_sub(std::string subject, std::string queue = {}) {
  auto sub = std::make_shared<Subscription>();
  sub->subject = std::move(subject);
  sub->queue = std::move(queue);
  return sub;
}

// 10k literal subjects "bench.<i>.req", one subscription each.
struct LiteralIndex {
  SubjectIndex index;
  std::vector<SubscriptionPtr> subs;
  LiteralIndex() {
    for (int i = 0; i < kSubscriptions; ++i) {
      subs.push_back(make_sub("bench." + std::to_string(i) + ".req"));
      index.insert(subs.back());
    }
  }
};

// 10k wildcard subscriptions spread so that one subject meets several of them, on '*' and '>'
// branches and in a queue group that spans nodes: "w.40.7" matches w.40.*, w.*.7, w.40.>,
// w.*.* (plain and queue), w.>, and the queue member on w.40.*.
struct WildcardIndex {
  SubjectIndex index;
  std::vector<SubscriptionPtr> subs;
  WildcardIndex() {
    auto add = [this](std::string subject, std::string queue = {}) {
      subs.push_back(make_sub(std::move(subject), std::move(queue)));
      index.insert(subs.back());
    };
    add("w.*.*");
    add("w.*.*", "workers");
    add("w.>");
    for (int i = 0; subs.size() < kSubscriptions; ++i) {
      const std::string n = std::to_string(i);
      add("w." + n + ".*");
      add("w.*." + n);
      add("w." + n + ".>");
      if (i % 10 == 0) add("w." + n + ".*", "workers");
    }
  }
};

LiteralIndex& literal_index() {
  static LiteralIndex index;
  return index;
}

WildcardIndex& wildcard_index() {
  static WildcardIndex index;
  return index;
}

void BM_MatchCacheHit(benchmark::State& state) {
  auto& fixture = literal_index();
  MatchCache cache(fixture.index);
  const std::string subject = "bench.5000.req";
  cache.match(subject);
  AllocationsPerOp allocations(state);
  for (auto _ : state) benchmark::DoNotOptimize(&cache.match(subject));
}
BENCHMARK(BM_MatchCacheHit);

void BM_MatchCacheHitWildcards(benchmark::State& state) {
  auto& fixture = wildcard_index();
  MatchCache cache(fixture.index);
  const std::string subject = "w.40.7";
  cache.match(subject);
  AllocationsPerOp allocations(state);
  for (auto _ : state) benchmark::DoNotOptimize(&cache.match(subject));
}
BENCHMARK(BM_MatchCacheHitWildcards);

// Every lookup misses: two subjects alternate through a one-entry cache, so each pays the trie
// walk, the result, the cache entry and the eviction of the other.
void BM_MatchCacheMiss(benchmark::State& state) {
  auto& fixture = literal_index();
  MatchCache cache(fixture.index, 1);
  const std::string subjects[2] = {"bench.5000.req", "bench.5001.req"};
  std::size_t i = 0;
  AllocationsPerOp allocations(state);
  for (auto _ : state) benchmark::DoNotOptimize(&cache.match(subjects[i++ & 1]));
}
BENCHMARK(BM_MatchCacheMiss);

void BM_SubjectIndexMatchLiteral(benchmark::State& state) {
  auto& fixture = literal_index();
  const std::string subject = "bench.5000.req";
  AllocationsPerOp allocations(state);
  for (auto _ : state) benchmark::DoNotOptimize(fixture.index.match(subject));
}
BENCHMARK(BM_SubjectIndexMatchLiteral);

void BM_SubjectIndexMatchNoInterest(benchmark::State& state) {
  auto& fixture = literal_index();
  const std::string subject = "bench.5000.nobody";
  AllocationsPerOp allocations(state);
  for (auto _ : state) benchmark::DoNotOptimize(fixture.index.match(subject));
}
BENCHMARK(BM_SubjectIndexMatchNoInterest);

void BM_SubjectIndexMatchWildcards(benchmark::State& state) {
  auto& fixture = wildcard_index();
  const std::string subject = "w.40.7";
  const auto check = fixture.index.match(subject);
  state.counters["fanout"] = static_cast<double>(
      check->plain.size() + (check->queue_groups.empty() ? 0 : check->queue_groups.size()));
  AllocationsPerOp allocations(state);
  for (auto _ : state) benchmark::DoNotOptimize(fixture.index.match(subject));
}
BENCHMARK(BM_SubjectIndexMatchWildcards);

// A new subject: the insert builds a three-node path and the remove prunes it again.
void BM_SubjectIndexInsertRemoveNewSubject(benchmark::State& state) {
  auto& fixture = literal_index();
  auto sub = make_sub("bench.new.subject");
  AllocationsPerOp allocations(state);
  for (auto _ : state) {
    fixture.index.insert(sub);
    benchmark::DoNotOptimize(fixture.index.remove(sub));
  }
}
BENCHMARK(BM_SubjectIndexInsertRemoveNewSubject);

// A subject that already has N subscribers: insert/remove must not grow with N.
void BM_SubjectIndexInsertRemoveCrowdedSubject(benchmark::State& state) {
  SubjectIndex index;
  std::vector<SubscriptionPtr> crowd;
  for (int i = 0; i < state.range(0); ++i) {
    crowd.push_back(make_sub("crowded.subject"));
    index.insert(crowd.back());
  }
  auto sub = make_sub("crowded.subject");
  AllocationsPerOp allocations(state);
  for (auto _ : state) {
    index.insert(sub);
    benchmark::DoNotOptimize(index.remove(sub));
  }
}
BENCHMARK(BM_SubjectIndexInsertRemoveCrowdedSubject)->Arg(1)->Arg(100)->Arg(10000);

// A new peer's whole interest at once (a route's 100,000 RS+, a client's many SUBs): N distinct
// literal subjects inserted into an empty index, one level growing to N children.
void BM_SubjectIndexBulkInsert(benchmark::State& state) {
  std::vector<SubscriptionPtr> subs;
  for (int i = 0; i < state.range(0); ++i) subs.push_back(make_sub("prop." + std::to_string(i)));
  for (auto _ : state) {
    SubjectIndex index;
    for (const auto& sub : subs) index.insert(sub);
    benchmark::DoNotOptimize(index.stats().num_subscriptions);
    state.PauseTiming();  // the teardown is not the figure
    index.~SubjectIndex();
    new (&index) SubjectIndex();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SubjectIndexBulkInsert)->Arg(100000)->Unit(benchmark::kMillisecond);

// An uncached literal match in a level of N siblings: the lookup a publisher over many distinct
// subjects pays once the subjects no longer fit the match cache.
void BM_SubjectIndexMatchLiteralAmong(benchmark::State& state) {
  SubjectIndex index;
  std::vector<SubscriptionPtr> subs;
  std::vector<std::string> subjects;
  for (int i = 0; i < state.range(0); ++i) {
    subjects.push_back("many." + std::to_string(i) + ".req");
    subs.push_back(make_sub(subjects.back()));
    index.insert(subs.back());
  }
  std::size_t i = 0;
  AllocationsPerOp allocations(state);
  for (auto _ : state) {
    benchmark::DoNotOptimize(index.match(subjects[i]));
    i = (i + 7919) % subjects.size();  // a stride that visits every subject, out of order
  }
}
BENCHMARK(BM_SubjectIndexMatchLiteralAmong)->Arg(1000)->Arg(100000);

void BM_PickIndex(benchmark::State& state) {
  std::size_t n = 7;
  for (auto _ : state) {
    benchmark::DoNotOptimize(pick_index(n));
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_PickIndex);

}  // namespace
}  // namespace gnatsd::subjects
