#pragma once
// 到位资金 (funds in place) as a ledger: each entry is a RecordFunds command turned into a
// FundsRecorded event. The sources are those the zone's monthly reports split by.

#include <optional>
#include <string>
#include <string_view>

#include "engine/date.hpp"
#include "engine/names.hpp"

namespace investflow::engine {

enum class FundsSource { local, other_city, other_province, abroad };
inline constexpr EnumName<FundsSource> kFundsSourceNames[] = {
    {FundsSource::local, "local"},
    {FundsSource::other_city, "other_city"},
    {FundsSource::other_province, "other_province"},
    {FundsSource::abroad, "abroad"}};
static_assert(in_order(kFundsSourceNames));
inline constexpr std::size_t kFundsSourceCount = std::size(kFundsSourceNames);

std::string_view funds_source_name(FundsSource source);
std::optional<FundsSource> parse_funds_source(std::string_view name);
// 本市, 市外省内, 省外, 境外; Local (this city), Elsewhere in the province, Other
// provinces, Abroad.
std::string_view funds_source_zh(FundsSource source);
std::string_view funds_source_en(FundsSource source);

// A month "YYYY-MM" (year 2000..2100) as YYYY*100+MM, or nullopt when malformed.
std::optional<int> parse_funds_month(std::string_view text);
// 202610 -> "2026-10".
std::string funds_month_text(int month);

// One ledger entry as the project keeps it (engine::Project::funds).
struct FundsEntry {
  std::string month;  // "YYYY-MM"
  double amount = 0;  // 万元; negative: a correction
  FundsSource source = FundsSource::local;
  std::string evidence;
  std::string comment;
  std::string actor;
  Timestamp at = 0;
  friend bool operator==(const FundsEntry&, const FundsEntry&) = default;
};

}  // namespace investflow::engine
