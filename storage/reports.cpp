#include "storage/reports.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <string_view>
#include <tuple>
#include <vector>

#include "storage/figures.hpp"
#include "storage/reports_ledger.hpp"

namespace investflow::storage {
namespace {

using engine::FieldTag;
using engine::StateTag;

bool has(const engine::Workflow& workflow, FieldTag tag) {
  return workflow.tagged(tag) != nullptr;
}

Error storage_failure(const std::exception& error) {
  return storage_error(error, "reports: ");
}

std::int64_t day(engine::Date date) {
  return date.days_since_epoch();
}

// Binds what most summary queries key on: ?1 the workflow, ?2 and ?3 the period's days.
void bind_range(SqlStatement& statement, const std::string& workflow, const ReportPeriod& period) {
  statement.bind(1, workflow);
  statement.bind(2, day(period.from));
  statement.bind(3, day(period.to));
}

// Runs a query, turning what SQLite throws into an Error.
template <class Body>
auto guarded(Body body) -> Outcome<decltype(body())> {
  try {
    return body();
  } catch (const std::exception& error) {
    return engine::fail(storage_failure(error));
  }
}

struct Sum {
  std::int64_t count = 0;
  double amount = 0;
};

using SumsByState = std::map<std::string, Sum, std::less<>>;

// Adds the sums per state of a `SELECT state, count, amount ... GROUP BY state`.
void add_sums_by_state(SqlStatement& select, SumsByState& sums) {
  while (select.executeStep()) {
    Sum& sum = sums[select.getColumn(0).getString()];
    sum.count += select.getColumn(1).getInt64();
    sum.amount += select.getColumn(2).getDouble();
  }
}

SumsByState sums_by_state(SqlStatement& select) {
  SumsByState sums;
  add_sums_by_state(select, sums);
  return sums;
}

// A period's days at its ends from a daily summary, and its whole months from the same
// summary by month (period_parts): `daily` and `monthly` take ?1 the workflow, ?2 and ?3 the
// first and last day or month; `read` is given each statement to step through.
template <class Read>
void over_parts(SqlDatabase& connection, const PeriodParts& parts, const std::string& workflow,
                const std::string& daily, const std::string& monthly, Read read) {
  for (const auto& [from, to] : parts.days) {
    auto select = connection.statement(daily);
    select->bind(1, workflow);
    select->bind(2, day(from));
    select->bind(3, day(to));
    read(*select);
  }
  if (parts.months) {
    auto select = connection.statement(monthly);
    select->bind(1, workflow);
    select->bind(2, parts.months->first);
    select->bind(3, parts.months->second);
    read(*select);
  }
}

PipelineReport pipeline_from(const engine::Workflow& workflow,
                             const std::map<std::string, Sum, std::less<>>& sums) {
  PipelineReport report;
  report.workflow = workflow.id;
  const bool investment = has(workflow, FieldTag::investment);
  if (investment) report.total_investment = 0;
  for (const engine::StateDef& state : workflow.states) {
    const auto found = sums.find(state.id);
    const Sum sum = found == sums.end() ? Sum{} : found->second;
    PipelineStage stage{state.id, state.label, sum.count, std::nullopt};
    if (investment) {
      stage.investment = sum.amount;
      *report.total_investment += sum.amount;
    }
    report.stages.push_back(std::move(stage));
    report.total_count += sum.count;
  }
  return report;
}

bool has_dimension_filter(const PipelineFilter& filter) {
  return !filter.industry.empty() || !filter.chain_role.empty() || !filter.owner.empty() ||
         !filter.promoting_unit.empty();
}

// "Previous" in a funnel is the nearest earlier stage every project must pass: a stage that
// some transition jumps over (escalated: committee_review -> approved) is optional, and a
// conversion rate is never measured against it.
std::vector<bool> optional_stages(const engine::Workflow& workflow,
                                  const std::vector<const engine::StateDef*>& stages) {
  std::map<std::string, std::size_t, std::less<>> position;
  for (std::size_t i = 0; i < stages.size(); ++i)
    position[stages[i]->id] = i;
  std::vector<bool> optional(stages.size(), false);
  for (const engine::TransitionDef& transition : workflow.transitions) {
    const auto to = position.find(transition.to);
    if (to == position.end()) continue;
    for (const std::string& from_state : transition.from) {
      const auto from = position.find(from_state);
      if (from == position.end()) continue;
      for (std::size_t i = from->second + 1; i < to->second; ++i)
        optional[i] = true;
    }
  }
  return optional;
}

// A project waits in a state it is expected to leave for another stage; one that can only
// end (aftercare: withdraw or exit) is where projects stay, not wait.
bool waits_in(const engine::Workflow& workflow, const engine::StateDef& state) {
  if (state.terminal) return false;
  return std::any_of(workflow.transitions.begin(), workflow.transitions.end(),
                     [&](const engine::TransitionDef& transition) {
                       const engine::StateDef* to = workflow.find_state(transition.to);
                       return transition.leaves(state.id) && transition.to != state.id &&
                              to != nullptr && !to->terminal;
                     });
}

std::optional<double> ratio(double numerator, double denominator) {
  if (denominator <= 0) return std::nullopt;
  return numerator / denominator;
}

// Nearest-rank percentile of a weighted sample (counts[v]: occurrences of the value v),
// p in (0, 1].
std::optional<double> percentile(const std::vector<std::int64_t>& counts, std::int64_t total,
                                 double p) {
  if (total == 0) return std::nullopt;
  const auto rank = static_cast<std::int64_t>(std::ceil(p * static_cast<double>(total)));
  std::int64_t seen = 0;
  for (std::size_t value = 0; value < counts.size(); ++value) {
    seen += counts[value];
    if (seen >= rank) return static_cast<double>(value);
  }
  return static_cast<double>(counts.size() - 1);
}

// Working days from 1970-01-01 to a day on one calendar, each day worked out once: the
// working days between two days are the difference (as Calendar::working_days_between
// counts them), so a report over many stage visits asks the calendar once per day, not
// twice per visit.
class WorkingDayIndex {
 public:
  explicit WorkingDayIndex(const engine::Calendar& calendar) : calendar_(calendar) {}
  int between(std::int32_t from, std::int32_t to) { return at(to) - at(from); }

 private:
  static constexpr int kUnknown = std::numeric_limits<int>::min();
  int at(std::int32_t day) {
    if (day < 0) return calendar_.working_days_between(engine::Date(0), engine::Date(day));
    const auto slot = static_cast<std::size_t>(day);
    if (slot >= index_.size()) index_.resize(slot + 1, kUnknown);
    if (index_[slot] == kUnknown) {
      index_[slot] = calendar_.working_days_between(engine::Date(0), engine::Date(day));
    }
    return index_[slot];
  }
  const engine::Calendar& calendar_;
  std::vector<int> index_;
};

// The stage visits that ended in one month (YYYYMM), by working days on `calendar`, as
// counted when the month had `visits` of them (report_duration_months).
struct MonthDurations {
  std::shared_ptr<const engine::Calendar> calendar;
  std::int64_t visits = 0;
  std::vector<std::pair<int, std::int64_t>> counts;  // working days, visits
};
// Kept per connection (SqlDatabase::kept), by workflow, state and month.
struct MonthDurationsKept {
  std::map<std::tuple<std::string, std::string, std::int64_t>, MonthDurations> months;
};

// The sums of the state carrying `tag`; nullopt when no state carries it.
std::optional<Sum> tagged_sum(const engine::Workflow& workflow,
                              const std::map<std::string, Sum, std::less<>>& sums, StateTag tag) {
  const engine::StateDef* state = workflow.tagged(tag);
  if (state == nullptr) return std::nullopt;
  const auto found = sums.find(state->id);
  return found == sums.end() ? Sum{} : found->second;
}

std::optional<std::int64_t> count_of(const std::optional<Sum>& sum) {
  if (!sum) return std::nullopt;
  return sum->count;
}

std::string trimmed_fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  std::string text = buffer;
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0')
      text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text == "-0" ? "0" : text;
}

std::string date_zh(engine::Date date) {
  const engine::YearMonthDay ymd = date.ymd();
  return std::to_string(ymd.year) + "年" + std::to_string(ymd.month) + "月" +
         std::to_string(ymd.day) + "日";
}

}  // namespace

Outcome<PipelineReport> pipeline_report(SqlDatabase& connection, const engine::Workflow& workflow,
                                        const PipelineFilter& filter) {
  return guarded([&] {
    const bool dated = filter.entered_from || filter.entered_to;
    const std::int64_t from = day(filter.entered_from.value_or(ReportPeriod{}.from));
    const std::int64_t to = day(filter.entered_to.value_or(ReportPeriod{}.to));
    if (dated && !has_dimension_filter(filter) && filter.by.empty()) {
      SumsByState sums;
      over_parts(connection,
                 period_parts({engine::Date(static_cast<std::int32_t>(from)),
                               engine::Date(static_cast<std::int32_t>(to))}),
                 workflow.id,
                 "SELECT state, SUM(projects), SUM(investment) FROM report_created "
                 "WHERE workflow = ?1 AND created_day BETWEEN ?2 AND ?3 GROUP BY state",
                 "SELECT state, SUM(projects), SUM(investment) FROM report_created_months "
                 "WHERE workflow = ?1 AND month BETWEEN ?2 AND ?3 GROUP BY state",
                 [&sums](SqlStatement& select) { add_sums_by_state(select, sums); });
      return pipeline_from(workflow, sums);
    }
    const auto& dimensions = pipeline_dimensions();
    if (!filter.by.empty() &&
        std::find(dimensions.begin(), dimensions.end(), filter.by) == dimensions.end()) {
      throw std::invalid_argument("no pipeline dimension " + filter.by);
    }
    // The dimensions filtered on, and their values.
    std::vector<std::pair<std::string, std::string>> filters;
    for (const auto& [dimension, value] :
         {std::pair{"industry", &filter.industry}, std::pair{"chain_role", &filter.chain_role},
          std::pair{"owner", &filter.owner}, std::pair{"promoting_unit", &filter.promoting_unit}}) {
      if (!value->empty()) filters.emplace_back(dimension, *value);
    }
    // The current pipeline filtered or grouped by one dimension is read from the summary by
    // one dimension at a time (a few rows per state); by two, or with a period of entry, the
    // summary of every combination (report_pipeline) or the period's projects (an index
    // range of report_projects) are read whole. Summed here rather than by GROUP BY, which
    // sorts the rows of a dimension that does not lead the key.
    const bool one_dimension =
        !dated && (filters.empty() || (filters.size() == 1 &&
                                       (filter.by.empty() || filter.by == filters.front().first)));
    const std::string key = filter.by.empty() ? "''" : filter.by;
    auto select = connection.statement(
        one_dimension
            ? "SELECT value, state, projects, investment FROM report_pipeline_by "
              "WHERE workflow = ?1 AND dimension = ?2 AND (CAST(?3 AS TEXT) IS NULL OR value = ?3)"
            : "SELECT " + key + ", state, " +
                  (dated ? "1, investment FROM report_projects "
                           "WHERE workflow = ?1 AND created_day BETWEEN ?6 AND ?7 "
                         : "projects, investment FROM report_pipeline WHERE workflow = ?1 ") +
                  "AND (?2 = '' OR industry = ?2) AND (?3 = '' OR chain_role = ?3) "
                  "AND (?4 = '' OR owner = ?4) AND (?5 = '' OR promoting_unit = ?5)");
    select->bind(1, workflow.id);
    if (one_dimension) {
      select->bind(2, filters.empty() ? filter.by : filters.front().first);
      if (filters.empty()) {
        select->bind(3);  // every value (none at all for dimension '')
      } else {
        select->bind(3, filters.front().second);
      }
    } else {
      select->bind(2, filter.industry);
      select->bind(3, filter.chain_role);
      select->bind(4, filter.owner);
      select->bind(5, filter.promoting_unit);
      if (dated) {
        select->bind(6, from);
        select->bind(7, to);
      }
    }
    std::map<std::string, Sum, std::less<>> sums;
    std::map<std::string, Sum, std::less<>> groups;
    const auto add_to = [](std::map<std::string, Sum, std::less<>>& into, const SqlColumn& column,
                           const Sum& sum) {
      const std::string_view value = column.text();
      auto found = into.find(value);
      if (found == into.end()) found = into.emplace(std::string(value), Sum{}).first;
      found->second.count += sum.count;
      found->second.amount += sum.amount;
    };
    while (select->executeStep()) {
      const Sum sum{select->getColumn(2).getInt64(), select->getColumn(3).getDouble()};
      if (sum.count == 0) continue;  // a key whose projects all moved on
      add_to(sums, select->getColumn(1), sum);
      if (!filter.by.empty()) add_to(groups, select->getColumn(0), sum);
    }
    PipelineReport report = pipeline_from(workflow, sums);
    if (!filter.by.empty()) {
      const bool investment = has(workflow, FieldTag::investment);
      report.groups.emplace();
      for (const auto& [value, sum] : groups) {
        report.groups->push_back(
            {value, sum.count, investment ? std::optional<double>(sum.amount) : std::nullopt});
      }
    }
    return report;
  });
}

PeriodParts period_parts(const ReportPeriod& period) {
  const auto first_of_month = [](engine::Date day) {
    const engine::YearMonthDay ymd = day.ymd();
    return day.plus_days(1 - ymd.day);
  };
  // The first day of the first whole month, and the day after the last whole month.
  const engine::Date months_from =
      period.from.ymd().day == 1 ? period.from : first_of_month(period.from).plus_months(1);
  const engine::Date months_until = first_of_month(period.to.plus_days(1));
  PeriodParts parts;
  if (!(months_from < months_until)) {
    parts.days.emplace_back(period.from, period.to);
    return parts;
  }
  parts.months.emplace(month_key(months_from), month_key(months_until.plus_days(-1)));
  if (period.from < months_from) parts.days.emplace_back(period.from, months_from.plus_days(-1));
  if (months_until <= period.to) parts.days.emplace_back(months_until, period.to);
  return parts;
}

const std::vector<std::string>& pipeline_dimensions() {
  static const std::vector<std::string> kDimensions = {"industry", "chain_role", "owner",
                                                       "promoting_unit"};
  return kDimensions;
}

Outcome<FunnelReport> funnel_report(SqlDatabase& connection, const engine::Workflow& workflow,
                                    const ReportPeriod& period) {
  return guarded([&] {
    auto select = connection.statement(
        "SELECT state, SUM(projects), 0 FROM report_funnel "
        "WHERE workflow = ? AND created_day BETWEEN ? AND ? GROUP BY state");
    bind_range(*select, workflow.id, period);
    const auto sums = sums_by_state(*select);
    auto reached = [&sums](const std::string& state) {
      const auto found = sums.find(state);
      return found == sums.end() ? std::int64_t{0} : found->second.count;
    };

    FunnelReport report;
    report.workflow = workflow.id;
    report.period = period;
    report.cohort = reached(workflow.initial);  // every project enters the initial state
    std::vector<const engine::StateDef*> stages;
    for (const engine::StateDef& state : workflow.states) {
      if (!state.terminal) stages.push_back(&state);
    }
    const std::vector<bool> optional = optional_stages(workflow, stages);
    std::optional<std::int64_t> previous;  // reached of the last stage every project passes
    for (std::size_t i = 0; i < stages.size(); ++i) {
      FunnelStage stage{stages[i]->id, stages[i]->label, false, reached(stages[i]->id), {}, {}};
      if (previous) {
        stage.rate_from_previous =
            ratio(static_cast<double>(stage.reached), static_cast<double>(*previous));
      }
      stage.rate_from_start =
          ratio(static_cast<double>(stage.reached), static_cast<double>(report.cohort));
      if (!optional[i]) previous = stage.reached;
      report.stages.push_back(std::move(stage));
    }
    for (const engine::StateDef& state : workflow.states) {
      if (!state.terminal) continue;
      FunnelStage stage{state.id, state.label, true, reached(state.id), {}, {}};
      stage.rate_from_start =
          ratio(static_cast<double>(stage.reached), static_cast<double>(report.cohort));
      report.stages.push_back(std::move(stage));
    }
    return report;
  });
}

Outcome<AgingReport> aging_report(SqlDatabase& connection, const engine::Workflow& workflow,
                                  const ReportPeriod& period, engine::Date today,
                                  int longest_waiting) {
  return guarded([&] {
    AgingReport report;
    report.workflow = workflow.id;
    report.period = period;
    const engine::Calendar& calendar = *workflow.calendar;
    WorkingDayIndex working_days(calendar);
    const PeriodParts parts = period_parts(period);
    MonthDurationsKept& kept = connection.kept<MonthDurationsKept>();
    if (kept.months.size() > 20000) kept.months.clear();
    std::vector<WaitingProject> waiting;
    for (const engine::StateDef& state : workflow.states) {
      if (state.terminal) continue;
      std::vector<std::int64_t> counts;  // working days -> visits
      AgingStage stage{state.id, state.label, 0, {}, {}};
      const auto add = [&](int days, std::int64_t visits) {
        if (counts.size() <= static_cast<std::size_t>(days)) {
          counts.resize(static_cast<std::size_t>(days) + 1, 0);
        }
        counts[static_cast<std::size_t>(days)] += visits;
        stage.samples += visits;
      };
      // The visits that ended between two days, by their working days.
      const auto ended = [&](std::int64_t from, std::int64_t to, auto&& each) {
        auto durations = connection.statement(
            "SELECT entered_day, left_day, visits FROM report_durations "
            "WHERE workflow = ? AND state = ? AND left_day BETWEEN ? AND ?");
        durations->bind(1, workflow.id);
        durations->bind(2, state.id);
        durations->bind(3, from);
        durations->bind(4, to);
        while (durations->executeStep()) {
          // A stage is left on or after the day it was entered: never fewer than 0 days.
          each(std::max(0, working_days.between(durations->getColumn(0).getInt(),
                                                durations->getColumn(1).getInt())),
               durations->getColumn(2).getInt64());
        }
      };
      for (const auto& [from, to] : parts.days)
        ended(day(from), day(to), add);
      if (parts.months) {
        // A whole month's visits by working days are kept on this connection while the
        // month's count of visits (which only grows) and the calendar are what they were.
        auto months = connection.statement(
            "SELECT month, visits FROM report_duration_months "
            "WHERE workflow = ? AND state = ? AND month BETWEEN ? AND ?");
        months->bind(1, workflow.id);
        months->bind(2, state.id);
        months->bind(3, parts.months->first);
        months->bind(4, parts.months->second);
        while (months->executeStep()) {
          const std::int64_t month = months->getColumn(0).getInt64();
          const std::int64_t visits = months->getColumn(1).getInt64();
          MonthDurations& found = kept.months[{workflow.id, state.id, month}];
          if (found.calendar != workflow.calendar || found.visits != visits) {
            found = MonthDurations{workflow.calendar, visits, {}};
            const engine::Date first = *engine::Date::from_ymd(static_cast<int>(month / 100),
                                                               static_cast<int>(month % 100), 1);
            std::map<int, std::int64_t> by_days;
            ended(day(first), day(first.plus_months(1).plus_days(-1)),
                  [&by_days](int days, std::int64_t count) { by_days[days] += count; });
            found.counts.assign(by_days.begin(), by_days.end());
          }
          for (const auto& [days, count] : found.counts)
            add(days, count);
        }
      }
      stage.median_working_days = percentile(counts, stage.samples, 0.5);
      stage.p90_working_days = percentile(counts, stage.samples, 0.9);
      report.stages.push_back(std::move(stage));
      if (!waits_in(workflow, state)) continue;

      // The longest waiting of each state, then the longest of those.
      auto oldest = connection.statement(
          "SELECT project_id, name, state_entered_at FROM report_projects "
          "WHERE workflow = ? AND state = ? ORDER BY state_entered_at, project_id LIMIT ?");
      oldest->bind(1, workflow.id);
      oldest->bind(2, state.id);
      oldest->bind(3, longest_waiting);
      while (oldest->executeStep()) {
        WaitingProject project{oldest->getColumn(0).getString(), oldest->getColumn(1).getString(),
                               state.id, oldest->getColumn(2).getInt64(), 0};
        project.working_days =
            calendar.working_days_between(engine::local_date(project.since), today);
        waiting.push_back(std::move(project));
      }
    }
    std::sort(waiting.begin(), waiting.end(), [](const auto& a, const auto& b) {
      return a.since != b.since ? a.since < b.since : a.project_id < b.project_id;
    });
    if (waiting.size() > static_cast<std::size_t>(std::max(longest_waiting, 0))) {
      waiting.resize(static_cast<std::size_t>(std::max(longest_waiting, 0)));
    }
    report.longest_waiting = std::move(waiting);
    return report;
  });
}

Outcome<KpiReport> kpi_report(SqlDatabase& connection, const engine::Workflow& workflow,
                              const ReportPeriod& period, engine::Date today,
                              int overdue_start_listed) {
  return guarded([&] {
    using engine::MilestoneTag;
    const bool cohort_exists = workflow.tagged(StateTag::signing) != nullptr;
    const auto state_tag = [&](StateTag tag) {
      return cohort_exists && workflow.tagged(tag) != nullptr;
    };
    const auto milestone_tag = [&](MilestoneTag tag) {
      return cohort_exists && workflow.tagged(tag) != nullptr;
    };

    // The cohort figures, each counted by its figure's own condition (figures.hpp), so a
    // drill-down lists exactly the projects counted here.
    const std::vector<std::string> cohort_figures = {
        "cohort",           "cohort_performing",      "cohort_started",
        "cohort_start_due", "cohort_started_on_time", "cohort_in_production",
        "cohort_completed", "cohort_completion_due",  "cohort_completed_on_time"};
    std::map<std::string, double, std::less<>> counted;
    if (cohort_exists) {
      std::string sql = "SELECT ";
      FigureQuery query;
      query.period = period;
      query.today = today;
      query.figure = "cohort";
      // The rows read are the cohort: what each figure adds to it is all a row is tested for
      // (twice as fast at 1,000,000 projects as testing the cohort's days nine times more).
      const std::string cohort = figure_sql(query)->condition;
      for (std::size_t i = 0; i < cohort_figures.size(); ++i) {
        query.figure = cohort_figures[i];
        std::string condition = figure_sql(query)->condition;
        if (condition == cohort) {
          condition = "1 = 1";
        } else if (condition.starts_with(cohort + " AND ")) {
          condition = "(" + condition.substr(cohort.size() + 5) + ")";
        }
        sql += std::string(i == 0 ? "" : ", ") + "TOTAL(CASE WHEN " + condition +
               " THEN 1 ELSE 0 END)";
      }
      sql += " FROM report_projects WHERE workflow = ? AND signed_day BETWEEN ? AND ?";
      auto select = connection.statement(sql);
      bind_range(*select, workflow.id, period);
      select->executeStep();
      for (std::size_t i = 0; i < cohort_figures.size(); ++i)
        counted[cohort_figures[i]] = select->getColumn(static_cast<int>(i)).getDouble();
    }

    KpiReport report;
    report.workflow = workflow.id;
    report.period = period;
    report.today = today;
    if (cohort_exists) {
      const std::string& signing = workflow.tagged(StateTag::signing)->id;
      double sums[2] = {0, 0};
      over_parts(connection, period_parts(period), workflow.id,
                 "SELECT TOTAL(projects), TOTAL(investment) FROM report_reached "
                 "WHERE workflow = ?1 AND reached_day BETWEEN ?2 AND ?3 AND state = ?4",
                 "SELECT TOTAL(projects), TOTAL(investment) FROM report_reached_months "
                 "WHERE workflow = ?1 AND month BETWEEN ?2 AND ?3 AND state = ?4",
                 [&](SqlStatement& select) {
                   select.bind(4, signing);
                   select.executeStep();
                   sums[0] += select.getColumn(0).getDouble();
                   sums[1] += select.getColumn(1).getDouble();
                 });
      report.signed_projects = static_cast<std::int64_t>(sums[0]);
      if (has(workflow, FieldTag::investment)) report.signed_investment = sums[1];
    }

    auto funds_sums = connection.statement(
        "SELECT COALESCE(SUM(funds_in_place), 0), COALESCE(SUM(committed), 0) "
        "FROM report_signed_funds WHERE workflow = ? AND signed_day BETWEEN ? AND ?");
    bind_range(*funds_sums, workflow.id, period);
    funds_sums->executeStep();
    std::optional<double> funds;
    std::optional<double> committed;
    if (cohort_exists && has(workflow, FieldTag::funds_in_place) &&
        (has(workflow, FieldTag::committed_investment) || has(workflow, FieldTag::investment))) {
      funds = funds_sums->getColumn(0).getDouble();
      committed = funds_sums->getColumn(1).getDouble();
    }

    auto deadlines = connection.statement(
        "SELECT kind, on_time, SUM(met) FROM report_deadlines "
        "WHERE workflow = ? AND met_day BETWEEN ? AND ? GROUP BY kind, on_time");
    bind_range(*deadlines, workflow.id, period);
    std::map<std::string, std::pair<double, double>> met;  // kind -> (on time, all)
    while (deadlines->executeStep()) {
      auto& [on_time, all] = met[deadlines->getColumn(0).getString()];
      const double times = deadlines->getColumn(2).getDouble();
      if (deadlines->getColumn(1).getInt() != 0) on_time += times;
      all += times;
    }

    // A KPI whose numerator or denominator is not applicable is not applicable as a whole.
    auto add = [&report](std::string id, std::string zh, std::string en,
                         std::optional<double> numerator, std::optional<double> denominator,
                         std::string numerator_figure = {}, std::string denominator_figure = {}) {
      Kpi kpi{std::move(id), {std::move(zh), std::move(en)}, {}, {}, {}, {}, {}};
      if (numerator && denominator) {
        kpi.numerator = numerator;
        kpi.denominator = denominator;
        kpi.rate = ratio(*numerator, *denominator);
        kpi.numerator_figure = std::move(numerator_figure);
        kpi.denominator_figure = std::move(denominator_figure);
      }
      report.kpis.push_back(std::move(kpi));
    };
    const auto figure = [&](const char* id, bool applicable) -> std::optional<double> {
      if (!applicable) return std::nullopt;
      return counted[id];
    };
    // 履约: the obligations the workflow tags (registration, construction start, funds by
    // their due days) kept so far, and not exited.
    const bool obligations =
        state_tag(StateTag::exited) || milestone_tag(MilestoneTag::registration) ||
        milestone_tag(MilestoneTag::construction_start) || milestone_tag(MilestoneTag::funds);
    const bool started = state_tag(StateTag::construction_started);
    add("contract_performance_rate", "履约率", "Contract-performance rate",
        figure("cohort_performing", obligations), figure("cohort", obligations),
        "cohort_performing", "cohort");
    add("construction_start_rate", "开工率", "Construction-start rate",
        figure("cohort_started", started), figure("cohort", started), "cohort_started", "cohort");
    const bool start_due = milestone_tag(MilestoneTag::construction_start);
    add("on_time_start_rate", "按期开工率", "On-time construction-start rate",
        figure("cohort_started_on_time", start_due), figure("cohort_start_due", start_due),
        "cohort_started_on_time", "cohort_start_due");
    const bool production = state_tag(StateTag::in_production);
    add("production_rate", "投产率", "Production rate", figure("cohort_in_production", production),
        figure("cohort", production), "cohort_in_production", "cohort");
    const bool completed = started && state_tag(StateTag::completed);
    add("completion_rate", "竣工率", "Completion rate", figure("cohort_completed", completed),
        figure("cohort_started", completed), "cohort_completed", "cohort_started");
    const bool completion_due = milestone_tag(MilestoneTag::completion);
    add("on_time_completion_rate", "按期竣工率", "On-time completion rate",
        figure("cohort_completed_on_time", completion_due),
        figure("cohort_completion_due", completion_due), "cohort_completed_on_time",
        "cohort_completion_due");
    add("funds_in_place_rate", "资金到位率", "Funds-in-place rate", funds, committed);
    add("sla_on_time_rate", "办理时限按时率", "SLA on-time rate", met["sla"].first,
        met["sla"].second);
    add("milestone_on_time_rate", "节点按时完成率", "Milestone on-time rate",
        met["milestone"].first, met["milestone"].second);

    // 超时限未开工, whenever signed (the milestone needs no signing).
    if (workflow.tagged(MilestoneTag::construction_start) != nullptr) {
      auto overdue = connection.statement(
          "SELECT COUNT(*) FROM report_projects "
          "WHERE start_open_due_day < ? AND workflow = ?");
      overdue->bind(1, day(today));
      overdue->bind(2, workflow.id);
      overdue->executeStep();
      report.overdue_start_count = overdue->getColumn(0).getInt64();
      auto listed = connection.statement(
          "SELECT project_id, name, state, start_open_due_day FROM report_projects "
          "WHERE start_open_due_day < ? AND workflow = ? "
          "ORDER BY start_open_due_day, project_id LIMIT ?");
      listed->bind(1, day(today));
      listed->bind(2, workflow.id);
      listed->bind(3, std::max(overdue_start_listed, 0));
      while (listed->executeStep()) {
        const engine::Date due(listed->getColumn(3).getInt());
        const std::string state = listed->getColumn(2).getString();
        const engine::StateDef* def = workflow.find_state(state);
        report.overdue_start.push_back(
            {listed->getColumn(0).getString(), listed->getColumn(1).getString(), state,
             def != nullptr ? def->label : engine::LocalizedText{state, state}, due,
             static_cast<int>(today.days_since_epoch() - due.days_since_epoch())});
      }
    }
    return report;
  });
}

Outcome<PeriodReport> period_report(SqlDatabase& connection, const Workflows& workflows,
                                    const ReportPeriod& period) {
  return guarded([&] {
    PeriodReport report;
    report.period = period;
    const PeriodParts parts = period_parts(period);
    // Every day before the period (-1: the enterprises' first days link to day -1).
    const PeriodParts before_from = period_parts({engine::Date(-1), period.from.plus_days(-1)});
    for (const auto& workflow : workflows) {
      // Items that belong to a project (parent:, e.g. service problems) are no projects of
      // the pipeline: the service desk has its own figures (problem_report.hpp).
      if (workflow->parent) continue;
      PeriodFigures figures;
      figures.workflow = workflow->id;
      figures.title = workflow->title;
      // Whole months from the summaries by month, the days at either end from the daily ones.
      double created[3] = {0, 0, 0};
      over_parts(connection, parts, workflow->id,
                 "SELECT TOTAL(projects), TOTAL(investment), TOTAL(floor_area) FROM "
                 "report_created WHERE workflow = ?1 AND created_day BETWEEN ?2 AND ?3",
                 "SELECT TOTAL(projects), TOTAL(investment), TOTAL(floor_area) FROM "
                 "report_created_months WHERE workflow = ?1 AND month BETWEEN ?2 AND ?3",
                 [&created](SqlStatement& select) {
                   select.executeStep();
                   for (int i = 0; i < 3; ++i)
                     created[i] += select.getColumn(i).getDouble();
                 });
      figures.new_projects = static_cast<std::int64_t>(created[0]);
      if (has(*workflow, FieldTag::investment)) figures.new_investment = created[1];
      if (has(*workflow, FieldTag::floor_area)) figures.floor_area = created[2];

      SumsByState sums;
      over_parts(connection, parts, workflow->id,
                 "SELECT state, SUM(projects), SUM(investment) FROM report_reached "
                 "WHERE workflow = ?1 AND reached_day BETWEEN ?2 AND ?3 GROUP BY state",
                 "SELECT state, SUM(projects), SUM(investment) FROM report_reached_months "
                 "WHERE workflow = ?1 AND month BETWEEN ?2 AND ?3 GROUP BY state",
                 [&sums](SqlStatement& select) { add_sums_by_state(select, sums); });
      const std::optional<Sum> signed_sum = tagged_sum(*workflow, sums, StateTag::signing);
      figures.signed_count = count_of(signed_sum);
      if (signed_sum && has(*workflow, FieldTag::investment)) {
        figures.signed_investment = signed_sum->amount;
      }
      figures.started = count_of(tagged_sum(*workflow, sums, StateTag::construction_started));
      figures.completed = count_of(tagged_sum(*workflow, sums, StateTag::completed));
      figures.in_production = count_of(tagged_sum(*workflow, sums, StateTag::in_production));

      if (has(*workflow, FieldTag::enterprise)) {
        // Each enterprise once: its first day in the period, the one whose previous day
        // (report_enterprises: links from the previous day to the day) lies before it. Of the
        // links from before `from` (each enterprise's days in order), take away those that
        // also lead to a day before it and those that jump past `to`: a few rows per month
        // and day of history and per day after the period, not per day and enterprise in it.
        double links = 0;
        over_parts(connection, before_from, workflow->id,
                   "SELECT TOTAL(CASE kind WHEN 1 THEN links ELSE -links END) "
                   "FROM report_enterprise_marks "
                   "WHERE workflow = ?1 AND kind IN (0, 1) AND day BETWEEN ?2 AND ?3",
                   "SELECT TOTAL(CASE kind WHEN 1 THEN links ELSE -links END) "
                   "FROM report_enterprise_mark_months "
                   "WHERE workflow = ?1 AND kind IN (0, 1) AND month BETWEEN ?2 AND ?3",
                   [&links](SqlStatement& select) {
                     select.executeStep();
                     links += select.getColumn(0).getDouble();
                   });
        auto beyond = connection.statement(
            "SELECT TOTAL(enterprises) FROM report_enterprises "
            "WHERE workflow = ?1 AND created_day > ?3 AND previous_day < ?2");
        bind_range(*beyond, workflow->id, period);
        beyond->executeStep();
        figures.enterprises = static_cast<std::int64_t>(links - beyond->getColumn(0).getDouble());
      }
      figures.sentence = workflow->report_sentence;
      const auto names_stages = [](const std::string& text) {
        return text.find("{stages}") != std::string::npos;
      };
      if (names_stages(figures.sentence.zh) || names_stages(figures.sentence.en)) {
        auto current = connection.statement(
            "SELECT state, projects, 0 FROM report_pipeline_by "
            "WHERE workflow = ? AND dimension = '' AND value = ''");
        current->bind(1, workflow->id);
        const auto now = sums_by_state(*current);
        for (const engine::StateDef& state : workflow->states) {
          const auto found = now.find(state.id);
          if (state.terminal || found == now.end() || found->second.count == 0) continue;
          figures.stages.emplace_back(state.label, found->second.count);
        }
      }
      report.workflows.push_back(std::move(figures));
    }
    report.text = period_text(report);
    return report;
  });
}

Outcome<Workflows> load_report_workflows(SqlDatabase& connection,
                                         const workflows::CalendarRegistry& calendars) {
  return guarded([&] {
    auto select = connection.statement(
        "SELECT id, version, source FROM workflows AS w "
        "WHERE version = (SELECT MAX(version) FROM workflows WHERE id = w.id) ORDER BY id");
    Workflows loaded;
    while (select->executeStep()) {
      const std::string id = select->getColumn(0).getString();
      auto load = workflows::load_workflow_text(
          select->getColumn(2).getString(),
          id + " v" + select->getColumn(1).getString() + " (stored)", calendars);
      if (load.workflow) loaded.push_back(std::move(load.workflow));
    }
    return loaded;
  });
}

std::string money_zh(double wan) {
  if (std::abs(wan) >= 10000) return trimmed_fixed(wan / 10000, 2) + "亿元";
  if (std::abs(wan) >= 100) return trimmed_fixed(wan, 0) + "万元";
  return trimmed_fixed(wan, 2) + "万元";
}

std::string money_en(double wan) {
  const double yuan = wan * 10000;
  if (std::abs(yuan) >= 1e9) return trimmed_fixed(yuan / 1e9, 2) + " billion yuan";
  if (std::abs(yuan) >= 1e6) return trimmed_fixed(yuan / 1e6, 2) + " million yuan";
  return trimmed_fixed(yuan, 0) + " yuan";
}

std::string area_zh(double square_metres) {
  if (std::abs(square_metres) >= 10000) return trimmed_fixed(square_metres / 10000, 2) + "万平方米";
  return trimmed_fixed(square_metres, 0) + "平方米";
}

std::string area_en(double square_metres) {
  if (std::abs(square_metres) >= 1e6) {
    return trimmed_fixed(square_metres / 1e6, 2) + " million m²";
  }
  return trimmed_fixed(square_metres, 0) + " m²";
}

namespace {

// A workflow's `report: {sentence}` with its {figures} written in (engine::kSentenceFigures;
// the loader has checked the names and the tags, so every figure named is applicable).
std::string sentence_in(const PeriodFigures& figures, const std::string& text, bool zh) {
  const auto count = [](const std::optional<std::int64_t>& value) {
    return std::to_string(value.value_or(0));
  };
  const auto money = [zh](const std::optional<double>& value) {
    return zh ? money_zh(value.value_or(0)) : money_en(value.value_or(0));
  };
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t open = text.find('{', at);
    const std::size_t close = open == std::string::npos ? open : text.find('}', open);
    if (close == std::string::npos) {
      out += text.substr(at);
      break;
    }
    out += text.substr(at, open - at);
    const std::string name = text.substr(open + 1, close - open - 1);
    at = close + 1;
    if (name == "new_projects") {
      out += std::to_string(figures.new_projects);
    } else if (name == "new_investment") {
      out += money(figures.new_investment);
    } else if (name == "enterprises") {
      out += count(figures.enterprises);
    } else if (name == "floor_area") {
      const double area = figures.floor_area.value_or(0);
      out += zh ? area_zh(area) : area_en(area);
    } else if (name == "signed") {
      out += count(figures.signed_count);
    } else if (name == "signed_investment") {
      out += money(figures.signed_investment);
    } else if (name == "started") {
      out += count(figures.started);
    } else if (name == "completed") {
      out += count(figures.completed);
    } else if (name == "in_production") {
      out += count(figures.in_production);
    } else if (name == "stages") {
      std::string stages;
      for (const auto& [label, number] : figures.stages) {
        if (!stages.empty()) stages += zh ? "、" : ", ";
        stages += zh ? label.zh + std::to_string(number) + "个"
                     : std::to_string(number) + " " + (label.en.empty() ? label.zh : label.en);
      }
      out += stages.empty() ? (zh ? "0个" : "none") : stages;
    } else {
      out += "{" + name + "}";
    }
  }
  return out;
}

}  // namespace

engine::LocalizedText period_text(const PeriodReport& report) {
  return period_text(
      report, {date_zh(report.period.from) + "至" + date_zh(report.period.to) + "：",
               report.period.from.to_string() + " to " + report.period.to.to_string() + ":"});
}

engine::LocalizedText period_text(const PeriodReport& report,
                                  const engine::LocalizedText& heading) {
  std::string zh = heading.zh;
  std::string en = heading.en;
  bool any = false;
  // A figure not applicable to a workflow (no tag) is left out of its sentence, as a zero is.
  const auto counted = [](const std::optional<std::int64_t>& count) { return count.value_or(0); };
  const auto amount = [](const std::optional<double>& value) { return value.value_or(0); };
  for (const PeriodFigures& figures : report.workflows) {
    if (figures.new_projects == 0 && counted(figures.signed_count) == 0 &&
        counted(figures.started) == 0 && counted(figures.completed) == 0 &&
        counted(figures.in_production) == 0) {
      continue;
    }
    any = true;
    if (!figures.sentence.empty()) {
      const std::string& zh_text =
          figures.sentence.zh.empty() ? figures.sentence.en : figures.sentence.zh;
      const std::string& en_text =
          figures.sentence.en.empty() ? figures.sentence.zh : figures.sentence.en;
      zh += "\n" + sentence_in(figures, zh_text, true) + "。";
      en += "\n" + sentence_in(figures, en_text, false) + ".";
      continue;
    }
    std::vector<std::string> parts_zh;
    std::vector<std::string> parts_en;
    std::string fresh_zh = "新增项目" + std::to_string(figures.new_projects) + "个";
    std::string fresh_en = std::to_string(figures.new_projects) + " new projects";
    if (counted(figures.enterprises) > 0) {
      fresh_zh += "（涉及企业" + std::to_string(*figures.enterprises) + "家）";
      fresh_en += " of " + std::to_string(*figures.enterprises) + " enterprises";
    }
    if (amount(figures.new_investment) > 0) {
      fresh_zh += "，总投资" + money_zh(*figures.new_investment);
      fresh_en += ", " + money_en(*figures.new_investment) + " in total";
    }
    if (amount(figures.floor_area) > 0) {
      fresh_zh += "，建筑面积" + area_zh(*figures.floor_area);
      fresh_en += ", " + area_en(*figures.floor_area) + " of floor area";
    }
    parts_zh.push_back(fresh_zh);
    parts_en.push_back(fresh_en);
    if (counted(figures.signed_count) > 0) {
      std::string signed_zh = "签约" + std::to_string(*figures.signed_count) + "个";
      std::string signed_en = std::to_string(*figures.signed_count) + " signed";
      if (amount(figures.signed_investment) > 0) {
        signed_zh += "（总投资" + money_zh(*figures.signed_investment) + "）";
        signed_en += " (" + money_en(*figures.signed_investment) + ")";
      }
      parts_zh.push_back(signed_zh);
      parts_en.push_back(signed_en);
    }
    const std::array<std::tuple<std::int64_t, const char*, const char*>, 3> stages = {{
        {counted(figures.started), "开工", " started"},
        {counted(figures.completed), "竣工", " completed"},
        {counted(figures.in_production), "投产", " in production"},
    }};
    for (const auto& [count, zh_word, en_word] : stages) {
      if (count == 0) continue;
      parts_zh.push_back(std::string(zh_word) + std::to_string(count) + "个");
      parts_en.push_back(std::to_string(count) + en_word);
    }
    zh += "\n" + figures.title.zh + "：";
    en += "\n" + (figures.title.en.empty() ? figures.workflow : figures.title.en) + ": ";
    for (std::size_t i = 0; i < parts_zh.size(); ++i) {
      zh += (i == 0 ? "" : "，") + parts_zh[i];
      en += (i == 0 ? "" : "; ") + parts_en[i];
    }
    zh += "。";
    en += ".";
  }
  if (!any) {
    zh += "无新增或推进的项目。";
    en += " no new or advancing projects.";
  }
  return {zh, en};
}

Outcome<PipelineFacets> pipeline_facets(SqlDatabase& connection, const engine::Workflow& workflow) {
  return guarded([&] {
    PipelineFacets facets;
    std::string open_states;
    for (const auto& state : workflow.states) {
      if (!state.terminal) open_states += open_states.empty() ? "?" : ", ?";
    }
    if (open_states.empty()) return facets;
    // The owners and units with an open project, from the summary by one dimension.
    auto select = connection.statement(
        "SELECT dimension, value FROM report_pipeline_by WHERE workflow = ? "
        "AND dimension IN ('owner', 'promoting_unit') AND value <> '' AND projects > 0 "
        "AND state IN (" +
        open_states + ")");
    int index = 1;
    select->bind(index++, workflow.id);
    for (const auto& state : workflow.states) {
      if (!state.terminal) select->bind(index++, state.id);
    }
    std::set<std::string, std::less<>> owners;
    std::set<std::string, std::less<>> units;
    while (select->executeStep()) {
      const SqlColumn value = select->getColumn(1);
      const std::string_view text = value.text();
      auto& into = select->getColumn(0).getString() == "owner" ? owners : units;
      if (!into.contains(text)) into.emplace(text);
    }
    facets.owners.assign(owners.begin(), owners.end());
    facets.promoting_units.assign(units.begin(), units.end());
    return facets;
  });
}

ReportReader::ReportReader(std::string database, int connections)
    : database_(std::move(database)), size_(std::max(connections, 1)) {
}

ReportReader::~ReportReader() = default;

std::unique_ptr<SqlDatabase> ReportReader::borrow() {
  {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [this] { return !idle_.empty() || open_ < size_; });
    if (!idle_.empty()) {
      auto db = std::move(idle_.back());
      idle_.pop_back();
      return db;
    }
    ++open_;
  }
  try {
    return open_sql_database(database_, true);
  } catch (...) {
    const std::lock_guard lock(mutex_);
    --open_;
    available_.notify_one();
    throw;
  }
}

void ReportReader::give_back(std::unique_ptr<SqlDatabase> db) {
  const std::lock_guard lock(mutex_);
  if (db && db->usable()) {
    idle_.push_back(std::move(db));
  } else {
    --open_;
  }
  available_.notify_one();
}

}  // namespace investflow::storage
