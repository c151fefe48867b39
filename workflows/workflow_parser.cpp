#include "workflows/workflow_parser.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "engine/notify_trigger.hpp"
#include "workflows/yaml_reader.hpp"

namespace investflow::workflows::detail {
namespace {

using engine::FieldType;
using Use = ExpressionSite::Use;

// Real expressions are a line or two; anything much longer is a mistake or an attack.
constexpr std::size_t kMaxExpressionBytes = 2000;

// Names an expression already gives a meaning to; a field, table or computed value with one
// of these names could never be referred to.
bool is_reserved_name(std::string_view name) {
  for (std::string_view reserved : {"state", "owner", "review", "true", "false", "null", "in",
                                    "approvals", "rejections", "abstentions", "votes"}) {
    if (name == reserved) return true;
  }
  return false;
}

std::string in_quotes(std::string_view name) {
  return "'" + std::string(name) + "'";
}

std::vector<std::string> field_type_names() {
  std::vector<std::string> names;
  for (FieldType type :
       {FieldType::text, FieldType::number, FieldType::money, FieldType::area, FieldType::date,
        FieldType::boolean, FieldType::enumeration, FieldType::user, FieldType::list}) {
    names.emplace_back(engine::field_type_name(type));
  }
  return names;
}

bool has_bounds(FieldType type) {
  return type == FieldType::number || type == FieldType::money || type == FieldType::area ||
         type == FieldType::text || type == FieldType::list;
}
bool bounds_are_lengths(FieldType type) {
  return type == FieldType::text || type == FieldType::list;
}
bool has_options(FieldType type) {
  return type == FieldType::enumeration || type == FieldType::list;
}

class WorkflowParser {
 public:
  WorkflowParser(const CalendarRegistry& calendars, Reporter& reporter)
      : calendars_(calendars), reporter_(reporter) {}

  ParsedWorkflow parse(const YAML::Node& root) && {
    Record top(
        root, root.Mark(), "the workflow",
        {"workflow", "version",   "title",   "description", "calendar",    "roles",      "fields",
         "tables",   "computed",  "initial", "states",      "transitions", "milestones", "followup",
         "notify",   "deadlines", "parent",  "report",      "supervision", "visibility"},
        reporter_);
    if (!top.valid()) return std::move(parsed_);
    // Sections are read in dependency order, whatever their order in the file, so every
    // reference can be checked as soon as it is read.
    parse_identity(top);
    parse_calendar(top.get("calendar"));
    parse_roles(top.get("roles"));
    parse_fields(top.get("fields"));
    parse_tables(top.get("tables"));
    parse_computed(top.get("computed"));
    parse_states(top.require("states"));
    // Fields and states are complete: lookups by name from here on.
    fields_ = index_of(workflow().fields, &engine::FieldDef::name);
    states_ = index_of(workflow().states, &engine::StateDef::id);
    parse_initial(top.require("initial"));
    parse_transitions(top.get("transitions"));
    transitions_ = index_of(workflow().transitions, &engine::TransitionDef::id);
    parse_milestones(top.get("milestones"));
    parse_followup(top.get("followup"));
    parse_supervision(top.get("supervision"));
    parse_parent(top.get("parent"));
    parse_visibility(top.get("visibility"));
    parse_notify(top.get("notify"));
    parse_deadlines(top.get("deadlines"));
    parse_report(top.get("report"));
    return std::move(parsed_);
  }

 private:
  engine::WorkflowDefinition& workflow() { return parsed_.definition; }

  // The parts of the definition read so far by name, each indexed once its section is
  // complete (the pointers point into its vector); of a repeated name, the first.
  template <typename T>
  using Index = std::map<std::string_view, const T*, std::less<>>;
  template <typename T>
  static Index<T> index_of(const std::vector<T>& items, std::string T::*key) {
    Index<T> index;
    for (const T& item : items)
      index.emplace(item.*key, &item);
    return index;
  }
  template <typename T>
  static const T* find_in(const Index<T>& index, std::string_view name) {
    const auto it = index.find(name);
    return it == index.end() ? nullptr : it->second;
  }

  // --- identity -------------------------------------------------------------------------

  void parse_identity(Record& top) {
    if (const Entry* entry = top.require("workflow")) {
      if (std::optional<std::string> id = read_text(*entry, reporter_)) {
        if (!is_slug(*id)) {
          reporter_.error(entry->value_mark(),
                          "workflow id " + in_quotes(*id) + " must use only a-z, 0-9 and '-'");
        }
        workflow().id = std::move(*id);
      }
    }
    if (const Entry* entry = top.require("version")) {
      if (std::optional<std::int64_t> version = read_integer(*entry, 1, reporter_)) {
        workflow().version = *version;
      }
    }
    if (const Entry* entry = top.get("title")) {
      if (auto title = read_label(*entry, reporter_)) workflow().title = std::move(*title);
    }
    if (const Entry* entry = top.get("description")) {
      if (auto description = read_label(*entry, reporter_)) {
        workflow().description = std::move(*description);
      }
    }
  }

  void parse_calendar(const Entry* entry) {
    constexpr std::string_view kWeekends = "weekends";
    workflow().calendar_name = std::string(kWeekends);
    workflow().calendar = std::make_shared<engine::Calendar>(engine::Calendar::weekends_only());
    if (entry == nullptr) return;
    const std::optional<std::string> name = read_text(*entry, reporter_);
    if (!name) return;
    workflow().calendar_name = *name;
    if (std::shared_ptr<const engine::Calendar> calendar = calendars_.find(*name)) {
      workflow().calendar = std::move(calendar);
    } else if (*name != kWeekends) {
      std::vector<std::string> known = calendars_.names();
      known.emplace_back(kWeekends);
      reporter_.error(entry->value_mark(),
                      "unknown calendar " + in_quotes(*name) + suggestion(reporter_, *name, known));
    }
  }

  void parse_roles(const Entry* entry) {
    if (entry == nullptr) return;
    for (NameAt& role : read_text_list(*entry, reporter_)) {
      if (!is_identifier(role.name)) {
        reporter_.error(role.node.Mark(), "role " + in_quotes(role.name) + " " + kNameRule);
      }
      if (!roles_.insert(role.name).second) {
        reporter_.error(role.node.Mark(), "role " + in_quotes(role.name) + " is listed twice");
        continue;
      }
      workflow().roles.push_back(std::move(role.name));
    }
  }

  // --- fields, tables, computed values ---------------------------------------------------

  // Fields, tables and computed values share the names expressions see.
  void declare_name(const Entry& entry, std::string_view kind) {
    if (!is_identifier(entry.key)) {
      reporter_.error(entry.key_node.Mark(),
                      std::string(kind) + " name " + in_quotes(entry.key) + " " + kNameRule);
    } else if (is_reserved_name(entry.key)) {
      reporter_.error(entry.key_node.Mark(), std::string(kind) + " name " + in_quotes(entry.key) +
                                                 " is reserved in expressions");
    }
    const auto [existing, inserted] =
        expression_names_.try_emplace(entry.key, std::string(kind), entry.key_node);
    if (!inserted) {
      reporter_.error(entry.key_node.Mark(), in_quotes(entry.key) + " is already the name of a " +
                                                 existing->second.first + " (" +
                                                 line_of(existing->second.second, reporter_) + ")");
    }
  }

  void parse_fields(const Entry* entry) {
    if (entry == nullptr) return;
    for (const Entry& field :
         read_entries(entry->value, entry->value_mark(), "'fields'", reporter_)) {
      parse_field(field);
    }
    // A field alias must not be a header import reads as another field.
    for (const FieldAlias& alias : field_aliases_) {
      for (const engine::FieldDef& other : workflow().fields) {
        if (other.name == alias.field) continue;
        if (other.name == alias.text || other.label.zh == alias.text ||
            other.label.en == alias.text ||
            std::find(other.aliases.begin(), other.aliases.end(), alias.text) !=
                other.aliases.end()) {
          reporter_.error(alias.mark, "alias " + in_quotes(alias.text) + " of field " +
                                          in_quotes(alias.field) + " already names field " +
                                          in_quotes(other.name));
          break;
        }
      }
    }
  }

  void parse_field(const Entry& entry) {
    declare_name(entry, "field");
    engine::FieldDef& field = workflow().fields.emplace_back();
    field.name = entry.key;
    Record record(entry.value, entry.value_mark(), "field " + in_quotes(entry.key),
                  {"type", "required", "label", "help", "group", "unit", "min", "max", "options",
                   "option_labels", "items", "report", "aliases", "option_aliases"},
                  reporter_);
    bool type_known = false;
    if (const Entry* type = record.require("type")) {
      if (std::optional<std::string> name = read_text(*type, reporter_)) {
        if (std::optional<FieldType> parsed = engine::parse_field_type(*name)) {
          field.type = *parsed;
          type_known = true;
        } else {
          reporter_.error(type->value_mark(), "unknown field type " + in_quotes(*name) +
                                                  suggestion(reporter_, *name, field_type_names()));
        }
      }
    }
    if (const Entry* required = record.get("required")) {
      field.required = read_bool(*required, reporter_).value_or(false);
    }
    if (const Entry* label = record.get("label")) {
      field.label = read_label(*label, reporter_).value_or(engine::LocalizedText{});
    }
    if (const Entry* help = record.get("help")) {
      field.help = read_label(*help, reporter_).value_or(engine::LocalizedText{});
    }
    if (const Entry* group = record.get("group")) {
      field.group = read_text(*group, reporter_).value_or("");
    }
    if (const Entry* unit = record.get("unit")) {
      field.unit = read_text(*unit, reporter_).value_or("");
    }
    parse_field_bounds(record, field, type_known);
    parse_field_options(record, field, type_known);
    parse_field_items(record, field, type_known);
    if (const Entry* report = record.get("report")) parse_field_tag(*report, field, type_known);
    parse_field_aliases(record, field);
  }

  // `items: user` makes a list field a list of user ids (notify rules can name it).
  void parse_field_items(const Record& record, engine::FieldDef& field, bool type_known) {
    const Entry* items = record.get("items");
    if (items == nullptr) return;
    if (type_known && field.type != FieldType::list) {
      reporter_.error(items->key_node.Mark(), "'items' apply only to list fields, not to " +
                                                  std::string(engine::field_type_name(field.type)) +
                                                  " field " + in_quotes(field.name));
      return;
    }
    const std::optional<std::string> name = read_text(*items, reporter_);
    if (!name) return;
    const std::optional<FieldType> type = engine::parse_field_type(*name);
    if (type != FieldType::text && type != FieldType::user) {
      reporter_.error(items->value_mark(), "'items' of list field " + in_quotes(field.name) +
                                               " must be text or user, not " + in_quotes(*name) +
                                               suggestion(reporter_, *name, {"text", "user"}));
      return;
    }
    field.items = *type;
  }

  // kpis (issue 16): workflow-level `report: {sentence: {zh-CN: "...{signed}...", en: ...}}`.
  // Every {placeholder} must be a figure of engine::kSentenceFigures whose tags this
  // workflow has (read after the states and fields, whose tags it checks).
  void parse_report(const Entry* entry) {
    if (entry == nullptr) return;
    Record record(entry->value, entry->value_mark(), "'report'", {"sentence"}, reporter_);
    const Entry* sentence = record.get("sentence");
    if (sentence == nullptr) return;
    std::optional<engine::LocalizedText> text = read_label(*sentence, reporter_);
    if (!text) return;
    for (const std::string* language : {&text->zh, &text->en}) {
      std::size_t at = 0;
      while ((at = language->find('{', at)) != std::string::npos) {
        const std::size_t end = language->find('}', at);
        if (end == std::string::npos) {
          reporter_.error(sentence->value_mark(), "'sentence' of 'report' has a '{' without '}'");
          return;
        }
        const std::string name = language->substr(at + 1, end - at - 1);
        at = end + 1;
        const engine::SentenceFigure* figure = nullptr;
        std::vector<std::string> known;
        for (const engine::SentenceFigure& each : engine::kSentenceFigures) {
          known.emplace_back(each.name);
          if (each.name == name) figure = &each;
        }
        if (figure == nullptr) {
          reporter_.error(sentence->value_mark(), "unknown figure " + in_quotes(name) +
                                                      " in 'sentence' of 'report'" +
                                                      suggestion(reporter_, name, known));
          continue;
        }
        if (figure->state && !state_tags_.contains(*figure->state)) {
          reporter_.error(
              sentence->value_mark(),
              "figure " + in_quotes(name) + " needs a state tagged " +
                  in_quotes(std::string(engine::name_in(engine::kStateTagNames, *figure->state))));
        }
        if (figure->field && !field_tags_.contains(*figure->field)) {
          reporter_.error(
              sentence->value_mark(),
              "figure " + in_quotes(name) + " needs a field tagged " +
                  in_quotes(std::string(engine::name_in(engine::kFieldTagNames, *figure->field))));
        }
      }
    }
    workflow().report_sentence = std::move(*text);
  }

  // --- report tags (language v1.1) ------------------------------------------------------

  // The tag an entry names, or nullopt after reporting it unknown (with a suggestion) or
  // used already by another state or field (the first use's line).
  template <typename Tag, std::size_t N>
  std::optional<Tag> read_tag(const Entry& entry, const engine::EnumName<Tag> (&table)[N],
                              std::map<Tag, YAML::Node>& used, std::string_view kind) {
    const std::optional<std::string> name = read_text(entry, reporter_);
    if (!name) return std::nullopt;
    const std::optional<Tag> tag = engine::value_named(table, *name);
    if (!tag) {
      std::vector<std::string> known;
      for (std::string_view known_name : engine::names_of(table))
        known.emplace_back(known_name);
      reporter_.error(entry.value_mark(), "unknown " + std::string(kind) + " report tag " +
                                              in_quotes(*name) +
                                              suggestion(reporter_, *name, known));
      return std::nullopt;
    }
    const auto [first, inserted] = used.emplace(*tag, entry.value);
    if (!inserted) {
      reporter_.error(entry.value_mark(),
                      "report tag " + in_quotes(*name) + " is used twice (first at " +
                          line_of(first->second, reporter_) + "); each tag goes on at most one " +
                          std::string(kind));
      return std::nullopt;
    }
    return tag;
  }

  void parse_field_tag(const Entry& entry, engine::FieldDef& field, bool type_known) {
    const std::optional<engine::FieldTag> tag =
        read_tag(entry, engine::kFieldTagNames, field_tags_, "field");
    if (!tag) return;
    if (type_known && !engine::field_tag_fits(*tag, field.type)) {
      const std::string_view name = engine::name_in(engine::kFieldTagNames, *tag);
      std::string wanted;
      for (FieldType type :
           {FieldType::text, FieldType::money, FieldType::area, FieldType::enumeration}) {
        if (!engine::field_tag_fits(*tag, type)) continue;
        wanted +=
            std::string(wanted.empty() ? "" : " or ") + std::string(engine::field_type_name(type));
      }
      reporter_.error(entry.value_mark(), "report tag " + in_quotes(name) +
                                              " needs a field of type " + wanted + "; " +
                                              in_quotes(field.name) + " is " +
                                              std::string(engine::field_type_name(field.type)));
      return;
    }
    field.report = tag;
  }

  // Whether a key of `option_labels` / `option_aliases` is an option (reported if not).
  bool names_an_option(const Entry& entry, const engine::FieldDef& field, const std::string& what) {
    if (std::find(field.options.begin(), field.options.end(), entry.key) != field.options.end()) {
      return true;
    }
    reporter_.error(entry.key_node.Mark(), in_quotes(entry.key) + " is not an option of " + what +
                                               suggestion(reporter_, entry.key, field.options));
    return false;
  }

  // Former labels accepted on import. An alias may not be a text import already reads
  // as something else (another field's name or label, another option or its label).
  void parse_field_aliases(const Record& record, engine::FieldDef& field) {
    const std::string what = "field " + in_quotes(field.name);
    if (const Entry* aliases = record.get("aliases")) {
      for (NameAt& alias : read_text_list(*aliases, reporter_)) {
        if (alias.name == field.label.zh || alias.name == field.label.en ||
            std::find(field.aliases.begin(), field.aliases.end(), alias.name) !=
                field.aliases.end()) {
          reporter_.error(alias.node.Mark(), "alias " + in_quotes(alias.name) + " of " + what +
                                                 " repeats its label or another alias");
          continue;
        }
        field_aliases_.push_back({field.name, alias.name, alias.node.Mark()});
        field.aliases.push_back(std::move(alias.name));
      }
    }
    const Entry* option_aliases = record.get("option_aliases");
    if (option_aliases == nullptr) return;
    std::set<std::string, std::less<>> taken(field.options.begin(), field.options.end());
    for (const auto& [option, label] : field.option_labels) {
      if (!label.zh.empty()) taken.insert(label.zh);
      if (!label.en.empty()) taken.insert(label.en);
    }
    for (const Entry& entry : read_entries(option_aliases->value, option_aliases->value_mark(),
                                           "'option_aliases' of " + what, reporter_)) {
      if (!names_an_option(entry, field, what)) continue;
      for (NameAt& alias : read_text_list(entry, reporter_)) {
        if (!taken.insert(alias.name).second) {
          reporter_.error(alias.node.Mark(), "alias " + in_quotes(alias.name) + " of option " +
                                                 in_quotes(entry.key) + " of " + what +
                                                 " is already an option, a label or an alias");
          continue;
        }
        field.option_aliases[entry.key].push_back(std::move(alias.name));
      }
    }
  }

  void parse_field_bounds(const Record& record, engine::FieldDef& field, bool type_known) {
    const std::string type_name(engine::field_type_name(field.type));
    for (const auto& [key, bound] :
         {std::pair<const char*, std::optional<double>*>{"min", &field.min}, {"max", &field.max}}) {
      const Entry* entry = record.get(key);
      if (entry == nullptr) continue;
      if (type_known && !has_bounds(field.type)) {
        reporter_.error(entry->key_node.Mark(), in_quotes(key) + " does not apply to " + type_name +
                                                    " field " + in_quotes(field.name));
        continue;
      }
      *bound = read_number(*entry, reporter_);
      if (*bound && type_known && bounds_are_lengths(field.type) &&
          (**bound < 0 || **bound != std::trunc(**bound))) {
        reporter_.error(entry->value_mark(), in_quotes(key) + " of " + type_name + " field " +
                                                 in_quotes(field.name) +
                                                 " is a length and must be a whole number >= 0");
        bound->reset();
      }
    }
    if (field.min && field.max && *field.min > *field.max) {
      reporter_.error(record.get("max")->value_mark(),
                      "'min' (" + engine::format_number(*field.min) + ") is greater than 'max' (" +
                          engine::format_number(*field.max) + ") in field " +
                          in_quotes(field.name));
    }
  }

  void parse_field_options(const Record& record, engine::FieldDef& field, bool type_known) {
    const Entry* options = record.get("options");
    const std::string what = "field " + in_quotes(field.name);
    if (options != nullptr) {
      if (type_known && !has_options(field.type)) {
        reporter_.error(options->key_node.Mark(),
                        "'options' apply only to enum and list fields, "
                        "not to " +
                            std::string(engine::field_type_name(field.type)) + " " + what);
      } else {
        std::set<std::string, std::less<>> seen;
        for (NameAt& option : read_text_list(*options, reporter_)) {
          if (!seen.insert(option.name).second) {
            reporter_.error(option.node.Mark(),
                            "option " + in_quotes(option.name) + " is listed twice in " + what);
            continue;
          }
          field.options.push_back(std::move(option.name));
        }
      }
    }
    if (type_known && field.type == FieldType::enumeration && field.options.empty()) {
      if (options == nullptr) {
        reporter_.error(record.mark(), "enum " + what + " needs 'options'");
      } else if (options->value.IsSequence()) {
        reporter_.error(options->value_mark(), "'options' of enum " + what + " must not be empty");
      }
    }
    const Entry* labels = record.get("option_labels");
    if (labels == nullptr) return;
    for (const Entry& label : read_entries(labels->value, labels->value_mark(),
                                           "'option_labels' of " + what, reporter_)) {
      if (!names_an_option(label, field, what)) continue;
      if (auto text = read_label(label, reporter_)) {
        field.option_labels.emplace(label.key, std::move(*text));
      }
    }
  }

  void parse_tables(const Entry* entry) {
    if (entry == nullptr) return;
    for (const Entry& table :
         read_entries(entry->value, entry->value_mark(), "'tables'", reporter_)) {
      parse_table(table);
    }
  }

  void parse_table(const Entry& entry) {
    declare_name(entry, "table");
    engine::TableDef& table = workflow().tables.emplace_back();
    table.name = entry.key;
    const std::string what = "table " + in_quotes(entry.key);
    std::optional<std::pair<engine::Value::Kind, std::string>> first;  // kind, key
    for (const Entry& row : read_entries(entry.value, entry.value_mark(), what, reporter_)) {
      std::optional<engine::Value> value = table_value(row.value);
      if (!value) {
        reporter_.error(row.value_mark(), "entry " + in_quotes(row.key) + " of " + what +
                                              " must be a number, text or true/false, not " +
                                              describe(row.value));
        continue;
      }
      if (!first) {
        first.emplace(value->kind(), row.key);
      } else if (first->first != value->kind()) {
        reporter_.error(row.value_mark(), "entry " + in_quotes(row.key) + " of " + what + " is " +
                                              std::string(engine::kind_name(value->kind())) +
                                              " but entry " + in_quotes(first->second) + " is " +
                                              std::string(engine::kind_name(first->first)) +
                                              "; all entries of a table must have one type");
        continue;
      }
      if (row.key == "default") {
        table.fallback = std::move(*value);
      } else {
        table.entries.emplace(row.key, std::move(*value));
      }
    }
  }

  static std::optional<engine::Value> table_value(const YAML::Node& node) {
    if (!node.IsScalar()) return std::nullopt;
    if (const std::optional<double> number = plain_number(node)) {
      return engine::Value::number(*number);
    }
    if (const std::optional<bool> flag = plain_bool(node)) return engine::Value::boolean(*flag);
    return engine::Value::text(node.Scalar());
  }

  void parse_computed(const Entry* entry) {
    if (entry == nullptr) return;
    for (const Entry& item :
         read_entries(entry->value, entry->value_mark(), "'computed'", reporter_)) {
      declare_name(item, "computed value");
      parsed_.computed_keys.emplace(item.key, item.key_node);
      engine::ComputedDef computed;
      computed.name = item.key;
      const std::string what = "computed value " + in_quotes(item.key);
      if (item.value.IsMap()) {
        Record record(item.value, item.value_mark(), what, {"expr", "label"}, reporter_);
        if (const Entry* expr = record.require("expr")) {
          computed.expression = parse_expression(expr->value, expr->value_mark(), Use::value, what)
                                    .value_or(engine::Expression());
        }
        if (const Entry* label = record.get("label")) {
          computed.label = read_label(*label, reporter_).value_or(engine::LocalizedText{});
        }
      } else {
        computed.expression = parse_expression(item.value, item.value_mark(), Use::value, what)
                                  .value_or(engine::Expression());
      }
      workflow().computed.push_back(std::move(computed));
    }
  }

  // --- states ---------------------------------------------------------------------------

  void parse_states(const Entry* entry) {
    if (entry == nullptr) return;
    const std::vector<Entry> states =
        read_entries(entry->value, entry->value_mark(), "'states'", reporter_);
    if (states.empty() && entry->value.IsMap()) {
      reporter_.error(entry->value_mark(), "'states' must define at least one state");
    }
    for (const Entry& state : states)
      parse_state(state);
  }

  void parse_state(const Entry& entry) {
    parsed_.state_keys.emplace(entry.key, entry.key_node);
    engine::StateDef& state = workflow().states.emplace_back();
    state.id = entry.key;
    if (!is_identifier(entry.key)) {
      reporter_.error(entry.key_node.Mark(), "state " + in_quotes(entry.key) + " " + kNameRule);
    }
    const std::string what = "state " + in_quotes(entry.key);
    // `lead:` alone (no details) is a state with no label.
    if (entry.value.IsNull()) return;
    Record record(entry.value, entry.value_mark(), what,
                  {"label", "terminal", "sla", "review", "report"}, reporter_);
    if (!record.valid()) parsed_.graph_uncertain = true;
    if (const Entry* label = record.get("label")) {
      state.label = read_label(*label, reporter_).value_or(engine::LocalizedText{});
    }
    if (const Entry* terminal = record.get("terminal")) {
      const std::optional<bool> flag = read_bool(*terminal, reporter_);
      if (!flag) parsed_.graph_uncertain = true;
      state.terminal = flag.value_or(false);
    }
    if (const Entry* sla = record.get("sla")) {
      state.sla = parse_sla(*sla, what);
      if (state.terminal) {
        reporter_.error(sla->key_node.Mark(), "terminal " + what + " cannot have an 'sla'");
      }
    }
    if (const Entry* review = record.get("review")) {
      state.review = parse_review(*review, what);
      if (state.terminal) {
        reporter_.error(review->key_node.Mark(), "terminal " + what + " cannot have a 'review'");
      }
    }
    if (const Entry* report = record.get("report")) {
      state.report = read_tag(*report, engine::kStateTagNames, state_tags_, "state");
    }
  }

  std::optional<engine::SlaDef> parse_sla(const Entry& entry, const std::string& state_what) {
    Record record(entry.value, entry.value_mark(), "'sla' of " + state_what,
                  {"working_days", "warn_before", "escalate"}, reporter_);
    if (!record.valid()) return std::nullopt;
    engine::SlaDef sla;
    if (const Entry* days = record.require("working_days")) {
      // v1.1: a whole number or an expression giving one (evaluated when the state is entered).
      sla.working_days = read_amount(*days, engine::Duration::Unit::working_days,
                                     "'sla' of " + state_what, /*allow_expression=*/true)
                             .value_or(engine::Duration{engine::Duration::Unit::working_days, 1});
    }
    if (const Entry* warn = record.get("warn_before")) {
      sla.warn_before_working_days =
          static_cast<int>(read_integer(*warn, 0, reporter_).value_or(1));
    }
    if (const Entry* escalate = record.get("escalate")) {
      for (NameAt& role : read_text_list(*escalate, reporter_)) {
        if (check_role(role)) sla.escalate.push_back(std::move(role.name));
      }
    }
    return sla;
  }

  std::optional<engine::ReviewDef> parse_review(const Entry& entry, const std::string& state_what) {
    const std::string what = "'review' of " + state_what;
    Record record(entry.value, entry.value_mark(), what, {"voters", "quorum", "pass", "blind"},
                  reporter_);
    if (!record.valid()) return std::nullopt;
    engine::ReviewDef review;
    if (const Entry* voters = record.require("voters")) {
      if (std::optional<std::string> role = read_text(*voters, reporter_)) {
        check_role(NameAt{*role, voters->value});
        review.voters = std::move(*role);
      }
    }
    if (const Entry* quorum = record.get("quorum")) parse_quorum(*quorum, review);
    if (const Entry* blind = record.get("blind")) {
      review.blind = read_bool(*blind, reporter_).value_or(false);
    }
    if (const Entry* pass = record.require("pass")) {
      review.pass =
          parse_expression(pass->value, pass->value_mark(), Use::review_pass, "'pass' of " + what)
              .value_or(engine::Expression());
    }
    return review;
  }

  // `quorum: 3` (votes) or `quorum: "2/3"` (a fraction of the eligible panel).
  void parse_quorum(const Entry& quorum, engine::ReviewDef& review) {
    const std::string text = quorum.value.IsScalar() ? quorum.value.Scalar() : std::string();
    const std::size_t slash = text.find('/');
    if (slash == std::string::npos) {
      review.quorum = static_cast<int>(read_integer(quorum, 1, reporter_).value_or(1));
      return;
    }
    const auto whole = [](std::string_view digits) -> std::optional<int> {
      if (digits.empty() || digits.size() > 6) return std::nullopt;
      int number = 0;
      for (const char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        number = number * 10 + (c - '0');
      }
      return number;
    };
    const std::optional<int> numerator = whole(std::string_view(text).substr(0, slash));
    const std::optional<int> denominator = whole(std::string_view(text).substr(slash + 1));
    if (!numerator || !denominator || *numerator < 1 || *numerator > *denominator) {
      reporter_.error(quorum.value_mark(),
                      quorum.what() +
                          " must be a whole number of votes or a fraction of the panel between "
                          "0 and 1 such as \"2/3\", not " +
                          in_quotes(text));
      return;
    }
    review.quorum_numerator = *numerator;
    review.quorum_denominator = *denominator;
  }

  void parse_initial(const Entry* entry) {
    if (entry == nullptr) return;
    parsed_.initial_node = entry->value;
    const std::optional<std::string> initial = read_text(*entry, reporter_);
    if (!initial) return;
    workflow().initial = *initial;
    if (find_in(states_, *initial) == nullptr) {
      reporter_.error(entry->value_mark(), "unknown initial state " + in_quotes(*initial) +
                                               suggestion(reporter_, *initial, state_ids()));
    }
  }

  // --- transitions ----------------------------------------------------------------------

  void parse_transitions(const Entry* entry) {
    if (entry == nullptr) return;
    const auto items = read_list(entry->value, entry->value_mark(), "'transitions'", reporter_);
    if (!items) {
      parsed_.graph_uncertain = true;
      return;
    }
    std::map<std::string, YAML::Node, std::less<>> seen;
    for (std::size_t i = 0; i < items->size(); ++i) {
      const YAML::Node& item = (*items)[i];
      engine::TransitionDef transition = parse_transition(item, i + 1);
      if (!transition.id.empty()) {
        const auto [first, inserted] = seen.try_emplace(transition.id, item);
        if (!inserted) {
          reporter_.error(item.Mark(), "duplicate transition id " + in_quotes(transition.id) +
                                           " (first at " + line_of(first->second, reporter_) + ")");
        }
      }
      workflow().transitions.push_back(std::move(transition));
    }
  }

  engine::TransitionDef parse_transition(const YAML::Node& node, std::size_t index) {
    engine::TransitionDef transition;
    std::string what = "transition " + std::to_string(index);
    if (node.IsMap()) {  // name it by its id in messages when it has one
      for (const auto& pair : node) {
        if (pair.first.IsScalar() && pair.first.Scalar() == "id" && pair.second.IsScalar()) {
          what = "transition " + in_quotes(pair.second.Scalar());
          break;
        }
      }
    }
    Record record(node, node.Mark(), what,
                  {"id", "label", "from", "to", "roles", "requires", "guards", "comment", "when"},
                  reporter_);
    if (!record.valid()) {
      parsed_.graph_uncertain = true;
      return transition;
    }
    if (const Entry* id = record.require("id")) {
      if (std::optional<std::string> text = read_text(*id, reporter_)) {
        if (!is_identifier(*text)) {
          reporter_.error(id->value_mark(), "transition id " + in_quotes(*text) + " " + kNameRule);
        }
        transition.id = std::move(*text);
      }
    }
    if (const Entry* label = record.get("label")) {
      transition.label = read_label(*label, reporter_).value_or(engine::LocalizedText{});
    }
    if (const Entry* from = record.require("from")) {
      parse_from(*from, transition, what);
    } else {
      parsed_.graph_uncertain = true;
    }
    const Entry* to = record.require("to");
    std::optional<std::string> target = to != nullptr ? read_text(*to, reporter_) : std::nullopt;
    if (target && check_state(NameAt{*target, to->value}) != nullptr) {
      transition.to = std::move(*target);
    } else {
      parsed_.graph_uncertain = true;
    }
    if (const Entry* roles = record.get("roles")) {
      for (NameAt& role : read_text_list(*roles, reporter_)) {
        if (check_role(role)) transition.roles.push_back(std::move(role.name));
      }
    }
    if (const Entry* requires_fields = record.get("requires")) {
      for (NameAt& field : read_text_list(*requires_fields, reporter_)) {
        if (check_field(field) != nullptr)
          transition.requires_fields.push_back(std::move(field.name));
      }
    }
    if (const Entry* guards = record.get("guards")) transition.guards = parse_guards(*guards, what);
    if (const Entry* comment = record.get("comment")) {
      if (read_required(*comment)) transition.comment = engine::CommentRule::required;
    }
    if (const Entry* when = record.get("when")) {
      transition.when =
          parse_expression(when->value, when->value_mark(), Use::condition, "'when' of " + what);
    }
    return transition;
  }

  void parse_from(const Entry& entry, engine::TransitionDef& transition, const std::string& what) {
    std::vector<NameAt> states;
    if (entry.value.IsScalar()) {
      if (entry.value.Scalar() == "*") {
        transition.from_any = true;
        return;
      }
      states.push_back(NameAt{entry.value.Scalar(), entry.value});
    } else if (entry.value.IsSequence()) {
      states = read_text_list(entry, reporter_);
    } else {
      reporter_.error(entry.value_mark(), "'from' of " + what +
                                              " must be a state, a list of states or '*', not " +
                                              describe(entry.value));
      parsed_.graph_uncertain = true;
      return;
    }
    if (entry.value.IsSequence() && states.size() != entry.value.size()) {
      parsed_.graph_uncertain = true;
    }
    std::set<std::string, std::less<>> seen;
    for (NameAt& state : states) {
      if (state.name == "*") {
        reporter_.error(state.node.Mark(), "'*' (every state) cannot be part of a list in 'from'");
        continue;
      }
      if (!seen.insert(state.name).second) {
        reporter_.error(state.node.Mark(),
                        "state " + in_quotes(state.name) + " is listed twice in 'from' of " + what);
        continue;
      }
      const engine::StateDef* def = check_state(state);
      if (def == nullptr) {
        parsed_.graph_uncertain = true;
      } else if (def->terminal) {
        reporter_.error(state.node.Mark(),
                        what + " leaves terminal state " + in_quotes(state.name));
      }
      transition.from.push_back(std::move(state.name));
    }
  }

  std::vector<engine::GuardDef> parse_guards(const Entry& entry, const std::string& what) {
    std::vector<engine::GuardDef> guards;
    const auto items = read_list(entry.value, entry.value_mark(), "'guards' of " + what, reporter_);
    if (!items) return guards;
    for (std::size_t i = 0; i < items->size(); ++i) {
      const YAML::Node& item = (*items)[i];
      const std::string guard_what = "guard " + std::to_string(i + 1) + " of " + what;
      Record record(item, item.Mark(), guard_what, {"check", "message", "field"}, reporter_);
      if (!record.valid()) continue;
      engine::GuardDef guard;
      if (const Entry* check = record.require("check")) {
        guard.check = parse_expression(check->value, check->value_mark(), Use::condition,
                                       "'check' of " + guard_what)
                          .value_or(engine::Expression());
      }
      if (const Entry* message = record.require("message")) {
        guard.message = read_label(*message, reporter_).value_or(engine::LocalizedText{});
        add_message_sites(message->value, "'message' of " + guard_what);
      }
      if (const Entry* field = record.get("field")) {
        if (std::optional<std::string> name = read_text(*field, reporter_)) {
          check_field(NameAt{*name, field->value});
          guard.field = std::move(*name);
        }
      }
      guards.push_back(std::move(guard));
    }
    return guards;
  }

  void add_message_sites(const YAML::Node& label, const std::string& what) {
    if (label.IsScalar()) {
      parsed_.messages.push_back(MessageSite{label, what});
    } else if (label.IsMap()) {
      for (const auto& pair : label) {
        if (pair.second.IsScalar()) parsed_.messages.push_back(MessageSite{pair.second, what});
      }
    }
  }

  // --- milestones, follow-up, notifications ---------------------------------------------

  void parse_milestones(const Entry* entry) {
    if (entry == nullptr) return;
    for (const Entry& item :
         read_entries(entry->value, entry->value_mark(), "'milestones'", reporter_)) {
      parse_milestone(item);
    }
  }

  void parse_milestone(const Entry& entry) {
    const std::string what = "milestone " + in_quotes(entry.key);
    if (!is_identifier(entry.key)) {
      reporter_.error(entry.key_node.Mark(), what + " " + kNameRule);
    }
    engine::MilestoneDef milestone;
    milestone.id = entry.key;
    Record record(entry.value, entry.value_mark(), what,
                  {"label", "after", "within", "field", "done_when", "from", "warn_before",
                   "evidence", "report"},
                  reporter_);
    if (const Entry* report = record.get("report")) {
      milestone.report =
          read_tag(*report, engine::kMilestoneTagNames, milestone_tags_, "milestone");
    }
    if (const Entry* label = record.get("label")) {
      milestone.label = read_label(*label, reporter_).value_or(engine::LocalizedText{});
    }
    if (record.valid() && (record.get("after") == nullptr) == (record.get("from") == nullptr)) {
      reporter_.error(
          record.get("from") != nullptr ? record.get("from")->key_node.Mark() : entry.value_mark(),
          what + " must have exactly one of 'after' (a state) and 'from' (a date field)");
    }
    if (const Entry* after = record.get("after")) {
      if (std::optional<std::string> state = read_text(*after, reporter_)) {
        check_state(NameAt{*state, after->value});
        milestone.after = std::move(*state);
      }
    }
    parse_milestone_v11(record, what, milestone);
    if (const Entry* within = record.require("within")) {
      milestone.within = parse_duration(*within, "'within' of " + what, /*allow_expression=*/true)
                             .value_or(engine::Duration{});
    }
    if (const Entry* field = record.get("field")) milestone.field = read_date_field(*field, what);
    if (const Entry* done_when = record.get("done_when")) {
      milestone.done_when = parse_expression(done_when->value, done_when->value_mark(),
                                             Use::condition, "'done_when' of " + what);
    }
    if (record.valid()) workflow().milestones.push_back(std::move(milestone));
  }

  // v1.1 keys of a milestone: `from` (a date field starting the clock), `warn_before` (a
  // duration in whole units) and `evidence` (required or optional).
  void parse_milestone_v11(Record& record, const std::string& what,
                           engine::MilestoneDef& milestone) {
    if (const Entry* from = record.get("from")) milestone.from = read_date_field(*from, what);
    if (const Entry* warn = record.get("warn_before")) {
      milestone.warn_before =
          parse_duration(*warn, "'warn_before' of " + what, /*allow_expression=*/false);
    }
    if (const Entry* evidence = record.get("evidence")) {
      milestone.evidence_required = read_required(*evidence);
    }
  }

  // The name of a milestone's date field (`field`, `from`); reported unless it is one.
  std::string read_date_field(const Entry& entry, const std::string& milestone_what) {
    std::optional<std::string> name = read_text(entry, reporter_);
    if (!name) return {};
    const engine::FieldDef* def = check_field(NameAt{*name, entry.value});
    if (def != nullptr && def->type != FieldType::date) {
      reporter_.error(entry.value_mark(), entry.what() + " of " + milestone_what +
                                              " must be a date field; " + in_quotes(*name) +
                                              " is " +
                                              std::string(engine::field_type_name(def->type)));
    }
    return std::move(*name);
  }

  // `optional` (false) or `required` (true), as `comment` and `evidence` say it.
  bool read_required(const Entry& entry) {
    const std::optional<std::string> rule = read_text(entry, reporter_);
    if (!rule || *rule == "optional") return false;
    if (*rule == "required") return true;
    reporter_.error(entry.value_mark(), entry.what() + " must be optional or required, not " +
                                            in_quotes(*rule) +
                                            suggestion(reporter_, *rule, {"optional", "required"}));
    return false;
  }

  // v1.1 `deadlines: {extend: {max_times: N, max_working_days: N}}`.
  void parse_deadlines(const Entry* entry) {
    if (entry == nullptr) return;
    Record record(entry->value, entry->value_mark(), "'deadlines'", {"extend"}, reporter_);
    const Entry* extend = record.valid() ? record.require("extend") : nullptr;
    if (extend == nullptr) return;
    Record limits(extend->value, extend->value_mark(), "'extend' of 'deadlines'",
                  {"max_times", "max_working_days"}, reporter_);
    if (!limits.valid()) return;
    engine::WorkflowDefinition::ExtendLimits& out = workflow().deadline_extend;
    const Entry* times = limits.get("max_times");
    const Entry* days = limits.get("max_working_days");
    if (times == nullptr && days == nullptr) {
      reporter_.error(extend->value_mark(),
                      "'extend' of 'deadlines' needs 'max_times' or 'max_working_days'");
    }
    if (times != nullptr) {
      if (auto count = read_integer(*times, 0, reporter_)) out.max_times = static_cast<int>(*count);
    }
    if (days != nullptr) {
      if (auto count = read_integer(*days, 1, reporter_)) {
        out.max_working_days = static_cast<int>(*count);
      }
    }
  }

  std::optional<engine::Duration> parse_duration(const Entry& entry, const std::string& what,
                                                 bool allow_expression) {
    using Unit = engine::Duration::Unit;
    Record record(entry.value, entry.value_mark(), what, {"days", "working_days", "months"},
                  reporter_);
    if (!record.valid()) return std::nullopt;
    std::optional<engine::Duration> duration;
    int units = 0;
    for (const auto& [key, unit] : {std::pair{"days", Unit::days},
                                    {"working_days", Unit::working_days},
                                    {"months", Unit::months}}) {
      const Entry* amount = record.get(key);
      if (amount == nullptr) continue;
      if (++units > 1) {
        reporter_.error(amount->key_node.Mark(),
                        what + " must have exactly one of 'days', 'working_days', 'months'");
        continue;
      }
      duration = read_amount(*amount, unit, what, allow_expression);
    }
    if (units == 0) {
      reporter_.error(entry.value_mark(),
                      what + " must have one of 'days', 'working_days', 'months'");
    }
    return duration;
  }

  std::optional<engine::Duration> read_amount(const Entry& amount, engine::Duration::Unit unit,
                                              const std::string& what, bool allow_expression) {
    engine::Duration duration;
    duration.unit = unit;
    const bool written_as_number = plain_number(amount.value).has_value();
    if (written_as_number || !allow_expression || !amount.value.IsScalar()) {
      const std::optional<std::int64_t> count = read_integer(amount, 1, reporter_);
      if (!count) return std::nullopt;
      duration.amount = static_cast<int>(*count);
      return duration;
    }
    std::optional<engine::Expression> expression = parse_expression(
        amount.value, amount.value_mark(), Use::amount, "'" + amount.key + "' of " + what);
    if (!expression) return std::nullopt;
    duration.amount = std::move(*expression);
    return duration;
  }

  void parse_followup(const Entry* entry) {
    if (entry == nullptr) return;
    Record record(entry->value, entry->value_mark(), "'followup'", {"in", "every", "role"},
                  reporter_);
    if (!record.valid()) return;
    engine::FollowupDef followup;
    if (const Entry* in = record.require("in")) {
      for (NameAt& state : read_text_list(*in, reporter_)) {
        if (check_state(state) != nullptr) followup.in.push_back(std::move(state.name));
      }
    }
    if (const Entry* every = record.require("every")) {
      followup.every = parse_duration(*every, "'every' of 'followup'", /*allow_expression=*/false)
                           .value_or(engine::Duration{});
    }
    if (const Entry* role = record.require("role")) {
      if (std::optional<std::string> name = read_text(*role, reporter_)) {
        check_role(NameAt{*name, role->value});
        followup.role = std::move(*name);
      }
    }
    workflow().followup = std::move(followup);
  }

  // parent: {workflows: [a, b]} (language v1.1). Whether those workflows exist, and what
  // `parent.FIELD` means, is checked when the workflows are loaded together.
  void parse_parent(const Entry* entry) {
    if (entry == nullptr) return;
    Record record(entry->value, entry->value_mark(), "'parent'", {"workflows"}, reporter_);
    if (!record.valid()) return;
    engine::ParentDef parent;
    if (const Entry* workflows = record.require("workflows")) {
      if (workflows->value.IsSequence() && workflows->value.size() == 0) {
        reporter_.error(workflows->value_mark(),
                        "'workflows' of 'parent' must name at least one workflow");
      }
      for (NameAt& id : read_text_list(*workflows, reporter_)) {
        if (!is_slug(id.name)) {
          reporter_.error(id.node.Mark(),
                          "workflow id " + in_quotes(id.name) + " must use only a-z, 0-9 and '-'");
          continue;
        }
        if (std::find(parent.workflows.begin(), parent.workflows.end(), id.name) !=
            parent.workflows.end()) {
          reporter_.error(id.node.Mark(),
                          "workflow " + in_quotes(id.name) + " is named twice in 'parent'");
          continue;
        }
        parent.workflows.push_back(id.name);
        parsed_.parent_nodes.emplace(std::move(id.name), std::move(id.node));
      }
    }
    workflow().parent = std::move(parent);
  }

  // v1.1 `supervision: {levels: [{id, label, roles}, ...]}` (督办), lowest level first.
  void parse_supervision(const Entry* entry) {
    if (entry == nullptr) return;
    Record record(entry->value, entry->value_mark(), "'supervision'", {"levels"}, reporter_);
    if (!record.valid()) return;
    engine::SupervisionDef supervision;
    const Entry* levels = record.require("levels");
    if (levels == nullptr) return;
    const auto items =
        read_list(levels->value, levels->value_mark(), "'levels' of 'supervision'", reporter_);
    if (!items) return;
    if (items->size() == 0) {
      reporter_.error(levels->value_mark(),
                      "'levels' of 'supervision' must list at least one level");
    }
    for (std::size_t i = 0; i < items->size(); ++i) {
      const YAML::Node& item = (*items)[i];
      const std::string what = "supervision level " + std::to_string(i + 1);
      Record level_record(item, item.Mark(), what, {"id", "label", "roles"}, reporter_);
      if (!level_record.valid()) continue;
      engine::SupervisionLevel level;
      if (const Entry* id = level_record.require("id")) {
        if (std::optional<std::string> name = read_text(*id, reporter_)) {
          if (!is_identifier(*name)) {
            reporter_.error(id->value_mark(),
                            "supervision level " + in_quotes(*name) + " " + kNameRule);
          } else if (supervision.rank(*name) >= 0) {
            reporter_.error(id->value_mark(),
                            "supervision level " + in_quotes(*name) + " is listed twice");
          }
          level.id = std::move(*name);
        }
      }
      if (const Entry* label = level_record.require("label")) {
        level.label = read_label(*label, reporter_).value_or(engine::LocalizedText{});
      }
      if (const Entry* roles = level_record.require("roles")) {
        if (roles->value.IsSequence() && roles->value.size() == 0) {
          reporter_.error(roles->value_mark(), "'roles' of " + what + " must name a role");
        }
        for (NameAt& role : read_text_list(*roles, reporter_)) {
          if (check_role(role)) level.roles.push_back(std::move(role.name));
        }
      }
      supervision.levels.push_back(std::move(level));
    }
    workflow().supervision = std::move(supervision);
  }

  // v1.1 `visibility:` (data scope): for every role of the workflow, `all` or what its
  // holders see: {owner: true, users: [user fields], unit: FIELD, reviews: true, parent: true}.
  void parse_visibility(const Entry* entry) {
    if (entry == nullptr) return;
    std::map<std::string, engine::VisibilityRule, std::less<>> visibility;
    const std::vector<Entry> roles =
        read_entries(entry->value, entry->value_mark(), "'visibility'", reporter_);
    for (const Entry& item : roles) {
      if (!check_role(NameAt{item.key, item.key_node})) continue;
      const std::string what = "visibility of role " + in_quotes(item.key);
      engine::VisibilityRule rule;
      if (!item.value.IsMap()) {
        const std::optional<std::string> word = read_text(item, reporter_);
        if (!word) continue;
        if (*word != "all") {
          reporter_.error(item.value_mark(),
                          what +
                              " must be 'all' or a mapping of owner, users, unit, reviews, "
                              "parent, not " +
                              in_quotes(*word));
          continue;
        }
        rule.all = true;
        visibility.emplace(item.key, std::move(rule));
        continue;
      }
      Record record(item.value, item.value_mark(), what,
                    {"owner", "users", "unit", "reviews", "parent"}, reporter_);
      if (!record.valid()) continue;
      if (const Entry* owner = record.get("owner"))
        rule.owner = read_bool(*owner, reporter_).value_or(false);
      if (const Entry* users = record.get("users")) {
        for (NameAt& field : read_text_list(*users, reporter_)) {
          const engine::FieldDef* def = check_field(field);
          if (def == nullptr) continue;
          if (def->type != FieldType::user) {
            reporter_.error(field.node.Mark(), "field " + in_quotes(field.name) +
                                                   " in 'users' of " + what +
                                                   " must be a user field, not " +
                                                   std::string(engine::field_type_name(def->type)));
            continue;
          }
          rule.users.push_back(std::move(field.name));
        }
      }
      if (const Entry* unit = record.get("unit")) {
        if (std::optional<std::string> name = read_text(*unit, reporter_)) {
          if (const engine::FieldDef* def = check_field(NameAt{*name, unit->value})) {
            if (def->type != FieldType::text && def->type != FieldType::enumeration) {
              reporter_.error(unit->value_mark(),
                              "'unit' of " + what + " must name a text or enum field, not " +
                                  std::string(engine::field_type_name(def->type)));
            } else {
              rule.unit = std::move(*name);
            }
          }
        }
      }
      if (const Entry* reviews = record.get("reviews")) {
        rule.reviews = read_bool(*reviews, reporter_).value_or(false);
        const auto& states = workflow().states;
        if (rule.reviews && std::none_of(states.begin(), states.end(), [](const auto& state) {
              return state.review.has_value();
            })) {
          reporter_.error(reviews->value_mark(),
                          "'reviews' of " + what + ": no state of this workflow has a review");
        }
      }
      if (const Entry* parent = record.get("parent")) {
        rule.parent = read_bool(*parent, reporter_).value_or(false);
        if (rule.parent && !workflow().parent) {
          reporter_.error(parent->value_mark(),
                          "'parent' of " + what + " needs a 'parent' section in the workflow");
        }
      }
      if (!rule.owner && rule.users.empty() && rule.unit.empty() && !rule.reviews && !rule.parent) {
        reporter_.error(item.value_mark(),
                        what +
                            " grants nothing: say 'all', or owner, users, unit, reviews or "
                            "parent");
      }
      visibility.emplace(item.key, std::move(rule));
    }
    // Deny by omission would hide projects silently: every role is named.
    if (entry->value.IsMap()) {
      for (const std::string& role : workflow().roles) {
        if (visibility.count(role) == 0 &&
            std::none_of(roles.begin(), roles.end(),
                         [&](const Entry& item) { return item.key == role; })) {
          reporter_.error(entry->value_mark(), "'visibility' does not name role " +
                                                   in_quotes(role) +
                                                   ": give it 'all' or what it sees");
        }
      }
    }
    workflow().visibility = std::move(visibility);
  }

  void parse_notify(const Entry* entry) {
    if (entry == nullptr) return;
    const auto items = read_list(entry->value, entry->value_mark(), "'notify'", reporter_);
    if (!items) return;
    for (std::size_t i = 0; i < items->size(); ++i) {
      const YAML::Node& item = (*items)[i];
      const std::string what = "notification " + std::to_string(i + 1);
      Record record(item, item.Mark(), what, {"on", "to", "channels"}, reporter_);
      if (!record.valid()) continue;
      engine::NotifyRule rule;
      if (const Entry* on = record.require("on")) {
        rule.on = parse_trigger(*on, what).value_or(engine::NotifyTrigger{});
      }
      if (const Entry* to = record.require("to")) {
        const std::vector<NameAt> recipients = read_text_list(*to, reporter_);
        if (to->value.IsSequence() && to->value.size() == 0) {
          reporter_.error(to->value_mark(), "'to' of " + what + " must name someone");
        }
        for (const NameAt& recipient : recipients) {
          auto parsed = parse_recipient(recipient);
          if (!parsed) continue;
          if ((parsed->kind == engine::NotifyRecipient::Kind::previous_holder ||
               parsed->kind == engine::NotifyRecipient::Kind::new_holder) &&
              rule.on.kind != engine::NotifyTrigger::Kind::reassigned) {
            reporter_.error(recipient.node.Mark(), in_quotes(recipient.name) + " in " + what +
                                                       " names someone only 'on: reassigned'");
            continue;
          }
          rule.to.push_back(std::move(*parsed));
        }
      }
      rule.channels = {engine::NotifyChannel::inbox};
      if (const Entry* channels = record.get("channels")) {
        rule.channels.clear();
        for (const NameAt& channel : read_text_list(*channels, reporter_)) {
          const std::optional<engine::NotifyChannel> parsed =
              engine::parse_channel_name(channel.name);
          if (!parsed) {
            reporter_.error(channel.node.Mark(),
                            "unknown channel " + in_quotes(channel.name) + " (inbox or webhook)" +
                                suggestion(reporter_, channel.name, {"inbox", "webhook"}));
            continue;
          }
          rule.channels.push_back(*parsed);
        }
      }
      workflow().notify.push_back(std::move(rule));
    }
  }

  // {enter: STATE}, {leave: STATE} (STATE may be "*": any state), `transition` (any
  // transition), a transition id, or a timer.
  std::optional<engine::NotifyTrigger> parse_trigger(const Entry& entry, const std::string& what) {
    using Kind = engine::NotifyTrigger::Kind;
    constexpr std::string_view kAny = engine::NotifyTrigger::kAny;
    if (entry.value.IsMap()) {
      Record record(entry.value, entry.value_mark(), "'on' of " + what, {"enter", "leave"},
                    reporter_);
      const Entry* enter = record.get("enter");
      const Entry* leave = record.get("leave");
      if ((enter == nullptr) == (leave == nullptr)) {
        reporter_.error(entry.value_mark(), "'on' of " + what +
                                                " must have exactly one of "
                                                "'enter' and 'leave'");
        return std::nullopt;
      }
      const Entry& state_entry = enter != nullptr ? *enter : *leave;
      std::optional<std::string> state = read_text(state_entry, reporter_);
      if (!state) return std::nullopt;
      if (*state != kAny && check_state(NameAt{*state, state_entry.value}) == nullptr) {
        return std::nullopt;
      }
      return engine::NotifyTrigger{enter != nullptr ? Kind::enter : Kind::leave, std::move(*state)};
    }
    if (!entry.value.IsScalar()) {
      reporter_.error(entry.value_mark(), "'on' of " + what +
                                              " must be {enter: STATE}, "
                                              "{leave: STATE} or an event name, not " +
                                              describe(entry.value));
      return std::nullopt;
    }
    const std::string& name = entry.value.Scalar();
    if (name == kAnyTransition) return engine::NotifyTrigger{Kind::transition, std::string(kAny)};
    std::vector<std::string> known{std::string(kAnyTransition)};
    for (const auto& timer : engine::kTimerTriggerNames) {
      if (name == timer.name) return engine::NotifyTrigger{timer.value, ""};
      known.emplace_back(timer.name);
    }
    for (const auto& event : engine::kEventTriggerNames) {
      known.emplace_back(event.name);
      if (name != event.name) continue;
      if (event.value == Kind::supervised && !workflow().supervision) {
        reporter_.error(entry.value_mark(),
                        "'on: supervised' of " + what + " needs a 'supervision' section");
        return std::nullopt;
      }
      if (event.value == Kind::quorum && !has_review()) {
        reporter_.error(entry.value_mark(),
                        "'on: quorum' of " + what + " needs a state with a 'review'");
        return std::nullopt;
      }
      if (event.value == Kind::mentioned) {
        reporter_.error(entry.value_mark(), "'on: mentioned' of " + what +
                                                " is not a rule: a comment tells the users it "
                                                "mentions by itself (use 'on: commented')");
        return std::nullopt;
      }
      return engine::NotifyTrigger{event.value, ""};
    }
    if (find_in(transitions_, name) != nullptr) {
      return engine::NotifyTrigger{Kind::transition, name};
    }
    for (const engine::TransitionDef& transition : workflow().transitions) {
      known.push_back(transition.id);
    }
    reporter_.error(entry.value_mark(),
                    "unknown event " + in_quotes(name) +
                        " (transition, a transition id, sla_warning, sla_overdue, "
                        "milestone_warning, "
                        "milestone_overdue, followup_due, supervised, reassigned, quorum or "
                        "commented)" +
                        suggestion(reporter_, name, known));
    return std::nullopt;
  }

  bool has_review() {
    return std::any_of(workflow().states.begin(), workflow().states.end(),
                       [](const engine::StateDef& state) { return state.review.has_value(); });
  }

  // owner, role:NAME, user:NAME, or field:NAME naming a user field or a list of users.
  std::optional<engine::NotifyRecipient> parse_recipient(const NameAt& recipient) {
    using Kind = engine::NotifyRecipient::Kind;
    std::optional<engine::NotifyRecipient> parsed = engine::parse_recipient_name(recipient.name);
    if (!parsed) {
      reporter_.error(recipient.node.Mark(), "unknown recipient " + in_quotes(recipient.name) +
                                                 " (owner, role:NAME, user:NAME, field:NAME, "
                                                 "previous_holder or new_holder)");
      return std::nullopt;
    }
    // Where the name after "role:" or "field:" starts, for the position of an error.
    const auto name_at = [&] {
      return reporter_.source().position_in_scalar(recipient.node,
                                                   recipient.name.size() - parsed->name.size());
    };
    switch (parsed->kind) {
      case Kind::owner:
      case Kind::user:
      case Kind::previous_holder:
      case Kind::new_holder:
        return parsed;
      case Kind::role:
        if (roles_.count(parsed->name) > 0) return parsed;
        reporter_.report(name_at(), Diagnostic::Severity::error,
                         "unknown role " + in_quotes(parsed->name) +
                             suggestion(reporter_, parsed->name, workflow().roles));
        return std::nullopt;
      case Kind::field: {
        // v1.1 `field:parent.NAME`: a user field of the parent project (checked against the
        // parent workflows when they are loaded together).
        if (parsed->name.starts_with(engine::kParentPrefix)) {
          if (!workflow().parent) {
            reporter_.report(name_at(), Diagnostic::Severity::error,
                             "recipient " + in_quotes(recipient.name) +
                                 " names a parent's field, but the workflow has no 'parent'");
            return std::nullopt;
          }
          if (!is_identifier(parsed->name.substr(engine::kParentPrefix.size()))) {
            reporter_.report(
                name_at(), Diagnostic::Severity::error,
                "recipient " + in_quotes(recipient.name) + ": field name " + kNameRule);
            return std::nullopt;
          }
          return parsed;
        }
        std::vector<std::string> user_fields;
        for (const engine::FieldDef& field : workflow().fields) {
          if (holds_users(field)) user_fields.push_back(field.name);
        }
        const engine::FieldDef* field = find_in(fields_, parsed->name);
        if (field == nullptr) {
          reporter_.report(name_at(), Diagnostic::Severity::error,
                           "unknown field " + in_quotes(parsed->name) +
                               suggestion(reporter_, parsed->name, user_fields));
          return std::nullopt;
        }
        if (!holds_users(*field)) {
          reporter_.report(name_at(), Diagnostic::Severity::error,
                           "field " + in_quotes(parsed->name) + " is a " +
                               std::string(engine::field_type_name(field->type)) +
                               " field: a recipient field must be a user field or a list of "
                               "users (items: user)" +
                               suggestion(reporter_, parsed->name, user_fields));
          return std::nullopt;
        }
        return parsed;
      }
    }
    return std::nullopt;
  }

  static bool holds_users(const engine::FieldDef& field) {
    return field.type == FieldType::user ||
           (field.type == FieldType::list && field.items == FieldType::user);
  }

  // --- references -----------------------------------------------------------------------

  bool check_role(const NameAt& role) {
    if (roles_.count(role.name) > 0) return true;
    reporter_.error(role.node.Mark(), "unknown role " + in_quotes(role.name) +
                                          suggestion(reporter_, role.name, workflow().roles));
    return false;
  }

  const engine::StateDef* check_state(const NameAt& state) {
    const engine::StateDef* def = find_in(states_, state.name);
    if (def == nullptr) {
      reporter_.error(state.node.Mark(), "unknown state " + in_quotes(state.name) +
                                             suggestion(reporter_, state.name, state_ids()));
    }
    return def;
  }

  const engine::FieldDef* check_field(const NameAt& field) {
    const engine::FieldDef* def = find_in(fields_, field.name);
    if (def == nullptr) {
      std::vector<std::string> names;
      for (const engine::FieldDef& known : workflow().fields)
        names.push_back(known.name);
      reporter_.error(field.node.Mark(), "unknown field " + in_quotes(field.name) +
                                             suggestion(reporter_, field.name, names));
    }
    return def;
  }

  std::vector<std::string> state_ids() const {
    std::vector<std::string> ids;
    for (const engine::StateDef& state : parsed_.definition.states)
      ids.push_back(state.id);
    return ids;
  }

  std::optional<engine::Expression> parse_expression(const YAML::Node& node, const YAML::Mark& at,
                                                     Use use, const std::string& what) {
    const std::optional<std::string> source = read_text(node, at, what, reporter_);
    if (!source) return std::nullopt;
    if (source->size() > kMaxExpressionBytes) {
      reporter_.error(
          at, what + " is too long (more than " + std::to_string(kMaxExpressionBytes) + " bytes)");
      return std::nullopt;
    }
    auto parsed = engine::Expression::parse(*source);
    if (!parsed) {
      const std::size_t offset = static_cast<std::size_t>(std::max(parsed.error().column, 1) - 1);
      reporter_.report(reporter_.source().position_in_scalar(node, offset),
                       Diagnostic::Severity::error, parsed.error().message);
      return std::nullopt;
    }
    parsed_.expressions.push_back(ExpressionSite{parsed.value(), node, use, what});
    return std::move(parsed.value());
  }

  // `on: transition`: every transition.
  static constexpr std::string_view kAnyTransition = "transition";

  static constexpr const char* kNameRule =
      "must use only a-z, 0-9 and '_', and not start with a digit";

  const CalendarRegistry& calendars_;
  Reporter& reporter_;
  ParsedWorkflow parsed_;
  std::set<std::string, std::less<>> roles_;
  Index<engine::FieldDef> fields_;
  // Field aliases as read, checked against the other fields once all are read.
  struct FieldAlias {
    std::string field;
    std::string text;
    YAML::Mark mark;
  };
  std::vector<FieldAlias> field_aliases_;
  Index<engine::StateDef> states_;
  Index<engine::TransitionDef> transitions_;
  // Field, table and computed names: kind and key node of the first definition.
  std::map<std::string, std::pair<std::string, YAML::Node>, std::less<>> expression_names_;
  // Report tags: the value node of each tag's first use.
  std::map<engine::StateTag, YAML::Node> state_tags_;
  std::map<engine::FieldTag, YAML::Node> field_tags_;
  std::map<engine::MilestoneTag, YAML::Node> milestone_tags_;
};

}  // namespace

ParsedWorkflow parse_workflow(const YAML::Node& root, const CalendarRegistry& calendars,
                              Reporter& reporter) {
  return WorkflowParser(calendars, reporter).parse(root);
}

}  // namespace investflow::workflows::detail
