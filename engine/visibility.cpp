#include "engine/visibility.hpp"

#include <algorithm>

namespace investflow::engine {
namespace {

// "ROLE|u:LOGIN", "ROLE|unit:UNIT", "ROLE|voters:VOTERS": a role's holder who is LOGIN, who
// belongs to UNIT, or who holds the review's voters role. Roles are identifiers, so the
// first '|' ends the role.
std::string key(std::string_view role, std::string_view kind, std::string_view value) {
  std::string text;
  text.reserve(role.size() + kind.size() + value.size() + 2);
  text.append(role).append("|").append(kind).append(":").append(value);
  return text;
}

void sort_unique(std::vector<std::string>& keys) {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
}

}  // namespace

std::vector<std::string> access_keys(const Workflow& workflow, const Project& project) {
  std::vector<std::string> keys;
  for (const auto& [role, rule] : workflow.visibility) {
    if (rule.all) continue;
    if (rule.owner && !project.owner.empty()) keys.push_back(key(role, "u", project.owner));
    for (const std::string& field : rule.users) {
      const Value value = project.field(field);
      if (const std::string* login = value.as_text(); login != nullptr && !login->empty())
        keys.push_back(key(role, "u", *login));
    }
    if (!rule.unit.empty()) {
      const Value value = project.field(rule.unit);
      if (const std::string* unit = value.as_text(); unit != nullptr && !unit->empty())
        keys.push_back(key(role, "unit", *unit));
    }
    if (rule.reviews) {
      for (const Vote& vote : project.votes)
        keys.push_back(key(role, "u", vote.voter));
      for (const ClosedReview& review : project.closed_reviews) {
        for (const Vote& vote : review.votes)
          keys.push_back(key(role, "u", vote.voter));
      }
      if (const StateDef* state = workflow.find_state(project.state);
          state != nullptr && state->review) {
        keys.push_back(key(role, "voters", state->review->voters));
      }
    }
  }
  sort_unique(keys);
  return keys;
}

std::string holder_key(std::string_view field, std::string_view login) {
  std::string text;
  text.reserve(field.size() + login.size() + 2);
  text.append("@").append(field).append("|").append(login);
  return text;
}

std::vector<std::string> lookup_keys(const Workflow& workflow, const Project& project) {
  std::vector<std::string> keys = access_keys(workflow, project);
  for (const FieldDef& field : workflow.fields) {
    if (field.type != FieldType::user) continue;
    const Value value = project.field(field.name);
    if (const std::string* login = value.as_text(); login != nullptr && !login->empty())
      keys.push_back(holder_key(field.name, *login));
  }
  sort_unique(keys);
  return keys;
}

bool sees_whole(const Workflow& workflow, const Viewer& viewer) {
  if (workflow.visibility.empty()) return true;
  return std::any_of(viewer.roles.begin(), viewer.roles.end(), [&](const std::string& role) {
    const auto rule = workflow.visibility.find(role);
    return rule != workflow.visibility.end() && rule->second.all;
  });
}

bool sees_through_parent(const Workflow& workflow, const Viewer& viewer) {
  return std::any_of(viewer.roles.begin(), viewer.roles.end(), [&](const std::string& role) {
    const auto rule = workflow.visibility.find(role);
    return rule != workflow.visibility.end() && rule->second.parent;
  });
}

DataScope DataScope::of(const Viewer& viewer,
                        const std::vector<std::shared_ptr<const Workflow>>& registered) {
  DataScope scope;
  bool everything = true;
  for (const auto& workflow : registered) {
    if (!workflow) continue;
    if (sees_whole(*workflow, viewer)) {
      scope.whole_.push_back({workflow->id, workflow->version});
      continue;
    }
    everything = false;
    if (sees_through_parent(*workflow, viewer))
      scope.through_parent_.push_back({workflow->id, workflow->version});
  }
  scope.unrestricted_ = everything;
  if (everything) {
    scope.whole_.clear();
    return scope;
  }
  for (const std::string& role : viewer.roles) {
    scope.keys_.push_back(key(role, "u", viewer.id));
    if (!viewer.unit.empty()) scope.keys_.push_back(key(role, "unit", viewer.unit));
    for (const std::string& voters : viewer.roles)
      scope.keys_.push_back(key(role, "voters", voters));
  }
  sort_unique(scope.keys_);
  return scope;
}

bool DataScope::sees(const Workflow& workflow, const Project& project, bool parent_seen) const {
  if (unrestricted_) return true;
  const Version version{workflow.id, workflow.version};
  if (std::find(whole_.begin(), whole_.end(), version) != whole_.end()) return true;
  if (parent_seen && !project.parent.empty() &&
      std::find(through_parent_.begin(), through_parent_.end(), version) != through_parent_.end()) {
    return true;
  }
  const std::vector<std::string> carried = access_keys(workflow, project);
  return std::any_of(carried.begin(), carried.end(), [&](const std::string& each) {
    return std::binary_search(keys_.begin(), keys_.end(), each);
  });
}

}  // namespace investflow::engine
