#pragma once
// FieldMap: field name -> value, in name order, stored as one sorted vector.
//
// A project's fields are copied when a project is created (command -> event -> project),
// read by name many times per decision, and freed with the project. A node-based std::map
// paid one allocation and one free per field and a pointer chase per tree level; here a
// copy is one allocation for the entries (plus the strings too long to live inline), a
// lookup is a binary search over contiguous entries, and iteration order is the same
// (byte order of the names), so encodings built by iterating are unchanged.
//
// The interface is the subset of std::map the code base uses; keys are looked up by
// std::string_view without building a string. Insertions keep the vector sorted: cheap
// for the usual cases (filling in key order, a handful of edits to ~60 fields).

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace investflow::engine {

// Orders exactly as std::string's operator< does (bytes as unsigned char, then length),
// comparing eight bytes at a time as big-endian words: field names share long prefixes
// (committed_..., construction_...), where a byte loop or a call to memcmp costs more. The
// last partial word is zero-padded; zero is the smallest byte, so padding never reorders.
namespace detail {
// Eight bytes from `p` as an integer that orders as the bytes do (first byte most
// significant).
inline std::uint64_t ordered_word(const char* p) {
  std::uint64_t word = 0;
  std::memcpy(&word, p, 8);
  if constexpr (std::endian::native == std::endian::little) word = __builtin_bswap64(word);
  return word;
}
// The same for the last `n` < 8 bytes, zero-padded on the right.
// The first `n` bytes from `p`, sizeof(Word) <= n <= 2 * sizeof(Word), as an ordered
// integer: two loads of a Word that may overlap, the second shifted so that each byte k
// lands at bits 56 - 8k (where the bytes overlap, both loads hold the same bits).
template <typename Word>
std::uint64_t ordered_pair(const char* p, std::size_t n) {
  constexpr int kBits = 8 * sizeof(Word);
  Word head = 0;
  Word last = 0;
  std::memcpy(&head, p, sizeof(Word));
  std::memcpy(&last, p + n - sizeof(Word), sizeof(Word));
  if constexpr (std::endian::native == std::endian::little) {
    if constexpr (sizeof(Word) == 4) {
      head = __builtin_bswap32(head);
      last = __builtin_bswap32(last);
    } else {
      head = __builtin_bswap16(head);
      last = __builtin_bswap16(last);
    }
  }
  return (std::uint64_t{head} << (64 - kBits)) | (std::uint64_t{last} << (64 - 8 * n));
}
// The same for the last `n` < 8 bytes, zero-padded on the right, without a byte loop.
inline std::uint64_t ordered_tail(const char* p, std::size_t n) {
  if (n >= 4) return ordered_pair<std::uint32_t>(p, n);
  if (n >= 2) return ordered_pair<std::uint16_t>(p, n);
  return n == 1 ? std::uint64_t{static_cast<unsigned char>(p[0])} << 56 : 0;
}
}  // namespace detail

inline int compare_names(std::string_view a, std::string_view b) {
  const std::size_t common = std::min(a.size(), b.size());
  std::size_t i = 0;
  for (; i + 8 <= common; i += 8) {
    const std::uint64_t x = detail::ordered_word(a.data() + i);
    const std::uint64_t y = detail::ordered_word(b.data() + i);
    if (x != y) return x < y ? -1 : 1;
  }
  if (i < common) {
    const std::uint64_t x = detail::ordered_tail(a.data() + i, common - i);
    const std::uint64_t y = detail::ordered_tail(b.data() + i, common - i);
    if (x != y) return x < y ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

// Whether two names with equal name_prefix are the same: only the bytes after the first
// eight are left to compare, inline (a call to memcmp costs more than these names).
inline bool same_name_after_prefix(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  const std::size_t size = a.size();
  if (size <= 8) return true;
  for (std::size_t i = 8; i + 8 < size; i += 8) {
    if (detail::ordered_word(a.data() + i) != detail::ordered_word(b.data() + i)) return false;
  }
  // The last eight bytes, overlapping what was compared already.
  return detail::ordered_word(a.data() + size - 8) == detail::ordered_word(b.data() + size - 8);
}

// The first eight bytes of a name (zero-padded) as an ordered integer: names in order have
// prefixes in order, so a search can run over integers and look at strings only among the
// few names that share their first eight bytes.
inline std::uint64_t name_prefix(std::string_view name) {
  return name.size() >= 8 ? detail::ordered_word(name.data())
                          : detail::ordered_tail(name.data(), name.size());
}

template <typename V>
class SortedNameMap {
 public:
  using key_type = std::string;
  using mapped_type = V;
  using value_type = std::pair<std::string, V>;
  using Entries = std::vector<value_type>;
  using iterator = typename Entries::iterator;  // names must not be changed through it
  using const_iterator = typename Entries::const_iterator;
  using size_type = std::size_t;

  SortedNameMap() = default;
  // Like std::map: of repeated names, the first one wins.
  SortedNameMap(std::initializer_list<value_type> entries) {
    reserve(entries.size());
    for (const value_type& entry : entries)
      emplace(entry.first, entry.second);
  }

  // From entries in any order, in O(n log n) (inserting them one by one into the sorted
  // vector would move O(n^2) entries: a request naming 20,000 fields must stay cheap). Of
  // repeated names the last wins, as with insert_or_assign one after another.
  static SortedNameMap from_entries(Entries entries) {
    std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
      return compare_names(a.first, b.first) < 0;
    });
    SortedNameMap map;
    map.reserve(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (i + 1 < entries.size() && entries[i + 1].first == entries[i].first) continue;
      map.prefixes_.push_back(name_prefix(entries[i].first));
      map.entries_.push_back(std::move(entries[i]));
    }
    return map;
  }

  iterator begin() { return entries_.begin(); }
  iterator end() { return entries_.end(); }
  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  const_iterator cbegin() const { return entries_.cbegin(); }
  const_iterator cend() const { return entries_.cend(); }

  size_type size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  void clear() {
    entries_.clear();
    prefixes_.clear();
  }
  void reserve(size_type n) {
    entries_.reserve(n);
    prefixes_.reserve(n);
  }

  // For merging names in order: moves `i` forward to the first entry not before `name`
  // (whose name_prefix is `prefix`) and says whether that entry is `name`. Most steps are
  // one integer comparison.
  bool seek(std::size_t& i, std::string_view name, std::uint64_t prefix) const {
    while (i < size() && (prefixes_[i] < prefix ||
                          (prefixes_[i] == prefix && compare_names(entries_[i].first, name) < 0))) {
      ++i;
    }
    return i < size() && prefixes_[i] == prefix && same_name_after_prefix(entries_[i].first, name);
  }
  // Appends `name`, whose name_prefix is `prefix`, for a caller that knows it sorts after
  // every name present (a merge walking another map in order): no search, no comparison.
  template <typename K, typename M>
  void append_in_order(K&& name, std::uint64_t prefix, M&& value) {
    assert(empty() || compare_names(entries_.back().first, std::string_view(name)) < 0);
    assert(prefix == name_prefix(std::string_view(name)));
    entries_.emplace_back(std::piecewise_construct, std::forward_as_tuple(std::forward<K>(name)),
                          std::forward_as_tuple(std::forward<M>(value)));
    try {
      prefixes_.push_back(prefix);
    } catch (...) {
      entries_.pop_back();  // the two vectors stay the same length
      throw;
    }
  }
  // The name_prefix of the i-th entry, i < size().
  std::uint64_t prefix_at(std::size_t i) const { return prefixes_[i]; }

  iterator lower_bound(std::string_view name) { return at_index(lower_index(name)); }
  const_iterator lower_bound(std::string_view name) const { return at_index(lower_index(name)); }
  iterator find(std::string_view name) { return at_index(find_index(name)); }
  const_iterator find(std::string_view name) const { return at_index(find_index(name)); }
  bool contains(std::string_view name) const { return find_index(name) != size(); }
  size_type count(std::string_view name) const { return contains(name) ? 1 : 0; }

  V& at(std::string_view name) {
    const std::size_t i = find_index(name);
    if (i == size()) throw std::out_of_range("FieldMap::at: no such field");
    return entries_[i].second;
  }
  const V& at(std::string_view name) const {
    const std::size_t i = find_index(name);
    if (i == size()) throw std::out_of_range("FieldMap::at: no such field");
    return entries_[i].second;
  }

  V& operator[](std::string_view name) { return try_emplace(name).first->second; }

  template <typename... Args>
  std::pair<iterator, bool> try_emplace(std::string_view name, Args&&... args) {
    const std::size_t i = lower_index(name);
    if (i < size() && entries_[i].first == name) return {at_index(i), false};
    return {insert_at(i, std::string(name), V(std::forward<Args>(args)...)), true};
  }

  // std::map::emplace(key, value): inserts unless the name is present.
  template <typename K, typename M>
  std::pair<iterator, bool> emplace(K&& name, M&& value) {
    const std::string_view key(name);
    const std::size_t i = lower_index(key);
    if (i < size() && entries_[i].first == key) return {at_index(i), false};
    return {insert_at(i, std::string(std::forward<K>(name)), V(std::forward<M>(value))), true};
  }

  // With a hint of end(): appends when the name sorts after every present one (filling a
  // map in name order costs no search).
  template <typename K, typename M>
  iterator emplace_hint(const_iterator hint, K&& name, M&& value) {
    const std::string_view key(name);
    if (hint == entries_.cend() &&
        (entries_.empty() || compare_names(entries_.back().first, key) < 0)) {
      append_in_order(std::forward<K>(name), name_prefix(key), std::forward<M>(value));
      return std::prev(entries_.end());
    }
    return emplace(std::forward<K>(name), std::forward<M>(value)).first;
  }

  template <typename K, typename M>
  std::pair<iterator, bool> insert_or_assign(K&& name, M&& value) {
    const std::string_view key(name);
    const std::size_t i = lower_index(key);
    if (i < size() && entries_[i].first == key) {
      entries_[i].second = std::forward<M>(value);
      return {at_index(i), false};
    }
    return {insert_at(i, std::string(std::forward<K>(name)), V(std::forward<M>(value))), true};
  }

  std::pair<iterator, bool> insert(const value_type& entry) {
    return emplace(entry.first, entry.second);
  }
  std::pair<iterator, bool> insert(value_type&& entry) {
    return emplace(std::move(entry.first), std::move(entry.second));
  }

  iterator erase(const_iterator position) {
    const auto offset = position - entries_.cbegin();
    prefixes_.erase(prefixes_.begin() + offset);
    return entries_.erase(position);
  }
  size_type erase(std::string_view name) {
    const std::size_t i = find_index(name);
    if (i == size()) return 0;
    erase(entries_.cbegin() + static_cast<std::ptrdiff_t>(i));
    return 1;
  }

  // std::erase_if for maps, found by argument-dependent lookup.
  template <typename Predicate>
  friend size_type erase_if(SortedNameMap& map, Predicate predicate) {
    std::size_t kept = 0;
    const std::size_t before = map.size();
    for (std::size_t i = 0; i < before; ++i) {
      if (predicate(std::as_const(map.entries_[i]))) continue;
      if (kept != i) {
        map.entries_[kept] = std::move(map.entries_[i]);
        map.prefixes_[kept] = map.prefixes_[i];
      }
      ++kept;
    }
    map.entries_.erase(map.entries_.begin() + static_cast<std::ptrdiff_t>(kept),
                       map.entries_.end());
    map.prefixes_.resize(kept);
    return before - kept;
  }

  friend bool operator==(const SortedNameMap& a, const SortedNameMap& b) {
    return a.entries_ == b.entries_;
  }

 private:
  iterator at_index(std::size_t i) { return entries_.begin() + static_cast<std::ptrdiff_t>(i); }
  const_iterator at_index(std::size_t i) const {
    return entries_.begin() + static_cast<std::ptrdiff_t>(i);
  }

  iterator insert_at(std::size_t i, std::string name, V value) {
    const auto offset = static_cast<std::ptrdiff_t>(i);
    prefixes_.insert(prefixes_.begin() + offset, name_prefix(name));
    return entries_.emplace(entries_.begin() + offset, std::move(name), std::move(value));
  }

  // The first index whose prefix is not below `prefix`: a branch-free binary search over
  // power-of-two steps (the comparisons compile to conditional moves, so there are no
  // mispredicted jumps, and each step is a load, a compare and an add).
  std::size_t prefix_lower(std::uint64_t prefix) const {
    const std::size_t n = prefixes_.size();
    if (n == 0) return 0;
    const std::uint64_t* p = prefixes_.data();
    std::size_t step = std::bit_floor(n);
    // The answer r (the count of prefixes below) lies in [i, i + step] from here on.
    std::size_t i = p[step - 1] < prefix ? n - step : 0;
    for (step /= 2; step != 0; step /= 2) {
      i += p[i + step - 1] < prefix ? step : 0;
    }
    return i + (i < n && p[i] < prefix ? 1 : 0);
  }

  std::size_t lower_index(std::string_view name) const {
    const std::uint64_t prefix = name_prefix(name);
    std::size_t i = prefix_lower(prefix);
    while (i < size() && prefixes_[i] == prefix && compare_names(entries_[i].first, name) < 0) {
      ++i;
    }
    return i;
  }

  // The index of `name`, or size().
  std::size_t find_index(std::string_view name) const {
    const std::uint64_t prefix = name_prefix(name);
    for (std::size_t i = prefix_lower(prefix); i < size() && prefixes_[i] == prefix; ++i) {
      if (same_name_after_prefix(entries_[i].first, name)) return i;
    }
    return size();
  }

  Entries entries_;
  std::vector<std::uint64_t> prefixes_;  // name_prefix of each entry's name
};

}  // namespace investflow::engine
