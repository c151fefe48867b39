#include "storage/password_policy.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <utility>

namespace investflow::storage {
namespace {

// Among the most used passwords of twelve characters or more, in leaked lists in China and
// elsewhere (shorter ones fail on length), compared case-insensitively.
constexpr std::string_view kCommon[] = {
    "123456789012",  "1234567890123",  "12345678901234", "123456789000",  "123456123456",
    "123123123123",  "121212121212",   "123321123321",   "112233445566",  "111222333444",
    "147258369147",  "147258369258",   "159357159357",   "520131452013",  "5201314520131",
    "1314520520520", "woaini1314520",  "woaini123456",   "woaini520520",  "iloveyou1234",
    "iloveyou12345", "iloveyou123456", "qq1234567890",   "qq123456789q",  "password1234",
    "password12345", "password123456", "password123!",   "passw0rd1234",  "p@ssw0rd1234",
    "p@ssword1234",  "admin1234567",   "admin123456789", "administrator", "administrator1",
    "qwertyuiop12",  "qwertyuiop123",  "qwertyuiopasdf", "qwer1234asdf",  "1234qwerasdf",
    "1q2w3e4r5t6y",  "1q2w3e4r5t6y7u", "q1w2e3r4t5y6",   "1qaz2wsx3edc",  "1qaz2wsx3edc4rfv",
    "!qaz2wsx3edc",  "qazwsxedcrfv",   "zaq12wsxcde3",   "asdfghjkl123",  "asdfghjkl1234",
    "zxcvbnm12345",  "zxcvbnm123456",  "abc123456789",   "abcd12345678",  "a1b2c3d4e5f6",
    "aa1234567890",  "changeme1234",   "letmein12345",   "welcome12345",  "welcome123456",
    "investflow12",  "investflow123",  "investflow1234", "zhaoshang123"};

std::string lowered(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Every character the same, or each one more (or less) than the one before: 111111111111,
// 123456789012 is caught by the list, abcdefghijkl, 987654321098.
bool repeated_or_run(std::string_view text) {
  if (std::all_of(text.begin(), text.end(), [&](char c) { return c == text.front(); })) return true;
  const auto run_by = [&](int step) {
    for (std::size_t i = 1; i < text.size(); ++i) {
      const int before = static_cast<unsigned char>(text[i - 1]);
      const int here = static_cast<unsigned char>(text[i]);
      const bool digit_wrap = std::isdigit(before) && std::isdigit(here) &&
                              (here - before + 10) % 10 == (step + 10) % 10;
      if (here - before != step && !digit_wrap) return false;
    }
    return true;
  };
  return run_by(1) || run_by(-1);
}

}  // namespace

std::optional<PasswordWeakness> password_weakness(std::string_view password) {
  if (password.size() < kMinPasswordLength) {
    const std::string n = std::to_string(kMinPasswordLength);
    return PasswordWeakness{"密码至少 " + n + " 个字符（一个汉字算 3 个）",
                            "passwords have at least " + n + " characters"};
  }
  if (password.size() > kMaxPasswordLength) {
    const std::string n = std::to_string(kMaxPasswordLength);
    return PasswordWeakness{"密码最多 " + n + " 个字符",
                            "passwords have at most " + n + " characters"};
  }
  const std::string key = lowered(password);
  if (std::find(std::begin(kCommon), std::end(kCommon), key) != std::end(kCommon)) {
    return PasswordWeakness{"这是攻击者最先尝试的常见密码之一，请换一个",
                            "that password is one of the first that attackers try; choose another"};
  }
  if (repeated_or_run(key)) {
    return PasswordWeakness{
        "密码不能是同一字符重复或按顺序排列（如 111111111111、987654321098），这样的密码一猜就中",
        "a password that repeats one character or runs in sequence is guessed at once"};
  }
  return std::nullopt;
}

std::optional<std::string> weak_password(std::string_view password) {
  if (auto weakness = password_weakness(password)) return std::move(weakness->en);
  return std::nullopt;
}

}  // namespace investflow::storage
