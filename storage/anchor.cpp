#include "storage/anchor.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sodium.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>

#include "engine/date.hpp"
#include "storage/pg_connection.hpp"

namespace investflow::storage {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

Error invalid(std::string message) {
  return Error{Error::Kind::invalid_request, std::move(message)};
}

template <std::size_t N>
std::optional<std::array<std::uint8_t, N>> bytes_from_hex(std::string_view hex) {
  std::array<std::uint8_t, N> bytes{};
  std::size_t length = 0;
  if (hex.size() != N * 2 ||
      sodium_hex2bin(bytes.data(), N, hex.data(), hex.size(), nullptr, &length, nullptr) != 0 ||
      length != N) {
    return std::nullopt;
  }
  return bytes;
}

// The first line of a small text file, without surrounding white space.
std::optional<std::string> read_line(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  const auto first = line.find_first_not_of(" \t\r");
  const auto last = line.find_last_not_of(" \t\r");
  return first == std::string::npos ? std::string() : line.substr(first, last - first + 1);
}

// Writes `text` to `file` with `mode`, through a temporary name renamed when complete.
Outcome<Ok> write_file(const fs::path& file, std::string_view text, mode_t mode, bool overwrite) {
  std::error_code error;
  if (!overwrite && fs::exists(file, error)) {
    return engine::fail(invalid(file.string() + " exists; refusing to overwrite it"));
  }
  const fs::path partial = file.string() + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      fs::remove(partial, error);
      return engine::fail(invalid("cannot write " + file.string()));
    }
  }
  if (::chmod(partial.c_str(), mode) != 0) {
    fs::remove(partial, error);
    return engine::fail(invalid("cannot set the mode of " + file.string()));
  }
  fs::rename(partial, file, error);
  if (error) {
    fs::remove(partial, error);
    return engine::fail(invalid("cannot write " + file.string() + ": " + error.message()));
  }
  return Ok{};
}

json::object chain_json(const ChainHead& chain) {
  return {{"size", chain.size}, {"head", to_hex(chain.head)}};
}

std::optional<ChainHead> chain_from_json(const json::value* value) {
  if (value == nullptr || !value->is_object()) return std::nullopt;
  const json::object& object = value->as_object();
  const json::value* size = object.if_contains("size");
  const json::value* head = object.if_contains("head");
  if (size == nullptr || !size->is_int64() || size->as_int64() < 0 || head == nullptr ||
      !head->is_string()) {
    return std::nullopt;
  }
  const auto hash = hash_from_hex(head->as_string());
  if (!hash) return std::nullopt;
  return ChainHead{size->as_int64(), *hash};
}

std::optional<Hash> last_hash(SQLite::Database& db, const char* sql) {
  SQLite::Statement select(db, sql);
  if (!select.executeStep()) return std::nullopt;
  const SQLite::Column column = select.getColumn(0);
  return hash_from_bytes(column.getBlob(), static_cast<std::size_t>(column.getBytes()));
}

std::optional<Hash> pg_hash(const PgResult& rows, int column) {
  if (rows.null(0, column)) return std::nullopt;
  const std::string bytes = rows.bytes(0, column);
  return hash_from_bytes(bytes.data(), bytes.size());
}

}  // namespace

std::string hex_of(const std::uint8_t* data, std::size_t size) {
  std::string hex(size * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), data, size);
  hex.pop_back();
  return hex;
}

void backfill_log_hashes(SQLite::Database& db) {
  db.exec("DROP TRIGGER events_no_update");
  {
    SQLite::Statement events(db, "SELECT id, hash FROM events ORDER BY id");
    SQLite::Statement update(db, "UPDATE events SET log_hash = ? WHERE id = ?");
    Hash log = kGenesisHash;
    while (events.executeStep()) {
      const SQLite::Column column = events.getColumn(1);
      const Hash hash =
          hash_from_bytes(column.getBlob(), static_cast<std::size_t>(column.getBytes()))
              .value_or(kGenesisHash);  // a damaged row: verify says so
      log = log_link(log, hash);
      update.bind(1, log.data(), static_cast<int>(log.size()));
      update.bind(2, events.getColumn(0).getInt64());
      update.exec();
      update.reset();
    }
  }
  db.exec(
      "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
      "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END");
}

LogHeads stored_heads(SQLite::Database& db) {
  LogHeads heads;
  heads.events.size = db.execAndGet("SELECT count(*) FROM events").getInt64();
  heads.events.head =
      last_hash(db, "SELECT log_hash FROM events ORDER BY id DESC LIMIT 1").value_or(kGenesisHash);
  heads.audit.size = db.execAndGet("SELECT count(*) FROM audit_log").getInt64();
  heads.audit.head =
      last_hash(db, "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").value_or(kGenesisHash);
  return heads;
}

LogHeads stored_heads(PgConnection& connection) {
  const PgResult row = connection.exec(
      "SELECT h.last_id, h.hash, (SELECT log_hash FROM events WHERE id = h.last_id), "
      "(SELECT count(*) FROM audit_log), "
      "(SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1) FROM log_head h");
  if (row.rows() != 1) throw std::runtime_error("log_head does not hold its one row");
  LogHeads heads;
  heads.events.size = row.number(0, 0);
  heads.events.head = pg_hash(row, 1).value_or(kGenesisHash);
  const std::optional<Hash> last_event = pg_hash(row, 2);
  if (heads.events.size > 0 && last_event != heads.events.head) {
    throw std::runtime_error("log_head (event " + std::to_string(heads.events.size) +
                             ") does not match the events' log chain; run investflow verify");
  }
  heads.audit.size = row.number(0, 3);
  heads.audit.head = pg_hash(row, 4).value_or(kGenesisHash);
  return heads;
}

Outcome<PublicKey> write_signing_key(const fs::path& key) {
  std::error_code error;
  const fs::path pub = key.string() + ".pub";
  if (fs::exists(key, error)) {
    return engine::fail(invalid(key.string() + " exists; refusing to overwrite a key"));
  }
  std::array<std::uint8_t, crypto_sign_SEEDBYTES> seed{};
  randombytes_buf(seed.data(), seed.size());
  SigningKey pair;
  crypto_sign_seed_keypair(pair.public_key.data(), pair.secret.data(), seed.data());
  std::string seed_hex = hex_of(seed.data(), seed.size());
  sodium_memzero(seed.data(), seed.size());
  auto written = write_file(key, seed_hex + "\n", 0600, false);
  sodium_memzero(seed_hex.data(), seed_hex.size());
  if (!written) return engine::fail(written.error());
  auto published =
      write_file(pub, hex_of(pair.public_key.data(), pair.public_key.size()) + "\n", 0644, true);
  if (!published) return engine::fail(published.error());
  return pair.public_key;
}

Outcome<SigningKey> read_signing_key(const fs::path& key) {
  struct stat info {};
  if (::stat(key.c_str(), &info) != 0) {
    return engine::fail(invalid("cannot read the signing key " + key.string()));
  }
  if ((info.st_mode & 0077) != 0) {
    return engine::fail(invalid("the signing key " + key.string() +
                                " can be read by others; chmod 600 it (or make a new one)"));
  }
  const auto line = read_line(key);
  const auto seed = line ? bytes_from_hex<crypto_sign_SEEDBYTES>(*line) : std::nullopt;
  if (!seed) {
    return engine::fail(
        invalid(key.string() + " is not an investflow signing key (investflow keygen makes one)"));
  }
  SigningKey pair;
  crypto_sign_seed_keypair(pair.public_key.data(), pair.secret.data(), seed->data());
  return pair;
}

Outcome<PublicKey> read_public_key(const fs::path& key_pub) {
  const auto line = read_line(key_pub);
  if (!line) return engine::fail(invalid("cannot read the public key " + key_pub.string()));
  const auto key = bytes_from_hex<crypto_sign_PUBLICKEYBYTES>(*line);
  if (!key) {
    return engine::fail(
        invalid(key_pub.string() + " is not an investflow public key (64 hex digits on one line)"));
  }
  return *key;
}

std::string digest_statement(const Digest& digest) {
  std::ostringstream text;
  text << kDigestFormat << "\n"
       << "database " << digest.database << "\n"
       << "at " << digest.at << "\n"
       << "events " << digest.heads.events.size << " " << to_hex(digest.heads.events.head) << "\n"
       << "audit " << digest.heads.audit.size << " " << to_hex(digest.heads.audit.head) << "\n"
       << "public_key " << hex_of(digest.public_key.data(), digest.public_key.size()) << "\n";
  return text.str();
}

Digest sign_digest(const SigningKey& key, std::string database, std::string at, LogHeads heads) {
  Digest digest{std::move(database), std::move(at), heads, key.public_key, {}};
  const std::string statement = digest_statement(digest);
  crypto_sign_detached(digest.signature.data(), nullptr,
                       reinterpret_cast<const unsigned char*>(statement.data()), statement.size(),
                       key.secret.data());
  return digest;
}

bool digest_signature_valid(const Digest& digest) {
  const std::string statement = digest_statement(digest);
  return crypto_sign_verify_detached(digest.signature.data(),
                                     reinterpret_cast<const unsigned char*>(statement.data()),
                                     statement.size(), digest.public_key.data()) == 0;
}

std::string digest_to_json(const Digest& digest) {
  // Fields in a fixed order, one per line: a file people open and compare.
  json::object object;
  object["format"] = kDigestFormat;
  object["database"] = digest.database;
  object["at"] = digest.at;
  object["events"] = chain_json(digest.heads.events);
  object["audit"] = chain_json(digest.heads.audit);
  object["public_key"] = hex_of(digest.public_key.data(), digest.public_key.size());
  object["signature"] = hex_of(digest.signature.data(), digest.signature.size());
  std::string text = "{\n";
  bool first = true;
  for (const auto& [name, value] : object) {
    text += first ? "  " : ",\n  ";
    first = false;
    text += json::serialize(json::value(name)) + ": " + json::serialize(value);
  }
  return text + "\n}\n";
}

Outcome<Digest> digest_from_json(std::string_view text) {
  boost::system::error_code error;
  const json::value value = json::parse(text, error);
  if (error || !value.is_object()) return engine::fail(invalid("not a JSON object"));
  const json::object& object = value.as_object();
  auto string_of = [&object](const char* name) -> std::optional<std::string> {
    const json::value* field = object.if_contains(name);
    if (field == nullptr || !field->is_string()) return std::nullopt;
    return std::string(field->as_string());
  };
  if (string_of("format") != std::string(kDigestFormat)) {
    return engine::fail(
        invalid("not an investflow digest (format is not " + std::string(kDigestFormat) + ")"));
  }
  Digest digest;
  const auto database = string_of("database");
  const auto at = string_of("at");
  if (!database || !at) return engine::fail(invalid("the digest lacks database or at"));
  digest.database = *database;
  digest.at = *at;
  const auto events = chain_from_json(object.if_contains("events"));
  const auto audit = chain_from_json(object.if_contains("audit"));
  if (!events || !audit) {
    return engine::fail(
        invalid("the digest's events or audit is not {size, head (64 hex digits)}"));
  }
  digest.heads = LogHeads{*events, *audit};
  const auto public_key = string_of("public_key");
  const auto key = public_key ? bytes_from_hex<32>(*public_key) : std::nullopt;
  const auto signature_text = string_of("signature");
  const auto signature = signature_text ? bytes_from_hex<64>(*signature_text) : std::nullopt;
  if (!key || !signature) {
    return engine::fail(
        invalid("the digest's public_key or signature is not hex of the right size"));
  }
  digest.public_key = *key;
  digest.signature = *signature;
  return digest;
}

Outcome<Digest> make_digest(const std::string& database, const SigningKey& key,
                            engine::Timestamp now) {
  try {
    if (is_postgres_uri(database)) {
      PgConnection connection(database);
      const LogHeads heads = stored_heads(connection);
      const std::string name(connection.exec("SELECT current_database()").text(0, 0));
      return sign_digest(key, name, engine::format_timestamp(now), heads);
    }
    SQLite::Database connection(database, SQLite::OPEN_READONLY, 10000);
    connection.exec("BEGIN");  // both heads from one snapshot
    const LogHeads heads = stored_heads(connection);
    connection.exec("COMMIT");
    return sign_digest(key, fs::path(database).filename().string(), engine::format_timestamp(now),
                       heads);
  } catch (const std::exception& error) {
    return engine::fail(storage_error(error, redact_uri(database) + ": "));
  }
}

Outcome<Ok> write_digest_file(const fs::path& file, const Digest& digest) {
  return write_file(file, digest_to_json(digest), 0600, false);
}

Outcome<Digest> read_digest_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return engine::fail(invalid("cannot read the digest " + file.string()));
  std::ostringstream text;
  text << in.rdbuf();
  auto digest = digest_from_json(text.str());
  if (!digest) {
    return engine::fail(invalid(file.string() + ": " + digest.error().message));
  }
  return digest;
}

}  // namespace investflow::storage
