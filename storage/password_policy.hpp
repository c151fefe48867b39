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

// Why `password` may not be used (English, for the CLI), or nullopt when it may.
std::optional<std::string> weak_password(std::string_view password);

}  // namespace investflow::storage
