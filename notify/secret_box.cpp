#include "notify/secret_box.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace investflow::notify {
namespace fs = std::filesystem;

namespace {

using KeyResult = engine::Result<std::shared_ptr<const SecretBox>, std::string>;

// Creates the file with a new key, unless it exists (another process made it first). The
// key is written to a file of its own first, then linked into place: whoever reads the
// file finds a whole key or none.
std::string create_key_file(const fs::path& file) {
  std::array<unsigned char, crypto_secretbox_KEYBYTES> key{};
  crypto_secretbox_keygen(key.data());
  std::array<char, crypto_secretbox_KEYBYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), key.data(), key.size());
  sodium_memzero(key.data(), key.size());
  std::string text = std::string(hex.data()) + "\n";
  sodium_memzero(hex.data(), hex.size());
  const fs::path partial = file.string() + ".partial-" + std::to_string(::getpid());
  const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return std::strerror(errno);
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  sodium_memzero(text.data(), text.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  const bool linked = written && synced && ::link(partial.c_str(), file.c_str()) == 0;
  const int error = errno;
  ::unlink(partial.c_str());
  if (!written || !synced) return "cannot write it";
  return linked || error == EEXIST ? "" : std::strerror(error);
}

}  // namespace

KeyResult SecretBox::open(const fs::path& file, bool create) {
  if (sodium_init() < 0) return engine::fail(std::string("libsodium failed to start"));
  std::error_code missing;
  if (create && !fs::exists(file, missing)) {
    if (std::string error = create_key_file(file); !error.empty()) {
      return engine::fail("the webhook secret key " + file.string() +
                          ": cannot create it: " + error);
    }
  }
  std::ifstream in(file);
  if (!in) {
    return engine::fail("the webhook secret key " + file.string() +
                        ": cannot read it (the file that encrypts the webhooks' secrets)");
  }
  std::string hex;
  std::getline(in, hex);
  while (!hex.empty() && (hex.back() == '\r' || hex.back() == ' '))
    hex.pop_back();
  std::shared_ptr<SecretBox> box(new SecretBox(file));
  std::size_t length = 0;
  if (hex.size() != crypto_secretbox_KEYBYTES * 2 ||
      sodium_hex2bin(box->key_.data(), box->key_.size(), hex.data(), hex.size(), nullptr, &length,
                     nullptr) != 0 ||
      length != crypto_secretbox_KEYBYTES) {
    sodium_memzero(hex.data(), hex.size());
    return engine::fail("the webhook secret key " + file.string() +
                        ": not a key (expected 64 hexadecimal digits on the first line)");
  }
  sodium_memzero(hex.data(), hex.size());
  return std::shared_ptr<const SecretBox>(std::move(box));
}

SecretBox::~SecretBox() {
  sodium_memzero(key_.data(), key_.size());
}

std::string SecretBox::seal(std::string_view plain) const {
  std::vector<unsigned char> sealed(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
                                    plain.size());
  randombytes_buf(sealed.data(), crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(sealed.data() + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
                        sealed.data(), key_.data());
  constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL;
  std::string text(sodium_base64_ENCODED_LEN(sealed.size(), kVariant), '\0');
  sodium_bin2base64(text.data(), text.size(), sealed.data(), sealed.size(), kVariant);
  text.resize(std::strlen(text.c_str()));
  return std::string(kSealedPrefix) + text;
}

engine::Result<std::string, std::string> SecretBox::unseal(std::string_view stored) const {
  const auto refuse = [this](std::string_view why) {
    return engine::fail("the webhook's secret " + std::string(why) + " with the key in " +
                        file_.string() + " (another key file than the one it was sealed with?)");
  };
  if (!is_sealed(stored)) return refuse("is not sealed");
  const std::string_view text = stored.substr(kSealedPrefix.size());
  std::vector<unsigned char> sealed(text.size());
  std::size_t length = 0;
  if (sodium_base642bin(sealed.data(), sealed.size(), text.data(), text.size(), nullptr, &length,
                        nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      length < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return refuse("cannot be read");
  }
  std::string plain(length - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 sealed.data() + crypto_secretbox_NONCEBYTES,
                                 length - crypto_secretbox_NONCEBYTES, sealed.data(),
                                 key_.data()) != 0) {
    return refuse("does not decrypt");
  }
  return plain;
}

fs::path default_secret_key_file(const fs::path& db) {
  fs::path file = db;
  file += ".secret-key";
  return file;
}

}  // namespace investflow::notify
