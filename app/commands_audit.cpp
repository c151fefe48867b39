#include "app/commands_audit.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>
#include <pwd.h>
#include <unistd.h>

#include <boost/json.hpp>

#include "app/commands_storage.hpp"
#include "storage/audit.hpp"
#include "storage/codec.hpp"
#include "storage/pg_connection.hpp"
#include "storage/system_clock.hpp"

namespace investflow::app {
namespace {

std::string system_user() {
  if (const passwd* entry = ::getpwuid(::geteuid()); entry != nullptr && entry->pw_name != nullptr)
    return entry->pw_name;
  return "uid " + std::to_string(::geteuid());
}

}  // namespace

bool audit_cli(const std::string& db, const std::string& action, const std::string& target,
               const boost::json::object& detail, Io& io) {
  try {
    storage::append_audit_entry(
        db, storage::AuditEntry{0, storage::SystemClock().now(), "cli:" + system_user(), action,
                                target, "cli", "", storage::canonical_json(detail)});
    return true;
  } catch (const std::exception& error) {
    io.err << "investflow: warning: " << storage::redact_uri(db)
           << ": the audit log could not be written (" << error.what() << ")\n";
    return false;
  }
}

int run_audit(std::span<const std::string> args, Io& io) {
  ArgSpec spec("audit",
               "List the security audit log, newest first: logins and failures with the\n"
               "client's address, logouts, refused requests, changes to users, tokens and\n"
               "webhooks, downloads, backups, workflow deploys and migrations. One line per\n"
               "entry (time, actor, action, target, address, detail), or JSON lines with --json.");
  std::string actions;
  for (const std::string_view action : storage::kAuditActions)
    actions += (actions.empty() ? "" : ", ") + std::string(action);
  spec.positional("DB", "the database: a SQLite file or a postgresql:// URI")
      .option("from", "DATE", "entries at or after this date or time (RFC 3339)")
      .option("to", "DATE", "entries before this time, or to the end of this date")
      .option("actor", "USER", "only this user's entries (cli:NAME for the command line)")
      .option("action", "ACTION", "only entries of this action: " + actions)
      .option("limit", "N", "at most this many entries", "100")
      .flag("json", "one JSON object per line")
      .example("investflow audit zone.db --action login_failed --from 2026-03-01");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  storage::AuditQuery query;
  for (const char* name : {"from", "to"}) {
    if (parsed.value(name).empty()) continue;
    const auto at = engine::parse_timestamp(parsed.value(name));
    if (!at) {
      io.err << "investflow audit: --" << name
             << " takes a date (2026-03-02) or an RFC 3339 time, not '" << parsed.value(name)
             << "'\n";
      return kExitUsage;
    }
    (std::string_view(name) == "from" ? query.from : query.to) =
        *at + (std::string_view(name) == "to" && parsed.value(name).size() == 10 ? 86'400'000 : 0);
  }
  query.actor = parsed.value("actor");
  query.action = parsed.value("action");
  if (!query.action.empty() && !storage::is_audit_action(query.action)) {
    io.err << "investflow audit: --action takes one of: " << actions << "\n";
    return kExitUsage;
  }
  const auto limit = parse_integer_option(parsed, "limit", 1, 1'000'000, io);
  if (!limit) return kExitUsage;
  query.limit = static_cast<int>(*limit);
  const std::string db = parsed.positional("DB");
  if (!database_exists(db, io)) return kExitFailed;
  try {
    for (const storage::AuditEntry& entry : storage::list_audit_entries(db, query)) {
      if (parsed.flag("json")) {
        io.out << boost::json::serialize(storage::audit_json(entry)) << "\n";
      } else {
        io.out << engine::format_timestamp(entry.at) << "  "
               << (entry.actor.empty() ? "-" : entry.actor) << "  " << entry.action << "  "
               << (entry.target.empty() ? "-" : entry.target) << "  " << entry.address
               << (entry.detail == "{}" ? "" : "  " + entry.detail) << "\n";
      }
    }
  } catch (const std::exception& error) {
    io.err << "investflow audit: " << storage::redact_uri(db) << ": " << error.what() << "\n";
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace investflow::app
