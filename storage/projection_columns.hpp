#pragma once
// The columns of the projects table that copy parts of a projection so they can be indexed:
// the fields every investment workflow has (name, investor, industry, total investment) and
// the earliest open deadline. The projection's JSON body stays the source of truth.

#include <string>
#include <string_view>

#include "engine/project.hpp"

namespace investflow::storage {

// Field names the list and search queries index.
inline constexpr std::string_view kNameField = "name";
inline constexpr std::string_view kInvestorField = "investor";
inline constexpr std::string_view kIndustryField = "industry";
inline constexpr std::string_view kInvestmentField = "total_investment";  // 万元

// next_due_on of a project with no open deadline: sorts after every real date.
inline constexpr std::string_view kNoDeadline = "9999-12-31";

struct ProjectionColumns {
  std::string name;
  std::string investor;
  std::string industry;
  double total_investment = 0;
  std::string next_due_on;  // YYYY-MM-DD
};

ProjectionColumns projection_columns(const engine::Project& project);

}  // namespace investflow::storage
