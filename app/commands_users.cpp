#include "app/commands_users.hpp"

#include <boost/json.hpp>

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <istream>
#include <optional>

#include "app/backup_schedule.hpp"
#include "app/commands_audit.hpp"
#include "engine/date.hpp"
#include "storage/auth.hpp"
#include "storage/known_roles.hpp"
#include "storage/pg_connection.hpp"
#include "workflows/loader.hpp"

namespace investflow::app {

std::unique_ptr<storage::AuthStore> open_auth(const std::string& db, Io& io,
                                              storage::AuthOptions options) {
  auto auth = storage::AuthStore::open(db, std::move(options));
  if (!auth) {
    io.err << "investflow: " << storage::redact_uri(db) << ": " << auth.error().message << "\n";
    return nullptr;
  }
  return std::move(*auth);
}

namespace {

ArgSpec& password_options(ArgSpec& spec) {
  return spec
      .option("password", "P",
              "the password (at least 12 characters, not a common one); it shows in `ps`: "
              "prefer --password-stdin")
      .flag("password-stdin", "read the password from the first line of standard input")
      .flag("prompt", "ask for the password on the terminal (not shown), twice");
}

// One line from the controlling terminal with echo off, after `prompt`; nullopt when there
// is no terminal.
std::optional<std::string> read_hidden(const char* prompt) {
  const int tty = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (tty < 0) return std::nullopt;
  termios saved{};
  const bool is_tty = ::tcgetattr(tty, &saved) == 0;
  if (is_tty) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(tty, TCSAFLUSH, &quiet);
  }
  (void)!::write(tty, prompt, std::strlen(prompt));
  std::string line;
  char c = 0;
  while (::read(tty, &c, 1) == 1 && c != '\n')
    line.push_back(c);
  if (is_tty) ::tcsetattr(tty, TCSAFLUSH, &saved);
  ::close(tty);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// The password to set: --password, the first line of standard input, or a new random one
// (`generated`, which the caller prints once). nullopt after a usage error (written).
std::optional<std::string> chosen_password(const ParsedArgs& parsed, const std::string& command,
                                           Io& io, bool& generated) {
  generated = false;
  if (parsed.has("password") + parsed.flag("password-stdin") + parsed.flag("prompt") > 1) {
    io.err << "investflow " << command
           << ": give one of --password, --password-stdin and --prompt\n";
    return std::nullopt;
  }
  if (parsed.flag("prompt")) {
    const auto first = read_hidden("Password: ");
    if (!first) {
      io.err << "investflow " << command << ": --prompt: no terminal to ask on\n";
      return std::nullopt;
    }
    const auto again = read_hidden("Password again: ");
    if (!again || *again != *first) {
      io.err << "investflow " << command << ": the two passwords differ; nothing changed\n";
      return std::nullopt;
    }
    return first;
  }
  if (parsed.flag("password-stdin")) {
    std::string line;
    if (io.in == nullptr || !std::getline(*io.in, line)) {
      io.err << "investflow " << command << ": --password-stdin: no line on standard input\n";
      return std::nullopt;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  if (parsed.has("password")) return parsed.value("password");
  generated = true;
  return storage::generate_password();
}

std::string when(std::optional<engine::Timestamp> at) {
  return at ? engine::format_timestamp(*at).substr(0, 16) : std::string("-");
}

int user_add(std::span<const std::string> args, Io& io) {
  ArgSpec spec("user add",
               "Create a user with one or more roles. Without a password option, a random\n"
               "password is generated and printed once.");
  spec.positional("NAME", "the login name (a-z 0-9 . _ -)")
      .option("db", "FILE", "the SQLite database, or a postgresql:// URI", "investflow.db")
      .option("role", "ROLE", "a role (repeat for several)", std::nullopt, true)
      .option("unit", "UNIT",
              "the unit (部门/招商单位) the user works in; workflows with `visibility:` may\n"
              "show a role the projects of its unit",
              "");
  password_options(spec)
      .example("investflow user add zhang --role staff --unit 招商一科 --db zone.db")
      .example(
          "printf '%s\\n' \"$PASSWORD\" | investflow user add zhang --role staff "
          "--password-stdin --db zone.db");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  const std::vector<std::string> roles = parsed.values("role");
  if (roles.empty()) {
    io.err << "investflow user add: give at least one --role\n";
    return kExitUsage;
  }
  // A role no workflow names would let nobody do anything (or hide a typo of admin).
  const std::vector<std::string> known = storage::known_roles(parsed.value("db"));
  for (const std::string& role : storage::unknown_roles(roles, known)) {
    std::string list;
    for (const std::string& each : known)
      list += (list.empty() ? "" : ", ") + each;
    io.err << "investflow user add: no workflow has the role '" << role << "'"
           << did_you_mean(role, known) << " The roles are: " << list << "\n";
    return kExitUsage;
  }
  bool generated = false;
  const auto password = chosen_password(parsed, "user add", io, generated);
  if (!password) return kExitUsage;
  auto auth = open_auth(parsed.value("db"), io);
  if (!auth) return kExitFailed;
  auto user = auth->add_user(parsed.positional("NAME"), roles, *password);
  if (!user) {
    io.err << "investflow user add: " << user.error().message << "\n";
    return kExitFailed;
  }
  if (!parsed.value("unit").empty()) {
    if (auto set = auth->set_unit(user->id, parsed.value("unit")); !set) {
      io.err << "investflow user add: " << set.error().message << "\n";
      return kExitFailed;
    }
  }
  boost::json::array role_list;
  for (const std::string& role : roles)
    role_list.emplace_back(role);
  boost::json::object detail{{"roles", role_list}};
  if (!parsed.value("unit").empty()) detail["unit"] = parsed.value("unit");
  audit_cli(parsed.value("db"), "user_created", user->id, detail, io);
  io.out << "added " << user->id << " (";
  for (std::size_t i = 0; i < roles.size(); ++i)
    io.out << (i ? ", " : "") << roles[i];
  io.out << ")\n";
  if (generated) io.out << "password: " << *password << "\n";
  return kExitOk;
}

int user_passwd(std::span<const std::string> args, Io& io) {
  ArgSpec spec("user passwd",
               "Set a user's password; the user's sessions end. Without a password option,\n"
               "a random one is generated and printed once.");
  spec.positional("NAME", "the login name")
      .option("db", "FILE", "the SQLite database, or a postgresql:// URI", "investflow.db");
  password_options(spec).flag("revoke-tokens",
                              "revoke the user's API tokens too (a password that leaked)");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  bool generated = false;
  const auto password = chosen_password(parsed, "user passwd", io, generated);
  if (!password) return kExitUsage;
  auto auth = open_auth(parsed.value("db"), io);
  if (!auth) return kExitFailed;
  const bool revoke = parsed.flag("revoke-tokens");
  auto set = auth->set_password(parsed.positional("NAME"), *password, revoke);
  if (!set) {
    io.err << "investflow user passwd: " << set.error().message << "\n";
    return kExitFailed;
  }
  audit_cli(parsed.value("db"), "password_changed", parsed.positional("NAME"),
            {{"tokens_revoked", revoke}}, io);
  io.out << "password of " << parsed.positional("NAME") << " changed; sessions ended"
         << (revoke ? ", API tokens revoked" : "") << "\n";
  if (generated) io.out << "password: " << *password << "\n";
  return kExitOk;
}

int user_list(std::span<const std::string> args, Io& io) {
  ArgSpec spec("user list", "List the users: login name, roles, and whether disabled.");
  spec.option("db", "FILE", "the SQLite database, or a postgresql:// URI", "investflow.db");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  auto auth = open_auth(parsed.value("db"), io);
  if (!auth) return kExitFailed;
  auto users = auth->users();
  if (!users) {
    io.err << "investflow user list: " << users.error().message << "\n";
    return kExitFailed;
  }
  io.out << std::left << std::setw(24) << "NAME" << std::setw(10) << "STATUS" << std::setw(32)
         << "ROLES"
         << "UNIT\n";
  for (const storage::User& user : *users) {
    std::string roles;
    for (const std::string& role : user.roles)
      roles += (roles.empty() ? "" : ",") + role;
    io.out << std::setw(24) << user.id << std::setw(10) << (user.disabled ? "disabled" : "active")
           << std::setw(32) << roles << (user.unit.empty() ? "-" : user.unit) << "\n";
  }
  return kExitOk;
}

int user_unit(std::span<const std::string> args, Io& io) {
  ArgSpec spec("user unit",
               "Set the unit (部门/招商单位) a user works in, or clear it with --clear.\n"
               "A workflow's `visibility:` may show a role the projects of its unit; the\n"
               "change applies to the user's next request.");
  spec.positional("NAME", "the login name")
      .positional("UNIT", "the unit, as the projects' field writes it", false)
      .flag("clear", "remove the user's unit")
      .option("db", "FILE", "the SQLite database, or a postgresql:// URI", "investflow.db")
      .example("investflow user unit zhang 招商一科 --db zone.db");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  const std::string unit = parsed.positional("UNIT");
  if (unit.empty() == !parsed.flag("clear")) {
    io.err << "investflow user unit: give a UNIT or --clear (not both)\n";
    return kExitUsage;
  }
  auto auth = open_auth(parsed.value("db"), io);
  if (!auth) return kExitFailed;
  if (auto set = auth->set_unit(parsed.positional("NAME"), unit); !set) {
    io.err << "investflow user unit: " << set.error().message << "\n";
    return kExitFailed;
  }
  audit_cli(parsed.value("db"), "user_changed", parsed.positional("NAME"), {{"unit", unit}}, io);
  io.out << parsed.positional("NAME") << (unit.empty() ? ": no unit\n" : ": unit " + unit + "\n");
  return kExitOk;
}

int user_disable(std::span<const std::string> args, Io& io, bool disable) {
  const std::string command = disable ? "user disable" : "user enable";
  ArgSpec spec(command, disable ? "Disable a user: no login; sessions end; API tokens stop\n"
                                  "working (until `user enable`). Their history stays."
                                : "Enable a disabled user again (their API tokens work again).");
  spec.positional("NAME", "the login name")
      .option("db", "FILE", "the SQLite database, or a postgresql:// URI", "investflow.db");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  auto auth = open_auth(parsed.value("db"), io);
  if (!auth) return kExitFailed;
  auto set = auth->set_disabled(parsed.positional("NAME"), disable);
  if (!set) {
    io.err << "investflow " << command << ": " << set.error().message << "\n";
    return kExitFailed;
  }
  audit_cli(parsed.value("db"), disable ? "user_disabled" : "user_enabled",
            parsed.positional("NAME"), {}, io);
  io.out << parsed.positional("NAME") << (disable ? " disabled\n" : " enabled\n");
  return kExitOk;
}

int user_delete(std::span<const std::string> args, Io& io) {
  ArgSpec spec("user delete",
               "Delete a user: the account, its sessions and API tokens, saved filters and\n"
               "inbox. Projects and their history keep the login name as text. The last\n"
               "enabled admin cannot be deleted. To keep the account for later, use\n"
               "`investflow user disable` instead.");
  spec.positional("NAME", "the login name")
      .option("db", "FILE", "the SQLite database, or a postgresql:// URI", "investflow.db")
      .example("investflow user delete zhang --db zone.db");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  const std::string& name = parsed.positional("NAME");
  auto auth = open_auth(parsed.value("db"), io);
  if (!auth) return kExitFailed;
  auto deleted = auth->delete_user(name);
  if (!deleted) {
    io.err << "investflow user delete: " << deleted.error().message << "\n";
    return kExitFailed;
  }
  switch (*deleted) {
    case storage::AccountChange::no_such_user:
      io.err << "investflow user delete: no user '" << name << "'\n";
      return kExitFailed;
    case storage::AccountChange::last_admin:
      io.err << "investflow user delete: '" << name
             << "' is the last enabled admin; make another user admin first (user add NAME "
                "--role admin)\n";
      return kExitFailed;
    case storage::AccountChange::done:
      break;
  }
  audit_cli(parsed.value("db"), "user_deleted", name, {}, io);
  io.out << name << " deleted; sessions ended, API tokens removed\n";
  return kExitOk;
}

int user_token(std::span<const std::string> args, Io& io) {
  ArgSpec spec("user token",
               "Make an API token for a user (Authorization: Bearer TOKEN). It is\n"
               "printed once; the database keeps only its hash. `investflow token list`\n"
               "shows the tokens, `investflow token revoke ID` ends one.");
  spec.positional("NAME", "the login name")
      .option("db", "FILE", "the SQLite database, or a postgresql:// URI", "investflow.db")
      .option("name", "LABEL", "what the token is for", "cli")
      .option("expires", "DURATION", "how long it works: 90d, 12h, ... or never", "365d");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  std::optional<engine::Timestamp> expires_at;
  if (parsed.value("expires") != "never") {
    const auto lifetime = parse_duration(parsed.value("expires"));
    if (!lifetime) {
      io.err << "investflow user token: --expires takes a whole number and s, m, h or d (90d), "
                "or never, not '"
             << parsed.value("expires") << "'\n";
      return kExitUsage;
    }
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    expires_at = now + std::chrono::duration_cast<std::chrono::milliseconds>(*lifetime).count();
  }
  auto auth = open_auth(parsed.value("db"), io);
  if (!auth) return kExitFailed;
  auto token = auth->issue_token(parsed.positional("NAME"), parsed.value("name"), expires_at);
  if (!token) {
    io.err << "investflow user token: " << token.error().message << "\n";
    return kExitFailed;
  }
  audit_cli(parsed.value("db"), "token_created", parsed.positional("NAME"),
            {{"name", parsed.value("name")},
             {"expires_at", expires_at ? boost::json::value(engine::format_timestamp(*expires_at))
                                       : boost::json::value(nullptr)}},
            io);
  io.out << *token << "\n";
  if (expires_at) io.err << "investflow: the token works until " << when(expires_at) << "\n";
  return kExitOk;
}

int token_list(std::span<const std::string> args, Io& io) {
  ArgSpec spec("token list",
               "List the API tokens (never their secrets): id, user, label, made, expires,\n"
               "revoked.");
  spec.option("db", "FILE", "the SQLite database, or a postgresql:// URI", "investflow.db")
      .option("user", "NAME", "only this user's tokens");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  auto auth = open_auth(parsed.value("db"), io);
  if (!auth) return kExitFailed;
  std::optional<std::string> user;
  if (parsed.has("user")) user = parsed.value("user");
  auto tokens = auth->tokens(user ? std::optional<std::string_view>(*user) : std::nullopt);
  if (!tokens) {
    io.err << "investflow token list: " << tokens.error().message << "\n";
    return kExitFailed;
  }
  io.out << std::left << std::setw(18) << "ID" << std::setw(16) << "USER" << std::setw(16)
         << "LABEL" << std::setw(18) << "MADE" << std::setw(18) << "EXPIRES"
         << "REVOKED\n";
  for (const storage::TokenInfo& token : *tokens) {
    io.out << std::setw(18) << token.id << std::setw(16) << token.user_id << std::setw(16)
           << token.name << std::setw(18) << when(token.created_at) << std::setw(18)
           << (token.expires_at ? when(token.expires_at) : std::string("never"))
           << when(token.revoked_at) << "\n";
  }
  return kExitOk;
}

int token_revoke(std::span<const std::string> args, Io& io) {
  ArgSpec spec("token revoke",
               "Revoke an API token by its id (`investflow token list`); a running server\n"
               "refuses it within a second.");
  spec.positional("ID", "the token's id")
      .option("db", "FILE", "the SQLite database, or a postgresql:// URI", "investflow.db");
  const ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  auto auth = open_auth(parsed.value("db"), io);
  if (!auth) return kExitFailed;
  auto revoked = auth->revoke_token(parsed.positional("ID"));
  if (!revoked) {
    io.err << "investflow token revoke: " << revoked.error().message << "\n";
    return kExitFailed;
  }
  if (!*revoked) {
    io.err << "investflow token revoke: no token '" << parsed.positional("ID")
           << "' that is not revoked already\n";
    return kExitFailed;
  }
  audit_cli(parsed.value("db"), "token_revoked", parsed.positional("ID"), {}, io);
  io.out << "token " << parsed.positional("ID") << " revoked\n";
  return kExitOk;
}

int dispatch(
    std::span<const std::string> args, Io& io, const std::string& command, const std::string& usage,
    const std::vector<
        std::pair<std::string, std::function<int(std::span<const std::string>, Io&)>>>& actions) {
  if (args.empty()) {
    io.err << usage;
    return kExitUsage;
  }
  const std::string& action = args.front();
  if (action == "--help" || action == "-h") {
    io.out << usage;
    return kExitOk;
  }
  std::vector<std::string> names;
  for (const auto& [name, run] : actions) {
    if (name == action) return run(args.subspan(1), io);
    names.push_back(name);
  }
  io.err << "investflow " << command << ": unknown action '" << action << "'"
         << did_you_mean(action, names) << "\n"
         << usage;
  return kExitUsage;
}

}  // namespace

int run_user(std::span<const std::string> args, Io& io) {
  const std::string usage =
      "Usage: investflow user add NAME --role ROLE... [--unit UNIT] [--password-stdin] [--db "
      "FILE]\n"
      "       investflow user unit NAME (UNIT | --clear) [--db FILE]\n"
      "       investflow user passwd NAME [--password-stdin] [--revoke-tokens] [--db FILE]\n"
      "       investflow user list [--db FILE]\n"
      "       investflow user disable NAME [--db FILE]\n"
      "       investflow user enable NAME [--db FILE]\n"
      "       investflow user delete NAME [--db FILE]\n"
      "       investflow user token NAME [--name LABEL] [--expires 365d|never] [--db FILE]\n";
  return dispatch(args, io, "user", usage,
                  {{"add", user_add},
                   {"passwd", user_passwd},
                   {"list", user_list},
                   {"unit", user_unit},
                   {"disable", [](auto a, Io& i) { return user_disable(a, i, true); }},
                   {"enable", [](auto a, Io& i) { return user_disable(a, i, false); }},
                   {"delete", user_delete},
                   {"token", user_token}});
}

int run_token(std::span<const std::string> args, Io& io) {
  const std::string usage =
      "Usage: investflow token list [--user NAME] [--db FILE]\n"
      "       investflow token revoke ID [--db FILE]\n"
      "(`investflow user token NAME` makes one.)\n";
  return dispatch(args, io, "token", usage, {{"list", token_list}, {"revoke", token_revoke}});
}

}  // namespace investflow::app
