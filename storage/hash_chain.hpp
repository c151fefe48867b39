#pragma once
// The per-project hash chain that makes the event log tamper-evident:
//   hash(event n) = SHA-256(hash(event n-1) || canonical JSON of event n)
// with 32 zero bytes before the first event. Editing, removing or reordering any stored
// event breaks every later link, which `verify` reports.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace investflow::storage {

using Hash = std::array<std::uint8_t, 32>;

inline constexpr Hash kGenesisHash{};  // the "previous hash" of a project's first event

Hash chain_hash(const Hash& previous, std::string_view canonical_event);

// The log chain over every event in commit order (events.id), next to the per-project
// chains: log_hash(event i) = SHA-256(log_hash(event i-1) || hash(event i)), from 32 zero
// bytes. Its length and last link are what a signed digest states (anchor.hpp): an event
// changed, removed or reordered anywhere, even with every per-project chain recomputed,
// gives another head.
Hash log_link(const Hash& previous_log, const Hash& event_hash);

std::string to_hex(const Hash& hash);
std::optional<Hash> hash_from_hex(std::string_view hex);
// The raw bytes of a BLOB column; nullopt unless exactly 32 bytes.
std::optional<Hash> hash_from_bytes(const void* data, std::size_t size);

}  // namespace investflow::storage
