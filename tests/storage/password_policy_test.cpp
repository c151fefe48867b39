// What a password must be: long enough, not a common one, not a repeat or a run.
#include "storage/password_policy.hpp"

#include <gtest/gtest.h>

#include "storage/auth.hpp"

namespace investflow::storage {
namespace {

TEST(PasswordPolicy, RefusesShortCommonRepeatedAndRunningPasswords) {
  const auto refused = [](std::string_view password, std::string_view why) {
    const auto reason = weak_password(password);
    ASSERT_TRUE(reason) << password;
    EXPECT_NE(reason->find(why), std::string::npos) << password << ": " << *reason;
  };
  refused("", "at least 12");
  refused("12345678", "at least 12");
  refused("correct hor", "at least 12");     // 11
  refused("Password1234", "attackers try");  // case does not matter
  refused("WOAINI1314520", "attackers try");
  refused("1qaz2wsx3edc", "attackers try");
  refused("aaaaaaaaaaaaaaa", "repeats");
  refused("abcdefghijklmn", "sequence");
  refused("98765432109876", "sequence");  // digits wrap around
  refused("34567890123456", "sequence");
  refused(std::string(1025, 'x') + "y", "at most 1024");
  EXPECT_FALSE(weak_password("correct horse"));
  EXPECT_FALSE(weak_password("招商引资"));  // four Chinese characters are 12 bytes
  EXPECT_FALSE(weak_password("abcdefghijkm"));
  for (int i = 0; i < 100; ++i)
    EXPECT_FALSE(weak_password(generate_password()));
}

}  // namespace
}  // namespace investflow::storage
