#pragma once
// Anchoring the history outside the database file. Two chains run through the database in
// commit order: the log chain over every event (events.log_hash, hash_chain.hpp log_link)
// and the audit log's own chain (audit.hpp). A digest is a statement of both chains' size
// and head, signed with an Ed25519 key (libsodium) that does not live with the database;
// kept elsewhere (a directory, a webhook receiver), it lets `investflow verify --digest`
// prove that nothing the digest covers was changed, removed or reordered since, even by
// someone who can write the file, recompute every hash and restore the triggers. Later
// appends are fine.
//
// Key files: KEY holds the 32-byte Ed25519 seed as hex (mode 0600), KEY.pub the public
// key as hex. A digest file is JSON:
//   {"format": "investflow-digest/1", "database": "zone.db", "at": "2026-03-02T08:00:00.000Z",
//    "events": {"size": 1200, "head": "<hex>"}, "audit": {"size": 40, "head": "<hex>"},
//    "public_key": "<hex>", "signature": "<hex>"}
// The signature covers digest_statement(): the format, database, at and both chains.

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "engine/date.hpp"
#include "storage/hash_chain.hpp"
#include "storage/store.hpp"

namespace SQLite {
class Database;
}

namespace investflow::storage {

class PgConnection;

inline constexpr std::string_view kDigestFormat = "investflow-digest/1";

using PublicKey = std::array<std::uint8_t, 32>;
using Signature = std::array<std::uint8_t, 64>;

struct SigningKey {
  std::array<std::uint8_t, 64> secret{};  // libsodium's secret key (seed || public key)
  PublicKey public_key{};
};

// A chain's length and last link (kGenesisHash when empty).
struct ChainHead {
  std::int64_t size = 0;
  Hash head = kGenesisHash;
  bool operator==(const ChainHead&) const = default;
};

struct LogHeads {
  ChainHead events;
  ChainHead audit;
};

struct Digest {
  // The database's file name (SQLite) or name (PostgreSQL) when signed (information only).
  std::string database;
  std::string at;  // when, UTC, 2026-03-02T08:00:00.000Z
  LogHeads heads;
  PublicKey public_key{};
  Signature signature{};
};

// Schema migration 18: chains the events stored before it (in id order). Runs inside the
// migration's transaction; lifts the append-only trigger for the one UPDATE and restores it.
void backfill_log_hashes(SQLite::Database& db);

// Both chains' heads as the tables hold them, read in one snapshot by the caller's
// transaction (or the statement's own).
LogHeads stored_heads(SQLite::Database& db);
// The same on PostgreSQL, in one statement (one snapshot): the log chain's from log_head
// (its event ids have no gaps, so the last id is the size), checked against the last
// event's log_hash; the audit chain's from audit_log. Throws on failure, and when log_head
// and the events disagree.
LogHeads stored_heads(PgConnection& connection);

// A new key pair: KEY (0600; refuses to overwrite) and KEY.pub.
Outcome<PublicKey> write_signing_key(const std::filesystem::path& key);
Outcome<SigningKey> read_signing_key(const std::filesystem::path& key);
Outcome<PublicKey> read_public_key(const std::filesystem::path& key_pub);

// The bytes the signature covers.
std::string digest_statement(const Digest& digest);
Digest sign_digest(const SigningKey& key, std::string database, std::string at, LogHeads heads);
bool digest_signature_valid(const Digest& digest);

std::string digest_to_json(const Digest& digest);
// Refuses anything but a well-formed digest of this format (the message names the part).
Outcome<Digest> digest_from_json(std::string_view text);

// Reads the heads of `database` (a SQLite file or a postgresql:// URI) in one snapshot and
// signs them.
Outcome<Digest> make_digest(const std::string& database, const SigningKey& key,
                            engine::Timestamp now);
// Writes the digest to `file` (0600, through a temporary name, renamed when complete).
Outcome<Ok> write_digest_file(const std::filesystem::path& file, const Digest& digest);
Outcome<Digest> read_digest_file(const std::filesystem::path& file);

std::string hex_of(const std::uint8_t* data, std::size_t size);

}  // namespace investflow::storage
