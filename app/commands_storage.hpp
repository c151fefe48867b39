#pragma once
// Commands that work on a database: init, verify, backup, import, export, seed.

#include <span>
#include <string>

#include "app/args.hpp"

namespace investflow::app {

int run_init(std::span<const std::string> args, Io& io);
int run_verify(std::span<const std::string> args, Io& io);
int run_backup(std::span<const std::string> args, Io& io);
int run_import(std::span<const std::string> args, Io& io);
int run_export(std::span<const std::string> args, Io& io);
int run_seed(std::span<const std::string> args, Io& io);

// Whether `db` exists; if not, says so on io.err (with how to create one). For commands
// that must not create a database by mistake.
bool database_exists(const std::string& db, Io& io);

}  // namespace investflow::app
