// SortedNameMap (FieldMap) must behave exactly like std::map<std::string, V>: same order,
// same answers, under any sequence of operations.

#include "engine/field_map.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "engine/value.hpp"

namespace investflow::engine {
namespace {

std::string random_name(std::mt19937& random) {
  // Long shared prefixes, bytes above 0x7f (ordered as unsigned) and NULs.
  static const std::vector<std::string> kPrefixes = {"",  "committed_",   "construction_",
                                                     "a", "\xe6\x8a\x95", std::string("x\0y", 3)};
  std::string name = kPrefixes[random() % kPrefixes.size()];
  const int extra = static_cast<int>(random() % 20);
  for (int i = 0; i < extra; ++i) {
    const unsigned pick = random() % 8;
    name += pick == 0   ? '\0'
            : pick == 1 ? static_cast<char>(0x80 + random() % 0x80)
                        : static_cast<char>('a' + random() % 4);
  }
  return name;
}

TEST(FieldMap, MatchesStdMapUnderRandomOperations) {
  std::mt19937 random(11);
  for (int round = 0; round < 200; ++round) {
    FieldMap map;
    std::map<std::string, Value, std::less<>> reference;
    for (int step = 0; step < 200; ++step) {
      const std::string name = random_name(random);
      const Value value = Value::number(static_cast<double>(random() % 100));
      switch (random() % 7) {
        case 0:
          ASSERT_EQ(map.insert_or_assign(name, value).second,
                    reference.insert_or_assign(name, value).second);
          break;
        case 1:
          ASSERT_EQ(map.emplace(name, value).second, reference.emplace(name, value).second);
          break;
        case 2:
          ASSERT_EQ(map.erase(name), reference.erase(name));
          break;
        case 3:
          map.emplace_hint(map.end(), name, value);
          reference.emplace_hint(reference.end(), name, value);
          break;
        case 4:
          map[name] = value;
          reference[name] = value;
          break;
        case 5: {
          const auto threshold = static_cast<double>(random() % 100);
          const auto drop = [&](const auto& entry) {
            const double* number = entry.second.as_number();
            return number != nullptr && *number < threshold / 10;
          };
          ASSERT_EQ(erase_if(map, drop), std::erase_if(reference, drop));
          break;
        }
        default: {
          const auto found = map.find(name);
          const auto expected = reference.find(name);
          ASSERT_EQ(found == map.end(), expected == reference.end());
          if (found != map.end()) {
            ASSERT_EQ(found->second, expected->second);
          }
          ASSERT_EQ(map.contains(name), reference.contains(name));
          const auto lower = map.lower_bound(name);
          const auto expected_lower = reference.lower_bound(name);
          ASSERT_EQ(lower == map.end(), expected_lower == reference.end());
          if (lower != map.end()) {
            ASSERT_EQ(lower->first, expected_lower->first);
          }
        }
      }
      ASSERT_EQ(map.size(), reference.size());
    }
    std::vector<std::pair<std::string, Value>> in_order(reference.begin(), reference.end());
    ASSERT_TRUE(std::equal(map.begin(), map.end(), in_order.begin(), in_order.end()));
    for (const auto& [name, value] : reference)
      ASSERT_EQ(map.at(name), value);
  }
}

TEST(FieldMap, InitializerListKeepsTheFirstOfRepeatedNamesAndCopiesCompareEqual) {
  const FieldMap map{{"b", Value::number(1)}, {"a", Value::text("x")}, {"b", Value::number(2)}};
  ASSERT_EQ(map.size(), 2u);
  EXPECT_EQ(map.begin()->first, "a");
  EXPECT_EQ(map.at("b"), Value::number(1));
  EXPECT_THROW((void)map.at("c"), std::out_of_range);
  FieldMap copy = map;
  EXPECT_EQ(copy, map);
  copy.insert_or_assign("b", Value::number(3));
  EXPECT_FALSE(copy == map);
  FieldMap moved = std::move(copy);
  EXPECT_EQ(moved.at("b"), Value::number(3));
}

TEST(FieldMap, FromEntriesSortsOnceAndTheLastOfRepeatedNamesWins) {
  std::mt19937 random(3);
  FieldMap::Entries entries;
  std::map<std::string, Value, std::less<>> reference;
  for (int i = 0; i < 20'000; ++i) {  // a hostile request's worth, in no order
    std::string name = "f" + std::to_string(random() % 15'000);
    const Value value = Value::number(i);
    reference.insert_or_assign(name, value);
    entries.emplace_back(std::move(name), value);
  }
  const FieldMap map = FieldMap::from_entries(std::move(entries));
  std::vector<std::pair<std::string, Value>> in_order(reference.begin(), reference.end());
  ASSERT_TRUE(std::equal(map.begin(), map.end(), in_order.begin(), in_order.end()));
  for (const auto& [name, value] : reference)
    ASSERT_EQ(map.find(name)->second, value);
}

}  // namespace
}  // namespace investflow::engine
