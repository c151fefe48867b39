#include "app/commands_anchor.hpp"

#include <iostream>

#include "app/backup_schedule.hpp"
#include "app/commands_storage.hpp"
#include "storage/system_clock.hpp"

namespace investflow::app {
namespace {

namespace fs = std::filesystem;

// zone-digest-20260210-093000.json: names sort by time. `database` is the digest's (a
// SQLite file's name, or a PostgreSQL database's).
std::string digest_name(const std::string& database, engine::Timestamp now) {
  return fs::path(database).stem().string() + "-digest-" + file_stamp(now) + ".json";
}

}  // namespace

int run_keygen(std::span<const std::string> args, Io& io) {
  ArgSpec spec("keygen",
               "Make an Ed25519 key pair for signing digests: KEY (the secret, mode 0600) and\n"
               "KEY.pub (the public key, one line of hex). Keep KEY away from the database\n"
               "and its backups (whoever holds it can sign a rewritten history); give KEY.pub\n"
               "to whoever checks digests. Refuses to overwrite an existing KEY.");
  spec.option("out", "KEY", "where to write the secret key (KEY.pub next to it)")
      .example("investflow keygen --out /etc/investflow/digest.key");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  if (parsed.value("out").empty()) {
    io.err << "investflow keygen: --out KEY is required\n";
    return kExitUsage;
  }
  const fs::path key = parsed.value("out");
  auto written = storage::write_signing_key(key);
  if (!written) {
    io.err << "investflow keygen: " << written.error().message << "\n";
    return kExitFailed;
  }
  io.out << "wrote " << key.string() << " (secret, 0600) and " << key.string()
         << ".pub (public key " << storage::hex_of(written->data(), written->size()) << ")\n";
  return kExitOk;
}

int run_digest(std::span<const std::string> args, Io& io) {
  ArgSpec spec("digest",
               "Sign a statement of the database's history: how many events and audit entries\n"
               "it holds and the head of each chain. Kept away from the database (another\n"
               "machine, a witness), it lets 'investflow verify DB --digest FILE --public-key\n"
               "KEY.pub' prove that nothing it covers was changed, removed or reordered since.\n"
               "Prints the digest (JSON) unless --out. Safe while a server writes.");
  spec.positional("DB", "the SQLite database file, or a postgresql:// URI")
      .option("key", "KEY", "the signing key (investflow keygen)")
      .option("out", "FILE", "write the digest here (refuses to overwrite) instead of stdout")
      .example("investflow digest zone.db --key /etc/investflow/digest.key --out zone-digest.json")
      .example(
          "investflow digest postgresql://investflow@db1/zone --key digest.key --out "
          "zone-digest.json");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  if (parsed.value("key").empty()) {
    io.err << "investflow digest: --key KEY is required (make one with investflow keygen)\n";
    return kExitUsage;
  }
  const std::string db = parsed.positional("DB");
  if (!database_exists(db, io)) return kExitFailed;
  auto key = storage::read_signing_key(parsed.value("key"));
  if (!key) {
    io.err << "investflow digest: " << key.error().message << "\n";
    return kExitFailed;
  }
  auto digest = storage::make_digest(db, *key, storage::SystemClock().now());
  if (!digest) {
    io.err << "investflow digest: " << digest.error().message << "\n";
    return kExitFailed;
  }
  if (parsed.value("out").empty()) {
    io.out << storage::digest_to_json(*digest);
    return kExitOk;
  }
  if (auto written = storage::write_digest_file(parsed.value("out"), *digest); !written) {
    io.err << "investflow digest: " << written.error().message << "\n";
    return kExitFailed;
  }
  io.out << "wrote " << parsed.value("out") << ": " << digest->heads.events.size << " events, "
         << digest->heads.audit.size << " audit entries\n";
  return kExitOk;
}

engine::Result<std::string, std::string> digest_now(const std::string& db,
                                                    const DigestPolicy& policy) {
  std::error_code error;
  fs::create_directories(policy.dir, error);
  if (error) return engine::fail(policy.dir.string() + ": " + error.message());
  const engine::Timestamp now = storage::SystemClock().now();
  auto digest = storage::make_digest(db, policy.key, now);
  if (!digest) return engine::fail(digest.error().message);
  const fs::path file = policy.dir / digest_name(digest->database, now);
  if (auto written = storage::write_digest_file(file, *digest); !written) {
    return engine::fail(written.error().message);
  }
  std::string done = file.string() + " written (" + std::to_string(digest->heads.events.size) +
                     " events, " + std::to_string(digest->heads.audit.size) + " audit entries)";
  if (policy.webhook.empty()) return done;
  notify::PostRequest request;
  request.url = policy.webhook;
  request.body = storage::digest_to_json(*digest);
  request.addresses = policy.addresses;
  request.ca_file = policy.ca_file;
  request.proxy = notify::proxy_settings_from_environment();
  const notify::PostOutcome posted = notify::http_post(request);
  if (!posted.error.empty() || posted.status < 200 || posted.status >= 300) {
    return engine::fail(
        done + ", but posting it to the witness failed: " +
        (posted.error.empty() ? "HTTP " + std::to_string(posted.status) : posted.error));
  }
  return done + " and posted to the witness (HTTP " + std::to_string(posted.status) + ")";
}

}  // namespace investflow::app
