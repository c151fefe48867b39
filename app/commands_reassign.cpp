#include "app/commands_reassign.hpp"

#include <map>
#include <utility>

#include "app/commands_storage.hpp"
#include "app/progress.hpp"
#include "engine/typed_text.hpp"
#include "storage/auth.hpp"
#include "storage/deployed_calendars.hpp"
#include "storage/migration.hpp"
#include "storage/open_store.hpp"
#include "storage/pg_connection.hpp"
#include "storage/reassign.hpp"

namespace investflow::app {

int run_reassign(std::span<const std::string> args, Io& io) {
  ArgSpec spec(
      "reassign",
      "Hand every open project a person holds to another person (人员交接): as owner, or in\n"
      "a user field such as the service officer or the liaison leader. Each holding is its\n"
      "own reassignment with the reason, decided by the engine and recorded in the\n"
      "project's history; the old and the new holder are notified by the workflows'\n"
      "`on: reassigned` rules. Lists every result; exit 1 when any was refused.");
  spec.positional("DB", "the SQLite database file, or a postgresql:// URI")
      .option("from", "USER", "the login handing over (required)")
      .option("to", "USER", "the login taking over: an existing, enabled user (required)")
      .option("reason", "TEXT", "why (required; recorded in each project's history)")
      .option("holder", "H",
              "only this holding: owner or a user field's name (repeatable as "
              "a comma-separated list); default: owner and every user field")
      .option("workflow", "ID", "only projects of this workflow")
      .option("actor", "NAME", "who is recorded as reassigning (an admin's tool)", "admin")
      .option("lang", "LANG", "message language: zh-CN or en", "zh-CN")
      .example("investflow reassign zone.db --from zhang --to li --reason 张某调离")
      .example(
          "investflow reassign zone.db --from zhang --to li --reason 调岗 --holder "
          "service_officer --workflow qingyuan-investment");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  const std::string lang = parsed.value("lang");
  if (lang != "zh-CN" && lang != "en") {
    io.err << "investflow reassign: --lang takes zh-CN or en, not '" << lang << "'\n";
    return kExitUsage;
  }
  const bool en = lang == "en";
  for (const char* required : {"from", "to", "reason"}) {
    if (!parsed.has(required) || parsed.value(required).empty()) {
      io.err << "investflow reassign: --" << required << " is required\n";
      return kExitUsage;
    }
  }
  storage::BulkReassign bulk;
  bulk.from = parsed.value("from");
  bulk.to = parsed.value("to");
  bulk.reason = parsed.value("reason");
  if (parsed.has("workflow")) bulk.workflow = parsed.value("workflow");
  if (parsed.has("holder")) {
    const std::string holders = parsed.value("holder");
    for (const auto holder : engine::split_list(holders))
      bulk.holders.emplace_back(holder);
  }
  if (bulk.from == bulk.to) {
    io.err << "investflow reassign: "
           << (en ? "--from and --to are the same user" : "交出人和接手人不能是同一人") << "\n";
    return kExitUsage;
  }

  const std::string db = parsed.positional("DB");
  if (!database_exists(db, io)) return kExitFailed;
  const std::string shown_db = storage::redact_uri(db);
  auto auth = storage::AuthStore::open(db);
  if (!auth) {
    io.err << "investflow: " << shown_db << ": " << auth.error().message << "\n";
    return kExitFailed;
  }
  auto user = (*auth)->user(bulk.to);
  if (!user || !*user || (*user)->disabled) {
    io.err << "investflow reassign: --to " << bulk.to
           << (en ? ": no such user (or disabled)" : "：没有这个用户（或已停用）") << "\n";
    return kExitFailed;
  }
  // Every reassignment is a command through the store's writer (the PostgreSQL one too):
  // decided by the engine, appended to the event log and its chains.
  auto store = storage::open_store_at(db);
  if (!store) {
    io.err << "investflow: " << shown_db << ": " << store.error().message << "\n";
    return kExitFailed;
  }
  for (const std::string& problem : storage::take_stored_versions(**store).problems)
    io.err << "investflow: warning: " << problem << "\n";
  std::map<std::string, std::string> seen;
  for (const std::string& problem : storage::take_deployed_calendars(**store, seen).problems)
    io.err << "investflow: warning: " << problem << "\n";

  const engine::Actor actor{parsed.value("actor"), {"admin"}};
  Progress progress(io, en ? "reassigning" : "转交");
  auto outcomes = storage::bulk_reassign(
      **store, bulk, actor, [&progress](std::size_t done, std::size_t total) {
        progress.update(static_cast<std::int64_t>(done), static_cast<std::int64_t>(total));
      });
  progress.finish();
  if (!outcomes) {
    io.err << "investflow: " << shown_db << ": " << outcomes.error().message << "\n";
    return kExitFailed;
  }
  int moved = 0;
  int refused = 0;
  for (const storage::ReassignOutcome& outcome : *outcomes) {
    io.out << outcome.project << "\t" << outcome.holder << "\t"
           << (outcome.name.empty() ? "-" : outcome.name) << "\t";
    if (outcome.result.accepted()) {
      ++moved;
      io.out << (en ? "moved" : "已转交") << "\n";
      continue;
    }
    ++refused;
    std::string why;
    for (const engine::Reason& reason : outcome.result.rejection.reasons)
      why += (why.empty() ? "" : en ? "; " : "；") + reason.message.in(lang);
    if (why.empty()) why = outcome.result.error;
    io.out << (en ? "refused: " : "未转交：") << why << "\n";
  }
  if (en) {
    io.out << moved << " moved, " << refused << " refused\n";
  } else {
    io.out << "已转交 " << moved << " 项，未转交 " << refused << " 项\n";
  }
  return refused > 0 ? kExitFailed : kExitOk;
}

}  // namespace investflow::app
