#pragma once
// `investflow copy SRC DST` (issue 21): a whole store copied between SQLite and PostgreSQL,
// in either direction. Everything a server keeps is copied as it is stored (the same ids,
// the same hashes: both chains, and so a digest signed on SRC, hold on DST), except the
// summaries derived from the log (the report_* tables), which are rebuilt on DST.
//
// SRC is verified first (verify_database / verify_pg_database) and refused when it has any
// problem. DST must be new: a SQLite file that does not exist, or a PostgreSQL database
// without investflow's schema or with an empty one. The rows go in one transaction on DST;
// each table's count, and both chains' sizes and heads, are compared with SRC's (read in one
// snapshot) before it commits, and the copy is then verified. A SQLite DST is written under
// a temporary name and renamed only once verified, so a copy that stops half-way leaves
// nothing that looks like a database there.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/anchor.hpp"
#include "storage/operations.hpp"
#include "storage/store.hpp"

namespace investflow::storage {

struct CopyOptions {
  // Where a PostgreSQL side keeps its attachments (its servers' --files-dir); a SQLite side
  // keeps them in DB.files beside the file. Empty: none given (then SRC must hold none).
  std::filesystem::path pg_files_dir;
  // Copy even when SRC holds rows in tables DST has no place for (they are left out, and
  // listed in CopySummary::left_out); otherwise such a copy is refused.
  bool leave_out_unsupported = false;
  // The progress of each stage ("verifying SRC", "copying", "verifying the copy"): called
  // once as a stage begins, with its name; the function it returns gets (done, total).
  std::function<ProgressFn(std::string_view stage)> progress;
};

struct CopiedTable {
  std::string name;
  std::int64_t rows = 0;
};

struct CopySummary {
  std::vector<CopiedTable> tables;    // in the order copied
  std::vector<CopiedTable> left_out;  // SRC's rows DST has no table for
  std::vector<std::string> rebuilt;   // summaries rebuilt on DST from the copied log
  std::int64_t rows = 0;
  std::int64_t files = 0;  // attached files copied
  LogHeads heads;          // both chains, equal on SRC and DST
  VerifyReport verified;   // verify's report on DST
};

// The copy; its error names what went wrong and leaves DST as it was (a PostgreSQL DST
// that had no schema may be left with an empty one, which a copy takes again).
Outcome<CopySummary> copy_store(const std::string& src, const std::string& dst,
                                const CopyOptions& options = {});

}  // namespace investflow::storage
