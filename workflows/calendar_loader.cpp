// Calendar files (workflows/calendars/*.yaml): the official holidays and make-up working
// days of some years, read into engine::Calendar; and the registry workflows name them from.

#include <algorithm>
#include <exception>
#include <map>
#include <set>
#include <system_error>
#include <utility>

#include "workflows/loader.hpp"
#include "workflows/yaml_document.hpp"
#include "workflows/yaml_reader.hpp"

namespace investflow::workflows {
namespace {

using detail::Entry;
using detail::Record;
using detail::Reporter;
using engine::Date;

// The longest official holiday block is 9 days; a longer range is a typo (2025-10-08 written
// as 2025-12-08), and bounding it keeps a hostile file from expanding into millions of days.
constexpr int kMaxHolidayDays = 31;
constexpr std::int64_t kFirstYear = 1900;
constexpr std::int64_t kLastYear = 9999;

std::string_view weekday_name(Date date) {
  constexpr std::string_view kNames[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                         "Friday", "Saturday", "Sunday"};
  return kNames[static_cast<std::size_t>((date.iso_weekday() + 6) % 7)];
}

// A holiday's display name: both languages when they differ ("春节 / Spring Festival").
std::string holiday_name(const engine::LocalizedText& name) {
  if (name.zh.empty() || name.en.empty() || name.zh == name.en) {
    return name.zh.empty() ? name.en : name.zh;
  }
  return name.zh + " / " + name.en;
}

struct HolidayBlock {
  std::string name;
  Date from;
  Date to;
  YAML::Node node;
};

class CalendarReader {
 public:
  explicit CalendarReader(Reporter& reporter) : reporter_(reporter) {}

  std::shared_ptr<const engine::Calendar> read(const YAML::Node& root) && {
    Record top(root, root.Mark(), "the calendar",
               {"calendar", "title", "source", "years", "holidays"}, reporter_);
    if (!top.valid()) return nullptr;
    if (const Entry* name = top.require("calendar")) {
      if (std::optional<std::string> text = detail::read_text(*name, reporter_)) {
        if (!detail::is_slug(*text)) {
          reporter_.error(name->value_mark(),
                          "calendar name '" + *text + "' must use only a-z, 0-9 and '-'");
        }
        name_ = std::move(*text);
      }
    }
    // Shown nowhere yet; checked so that a broken one is reported.
    if (const Entry* title = top.get("title")) (void)detail::read_label(*title, reporter_);
    if (const Entry* source = top.get("source")) (void)detail::read_text(*source, reporter_);
    const bool years_known = read_years(top.require("years"));
    if (const Entry* holidays = top.get("holidays")) read_holidays(*holidays, years_known);
    check_overlaps();
    if (reporter_.has_errors()) return nullptr;
    std::vector<engine::Holiday> holidays;
    for (const HolidayBlock& block : blocks_) {
      for (Date day = block.from; day <= block.to; day = day.plus_days(1)) {
        holidays.push_back(engine::Holiday{day, block.name});
      }
    }
    return std::make_shared<const engine::Calendar>(
        name_, std::move(holidays), std::vector<Date>(make_up_.begin(), make_up_.end()),
        first_year_, last_year_);
  }

 private:
  bool read_years(const Entry* entry) {
    if (entry == nullptr) return false;
    const auto items = detail::read_list(entry->value, entry->value_mark(), "'years'", reporter_);
    if (!items) return false;
    if (items->size() != 2) {
      reporter_.error(entry->value_mark(),
                      "'years' must be [FIRST, LAST], the first and last year covered");
      return false;
    }
    std::optional<std::int64_t> years[2];
    for (std::size_t i = 0; i < 2; ++i) {
      const YAML::Node& item = (*items)[i];
      years[i] = detail::read_integer(item, item.IsNull() ? entry->value_mark() : item.Mark(),
                                      "a year of 'years'", kFirstYear, reporter_);
      if (years[i] && *years[i] > kLastYear) {
        reporter_.error(item.Mark(),
                        "a year of 'years' must be at most " + std::to_string(kLastYear));
        years[i].reset();
      }
    }
    if (!years[0] || !years[1]) return false;
    if (*years[0] > *years[1]) {
      reporter_.error(entry->value_mark(), "'years' must be [FIRST, LAST] with FIRST <= LAST");
      return false;
    }
    first_year_ = static_cast<int>(*years[0]);
    last_year_ = static_cast<int>(*years[1]);
    return true;
  }

  void read_holidays(const Entry& entry, bool years_known) {
    const auto items = detail::read_list(entry.value, entry.value_mark(), "'holidays'", reporter_);
    if (!items) return;
    for (std::size_t i = 0; i < items->size(); ++i) {
      read_holiday((*items)[i], "holiday " + std::to_string(i + 1), years_known);
    }
  }

  void read_holiday(const YAML::Node& node, const std::string& what, bool years_known) {
    Record record(node, node.Mark(), what, {"name", "from", "to", "make_up"}, reporter_);
    if (!record.valid()) return;
    HolidayBlock block;
    block.node = node;
    if (const Entry* name = record.require("name")) {
      if (auto label = detail::read_label(*name, reporter_)) block.name = holiday_name(*label);
    }
    const Entry* from = record.require("from");
    const Entry* to = record.get("to");
    const std::optional<Date> first =
        from != nullptr ? read_date(*from, years_known) : std::nullopt;
    const std::optional<Date> last = to != nullptr ? read_date(*to, years_known) : first;
    if (const Entry* make_up = record.get("make_up")) read_make_up(*make_up, years_known);
    if (!first || !last) return;
    if (*last < *first) {
      reporter_.error(to->value_mark(), "'to' (" + last->to_string() + ") is before 'from' (" +
                                            first->to_string() + ") in " + what);
      return;
    }
    if (engine::days_between(*first, *last) >= kMaxHolidayDays) {
      reporter_.error(from->value_mark(),
                      what + " lasts more than " + std::to_string(kMaxHolidayDays) + " days");
      return;
    }
    block.from = *first;
    block.to = *last;
    blocks_.push_back(std::move(block));
  }

  void read_make_up(const Entry& entry, bool years_known) {
    const auto items = detail::read_list(entry.value, entry.value_mark(), "'make_up'", reporter_);
    if (!items) return;
    for (const YAML::Node& item : *items) {
      const YAML::Mark at = item.IsNull() ? entry.value_mark() : item.Mark();
      const std::optional<Date> day = read_date(item, at, "a make-up day", years_known);
      if (!day) continue;
      if (const auto [first, inserted] = make_up_nodes_.try_emplace(*day, item); !inserted) {
        reporter_.error(at, "make-up day " + day->to_string() + " is listed twice (first at " +
                                detail::line_of(first->second, reporter_) + ")");
        continue;
      }
      make_up_.insert(*day);
      if (!day->is_weekend()) {
        reporter_.warning(at, "make-up day " + day->to_string() + " is a " +
                                  std::string(weekday_name(*day)) + ", already a working day");
      }
    }
  }

  std::optional<Date> read_date(const Entry& entry, bool years_known) {
    return read_date(entry.value, entry.value_mark(), entry.what(), years_known);
  }

  std::optional<Date> read_date(const YAML::Node& node, const YAML::Mark& at,
                                const std::string& what, bool years_known) {
    const std::optional<std::string> text = detail::read_text(node, at, what, reporter_);
    if (!text) return std::nullopt;
    const std::optional<Date> date = Date::parse(*text);
    if (!date) {
      reporter_.error(at, what + " must be a date YYYY-MM-DD, not '" + *text + "'");
      return std::nullopt;
    }
    if (years_known && (date->year() < first_year_ || date->year() > last_year_)) {
      reporter_.error(at, what + " " + date->to_string() + " is outside 'years' (" +
                              std::to_string(first_year_) + "-" + std::to_string(last_year_) + ")");
      return std::nullopt;
    }
    return date;
  }

  // Holiday blocks must not share a day, and no day may be both a holiday and a make-up day.
  void check_overlaps() {
    std::vector<const HolidayBlock*> by_start;
    for (const HolidayBlock& block : blocks_)
      by_start.push_back(&block);
    std::stable_sort(
        by_start.begin(), by_start.end(),
        [](const HolidayBlock* a, const HolidayBlock* b) { return a->from < b->from; });
    const HolidayBlock* reaching_furthest = nullptr;
    for (const HolidayBlock* block : by_start) {
      if (reaching_furthest != nullptr && block->from <= reaching_furthest->to) {
        reporter_.error(block->node.Mark(),
                        "holiday '" + block->name + "' (" + block->from.to_string() +
                            ") overlaps holiday '" + reaching_furthest->name + "' (" +
                            detail::line_of(reaching_furthest->node, reporter_) + ")");
      }
      if (reaching_furthest == nullptr || block->to > reaching_furthest->to) {
        reaching_furthest = block;
      }
    }
    for (const auto& [day, node] : make_up_nodes_) {
      for (const HolidayBlock& block : blocks_) {
        if (block.from <= day && day <= block.to) {
          reporter_.error(node.Mark(), "make-up day " + day.to_string() +
                                           " is also a day of holiday '" + block.name + "'");
        }
      }
    }
  }

  Reporter& reporter_;
  std::string name_;
  int first_year_ = 0;
  int last_year_ = 0;
  std::vector<HolidayBlock> blocks_;
  std::set<Date> make_up_;
  std::map<Date, YAML::Node> make_up_nodes_;
};

void load_calendar_into(CalendarLoad& load, std::string_view yaml, const std::string& file_name) {
  Reporter reporter(file_name, yaml);
  if (const std::optional<YAML::Node> root = detail::parse_document(yaml, reporter)) {
    load.calendar = CalendarReader(reporter).read(*root);
  }
  load.diagnostics = std::move(reporter).finish();
}

}  // namespace

void CalendarRegistry::add(std::shared_ptr<const engine::Calendar> calendar) {
  if (calendar == nullptr) return;
  std::string name = calendar->name();
  calendars_.insert_or_assign(std::move(name), std::move(calendar));
}

std::shared_ptr<const engine::Calendar> CalendarRegistry::find(std::string_view name) const {
  const auto found = calendars_.find(name);
  if (found != calendars_.end()) return found->second;
  if (!stand_ins_) return nullptr;
  return std::make_shared<engine::Calendar>(engine::Calendar::weekends_only(std::string(name)));
}

CalendarRegistry CalendarRegistry::with_stand_ins() {
  CalendarRegistry registry;
  registry.stand_ins_ = true;
  return registry;
}

std::vector<std::string> CalendarRegistry::names() const {
  std::vector<std::string> names;
  for (const auto& entry : calendars_)
    names.push_back(entry.first);
  return names;
}

CalendarLoad load_calendar_text(std::string_view yaml, const std::string& file_name) {
  CalendarLoad load;
  try {
    load_calendar_into(load, yaml, file_name);
  } catch (const std::exception& error) {  // bad_alloc and the like; nothing escapes
    load.calendar.reset();
    load.diagnostics.push_back(Diagnostic{file_name, 1, 1, Diagnostic::Severity::error,
                                          std::string("internal error: ") + error.what()});
  }
  return load;
}

CalendarLoad load_calendar_file(const std::filesystem::path& file) {
  std::string text;
  if (std::optional<Diagnostic> problem = detail::read_file_text(file, text)) {
    CalendarLoad load;
    load.diagnostics.push_back(std::move(*problem));
    return load;
  }
  return load_calendar_text(text, file.string());
}

std::vector<Diagnostic> load_calendar_directory(const std::filesystem::path& directory,
                                                CalendarRegistry& registry) {
  std::vector<Diagnostic> diagnostics;
  std::error_code error;
  std::vector<std::filesystem::path> files;
  for (std::filesystem::directory_iterator it(directory, error), end; !error && it != end;
       it.increment(error)) {
    const std::filesystem::path& path = it->path();
    if (path.extension() == ".yaml" || path.extension() == ".yml") files.push_back(path);
  }
  if (error) {
    diagnostics.push_back(Diagnostic{directory.string(), 1, 1, Diagnostic::Severity::error,
                                     "cannot read the calendar directory: " + error.message()});
    return diagnostics;
  }
  std::sort(files.begin(), files.end());  // a stable order for messages and for duplicates
  std::map<std::string, std::filesystem::path> defined_in;
  for (const std::filesystem::path& file : files) {
    CalendarLoad load = load_calendar_file(file);
    diagnostics.insert(diagnostics.end(), std::make_move_iterator(load.diagnostics.begin()),
                       std::make_move_iterator(load.diagnostics.end()));
    if (load.calendar == nullptr) continue;
    const auto [first, inserted] = defined_in.try_emplace(load.calendar->name(), file);
    if (!inserted) {
      diagnostics.push_back(Diagnostic{file.string(), 1, 1, Diagnostic::Severity::error,
                                       "calendar '" + load.calendar->name() +
                                           "' is already defined in " + first->second.string()});
      continue;
    }
    registry.add(std::move(load.calendar));
  }
  return diagnostics;
}

}  // namespace investflow::workflows
