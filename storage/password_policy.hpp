#pragma once
// What a password must be (NIST SP 800-63B, section 5.1.1.2): long enough, not one of the
// passwords attackers try first, not a run or a repeat. Checked when a password is set
// (AuthStore::add_user, set_password), never against stored ones.

#include <optional>
#include <string>
#include <string_view>

namespace investflow::storage {

inline constexpr std::size_t kMinPasswordLength = 12;  // bytes (a Chinese character is 3)
inline constexpr std::size_t kMaxPasswordLength = 1024;

// Why a password may not be used, in both languages the staff read.
struct PasswordWeakness {
  std::string zh;
  std::string en;
};
// Why `password` may not be used, or nullopt when it may.
std::optional<PasswordWeakness> password_weakness(std::string_view password);
// The same in English only (the CLI, and the stores' errors).
std::optional<std::string> weak_password(std::string_view password);

}  // namespace investflow::storage
