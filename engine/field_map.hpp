#pragma once
// SortedNameMap (FieldMap): name -> value, in name order, stored as one sorted vector of
// pairs searched with std::lower_bound.
//
// The interface is the subset of std::map the code base uses; names are looked up by
// std::string_view without building a string. A copy is one allocation for the entries
// (plus the strings too long to live inline), iteration is in byte order of the names, as
// std::map<std::string, V> iterates, so encodings built by iterating are unchanged.

#include <algorithm>
#include <initializer_list>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace investflow::engine {

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

  // From entries in any order, in O(n log n) (inserting them one by one would move O(n^2)
  // entries: a request naming 20,000 fields must stay cheap). Of repeated names the last
  // wins, as with insert_or_assign one after another.
  static SortedNameMap from_entries(Entries entries) {
    std::stable_sort(entries.begin(), entries.end(),
                     [](const value_type& a, const value_type& b) { return a.first < b.first; });
    SortedNameMap map;
    map.reserve(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (i + 1 < entries.size() && entries[i + 1].first == entries[i].first) continue;
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
  void clear() { entries_.clear(); }
  void reserve(size_type n) { entries_.reserve(n); }

  iterator lower_bound(std::string_view name) {
    return std::lower_bound(entries_.begin(), entries_.end(), name, before);
  }
  const_iterator lower_bound(std::string_view name) const {
    return std::lower_bound(entries_.begin(), entries_.end(), name, before);
  }
  iterator find(std::string_view name) {
    const iterator it = lower_bound(name);
    return it != end() && it->first == name ? it : end();
  }
  const_iterator find(std::string_view name) const {
    const const_iterator it = lower_bound(name);
    return it != end() && it->first == name ? it : end();
  }
  bool contains(std::string_view name) const { return find(name) != end(); }
  size_type count(std::string_view name) const { return contains(name) ? 1 : 0; }

  V& at(std::string_view name) {
    const iterator it = find(name);
    if (it == end()) throw std::out_of_range("FieldMap::at: no such field");
    return it->second;
  }
  const V& at(std::string_view name) const {
    const const_iterator it = find(name);
    if (it == end()) throw std::out_of_range("FieldMap::at: no such field");
    return it->second;
  }

  V& operator[](std::string_view name) { return try_emplace(name).first->second; }

  template <typename... Args>
  std::pair<iterator, bool> try_emplace(std::string_view name, Args&&... args) {
    const iterator it = lower_bound(name);
    if (it != end() && it->first == name) return {it, false};
    return {entries_.emplace(it, std::string(name), V(std::forward<Args>(args)...)), true};
  }

  // std::map::emplace(key, value): inserts unless the name is present.
  template <typename K, typename M>
  std::pair<iterator, bool> emplace(K&& name, M&& value) {
    const iterator it = lower_bound(std::string_view(name));
    if (it != end() && it->first == std::string_view(name)) return {it, false};
    return {entries_.emplace(it, std::string(std::forward<K>(name)), V(std::forward<M>(value))),
            true};
  }

  // With a hint of end(): appends without a search when the name sorts after every present
  // one (filling a map in name order).
  template <typename K, typename M>
  iterator emplace_hint(const_iterator hint, K&& name, M&& value) {
    if (hint == cend() && (empty() || entries_.back().first < std::string_view(name))) {
      entries_.emplace_back(std::string(std::forward<K>(name)), V(std::forward<M>(value)));
      return std::prev(end());
    }
    return emplace(std::forward<K>(name), std::forward<M>(value)).first;
  }

  template <typename K, typename M>
  std::pair<iterator, bool> insert_or_assign(K&& name, M&& value) {
    const iterator it = lower_bound(std::string_view(name));
    if (it != end() && it->first == std::string_view(name)) {
      it->second = std::forward<M>(value);
      return {it, false};
    }
    return {entries_.emplace(it, std::string(std::forward<K>(name)), V(std::forward<M>(value))),
            true};
  }

  std::pair<iterator, bool> insert(const value_type& entry) {
    return emplace(entry.first, entry.second);
  }
  std::pair<iterator, bool> insert(value_type&& entry) {
    return emplace(std::move(entry.first), std::move(entry.second));
  }

  iterator erase(const_iterator position) { return entries_.erase(position); }
  size_type erase(std::string_view name) {
    const const_iterator it = find(name);
    if (it == cend()) return 0;
    entries_.erase(it);
    return 1;
  }

  // std::erase_if for maps, found by argument-dependent lookup.
  template <typename Predicate>
  friend size_type erase_if(SortedNameMap& map, Predicate predicate) {
    return std::erase_if(map.entries_, [&](const value_type& entry) { return predicate(entry); });
  }

  friend bool operator==(const SortedNameMap& a, const SortedNameMap& b) {
    return a.entries_ == b.entries_;
  }

 private:
  static bool before(const value_type& entry, std::string_view name) {
    return std::string_view(entry.first) < name;
  }

  Entries entries_;
};

}  // namespace investflow::engine
