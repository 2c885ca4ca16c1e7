// Token trie of subject patterns: literal children by token, one child for '*', and a flag for
// a pattern ending in '>' at that level (server/sublist.go's pwc/fwc, without subscriptions).
#include "subjects/subject_pattern_set.hpp"

#include <functional>
#include <unordered_map>

#include "common/string_hash.hpp"
#include "subjects/subject.hpp"

namespace gnatsd::subjects {
namespace {

// nats-server's sublist match returns nothing for a subject with an empty token, whatever the
// patterns; a '>' pattern must not short-circuit past one.
bool has_empty_token(std::string_view subject) noexcept {
  return subject.empty() || subject.front() == '.' || subject.back() == '.' ||
         subject.find("..") != std::string_view::npos;
}

}  // namespace

struct SubjectPatternSet::Node {
  common::StringMap<std::unique_ptr<Node>> literals;
  std::unique_ptr<Node> star;  // '*' at this level
  bool ends_here = false;      // a pattern ends at this node
  bool full_wildcard = false;  // a pattern ends with '>' at this level
};

bool SubjectPatternSet::match_from(const Node& node, std::string_view rest, bool more) noexcept {
  if (!more) return node.ends_here;
  bool more_after = false;
  const std::string_view token = next_token(rest, more_after);
  if (token.empty()) return false;
  if (node.full_wildcard) return true;
  if (node.star && match_from(*node.star, rest, more_after)) return true;
  const auto it = node.literals.find(token);
  return it != node.literals.end() && match_from(*it->second, rest, more_after);
}

SubjectPatternSet::SubjectPatternSet() : root_(std::make_unique<Node>()) {}

SubjectPatternSet::SubjectPatternSet(const std::vector<std::string>& patterns)
    : SubjectPatternSet() {
  for (const std::string& pattern : patterns) {
    if (!is_valid_subject(pattern)) continue;
    Node* node = root_.get();
    std::string_view rest = pattern;
    bool more = true;
    bool full_wildcard = false;
    while (more) {
      const std::string_view token = next_token(rest, more);
      if (!more && is_single_char_token(token, '>')) {
        full_wildcard = true;
        break;
      }
      std::unique_ptr<Node>* child;
      if (is_single_char_token(token, '*')) {
        child = &node->star;
      } else {
        auto it = node->literals.find(token);
        if (it == node->literals.end()) it = node->literals.emplace(token, nullptr).first;
        child = &it->second;
      }
      if (!*child) *child = std::make_unique<Node>();
      node = child->get();
    }
    if (full_wildcard) {
      node->full_wildcard = true;
    } else {
      node->ends_here = true;
    }
    ++size_;
  }
}

SubjectPatternSet::~SubjectPatternSet() = default;
SubjectPatternSet::SubjectPatternSet(SubjectPatternSet&&) noexcept = default;
SubjectPatternSet& SubjectPatternSet::operator=(SubjectPatternSet&&) noexcept = default;

bool SubjectPatternSet::matches(std::string_view subject) const noexcept {
  if (size_ == 0 || has_empty_token(subject)) return false;
  return match_from(*root_, subject, true);
}

}  // namespace gnatsd::subjects
