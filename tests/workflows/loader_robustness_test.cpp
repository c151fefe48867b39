// The loaders never crash, never throw and always point inside the file, whatever bytes they
// are given. Valid files are mutated at random (byte flips, YAML-significant characters,
// truncations, deletions, duplications, swapped lines) thousands of times, with a fixed seed
// so a failure can be replayed; the fuzzer (tests/fuzz/workflow_loader_fuzz.cpp) goes further.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "workflows/loader.hpp"

namespace investflow::workflows {
namespace {

constexpr std::string_view kValidWorkflow = R"yaml(workflow: robust
version: 1
title: {zh-CN: 招商引资项目, en: Investment project}
calendar: cn-mainland
roles: [staff, reviewer, manager]
fields:
  name: {type: text, required: true, label: {zh-CN: 项目名称, en: Name}, max: 200}
  industry: {type: enum, options: [new_materials, electronics, other], option_labels: {other: 其他}}
  total_investment: {type: money, unit: 万元, min: 0}
  land_area: {type: area, unit: 亩, min: 0}
  land_type: {type: enum, options: [new_land, existing]}
  priority: {type: bool}
  signed_on: {type: date}
tables:
  intensity_min: {new_materials: 330, electronics: 350, default: 300}
computed:
  investment_intensity: "land_area > 0 ? total_investment / land_area : 0"
initial: lead
states:
  lead: {label: {zh-CN: 线索, en: Lead}, sla: {working_days: 1, escalate: [manager]}}
  committee_review:
    review: {voters: reviewer, quorum: 3, pass: "approvals * 3 >= votes * 2"}
  signed: {label: 已签约}
  rejected: {terminal: true}
transitions:
  - id: submit
    from: lead
    to: committee_review
    roles: [staff]
    requires: [industry, land_type, total_investment]
    guards:
      - check: >-
          land_type != 'new_land'
          || investment_intensity >= intensity_min[industry] || priority
        message: {zh-CN: "投资强度 {investment_intensity} 低于准入标准", en: "Too low"}
        field: total_investment
    comment: required
  - id: approve
    from: committee_review
    to: signed
    when: "review.passed"
  - {id: reject, from: "*", to: rejected, roles: [manager]}
milestones:
  register_company: {after: signed, within: {days: 30}, field: signed_on, done_when: "present(signed_on)"}
  build: {after: signed, within: {months: 'total_investment > 10000 ? 24 : 12'}}
followup: {in: [signed], every: {months: 1}, role: staff}
notify:
  - on: {enter: committee_review}
    to: [owner, role:reviewer]
    channels: [inbox, webhook]
  - on: sla_overdue
    to: [owner, role:manager]
)yaml";

// Characters that change what YAML means.
constexpr std::string_view kSignificant = ":-[]{}'\"|>&*!#%@`,?\n\t \\~0123456789";

std::string mutate(std::string text, std::mt19937& random) {
  const auto pick = [&](std::size_t bound) {
    return bound == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, bound - 1)(random);
  };
  const int mutations = 1 + static_cast<int>(pick(4));
  for (int i = 0; i < mutations; ++i) {
    const std::size_t at = pick(text.size() + 1);
    switch (pick(7)) {
      case 0:  // flip a byte to anything
        if (at < text.size()) text[at] = static_cast<char>(pick(256));
        break;
      case 1:  // replace with a YAML-significant character
        if (at < text.size()) text[at] = kSignificant[pick(kSignificant.size())];
        break;
      case 2:  // insert one
        text.insert(at, 1, kSignificant[pick(kSignificant.size())]);
        break;
      case 3:  // truncate
        text.resize(at);
        break;
      case 4:  // delete a range
        text.erase(at, pick(40));
        break;
      case 5: {  // duplicate a range somewhere else
        const std::string piece = text.substr(at, pick(60));
        text.insert(pick(text.size() + 1), piece);
        break;
      }
      default: {  // swap two lines
        std::vector<std::string> lines;
        std::istringstream in(text);
        for (std::string line; std::getline(in, line);)
          lines.push_back(line);
        if (lines.size() < 2) break;
        std::swap(lines[pick(lines.size())], lines[pick(lines.size())]);
        text.clear();
        for (const std::string& line : lines)
          text += line + "\n";
        break;
      }
    }
  }
  return text;
}

// Characters (not bytes) on each line, for checking that positions are inside the text.
std::vector<int> line_lengths(const std::string& text) {
  std::vector<int> lengths{0};
  for (const char c : text) {
    if (c == '\n') {
      lengths.push_back(0);
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++lengths.back();
    }
  }
  return lengths;
}

::testing::AssertionResult positions_are_inside(const std::vector<Diagnostic>& diagnostics,
                                                const std::string& text) {
  const std::vector<int> lengths = line_lengths(text);
  for (const Diagnostic& diagnostic : diagnostics) {
    if (diagnostic.line < 1 || diagnostic.column < 1) {
      return ::testing::AssertionFailure() << "position below 1: " << diagnostic.to_string();
    }
    if (text.empty()) continue;
    const auto line = static_cast<std::size_t>(diagnostic.line);
    // A UTF-8 byte order mark is not a column.
    const int bom = line == 1 && text.rfind("\xEF\xBB\xBF", 0) == 0 ? 1 : 0;
    if (line > lengths.size() || diagnostic.column > lengths[line - 1] - bom + 1) {
      return ::testing::AssertionFailure()
             << "position outside the text: " << diagnostic.to_string();
    }
  }
  return ::testing::AssertionSuccess();
}

std::vector<std::string> seed_texts() {
  std::vector<std::string> seeds{std::string(kValidWorkflow)};
  const std::filesystem::path corpus = std::filesystem::path(INVESTFLOW_TEST_DATA) / "malformed";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(corpus))
    files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const std::filesystem::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    seeds.push_back(text.str());
  }
  return seeds;
}

CalendarRegistry registry_with_cn_mainland() {
  CalendarRegistry registry;
  registry.add(std::make_shared<engine::Calendar>(engine::Calendar::weekends_only("cn-mainland")));
  return registry;
}

TEST(LoaderRobustness, TheUnmutatedSeedIsValid) {
  const WorkflowLoad load =
      load_workflow_text(kValidWorkflow, "seed.yaml", registry_with_cn_mainland());
  for (const Diagnostic& diagnostic : load.diagnostics)
    ADD_FAILURE() << diagnostic.to_string();
  EXPECT_NE(load.workflow, nullptr);
}

TEST(LoaderRobustness, MutatedWorkflowsNeverCrashAndPointInsideTheFile) {
  const CalendarRegistry registry = registry_with_cn_mainland();
  const std::vector<std::string> seeds = seed_texts();
  std::mt19937 random(20260215);
  constexpr int kRounds = 4000;
  int loaded = 0;
  for (int round = 0; round < kRounds; ++round) {
    // Mostly the valid workflow, whose mutants get furthest into the loader.
    const std::string& seed = round % 4 == 0 ? seeds[(round / 4) % seeds.size()] : seeds[0];
    const std::string text = mutate(seed, random);
    const WorkflowLoad load = load_workflow_text(text, "mutant.yaml", registry);
    ASSERT_TRUE(positions_are_inside(load.diagnostics, text)) << "round " << round << ":\n" << text;
    ASSERT_EQ(load.workflow != nullptr, !has_errors(load.diagnostics)) << "round " << round;
    for (const Diagnostic& diagnostic : load.diagnostics) {
      ASSERT_EQ(diagnostic.file, "mutant.yaml");
      ASSERT_FALSE(diagnostic.message.empty());
    }
    if (load.workflow != nullptr) ++loaded;
  }
  // Some mutants (in comments, in labels) are still valid workflows: the happy path is exercised.
  EXPECT_GT(loaded, 0);
}

TEST(LoaderRobustness, MutatedCalendarsNeverCrashAndPointInsideTheFile) {
  std::ifstream in(
      std::filesystem::path(INVESTFLOW_SOURCE_DIR) / "workflows" / "calendars" / "cn-mainland.yaml",
      std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string seed = buffer.str().empty()
                               ? "calendar: c\nyears: [2025, 2026]\nholidays:\n"
                                 "  - {name: {zh-CN: 春节, en: Spring Festival}, from: 2025-01-28, "
                                 "to: 2025-02-04, make_up: [2025-01-26]}\n"
                               : buffer.str();
  std::mt19937 random(20250128);
  for (int round = 0; round < 1500; ++round) {
    const std::string text = mutate(seed, random);
    const CalendarLoad load = load_calendar_text(text, "mutant.yaml");
    ASSERT_TRUE(positions_are_inside(load.diagnostics, text)) << "round " << round << ":\n" << text;
    ASSERT_EQ(load.calendar != nullptr, !has_errors(load.diagnostics)) << "round " << round;
  }
}

}  // namespace
}  // namespace investflow::workflows
