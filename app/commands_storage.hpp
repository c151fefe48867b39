#pragma once
// Commands that work on a database: init, verify, backup, import, export, seed.

#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "app/args.hpp"
#include "engine/date.hpp"
#include "storage/store.hpp"

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

// The store over `db` as the server opens it: the shipped and deployed workflows registered.
// Null (and said on io.err) when it does not open.
std::unique_ptr<storage::Store> open_command_store(const std::string& db, Io& io);

// Where a command writes its file: `out` itself; `default_name` inside `out` when it is an
// existing directory; `default_name` in the current directory when `out` is empty.
std::filesystem::path output_file(const std::string& out, const std::string& default_name);
// Today in China time (default file names carry it).
engine::Date today();

}  // namespace investflow::app
