#pragma once
// Data scope (language v1.1 `visibility:`): which projects a user may see. A workflow
// version says, per role, `all` or what the role's holders see: the projects they own,
// those naming them in user fields, those of their unit, those in reviews they vote in,
// and the items of projects they see. No section: every role sees every project.
//
// Seeing is decided by access keys, so that a store can answer "which projects may this
// user see" with an index: each project carries the keys its workflow version grants
// (access_keys), each user holds keys (DataScope::keys), and a project is seen when they share
// one, when the user sees its workflow version whole, or (for an item) its parent.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/project.hpp"
#include "engine/workflow.hpp"

namespace investflow::engine {

// Who is looking: a login, the roles it holds and its unit (部门/招商单位; may be empty).
struct Viewer {
  std::string id;
  std::vector<std::string> roles;
  std::string unit;
};

// The keys `project` carries under its workflow version's rules: sorted, each once. Empty
// for a workflow without `visibility:`.
std::vector<std::string> access_keys(const Workflow& workflow, const Project& project);

// "@FIELD|LOGIN": the project names LOGIN in its user field FIELD. Not a data-scope key (no
// role begins with '@'): it lets a store find the projects a user holds through a field
// (我的待办's problems, the list's holder filter) with an index instead of reading them all.
std::string holder_key(std::string_view field, std::string_view login);

// Every key a store keeps for `project` (project_access): its access keys and a holder key
// for each user field with a value. Sorted, each once.
std::vector<std::string> lookup_keys(const Workflow& workflow, const Project& project);

// Whether the holders of `viewer`'s roles see every project of this workflow version.
bool sees_whole(const Workflow& workflow, const Viewer& viewer);
// Whether `viewer` sees an item of this workflow version when it sees the item's parent.
bool sees_through_parent(const Workflow& workflow, const Viewer& viewer);

// What one user sees across the registered workflow versions.
class DataScope {
 public:
  struct Version {
    std::string workflow;
    std::int64_t version = 0;
    bool operator==(const Version&) const = default;
  };

  // No restriction (the CLI, the scheduler).
  DataScope() = default;
  static DataScope of(const Viewer& viewer,
                      const std::vector<std::shared_ptr<const Workflow>>& registered);

  // Sees every project of every registered version: nothing to check.
  bool unrestricted() const { return unrestricted_; }
  const std::vector<Version>& whole() const { return whole_; }
  const std::vector<Version>& through_parent() const { return through_parent_; }
  const std::vector<std::string>& keys() const { return keys_; }

  // In memory, for a project whose parent (if any) is `parent_seen`.
  bool sees(const Workflow& workflow, const Project& project, bool parent_seen = false) const;

 private:
  bool unrestricted_ = true;
  std::vector<Version> whole_;
  std::vector<Version> through_parent_;
  std::vector<std::string> keys_;  // sorted
};

}  // namespace investflow::engine
