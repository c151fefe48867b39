// NameHash must answer exactly as a map from name to the first item indexed under it.

#include "engine/name_hash.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

namespace investflow::engine {
namespace {

std::string random_name(std::mt19937& random) {
  // Shared prefixes longer and shorter than a prefix word, NULs and high bytes.
  static const std::vector<std::string> kPrefixes = {"", "under_", "construction_", "s",
                                                     std::string("a\0b", 3)};
  std::string name = kPrefixes[random() % kPrefixes.size()];
  const int extra = static_cast<int>(random() % 12);
  for (int i = 0; i < extra; ++i) {
    const unsigned pick = random() % 6;
    name += pick == 0   ? '\0'
            : pick == 1 ? static_cast<char>(0x80 + random() % 0x80)
                        : static_cast<char>('a' + random() % 3);
  }
  return name;
}

TEST(NameHash, AnswersAsAMapKeepingTheFirstItemOfARepeatedName) {
  std::mt19937 random(23);
  for (int round = 0; round < 50; ++round) {
    std::vector<int> items(1 + random() % 300);
    std::map<std::string, const int*> reference;
    NameHash<int> index;
    EXPECT_EQ(index.find("anything"), nullptr);
    for (int& item : items) {
      const std::string name = random_name(random);
      reference.emplace(name, &item);  // keeps the first
      index.emplace(name, &item);
    }
    EXPECT_FALSE(index.empty());
    for (const auto& [name, item] : reference)
      ASSERT_EQ(index.find(name), item) << name;
    for (int probe = 0; probe < 500; ++probe) {
      const std::string name = random_name(random);
      const auto it = reference.find(name);
      ASSERT_EQ(index.find(name), it == reference.end() ? nullptr : it->second) << name;
    }
    index.clear();
    EXPECT_TRUE(index.empty());
    EXPECT_EQ(index.find(reference.begin()->first), nullptr);
  }
}

}  // namespace
}  // namespace investflow::engine
