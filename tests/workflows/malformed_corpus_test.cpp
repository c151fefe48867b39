// The malformed-workflow corpus: tests/data/malformed/*.yaml. Each file says in its header
// comment exactly which diagnostics it must produce:
//
//   # expect: LINE:COL: message fragment            (an error)
//   # expect-warning: LINE:COL: message fragment    (a warning)
//   # load-with: PATH                               (loaded in one set with tests/data/PATH:
//                                                    parent links are checked against it)
//
// A file passes when every expectation is met by a diagnostic at that position whose message
// contains the fragment, and no other diagnostic appears: the loader reports everything that
// is wrong and nothing that is not.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "workflows/loader.hpp"

namespace investflow::workflows {
namespace {

const std::filesystem::path kCorpus = std::filesystem::path(INVESTFLOW_TEST_DATA) / "malformed";

struct Expectation {
  Diagnostic::Severity severity = Diagnostic::Severity::error;
  int line = 0;
  int column = 0;
  std::string fragment;
  std::string header_line;  // for messages
};

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Parses "LINE:COL: fragment"; false when the line is not in that form.
bool parse_position(const std::string& text, Expectation& expectation) {
  std::istringstream in(text);
  char colon1 = 0;
  char colon2 = 0;
  if (!(in >> expectation.line >> colon1 >> expectation.column >> colon2) || colon1 != ':' ||
      colon2 != ':') {
    return false;
  }
  std::getline(in >> std::ws, expectation.fragment);
  return !expectation.fragment.empty();
}

// The files a case is loaded together with (`# load-with:`), under tests/data.
std::vector<std::filesystem::path> companions_in(const std::string& source) {
  std::vector<std::filesystem::path> files;
  std::istringstream lines(source);
  std::string line;
  const std::string prefix = "# load-with: ";
  while (std::getline(lines, line)) {
    if (line.rfind(prefix, 0) == 0) {
      files.push_back(std::filesystem::path(INVESTFLOW_TEST_DATA) / line.substr(prefix.size()));
    }
  }
  return files;
}

std::vector<Expectation> expectations_in(const std::string& source) {
  std::vector<Expectation> expectations;
  std::istringstream lines(source);
  std::string line;
  while (std::getline(lines, line)) {
    for (const auto& [prefix, severity] :
         {std::pair<std::string, Diagnostic::Severity>{"# expect: ", Diagnostic::Severity::error},
          {"# expect-warning: ", Diagnostic::Severity::warning}}) {
      if (line.rfind(prefix, 0) != 0) continue;
      Expectation expectation;
      expectation.severity = severity;
      expectation.header_line = line;
      EXPECT_TRUE(parse_position(line.substr(prefix.size()), expectation))
          << "bad expectation line: " << line;
      expectations.push_back(expectation);
    }
  }
  return expectations;
}

bool meets(const Diagnostic& diagnostic, const Expectation& expectation) {
  return diagnostic.severity == expectation.severity && diagnostic.line == expectation.line &&
         diagnostic.column == expectation.column &&
         diagnostic.message.find(expectation.fragment) != std::string::npos;
}

CalendarRegistry registry_with_cn_mainland() {
  CalendarRegistry registry;
  registry.add(std::make_shared<engine::Calendar>(engine::Calendar::weekends_only("cn-mainland")));
  return registry;
}

std::vector<std::filesystem::path> corpus_files() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(kCorpus)) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class MalformedCorpus : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(MalformedCorpus, ReportsExactlyTheExpectedDiagnostics) {
  const std::string source = read_file(GetParam());
  const std::vector<Expectation> expectations = expectations_in(source);
  ASSERT_FALSE(expectations.empty()) << "no '# expect:' lines in " << GetParam();

  std::vector<std::filesystem::path> set = companions_in(source);
  WorkflowLoad load;
  if (set.empty()) {
    load = load_workflow_text(source, GetParam().filename().string(), registry_with_cn_mainland());
  } else {
    set.push_back(GetParam());
    load = std::move(load_workflow_set(set, registry_with_cn_mainland()).back());
    for (Diagnostic& diagnostic : load.diagnostics)
      diagnostic.file = GetParam().filename().string();
  }
  std::string reported;
  for (const Diagnostic& diagnostic : load.diagnostics)
    reported += diagnostic.to_string() + "\n";

  std::vector<bool> used(load.diagnostics.size(), false);
  for (const Expectation& expectation : expectations) {
    bool met = false;
    for (std::size_t i = 0; i < load.diagnostics.size() && !met; ++i) {
      if (!used[i] && meets(load.diagnostics[i], expectation)) used[i] = met = true;
    }
    EXPECT_TRUE(met) << "not reported: " << expectation.header_line << "\nreported:\n" << reported;
  }
  for (std::size_t i = 0; i < load.diagnostics.size(); ++i) {
    EXPECT_TRUE(used[i]) << "unexpected: " << load.diagnostics[i].to_string();
  }
  const bool errors_expected =
      std::any_of(expectations.begin(), expectations.end(), [](const Expectation& expectation) {
        return expectation.severity == Diagnostic::Severity::error;
      });
  EXPECT_EQ(load.workflow == nullptr, errors_expected);
}

INSTANTIATE_TEST_SUITE_P(Loader, MalformedCorpus, ::testing::ValuesIn(corpus_files()),
                         [](const ::testing::TestParamInfo<std::filesystem::path>& param) {
                           std::string name = param.param.stem().string();
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(MalformedCorpusFiles, CoverEveryKindOfProblem) {
  // Guards against the corpus shrinking by accident: one file per kind of problem.
  EXPECT_GE(corpus_files().size(), 20u);
}

}  // namespace
}  // namespace investflow::workflows
