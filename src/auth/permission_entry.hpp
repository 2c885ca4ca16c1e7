// A permission entry as configured: a subject, and for subscribe permissions optionally a queue
// name after white space ("bar v1"), split and checked as nats-server does.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gnatsd::auth {

struct PermissionEntry {
  std::string_view subject;
  std::string_view queue;  // empty: the entry is about plain subscriptions
};

// The entry's one or two fields, split on white space as Go's strings.Fields splits (Unicode
// spaces included); nullopt for none or more than two.
std::optional<PermissionEntry> split_permission_entry(std::string_view entry);

// nats-server's config-load check of a publish or subscribe entry (opts.go): a valid subject, or
// a valid subject and one more field (the queue, which is not checked). The error text, or
// nullopt when the entry is fine.
std::optional<std::string> permission_entry_error(std::string_view entry);

}  // namespace gnatsd::auth
