#include "engine/funds.hpp"

#include <cstdio>

namespace investflow::engine {
namespace {
constexpr std::string_view kZh[] = {"本市", "市外省内", "省外", "境外"};
constexpr std::string_view kEn[] = {"Local (this city)", "Elsewhere in the province",
                                    "Other provinces", "Abroad"};
static_assert(std::size(kZh) == kFundsSourceCount && std::size(kEn) == kFundsSourceCount);
}  // namespace

std::string_view funds_source_name(FundsSource source) {
  return name_in(kFundsSourceNames, source);
}
std::optional<FundsSource> parse_funds_source(std::string_view name) {
  return value_named(kFundsSourceNames, name);
}
std::string_view funds_source_zh(FundsSource source) {
  return kZh[static_cast<std::size_t>(source)];
}
std::string_view funds_source_en(FundsSource source) {
  return kEn[static_cast<std::size_t>(source)];
}

std::optional<int> parse_funds_month(std::string_view text) {
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  int year = 0;
  int month = 0;
  for (std::size_t i = 0; i < 7; ++i) {
    if (i == 4) continue;
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    const int digit = text[i] - '0';
    if (i < 4) {
      year = year * 10 + digit;
    } else {
      month = month * 10 + digit;
    }
  }
  if (year < 2000 || year > 2100 || month < 1 || month > 12) return std::nullopt;
  return year * 100 + month;
}

std::string funds_month_text(int month) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d", month / 100, month % 100);
  return text;
}

}  // namespace investflow::engine
