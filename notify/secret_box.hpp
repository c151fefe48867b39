#pragma once
// Webhook secrets at rest: sealed with the server's key (libsodium crypto_secretbox,
// XSalsa20-Poly1305) and stored as "sb1:" + base64(nonce || ciphertext), so a copy of the
// database alone (a backup, an export) does not give away the secrets that sign deliveries.
//
// The key is a file of its own: 64 hex digits (32 bytes) and a newline, 0600. serve takes
// --secret-key FILE, else DB.secret-key beside the database, created with a new random key
// the first time it is needed. Losing the file loses the secrets (each webhook must be
// given its secret again); it is backed up with the database, but kept apart from it.

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "engine/result.hpp"

namespace investflow::notify {

inline constexpr std::string_view kSealedPrefix = "sb1:";

class SecretBox {
 public:
  // Reads the key file; `create`: makes one (0600, a new random key) when it does not exist.
  // Errors name the file and say what is wrong with it.
  static engine::Result<std::shared_ptr<const SecretBox>, std::string> open(
      const std::filesystem::path& file, bool create);

  ~SecretBox();
  SecretBox(const SecretBox&) = delete;
  SecretBox& operator=(const SecretBox&) = delete;

  // "sb1:" + base64(nonce || ciphertext), a new random nonce each time.
  std::string seal(std::string_view plain) const;
  // The plain text of a sealed value; an error naming the key file when it is not sealed
  // with this key (another key file, or the value altered).
  engine::Result<std::string, std::string> unseal(std::string_view stored) const;
  const std::filesystem::path& file() const { return file_; }

 private:
  explicit SecretBox(std::filesystem::path file) : file_(std::move(file)) {}
  std::filesystem::path file_;
  std::array<unsigned char, 32> key_{};
};

inline bool is_sealed(std::string_view stored) {
  return stored.substr(0, kSealedPrefix.size()) == kSealedPrefix;
}

// DB.secret-key: where serve keeps the key when --secret-key names none.
std::filesystem::path default_secret_key_file(const std::filesystem::path& db);

}  // namespace investflow::notify
