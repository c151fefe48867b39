#include "app/commands_copy.hpp"

#include <chrono>
#include <cstdio>
#include <memory>

#include "app/progress.hpp"
#include "storage/pg_connection.hpp"
#include "storage/store_copy.hpp"

namespace investflow::app {

int run_copy(std::span<const std::string> args, Io& io) {
  ArgSpec spec(
      "copy",
      "Copy a whole store between SQLite and PostgreSQL, in either direction: workflows (every\n"
      "version), calendars, the event log with its ids and both chains (a digest signed on\n"
      "SRC still verifies on DST), projections, outbox, idempotency keys, users, sessions,\n"
      "tokens, saved filters, notifications, webhooks and deliveries, the audit log, access\n"
      "keys and the attached files. Report summaries are rebuilt on DST from the log.\n"
      "SRC is verified first and refused if verify finds any problem. DST must be new: a\n"
      "SQLite file that does not exist, or a PostgreSQL database without investflow's tables\n"
      "(or with empty ones). The rows are written in one transaction on DST, every table's\n"
      "count and both chains' heads compared with SRC's before it commits, and DST is then\n"
      "verified; a SQLite DST gets its name only then. Stop servers writing to SRC first: the\n"
      "copy is one snapshot of SRC, and what they write after it is not copied. A SQLite file\n"
      "keeps its attached files in DB.files; give the PostgreSQL side's with --files-dir.\n"
      "A DST without a table SRC has rows in (an older schema) is refused unless\n"
      "--leave-out-unsupported, which leaves them out and lists them.");
  spec.positional("SRC", "the store to copy: a SQLite file or a postgresql:// URI")
      .positional("DST", "the new store: a SQLite file (must not exist) or a postgresql:// URI")
      .option("files-dir", "DIR",
              "the PostgreSQL side's attached files (its servers' --files-dir); empty as DST")
      .flag("leave-out-unsupported", "copy the rest when DST has no table for some of SRC's rows")
      .example(
          "investflow copy zone.db postgresql://investflow@db.example/zone --files-dir "
          "/srv/investflow/files")
      .example(
          "investflow copy postgresql://investflow@db.example/zone zone-copy.db "
          "--files-dir /srv/investflow/files");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  const std::string src = parsed.positional("SRC");
  const std::string dst = parsed.positional("DST");
  const bool src_pg = storage::is_postgres_uri(src), dst_pg = storage::is_postgres_uri(dst);
  if (src_pg && dst_pg) {
    io.err << "investflow copy: SRC and DST are both PostgreSQL databases: copy one with "
              "pg_dump and pg_restore\n";
    return kExitUsage;
  }
  if (parsed.has("files-dir") && !src_pg && !dst_pg) {
    io.err << "investflow copy: --files-dir is for a PostgreSQL side; SQLite files keep their "
              "attachments in DB.files\n";
    return kExitUsage;
  }
  storage::CopyOptions options;
  options.pg_files_dir = parsed.value("files-dir");
  options.leave_out_unsupported = parsed.has("leave-out-unsupported");
  std::unique_ptr<Progress> progress;
  options.progress = [&](std::string_view stage) -> storage::ProgressFn {
    if (progress) progress->finish();
    progress = std::make_unique<Progress>(io, std::string(stage));
    return progress->callback();
  };
  const auto start = std::chrono::steady_clock::now();
  auto copied = storage::copy_store(src, dst, options);
  if (progress) progress->finish();
  progress.reset();
  if (!copied) {
    io.err << "investflow copy: " << copied.error().message << "\n";
    return kExitFailed;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string src_name = src_pg ? storage::redact_uri(src) : src;
  const std::string dst_name = dst_pg ? storage::redact_uri(dst) : dst;
  io.out << "copied " << src_name << " to " << dst_name << "\n";
  for (const storage::CopiedTable& table : copied->tables) {
    io.out << "  " << table.name
           << std::string(table.name.size() < 22 ? 22 - table.name.size() : 1, ' ') << table.rows
           << "\n";
  }
  if (copied->files > 0) io.out << "  attached files        " << copied->files << "\n";
  for (const storage::CopiedTable& table : copied->left_out)
    io.out << "  left out: " << table.name << " (" << table.rows << " rows)\n";
  if (!copied->rebuilt.empty()) {
    io.out << "  rebuilt from the log: ";
    for (std::size_t i = 0; i < copied->rebuilt.size(); ++i)
      io.out << (i == 0 ? "" : ", ") << copied->rebuilt[i];
    io.out << "\n";
  }
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, "%.1f", seconds);
  io.out << copied->tables.size() << " tables, " << copied->rows << " rows in " << elapsed
         << " s\n";
  const auto& heads = copied->heads;
  io.out << "event log: " << heads.events.size << " events, head "
         << storage::hex_of(heads.events.head.data(), heads.events.head.size()) << "\n"
         << "audit log: " << heads.audit.size << " entries, head "
         << storage::hex_of(heads.audit.head.data(), heads.audit.head.size()) << "\n"
         << "verify " << dst_name << ": " << copied->verified.projects << " projects, "
         << copied->verified.events << " events: ok\n";
  return kExitOk;
}

}  // namespace investflow::app
