// SortedNameMap (FieldMap) must behave exactly like the std::map it replaced: same order,
// same answers, under any sequence of operations; compare_names must order as std::string.

#include "engine/field_map.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "engine/value.hpp"

namespace investflow::engine {
namespace {

int sign(int v) {
  return (v > 0) - (v < 0);
}

std::string random_name(std::mt19937& random) {
  // Long shared prefixes, bytes above 0x7f and NULs: where word-wise comparison could slip.
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

TEST(CompareNames, OrdersExactlyAsStdString) {
  std::mt19937 random(7);
  for (int i = 0; i < 200'000; ++i) {
    const std::string a = random_name(random);
    const std::string b = i % 5 == 0 ? a + random_name(random) : random_name(random);
    ASSERT_EQ(compare_names(a, b), sign(a.compare(b))) << i;
    ASSERT_EQ(compare_names(b, a), sign(b.compare(a))) << i;
    ASSERT_EQ(compare_names(a, a), 0);
    if (name_prefix(a) == name_prefix(b)) {
      ASSERT_EQ(same_name_after_prefix(a, b), a == b) << i;
    } else {
      ASSERT_NE(a, b);
      ASSERT_EQ(name_prefix(a) < name_prefix(b), a < b) << i;  // prefixes keep the order
    }
  }
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

// A merge that walks one map and appends to another (coerce_edits) must build the same map
// as inserting, with every name found again and seek() agreeing with find().
TEST(FieldMap, AppendingInOrderAndSeekingMatchInserting) {
  std::mt19937 random(5);
  std::map<std::string, Value, std::less<>> reference;
  for (int i = 0; i < 3'000; ++i)
    reference.insert_or_assign(random_name(random), Value::number(i));
  FieldMap inserted;
  for (const auto& [name, value] : reference)
    inserted.insert_or_assign(name, value);
  FieldMap appended;
  std::size_t i = 0;
  for (const auto& [name, value] : inserted) {
    appended.append_in_order(name, inserted.prefix_at(i++), value);
  }
  ASSERT_TRUE(std::equal(appended.begin(), appended.end(), inserted.begin(), inserted.end()));
  std::size_t cursor = 0;
  for (const auto& [name, value] : reference) {
    ASSERT_TRUE(appended.seek(cursor, name, name_prefix(name))) << name;
    EXPECT_EQ((appended.begin() + static_cast<std::ptrdiff_t>(cursor))->second, value);
    ASSERT_EQ(appended.find(name), appended.begin() + static_cast<std::ptrdiff_t>(cursor));
  }
  // Absent names: seek stops at the first name after each and says no.
  for (int k = 0; k < 2'000; ++k) {
    const std::string absent = random_name(random);
    if (reference.contains(absent)) continue;
    std::size_t from_start = 0;
    EXPECT_FALSE(appended.seek(from_start, absent, name_prefix(absent))) << absent;
    const auto after = reference.upper_bound(absent);
    EXPECT_EQ(from_start, static_cast<std::size_t>(std::distance(reference.begin(), after)));
  }
}

}  // namespace
}  // namespace investflow::engine
