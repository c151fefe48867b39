#include "storage/hash_chain.hpp"

#include <sodium.h>

#include <cstring>

namespace investflow::storage {

Hash chain_hash(const Hash& previous, std::string_view canonical_event) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, previous.data(), previous.size());
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(canonical_event.data()),
                            canonical_event.size());
  Hash hash;
  crypto_hash_sha256_final(&state, hash.data());
  return hash;
}

Hash log_link(const Hash& previous_log, const Hash& event_hash) {
  return chain_hash(previous_log, std::string_view(reinterpret_cast<const char*>(event_hash.data()),
                                                   event_hash.size()));
}

std::string to_hex(const Hash& hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(hash.size() * 2);
  for (const std::uint8_t byte : hash) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0x0f]);
  }
  return hex;
}

std::optional<Hash> hash_from_hex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  Hash hash;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < hash.size(); ++i) {
    const int high = nibble(hex[2 * i]);
    const int low = nibble(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    hash[i] = static_cast<std::uint8_t>(high * 16 + low);
  }
  return hash;
}

std::optional<Hash> hash_from_bytes(const void* data, std::size_t size) {
  if (data == nullptr || size != Hash{}.size()) return std::nullopt;
  Hash hash;
  std::memcpy(hash.data(), data, size);
  return hash;
}

}  // namespace investflow::storage
