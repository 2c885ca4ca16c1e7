// The tree the NATS config parser produces: ordered maps, arrays and scalars, each carrying the
// file, line and column it came from, plus the error/result types of the config grammar.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace gnatsd::config {

struct ConfPosition {
  std::string file;  // the path as the parser opened it (includes: joined to the parent's dir)
  int line = 0;      // 1-based; 0 when there is no position (the file itself could not be read)
  int column = 0;    // 1-based byte offset within the line
  friend bool operator==(const ConfPosition&, const ConfPosition&) = default;
};

// A bare `2016-05-04T18:53:41Z` (Zulu only, as nats-server's lexer accepts it). nats-server turns
// it into a time.Time; no server option takes one, so the options layer only needs to reject it.
struct ConfDateTime {
  std::int64_t unix_seconds = 0;
  std::string text;
  friend bool operator==(const ConfDateTime&, const ConfDateTime&) = default;
};

class ConfValue;
struct ConfMapEntry;

// A map in source order. A key given twice keeps its first slot and takes the last value, which is
// what nats-server's Go map ends up holding. Keys are case-sensitive here; nats-server's options
// layer lower-cases them when it matches option names.
class ConfMap {
 public:
  // Defined below, where ConfMapEntry is complete: clang instantiates vector members eagerly.
  ConfMap();
  ConfMap(const ConfMap& other);
  ConfMap(ConfMap&& other) noexcept;
  ConfMap& operator=(const ConfMap& other);
  ConfMap& operator=(ConfMap&& other) noexcept;
  ~ConfMap();

  const ConfMapEntry* find(std::string_view key) const;
  ConfMapEntry* find(std::string_view key);
  // The value under `key`, or nullptr.
  const ConfValue* get(std::string_view key) const;

  void set(ConfMapEntry entry);
  void set(std::string key, ConfPosition key_position, ConfValue value);

  const std::vector<ConfMapEntry>& entries() const { return entries_; }
  std::vector<ConfMapEntry>::const_iterator begin() const;
  std::vector<ConfMapEntry>::const_iterator end() const;
  std::size_t size() const;
  bool empty() const;

 private:
  std::vector<ConfMapEntry> entries_;
};

using ConfArray = std::vector<ConfValue>;

// Sizes such as `1MB` are already integers (nats-server's parser multiplies them out); durations
// such as "2m" stay strings for the options layer, except an unquoted `2m`, which nats-server reads
// as the integer 2000000.
class ConfValue {
 public:
  // Same order as Storage's alternatives.
  enum class Kind { Map, Array, String, Integer, Float, Bool, DateTime };
  using Storage =
      std::variant<ConfMap, ConfArray, std::string, std::int64_t, double, bool, ConfDateTime>;

  ConfValue(Storage data, ConfPosition position)
      : data_(std::move(data)), position_(std::move(position)) {}

  Kind kind() const { return static_cast<Kind>(data_.index()); }
  // "map", "array", "string", "integer", "float", "bool" or "datetime".
  std::string_view type_name() const;
  const ConfPosition& position() const { return position_; }
  const Storage& storage() const { return data_; }

  bool is_map() const { return kind() == Kind::Map; }
  bool is_array() const { return kind() == Kind::Array; }
  bool is_string() const { return kind() == Kind::String; }
  bool is_integer() const { return kind() == Kind::Integer; }
  bool is_float() const { return kind() == Kind::Float; }
  bool is_bool() const { return kind() == Kind::Bool; }
  bool is_datetime() const { return kind() == Kind::DateTime; }

  // Checked accessors: std::bad_variant_access when the kind differs.
  const ConfMap& as_map() const { return std::get<ConfMap>(data_); }
  const ConfArray& as_array() const { return std::get<ConfArray>(data_); }
  const std::string& as_string() const { return std::get<std::string>(data_); }
  std::int64_t as_integer() const { return std::get<std::int64_t>(data_); }
  double as_float() const { return std::get<double>(data_); }
  bool as_bool() const { return std::get<bool>(data_); }
  const ConfDateTime& as_datetime() const { return std::get<ConfDateTime>(data_); }

  template <typename T>
  const T* get_if() const {
    return std::get_if<T>(&data_);
  }

 private:
  Storage data_;
  ConfPosition position_;
};

struct ConfMapEntry {
  std::string key;
  ConfPosition key_position;  // nats-server reports option errors at the key, not the value
  ConfValue value;
  // Set once a `$key` reference has read this entry. nats-server does not report such entries as
  // unknown options: they are variable definitions.
  bool used_as_variable = false;
};

// A config error: where it happened and nats-server's text for it.
struct ConfError {
  ConfPosition position;
  std::string reason;

  // "file:line:column: reason", as nats-server prints config errors; just the reason when there
  // is no line (e.g. the file could not be opened: the reason names the path).
  std::string message() const;
};

// Either a value or the ConfError that prevented it; errors are values, not exceptions.
template <typename T>
class ConfResult {
 public:
  ConfResult(T value) : data_(std::in_place_index<0>, std::move(value)) {}
  ConfResult(ConfError error) : data_(std::in_place_index<1>, std::move(error)) {}

  bool has_value() const { return data_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const ConfError& error() const { return std::get<1>(data_); }

 private:
  std::variant<T, ConfError> data_;
};

// Inline because ConfMapEntry is complete only here.
inline ConfMap::ConfMap() = default;
inline ConfMap::ConfMap(const ConfMap& other) = default;
inline ConfMap::ConfMap(ConfMap&& other) noexcept = default;
inline ConfMap& ConfMap::operator=(const ConfMap& other) = default;
inline ConfMap& ConfMap::operator=(ConfMap&& other) noexcept = default;
inline ConfMap::~ConfMap() = default;

inline std::vector<ConfMapEntry>::const_iterator ConfMap::begin() const {
  return entries_.begin();
}
inline std::vector<ConfMapEntry>::const_iterator ConfMap::end() const {
  return entries_.end();
}
inline std::size_t ConfMap::size() const {
  return entries_.size();
}
inline bool ConfMap::empty() const {
  return entries_.empty();
}

inline const ConfMapEntry* ConfMap::find(std::string_view key) const {
  for (const ConfMapEntry& entry : entries_) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

inline ConfMapEntry* ConfMap::find(std::string_view key) {
  for (ConfMapEntry& entry : entries_) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

inline const ConfValue* ConfMap::get(std::string_view key) const {
  const ConfMapEntry* entry = find(key);
  return entry != nullptr ? &entry->value : nullptr;
}

inline void ConfMap::set(ConfMapEntry entry) {
  if (ConfMapEntry* existing = find(entry.key)) {
    *existing = std::move(entry);
    return;
  }
  entries_.push_back(std::move(entry));
}

inline void ConfMap::set(std::string key, ConfPosition key_position, ConfValue value) {
  set(ConfMapEntry{std::move(key), std::move(key_position), std::move(value), false});
}

inline std::string_view ConfValue::type_name() const {
  switch (kind()) {
    case Kind::Map:
      return "map";
    case Kind::Array:
      return "array";
    case Kind::String:
      return "string";
    case Kind::Integer:
      return "integer";
    case Kind::Float:
      return "float";
    case Kind::Bool:
      return "bool";
    case Kind::DateTime:
      return "datetime";
  }
  return "unknown";
}

inline std::string ConfError::message() const {
  if (position.line <= 0) return reason;
  return position.file + ":" + std::to_string(position.line) + ":" +
         std::to_string(position.column) + ": " + reason;
}

}  // namespace gnatsd::config
