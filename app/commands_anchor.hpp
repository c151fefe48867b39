#pragma once
// Anchoring the history outside the database (storage/anchor.hpp): `keygen` makes an
// Ed25519 key pair, `digest` signs a statement of the event log's and the audit log's size
// and head, `verify --digest` (commands_storage.cpp) checks a database against one, and
// `serve --digest-dir` writes one every --digest-every and posts it to --digest-webhook (an
// outside witness).

#include <chrono>
#include <filesystem>
#include <span>
#include <string>

#include "app/args.hpp"
#include "engine/result.hpp"
#include "notify/http_post.hpp"
#include "storage/anchor.hpp"

namespace investflow::app {

int run_keygen(std::span<const std::string> args, Io& io);
int run_digest(std::span<const std::string> args, Io& io);

struct DigestPolicy {
  std::filesystem::path dir;  // "": no scheduled digests
  storage::SigningKey key;
  std::chrono::seconds every{3600};
  std::string webhook;              // "": not posted
  notify::AddressPolicy addresses;  // serve's webhook policy
  std::string ca_file;              // serve --webhook-ca-file
};

// One digest now of `db` (a SQLite file or a postgresql:// URI):
// DIR/<db name>-digest-YYYYMMDD-HHMMSS.json (+08:00), then posted to the webhook when there
// is one (the file stays if the post fails; the failure is reported). What was written, or
// why not.
engine::Result<std::string, std::string> digest_now(const std::string& db,
                                                    const DigestPolicy& policy);

}  // namespace investflow::app
