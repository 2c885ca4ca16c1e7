// A fixed set of subject patterns (wildcards allowed) compiled into a token trie: the allow and
// deny lists of a user's permissions. Immutable once built, so any thread may query it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace gnatsd::subjects {

class SubjectPatternSet {
 public:
  SubjectPatternSet();
  // Patterns that are not valid subjects (empty tokens, '>' before the end) can match nothing
  // and are left out.
  explicit SubjectPatternSet(const std::vector<std::string>& patterns);
  ~SubjectPatternSet();
  SubjectPatternSet(SubjectPatternSet&&) noexcept;
  SubjectPatternSet& operator=(SubjectPatternSet&&) noexcept;

  bool empty() const noexcept { return size_ == 0; }
  std::size_t size() const noexcept { return size_; }

  // Whether some pattern matches `subject`. As nats-server's sublist match, the subject's own
  // '*' and '>' are plain tokens here: pattern "foo.*" matches subject "foo.>" and "foo.*",
  // pattern "foo.bar" does not match "foo.*". A subject with an empty token matches nothing.
  bool matches(std::string_view subject) const noexcept;

 private:
  struct Node;
  static bool match_from(const Node& node, std::string_view rest, bool more) noexcept;

  std::unique_ptr<Node> root_;
  std::size_t size_ = 0;
};

}  // namespace gnatsd::subjects
