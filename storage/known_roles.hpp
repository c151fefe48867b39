#pragma once
// The roles a user may be given: those some workflow names. A role no workflow has would let
// nobody do anything (or hide a typo of admin), so `investflow user add` and
// POST/PATCH /api/users refuse it. One reading of "the workflows" for both: the stored ones,
// or the shipped ones while the database holds none (users are often added before the first
// deploy).

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/workflow.hpp"

namespace investflow::storage {

// The roles of `stored` (a database's workflows), or of the shipped workflows when they
// name none; sorted, each once.
std::vector<std::string> known_roles(
    const std::vector<std::shared_ptr<const engine::Workflow>>& stored);
// The same for the database `db` names (a SQLite file or a postgresql:// URI), read on its
// own (the CLI; no Store needed). A missing database, or one without workflows yet: the
// shipped ones.
std::vector<std::string> known_roles(const std::string& db);
// The members of `roles` that are not in `known`, in order.
std::vector<std::string> unknown_roles(const std::vector<std::string>& roles,
                                       const std::vector<std::string>& known);

}  // namespace investflow::storage
