#include "app/commands_server.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <sys/resource.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <csignal>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>

#include "app/backup_schedule.hpp"
#include "app/commands_anchor.hpp"
#include "app/commands_users.hpp"
#include "app/config.hpp"
#include "app/server_log.hpp"
#include "app/systemd_notify.hpp"
#include "notify/calendar_watch.hpp"
#include "notify/dispatcher.hpp"
#include "notify/http_post.hpp"
#include "notify/notify_store.hpp"
#include "notify/scheduler.hpp"
#include "notify/workflow_watch.hpp"
#include "storage/attachment_files.hpp"
#include "storage/audit.hpp"
#include "storage/auth.hpp"
#include "storage/deployed_workflows.hpp"
#include "storage/funds_report.hpp"
#include "storage/open_store.hpp"
#include "storage/pg_lease.hpp"
#include "storage/pg_schema.hpp"
#include "storage/reports.hpp"
#include "storage/sqlite_memory.hpp"
#include "storage/sqlite_store.hpp"
#include "storage/system_clock.hpp"
#include "web/api.hpp"
#include "web/builtin_routes.hpp"
#include "web/console_assets.hpp"
#include "web/notification_feed.hpp"
#include "web/server.hpp"
#include "web/shutdown_signals.hpp"
#include "web/static_files.hpp"
#include "workflows/loader.hpp"

namespace investflow::app {
namespace {

namespace fs = std::filesystem;

}  // namespace

std::optional<std::pair<std::string, std::uint16_t>> parse_listen_address(std::string_view text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string host(text.substr(0, colon));
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [stop, error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || error != std::errc() || stop != port_text.data() + port_text.size() ||
      port > 65535) {
    return std::nullopt;
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);  // [::1]:8080
    if (host.find(':') == std::string::npos) return std::nullopt;
  } else if (host.find_first_of("[]:") != std::string::npos) {
    return std::nullopt;  // an IPv6 address needs its brackets
  }
  if (host.empty()) host = "0.0.0.0";  // :8080, every IPv4 address
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code invalid;
  (void)boost::asio::ip::make_address(host, invalid);
  if (invalid) return std::nullopt;
  return std::pair(std::move(host), static_cast<std::uint16_t>(port));
}

namespace {

// A listen address option's value (--listen, --metrics-listen); nullopt (after a usage
// message naming where it came from) when malformed.
std::optional<std::pair<std::string, std::uint16_t>> parse_listen(const ParsedArgs& parsed,
                                                                  std::string_view option, Io& io) {
  if (auto listen = parse_listen_address(parsed.value(option))) return listen;
  io.err << "investflow serve: " << parsed.origin(option) << " takes HOST:PORT, :PORT, "
         << "localhost:PORT or [IPv6]:PORT (e.g. 127.0.0.1:8080), not '" << parsed.value(option)
         << "'\n";
  return std::nullopt;
}

// A list of addresses and CIDR networks (--trusted-proxies, --webhook-allow), parsed by
// Networks::parse into `out`; false (after a message naming where it came from) when an
// entry is wrong.
template <typename Networks>
bool parse_networks(const ParsedArgs& parsed, std::string_view option, Networks& out, Io& io) {
  auto networks = Networks::parse(parsed.value(option));
  if (!networks) {
    io.err << "investflow serve: " << parsed.origin(option) << ": " << networks.error() << "\n";
    return false;
  }
  out = std::move(*networks);
  return true;
}

// The token in --metrics-token-file: its content without surrounding blanks; nullopt (after
// a message) when the file cannot be read or holds no token.
std::optional<std::string> read_metrics_token(const ParsedArgs& parsed, Io& io) {
  const std::string file = parsed.value("metrics-token-file");
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!token.empty() && blank(token.back()))
    token.pop_back();
  std::size_t start = 0;
  while (start < token.size() && blank(token[start]))
    ++start;
  token.erase(0, start);
  if (!in) {
    io.err << "investflow serve: " << parsed.origin("metrics-token-file") << " " << file
           << ": cannot read the file\n";
    return std::nullopt;
  }
  if (token.size() < 16 || token.find_first_of(" \t\r\n") != std::string::npos) {
    io.err << "investflow serve: " << parsed.origin("metrics-token-file") << " " << file
           << ": the token is one word of at least 16 characters (e.g. from `openssl rand "
              "-hex 32`)\n";
    return std::nullopt;
  }
  return token;
}

// Registers every workflow in `directory` (calendars from its sibling calendars/, put in
// `calendars`), and every version stored in the database, so old projects keep their
// definitions.
bool register_workflows(storage::Store& store, const fs::path& directory,
                        workflows::CalendarRegistry& calendars, Io& io) {
  bool ok = true;
  const auto report = [&](const std::vector<workflows::Diagnostic>& diagnostics) {
    for (const auto& diagnostic : diagnostics)
      io.err << diagnostic.to_string() << "\n";
    if (workflows::has_errors(diagnostics)) ok = false;
  };
  report(workflows::load_calendar_directory(
      workflows::calendars_directory_for(directory / "x.yaml"), calendars));
  std::error_code error;
  int loaded = 0;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(directory, error)) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  if (error) {
    io.err << "investflow: " << directory.string() << ": " << error.message() << "\n";
    return false;
  }
  // As one set: parent links between the workflows are checked against each other.
  for (auto& load : workflows::load_workflow_set(files, calendars)) {
    report(load.diagnostics);
    if (!load.workflow) continue;
    auto registered = store.register_workflow(load.workflow, load.source);
    if (!registered) {
      io.err << "investflow: " << load.workflow->id << ": " << registered.error().message << "\n";
      ok = false;
      continue;
    }
    ++loaded;
  }
  // Every version deployed into the database, so old projects keep their definitions.
  std::set<std::pair<std::string, std::int64_t>> failed;
  for (const std::string& problem :
       storage::take_deployed_workflows(store, calendars, failed).problems)
    io.err << "investflow: warning: " << problem << "\n";
  io.err << "investflow: " << loaded << " workflows from " << directory.string() << "\n";
  return ok && loaded > 0;
}

// The writer's queue and commits, and the notifications waiting, sampled at each scrape.
void add_store_metrics(web::Metrics& metrics, storage::Store& store) {
  using Field = std::int64_t storage::StoreStats::*;
  const auto sampled = [&store](Field field) {
    return [&store, field] { return static_cast<double>(store.stats().*field); };
  };
  metrics.add_gauge("investflow_writer_queue_depth", "Commands waiting for the storage writer.",
                    sampled(&storage::StoreStats::queued_commands));
  metrics.add_gauge("investflow_outbox_backlog", "Notifications written but not yet delivered.",
                    sampled(&storage::StoreStats::outbox_pending));
  metrics.add_counter("investflow_commits_total", "Write transactions committed.",
                      sampled(&storage::StoreStats::batches_committed));
  metrics.add_counter("investflow_commands_total", "Commands accepted and committed.",
                      sampled(&storage::StoreStats::commands_committed));
  metrics.add_counter("investflow_transitions_total", "Transitions taken and committed.",
                      sampled(&storage::StoreStats::transitions_committed));
  metrics.add_counter("investflow_commits_run_again_total",
                      "Write transactions run again: another server wrote what they read.",
                      sampled(&storage::StoreStats::batches_run_again));
  metrics.add_gauge("investflow_storage_full",
                    "1 after a write failed for lack of space, until one succeeds (/readyz).",
                    [] { return storage::storage_full() ? 1.0 : 0.0; });
  // SQLite's heap, mostly page caches that fill as the database is read and grows: the
  // part of RSS that is bounded by PRAGMA cache_size rather than a leak (tests/soak/).
  metrics.add_gauge("investflow_sqlite_memory_bytes", "Heap memory held by SQLite.",
                    [] { return static_cast<double>(storage::sqlite_memory().used_bytes); });
  metrics.add_gauge("investflow_sqlite_page_cache_bytes", "Of that, pages cached by connections.",
                    [] { return static_cast<double>(storage::sqlite_memory().page_cache_bytes); });
  // Writers: the store's, the users' and the notifications'; readers: the store's pool and
  // the reports' two (storage::ReportReader).
  metrics.add_gauge(
      "investflow_sqlite_cache_budget_bytes", "The most the page caches may hold together.", [] {
        return static_cast<double>(
            storage::page_cache_budget(3, storage::SqliteOptions{}.read_connections + 2));
      });
}

// What the notification dispatcher's delivery lanes did (webhooks and chat robots).
void add_dispatch_metrics(web::Metrics& metrics, const notify::Dispatcher& dispatcher) {
  using Field = std::int64_t notify::DispatchCounts::*;
  const auto sampled = [&dispatcher](Field field) {
    return [&dispatcher, field] { return static_cast<double>(dispatcher.counts().*field); };
  };
  metrics.add_counter("investflow_webhook_posts_delivered_total",
                      "Webhook posts a receiver accepted (chat-robot digests included).",
                      sampled(&notify::DispatchCounts::posts_delivered));
  metrics.add_counter("investflow_webhook_posts_failed_total",
                      "Webhook posts that failed (retried later, or dead).",
                      sampled(&notify::DispatchCounts::posts_failed));
  metrics.add_family(
      "investflow_webhook_deliveries_total",
      "Webhook posts by the webhook's format (json, wecom, dingtalk) and outcome (delivered; "
      "failed, retried later; dead, out of attempts).",
      "counter", [&dispatcher] {
        web::Metrics::Series series;
        for (const auto& [key, count] : dispatcher.posts_by_format()) {
          series.emplace_back("format=\"" + key.first + "\",outcome=\"" + key.second + "\"",
                              static_cast<double>(count));
        }
        return series;
      });
  metrics.add_counter("investflow_robot_digests_total",
                      "Digest messages chat robots accepted (rate limit, bulk operations).",
                      sampled(&notify::DispatchCounts::digests));
  metrics.add_counter("investflow_robot_digest_events_total", "Events those digests carried.",
                      sampled(&notify::DispatchCounts::digest_events));
}

// /healthz's calendar members: each calendar in use with the last day of its data, the
// earliest of those days, and a warning (both languages) for each one running out.
void add_calendar_health(boost::json::object& body,
                         const std::vector<notify::CalendarRunway>& runways) {
  boost::json::array calendars;
  boost::json::array warnings;
  std::optional<engine::Date> earliest;
  for (const notify::CalendarRunway& runway : runways) {
    calendars.push_back(
        boost::json::object{{"name", runway.name},
                            {"ends", runway.ends ? boost::json::value(runway.ends->to_string())
                                                 : boost::json::value(nullptr)},
                            {"days_left", runway.days_left}});
    if (runway.ends && (!earliest || *runway.ends < *earliest)) earliest = runway.ends;
    if (runway.warning) {
      warnings.push_back(boost::json::object{{"zh", runway.message_zh}, {"en", runway.message_en}});
    }
  }
  body["calendar_ends"] =
      earliest ? boost::json::value(earliest->to_string()) : boost::json::value(nullptr);
  body["calendars"] = std::move(calendars);
  if (!warnings.empty()) body["warnings"] = std::move(warnings);
}

// Adds (or replaces) files from `directory` on top of `files`.
web::StaticFiles read_static_dir(const fs::path& directory, web::StaticFiles files = {}) {
  std::error_code error;
  for (const auto& entry : fs::recursive_directory_iterator(directory, error)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    files.add("/" + fs::relative(entry.path(), directory).generic_string(), bytes.str());
  }
  return files;
}

// SIGHUP: the log file reopened (after logrotate), the configuration read again. What can
// change while running is the log file; other settings changed in the file are named as
// waiting for a restart.
void reload(const ParsedArgs& running, const ArgSpec& spec, ServerLog& log, Io& io) {
  if (std::string error = log.reopen(); !error.empty()) {
    spdlog::error("SIGHUP: cannot reopen the log file: {}", error);
  }
  ParsedArgs fresh = running;
  fresh.clear_layers();
  std::string file;
  const auto errors = apply_configuration(spec, fresh, process_environment(), file);
  for (const std::string& error : errors)
    spdlog::error("SIGHUP: {}", error);
  std::string waiting;
  for (const ArgSpec::Option& option : spec.options()) {
    if (fresh.value(option.name) != running.value(option.name)) {
      waiting += (waiting.empty() ? "" : ", ") + option.name;
    }
  }
  spdlog::info("SIGHUP: log reopened; configuration {}{}{}", file.empty() ? "(none)" : file,
               errors.empty() ? " read" : " has errors (kept the running settings)",
               waiting.empty() ? "" : "; changed, applied at the next restart: " + waiting);
  io.err << "investflow: SIGHUP, log reopened\n";
}

// Webhooks reach no internal address but those allowed, and the configured proxies' (an
// office proxy is usually on a private network): their addresses as they resolve now.
notify::AddressPolicy webhook_address_policy(const notify::IpNetworks& allowed,
                                             const notify::ProxySettings& proxy) {
  notify::AddressPolicy policy{true, allowed};
  std::string list = allowed.to_string();
  for (const std::string& url : {proxy.http, proxy.https}) {
    if (url.empty()) continue;
    const std::string with_scheme = url.find("://") == std::string::npos ? "http://" + url : url;
    const auto parsed = notify::parse_url(with_scheme);
    if (!parsed) continue;
    boost::asio::io_context io;
    boost::asio::ip::tcp::resolver resolver(io);
    boost::system::error_code error;
    for (const auto& entry : resolver.resolve(parsed->host, parsed->port, error)) {
      list += "," + entry.endpoint().address().to_string();
    }
  }
  if (auto networks = notify::IpNetworks::parse(list)) policy.allowed = std::move(*networks);
  return policy;
}

// process_* (as Prometheus client libraries name them) and the build's version.
void add_process_metrics(web::Metrics& metrics) {
  const double start =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  metrics.add_gauge("process_start_time_seconds",
                    "Start time of the process since the Unix epoch, in seconds.",
                    [start] { return start; });
  metrics.add_counter(
      "process_cpu_seconds_total", "User and system CPU time spent, in seconds.", [] {
        rusage usage{};
        ::getrusage(RUSAGE_SELF, &usage);
        const auto seconds = [](const timeval& t) {
          return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
        };
        return seconds(usage.ru_utime) + seconds(usage.ru_stime);
      });
  metrics.add_gauge("process_resident_memory_bytes", "Resident memory size, in bytes.", [] {
    std::ifstream statm("/proc/self/statm");
    double pages = 0;
    double resident = 0;
    statm >> pages >> resident;
    return resident * static_cast<double>(::sysconf(_SC_PAGESIZE));
  });
  metrics.add_gauge("process_open_fds", "Open file descriptors.", [] {
    std::error_code error;
    double count = 0;
    for (auto it = fs::directory_iterator("/proc/self/fd", error);
         !error && it != fs::directory_iterator(); it.increment(error))
      ++count;
    return count;
  });
  metrics.add_gauge("process_max_fds", "The most file descriptors the process may open.", [] {
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    return static_cast<double>(limit.rlim_cur);
  });
  metrics.add_family("investflow_build_info", "The running build (always 1).", "gauge", [] {
    return web::Metrics::Series{{std::string("version=\"") + INVESTFLOW_VERSION + "\"", 1.0}};
  });
}

// investflow_<plural>_written_total, _failed_total, investflow_<singular>_last_success_...
void add_job_metrics(web::Metrics& metrics, const PeriodicJob& job, const std::string& plural,
                     const std::string& singular, const std::string& what) {
  metrics.add_counter("investflow_" + plural + "_written_total", "Scheduled " + what + " written.",
                      [&job] { return static_cast<double>(job.written()); });
  metrics.add_counter("investflow_" + plural + "_failed_total",
                      "Scheduled " + what + " that failed.",
                      [&job] { return static_cast<double>(job.failed()); });
  metrics.add_gauge(
      "investflow_" + singular + "_last_success_timestamp_seconds",
      "When the last of the scheduled " + what + " was written (Unix seconds; 0: none yet).",
      [&job] { return job.last_success(); });
}

// The server on --metrics-listen: GET /metrics (the main server's numbers; with the token
// when there is one, else to anyone who reaches the address), /healthz and /readyz.
std::unique_ptr<web::Server> make_metrics_server(const ServeSettings& settings,
                                                 const web::Metrics& metrics,
                                                 std::shared_ptr<spdlog::logger> log) {
  web::Router router;
  router.add(
      "GET", "/metrics",
      [&metrics, token = settings.metrics_token](const web::Request& request,
                                                 const web::RouteParams&) {
        return web::metrics_endpoint(metrics, token, true, request);
      },
      web::Execution::worker_pool);
  web::ServerOptions options;
  options.address = settings.metrics_listen->first;
  options.port = settings.metrics_listen->second;
  options.io_threads = 1;
  options.worker_threads = 1;
  options.max_connections = 64;
  options.max_connections_per_address = 0;
  options.log = std::move(log);
  return std::make_unique<web::Server>(std::move(options), std::move(router));
}

}  // namespace

ArgSpec serve_spec() {
  ArgSpec spec("serve",
               "Serve the JSON API (and the console's static files) over HTTP, or HTTPS with\n"
               "--tls-cert, until SIGINT or SIGTERM, then stop gracefully: finish requests in\n"
               "flight, flush the writer, close the database. SIGHUP reopens the log file and\n"
               "rereads the TLS certificate. Settings come from the options, INVESTFLOW_*\n"
               "variables and the configuration file, in that order (docs/operations.md;\n"
               "`investflow config check` shows them).");
  spec.option(
          "config", "FILE",
          std::string("the configuration file (default: ") + kSystemConfigFile + " when it exists)")
      .option("db", "FILE|URI",
              "the SQLite database file, or a postgresql:// URI (several servers may share "
              "one PostgreSQL database); created and migrated when needed")
      .option("files-dir", "DIR",
              "where attachments are kept (default: DB.files beside a SQLite file; required "
              "with PostgreSQL: a directory every server shares)")
      .option("listen", "HOST:PORT",
              "where to listen: HOST:PORT, :PORT (every address), localhost:PORT, [::1]:PORT",
              "127.0.0.1:8080")
      .option("workflows", "DIR", "the workflow definitions to load",
              (workflows::shipped_workflows_directory() / "definitions").string())
      .option("static-dir", "DIR",
              "serve the web console from these files (over the embedded ones); for "
              "development")
      .option("threads", "N", "I/O threads (the worker pool has twice as many)", "2")
      .option("attachment-limit", "MIB",
              "the largest file attached to a project, in MiB (stored in DB.files/)", "50")
      .flag("access-log", "write one line per request (to --log-file, else stderr)")
      .option("log-format", "FORMAT",
              "text or json: the server's log and access lines, timed in RFC 3339 (+08:00)", "text")
      .option("log-file", "FILE", "append the log here instead of stderr; reopened on SIGHUP")
      .option("backup-dir", "DIR",
              "write an online backup here every --backup-every, verified after writing")
      .option("backup-every", "DURATION", "how often to back up: 24h, 30m, 7d, ...", "24h")
      .option("keep", "N", "how many verified backups to keep in --backup-dir", "14")
      .option("session-idle", "DURATION", "a console session unused this long ends: 30m, 1h, ...",
              "30m")
      .option("session-lifetime", "DURATION",
              "a console session ends this long after login, however busy", "8h")
      .option("digest-dir", "DIR",
              "write a signed digest of the history here every --digest-every (needs "
              "--digest-key; investflow verify --digest checks a database against one); on "
              "PostgreSQL, the server holding the duty lease signs them")
      .option("digest-key", "KEY", "the key digests are signed with (investflow keygen)")
      .option("digest-every", "DURATION", "how often to sign a digest: 1h, 30m, 1d, ...", "1h")
      .option("digest-webhook", "URL",
              "also post each digest (JSON) to this URL: a witness outside this machine")
      .flag("no-dispatch", "no deadline scheduler, no notification dispatcher (a 2nd instance)")
      .option("tls-cert", "FILE",
              "serve HTTPS only, with this certificate chain (PEM, the server's first); "
              "reread on SIGHUP")
      .option("tls-key", "FILE", "the private key of --tls-cert (PEM); reread on SIGHUP")
      .flag("secure-cookies",
            "mark the session cookie Secure: behind an HTTPS reverse proxy (on with --tls-cert)")
      .option("trusted-proxies", "LIST",
              "reverse proxies (addresses, CIDR networks; comma-separated) whose "
              "X-Forwarded-For and X-Forwarded-Proto are believed")
      .option("max-connections-per-address", "N",
              "the most connections one client address may hold open (past it: 503 with "
              "Retry-After); trusted proxies are exempt; 0: no limit",
              "64")
      .option("max-streams-per-user", "N",
              "the most live update streams (/api/stream) one user may hold open (past it: 429 "
              "with Retry-After); 0: no limit",
              "8")
      .option("sse-memory", "MIB",
              "the most memory all live update streams may hold queued for slow readers "
              "together, in MiB; a stream past its share is closed and resumes",
              "64")
      .option("metrics-token-file", "FILE",
              "/metrics only with Authorization: Bearer <the token in FILE>; without it, "
              "/metrics answers only on loopback")
      .option("metrics-listen", "HOST:PORT",
              "serve /metrics (and /healthz, /readyz) on this address too, for a scraper "
              "(e.g. 127.0.0.1:9090 or a management network)")
      .option("webhook-allow", "LIST",
              "internal addresses (CIDR networks) webhooks may reach: loopback, private and "
              "link-local ones are refused otherwise")
      .option("webhook-ca-file", "FILE",
              "PEM certificates trusted for HTTPS webhooks instead of the system's (a company "
              "CA, a TLS-inspecting proxy); HTTPS_PROXY, HTTP_PROXY and NO_PROXY are honoured")
      .option("secret-key", "FILE",
              "the key that encrypts webhook secrets in the database (64 hex digits, 0600; made "
              "when missing); back it up apart from the database",
              "DB.secret-key")
      .example(
          "investflow serve --db zone.db --listen 127.0.0.1:8080 --workflows "
          "workflows/definitions")
      .example("investflow serve --config /etc/investflow/investflow.yaml");
  return spec;
}

// Webhook secrets still in plain text (from before they were sealed) are sealed now; a
// sealed one the key cannot open is reported (its deliveries fail, saying why, until the
// right key file is given or the webhook is made again), and the server starts all the same.
bool seal_webhook_secrets(notify::NotifyStore& notify_store, Io& io) {
  auto sealed = notify_store.seal_plain_secrets();
  if (!sealed) {
    io.err << "investflow serve: sealing the webhooks' secrets failed: " << sealed.error().message
           << "\n";
    return false;
  }
  if (*sealed > 0) {
    spdlog::info("webhook secrets: {} stored in plain text, now encrypted", *sealed);
  }
  auto webhooks = notify_store.webhooks();
  if (!webhooks) return true;  // the dispatcher reports what it cannot read
  for (const notify::Webhook& webhook : *webhooks) {
    if (webhook.secret_error.empty()) continue;
    io.err << "investflow serve: webhook " << webhook.id << ": " << webhook.secret_error
           << "; its deliveries fail until the key file it was sealed with is given (--secret-key) "
              "or the webhook is made again\n";
  }
  return true;
}

std::optional<ServeSettings> resolve_serve_settings(const ParsedArgs& parsed, Io& io) {
  ServeSettings settings;
  bool ok = true;
  if (parsed.value("db").empty()) {
    io.err << "investflow serve: --db FILE is required (or db: in the configuration file)\n";
    ok = false;
  }
  settings.db = parsed.value("db");
  settings.files_dir = parsed.value("files-dir");
  if (storage::is_postgres_uri(settings.db)) {
    // Every server of a PostgreSQL database must see the same files and the same key, and
    // PostgreSQL is backed up by its own tools (docs/operations.md).
    const std::pair<const char*, const char*> needed[] = {
        {"files-dir", "a directory every server shares, for attachments"},
        {"secret-key", "the key file every server shares, for webhook secrets"}};
    for (const auto& [name, what] : needed) {
      if (parsed.value(name).empty() || parsed.value(name) == "DB.secret-key") {
        io.err << "investflow serve: with a PostgreSQL database, --" << name
               << " is required: " << what << "\n";
        ok = false;
      }
    }
    if (!parsed.value("backup-dir").empty()) {
      io.err << "investflow serve: " << parsed.origin("backup-dir")
             << " works on a SQLite database only; back PostgreSQL up with pg_basebackup or "
                "pg_dump (docs/operations.md)\n";
      ok = false;
    }
    // Digests are a duty: the server holding the duty lease signs them, and --no-dispatch
    // keeps a server out of the lease.
    if (!parsed.value("digest-dir").empty() && parsed.flag("no-dispatch")) {
      io.err << "investflow serve: " << parsed.origin("digest-dir")
             << ": with a PostgreSQL database the server on duty signs the digests, and "
                "--no-dispatch takes no duties; give --digest-dir to the servers that dispatch\n";
      ok = false;
    }
  }
  const auto listen = parse_listen(parsed, "listen", io);
  const auto threads = parse_integer_option(parsed, "threads", 1, 256, io);
  const auto attachment_limit = parse_integer_option(parsed, "attachment-limit", 1, 4096, io);
  const auto per_address =
      parse_integer_option(parsed, "max-connections-per-address", 0, 1'000'000, io);
  const auto per_user = parse_integer_option(parsed, "max-streams-per-user", 0, 10'000, io);
  const auto sse_memory = parse_integer_option(parsed, "sse-memory", 1, 1024 * 1024, io);
  if (!listen || !threads || !attachment_limit || !per_address || !per_user || !sse_memory) {
    ok = false;
  }
  if (listen) settings.listen = *listen;
  if (threads) settings.threads = static_cast<unsigned>(*threads);
  if (attachment_limit)
    settings.attachment_limit = static_cast<std::uint64_t>(*attachment_limit) * 1024 * 1024;
  if (per_address) settings.max_connections_per_address = static_cast<std::size_t>(*per_address);
  if (per_user) settings.max_streams_per_user = static_cast<std::size_t>(*per_user);
  if (sse_memory) settings.sse_memory = static_cast<std::size_t>(*sse_memory) * 1024 * 1024;
  if (parsed.has("metrics-listen")) {
    settings.metrics_listen = parse_listen(parsed, "metrics-listen", io);
    if (!settings.metrics_listen) {
      ok = false;
    } else if (*settings.metrics_listen == settings.listen && settings.listen.second != 0) {
      io.err << "investflow serve: " << parsed.origin("metrics-listen")
             << " is the address of --listen; give the metrics their own port\n";
      ok = false;
    }
  }
  if (parsed.has("metrics-token-file")) {
    if (auto token = read_metrics_token(parsed, io)) {
      settings.metrics_token = std::move(*token);
    } else {
      ok = false;
    }
  }
  settings.workflows = parsed.value("workflows");
  settings.static_dir = parsed.value("static-dir");
  settings.access_log = parsed.flag("access-log");
  settings.log_file = parsed.value("log-file");
  if (parsed.value("log-format") == "json") {
    settings.log_format = LogFormat::json;
  } else if (parsed.value("log-format") != "text") {
    io.err << "investflow serve: " << parsed.origin("log-format") << " takes text or json, not '"
           << parsed.value("log-format") << "'\n";
    ok = false;
  }
  settings.no_dispatch = parsed.flag("no-dispatch");
  settings.secret_key = parsed.value("secret-key") == "DB.secret-key"
                            ? notify::default_secret_key_file(settings.db).string()
                            : parsed.value("secret-key");
  if (parsed.has("webhook-ca-file")) {
    settings.webhook_ca_file = parsed.value("webhook-ca-file");
    std::ifstream in(settings.webhook_ca_file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in || text.str().find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
      io.err << "investflow serve: " << parsed.origin("webhook-ca-file") << " "
             << settings.webhook_ca_file
             << (in ? ": no PEM certificate in the file\n" : ": cannot read the file\n");
      ok = false;
    }
  }
  if (!parse_networks(parsed, "webhook-allow", settings.webhook_allow, io)) ok = false;
  settings.tls_certificate = parsed.value("tls-cert");
  settings.tls_key = parsed.value("tls-key");
  if (settings.tls_certificate.empty() != settings.tls_key.empty()) {
    io.err << "investflow serve: "
           << (settings.tls_key.empty() ? parsed.origin("tls-cert") : parsed.origin("tls-key"))
           << " needs " << (settings.tls_key.empty() ? "--tls-key" : "--tls-cert")
           << " too: HTTPS takes the certificate and its key\n";
    ok = false;
  }
  settings.secure_cookies = parsed.flag("secure-cookies") || !settings.tls_certificate.empty();
  if (!parse_networks(parsed, "trusted-proxies", settings.trusted_proxies, io)) ok = false;
  settings.backup.dir = parsed.value("backup-dir");
  if (const auto every = parse_duration(parsed.value("backup-every"))) {
    settings.backup.every = *every;
  } else {
    io.err << "investflow serve: " << parsed.origin("backup-every")
           << " takes a whole number and s, m, h or d (24h), not '" << parsed.value("backup-every")
           << "'\n";
    ok = false;
  }
  if (const auto keep = parse_integer_option(parsed, "keep", 1, 10'000, io)) {
    settings.backup.keep = static_cast<int>(*keep);
  } else {
    ok = false;
  }
  if (parsed.value("digest-dir").empty() != parsed.value("digest-key").empty() ||
      (!parsed.value("digest-webhook").empty() && parsed.value("digest-dir").empty())) {
    io.err << "investflow serve: --digest-dir, --digest-key (and --digest-webhook) go together: "
              "digests are signed with the key and kept in the directory\n";
    ok = false;
  }
  for (const auto& [name, target] : {std::pair{"session-idle", &settings.session_idle},
                                     std::pair{"session-lifetime", &settings.session_lifetime}}) {
    if (const auto duration = parse_duration(parsed.value(name))) {
      *target = *duration;
    } else {
      io.err << "investflow serve: " << parsed.origin(name)
             << " takes a whole number and s, m, h or d (30m), not '" << parsed.value(name)
             << "'\n";
      ok = false;
    }
  }
  settings.digest.dir = parsed.value("digest-dir");
  if (!settings.digest.dir.empty() && !parsed.value("digest-key").empty()) {
    if (auto key = storage::read_signing_key(parsed.value("digest-key"))) {
      settings.digest.key = *key;
    } else {
      io.err << "investflow serve: " << parsed.origin("digest-key") << ": " << key.error().message
             << "\n";
      ok = false;
    }
  }
  if (const auto every = parse_duration(parsed.value("digest-every"))) {
    settings.digest.every = *every;
  } else {
    io.err << "investflow serve: " << parsed.origin("digest-every")
           << " takes a whole number and s, m, h or d (1h), not '" << parsed.value("digest-every")
           << "'\n";
    ok = false;
  }
  settings.digest.webhook = parsed.value("digest-webhook");
  if (!settings.digest.webhook.empty() && !notify::parse_url(settings.digest.webhook)) {
    io.err << "investflow serve: " << parsed.origin("digest-webhook")
           << " takes an http:// or https:// URL, not '" << settings.digest.webhook << "'\n";
    ok = false;
  }
  settings.digest.addresses = notify::AddressPolicy{true, settings.webhook_allow};
  settings.digest.ca_file = settings.webhook_ca_file;
  if (!ok) return std::nullopt;
  return settings;
}

int run_serve(std::span<const std::string> args, Io& io) {
  const ArgSpec spec = serve_spec();
  ParsedArgs parsed = ParsedArgs::parse(spec, args);
  if (auto code = handle_parse_outcome(spec, parsed, io)) return *code;
  std::string config_file;
  const std::vector<std::string> config_errors =
      apply_configuration(spec, parsed, process_environment(), config_file);
  for (const std::string& error : config_errors)
    io.err << "investflow serve: " << error << "\n";
  const std::optional<ServeSettings> settings = resolve_serve_settings(parsed, io);
  if (!config_errors.empty() || !settings) return kExitUsage;
  auto log = ServerLog::open(settings->log_format, settings->log_file);
  if (!log) {
    io.err << "investflow serve: " << parsed.origin("log-file") << ": " << log.error() << "\n";
    return kExitFailed;
  }
  const std::string& db = settings->db;
  notify::DispatchOptions dispatch;
  dispatch.proxy = notify::proxy_settings_from_environment();
  dispatch.ca_file = settings->webhook_ca_file;
  dispatch.webhook_addresses = webhook_address_policy(settings->webhook_allow, dispatch.proxy);

  const bool on_postgres = storage::is_postgres_uri(db);
  const std::string shown_db = storage::redact_uri(db);
  auto store = storage::open_store_at(db);
  if (!store) {
    io.err << "investflow: " << shown_db << ": " << store.error().message << "\n";
    return kExitFailed;
  }
  storage::AuthOptions auth_options;
  auth_options.session_idle_timeout = settings->session_idle;
  auth_options.session_lifetime = settings->session_lifetime;
  auto auth = open_auth(db, io, auth_options);
  if (!auth) return kExitFailed;
  workflows::CalendarRegistry workflow_calendars;
  if (!register_workflows(**store, settings->workflows, workflow_calendars, io)) return kExitFailed;

  auto secrets = notify::SecretBox::open(settings->secret_key, true);
  if (!secrets) {
    io.err << "investflow serve: " << parsed.origin("secret-key") << ": " << secrets.error()
           << "\n";
    return kExitFailed;
  }
  auto notify_store = notify::NotifyStore::open(db, *secrets);
  if (!notify_store) {
    io.err << "investflow: " << shown_db << ": " << notify_store.error().message << "\n";
    return kExitFailed;
  }
  if (!seal_webhook_secrets(**notify_store, io)) return kExitFailed;
  auto context = std::make_shared<web::ApiContext>(**store, *auth);
  context->notify = *notify_store;
  const std::filesystem::path files_dir = settings->files_dir.empty()
                                              ? storage::files_dir_of(db)
                                              : std::filesystem::path(settings->files_dir);
  try {
    context->attachments = std::make_shared<storage::AttachmentFiles>(files_dir);
  } catch (const std::exception& error) {
    io.err << "investflow: " << files_dir.string() << ": " << error.what() << "\n";
    return kExitFailed;
  }
  context->attachment_limit = settings->attachment_limit;
  context->secure_cookies = settings->secure_cookies;
  context->webhook_addresses = dispatch.webhook_addresses;
  context->user_streams = web::UserStreams(settings->max_streams_per_user);
  // Deployed calendars are taken before the first request, then watched (from start()).
  notify::CalendarWatch calendars(**store, *notify_store, context->clock);
  calendars.take_deployed();
  try {
    context->reports = std::make_shared<storage::ReportReader>(db);
    context->targets = std::make_shared<storage::TargetWriter>(db);
  } catch (const std::exception& error) {
    io.err << "investflow: " << shown_db << ": the reports: " << error.what() << "\n";
    return kExitFailed;
  }
  try {
    context->audit = std::make_shared<storage::AuditLog>(db);
  } catch (const std::exception& error) {
    io.err << "investflow: " << shown_db << ": the audit log: " << error.what() << "\n";
    return kExitFailed;
  }
  // Versions deployed into the database (`workflow deploy`) are taken within seconds.
  context->calendars = std::make_shared<const workflows::CalendarRegistry>(workflow_calendars);
  notify::WorkflowWatch deployed_workflows(**store, workflow_calendars);
  context->notifications = std::make_shared<web::NotificationFeed>(
      [notify = *notify_store](const std::string& user) -> std::optional<std::int64_t> {
        auto unread = notify->unread_count(user);
        return unread ? std::optional<std::int64_t>(*unread) : std::nullopt;
      });
  // Timers and deliveries (notify/): started with the server, stopped before it.
  std::unique_ptr<notify::Dispatcher> dispatcher;
  std::unique_ptr<notify::Scheduler> scheduler;
  // Several servers on one PostgreSQL database: the one holding the duty lease runs them.
  std::unique_ptr<storage::PgLease> duty;
  std::function<bool()> on_duty;
  if (on_postgres && !settings->no_dispatch) {
    duty = std::make_unique<storage::PgLease>(
        db, storage::kPgDutyLease, std::chrono::seconds(1), [](bool held, const std::string& why) {
          if (held) {
            spdlog::info(
                "duty lease taken: this server runs the deadline scheduler and the "
                "notification dispatcher");
          } else {
            spdlog::warn("duty lease lost ({}): another server may take the duties over", why);
          }
        });
    on_duty = [lease = duty.get()] { return lease->held(); };
    dispatch.on_duty = on_duty;
  }
  if (!settings->no_dispatch) {
    dispatcher = std::make_unique<notify::Dispatcher>(
        **store, *notify_store, context->clock, dispatch,
        [feed = context->notifications](const std::vector<std::string>& users) {
          feed->notify(users);
        });
    notify::SchedulerOptions scheduling;
    scheduling.on_duty = on_duty;
    scheduler = std::make_unique<notify::Scheduler>(**store, context->clock, scheduling);
    context->wake_dispatcher = [target = dispatcher.get()] { target->wake(); };
  }
  // Writes through another server (or the command line) on a shared database: the live
  // streams hear of them at their commit (the dispatcher looks twice a second anyway).
  (*store)->watch_commits([feed = context->feed] { feed->wake(); });
  web::Router router;
  web::add_api_routes(router, context);
  web::ServerOptions options;
  options.address = settings->listen.first;
  options.port = settings->listen.second;
  options.io_threads = settings->threads;
  options.worker_threads = settings->threads * 2;
  options.upload_dir = context->attachments->upload_dir().string();
  options.tls_certificate = settings->tls_certificate;
  options.tls_key = settings->tls_key;
  options.trusted_proxies = settings->trusted_proxies;
  options.max_connections_per_address = settings->max_connections_per_address;
  options.stream_memory = settings->sse_memory;
  options.metrics_token = settings->metrics_token;
  options.health = [&calendars, clock = context->clock](boost::json::object& body) {
    add_calendar_health(body, calendars.runway(engine::local_date(clock->now())));
  };
  options.ready =
      [&store = **store,
       db_dir = on_postgres
                    ? std::filesystem::path()
                    : std::filesystem::absolute(db).parent_path()]() -> engine::LocalizedText {
    // After a write found the disk full, not ready until one succeeds; a probe file beside
    // the database stands in for that write, as no traffic comes while not ready.
    if (!db_dir.empty() && storage::storage_full() && !storage::probe_space(db_dir)) {
      return {"存储空间不足：最近的写入因磁盘已满而失败",
              "storage full: a write failed for lack of space"};
    }
    // A writer this far behind answers slowly: let the load balancer try another.
    if (store.stats().queued_commands <= 10'000) return {};
    return {"存储写入积压", "the storage writer is behind"};
  };
  // Refused requests and downloads, from the connection once it has answered.
  options.audit = web::access_auditor(context);
  options.log = (*log)->events();
  if (settings->access_log) {
    options.access_log = (*log)->access();
    options.access_log_json = settings->log_format == LogFormat::json;
  }
  // The console embedded at build time; --static-dir serves a working copy over it.
  web::StaticFiles files = web::embedded_console();
  if (!settings->static_dir.empty()) {
    files = read_static_dir(settings->static_dir, std::move(files));
  }
  {
    web::Server server(options, std::move(router), std::move(files));
    add_store_metrics(server.metrics(), **store);
    if (dispatcher) add_dispatch_metrics(server.metrics(), *dispatcher);
    if (duty) {
      server.metrics().add_gauge(
          "investflow_duty_lease_held",
          "1 while this server holds the duty lease and runs the deadline scheduler and the "
          "dispatcher (several servers on one PostgreSQL database), else 0.",
          [lease = duty.get()] { return lease->held() ? 1.0 : 0.0; });
    }
    add_process_metrics(server.metrics());
    server.metrics().add_counter(
        "investflow_audit_entries_written_total", "Entries stored in the security audit log.",
        [audit = context->audit] { return static_cast<double>(audit->written()); });
    server.metrics().add_counter(
        "investflow_audit_entries_dropped_total",
        "Audit entries given up after the queue filled while writes failed.",
        [audit = context->audit] { return static_cast<double>(audit->dropped()); });
    server.metrics().add_counter(
        "investflow_http_streams_rejected_total",
        "Live update streams refused with 429: their user had the most open already.",
        [&streams = context->user_streams] { return static_cast<double>(streams.refused()); });
    std::unique_ptr<PeriodicJob> backups;
    if (!settings->backup.dir.empty()) {
      backups = std::make_unique<PeriodicJob>(
          "backup", settings->backup.every,
          [db, policy = settings->backup,
           audit = context->audit]() -> engine::Result<std::string, std::string> {
            auto file = backup_now(db, policy);
            if (!file) return engine::fail(file.error());
            audit->record(storage::AuditEntry{0, storage::SystemClock().now(), "", "backup",
                                              file->string(), "server", "", "{}"});
            return file->string() + " written and verified";
          });
      add_job_metrics(server.metrics(), *backups, "backups", "backup", "backups (verified)");
    }
    std::unique_ptr<PeriodicJob> digests;
    if (!settings->digest.dir.empty()) {
      // Several servers on one PostgreSQL database: the one on duty signs (on_duty).
      digests = std::make_unique<PeriodicJob>(
          "digest", settings->digest.every,
          [db, policy = settings->digest] { return digest_now(db, policy); }, on_duty);
      add_job_metrics(server.metrics(), *digests, "digests", "digest", "signed digests");
    }
    // Before start: SIGINT/SIGTERM from now on mean "stop", SIGHUP "reopen the log".
    web::ShutdownSignals signals(true);
    auto port = server.start();
    if (!port) {
      io.err << "investflow serve: " << port.error() << "\n";
      return kExitFailed;
    }
    // GET /metrics on its own address too, for a scraper on a management network.
    std::unique_ptr<web::Server> metrics_server;
    if (settings->metrics_listen) {
      metrics_server = make_metrics_server(*settings, server.metrics(), options.log);
      auto metrics_port = metrics_server->start();
      if (!metrics_port) {
        io.err << "investflow serve: --metrics-listen: " << metrics_port.error() << "\n";
        server.stop();
        return kExitFailed;
      }
      const std::string& metrics_host = settings->metrics_listen->first;
      const bool metrics_v6 = metrics_host.find(':') != std::string::npos;
      io.out << "investflow: metrics on http://" << (metrics_v6 ? "[" : "") << metrics_host
             << (metrics_v6 ? "]" : "") << ":" << *metrics_port << "/metrics" << std::endl;
    }
    const std::string& host = settings->listen.first;
    const bool v6 = host.find(':') != std::string::npos;
    io.out << "investflow: serving " << shown_db << " on "
           << (settings->tls_certificate.empty() ? "http" : "https") << "://" << (v6 ? "[" : "")
           << host << (v6 ? "]" : "") << ":" << *port << "/ (Ctrl-C to stop)" << std::endl;
    if (duty) duty->start();
    if (dispatcher) dispatcher->start();
    if (scheduler) scheduler->start();
    if (backups) backups->start();
    if (digests) digests->start();
    calendars.start();
    deployed_workflows.start();
    (void)notify_systemd("READY=1\nSTATUS=serving " + host + ":" + std::to_string(*port));
    int signal = signals.wait();
    while (signal == SIGHUP) {
      signals.clear();
      (void)notify_systemd("RELOADING=1");
      reload(parsed, spec, **log, io);
      if (std::string error = server.reload_tls(); !error.empty()) {
        spdlog::error("SIGHUP: {}; the running certificate stays", error);
        io.err << "investflow serve: SIGHUP: " << error << "; the running certificate stays\n";
      }
      (void)notify_systemd("READY=1");
      signal = signals.wait();
    }
    (void)notify_systemd("STOPPING=1");
    if (backups) backups->stop();
    if (digests) digests->stop();
    io.err << "investflow: signal " << signal << ", stopping\n";
    // No new alerts or deliveries while the server drains; pending ones stay in the
    // database for the next start (at least once).
    if (scheduler) scheduler->stop();
    if (dispatcher) dispatcher->stop();
    if (duty) duty->stop();  // another server takes the duties over
    if (metrics_server) metrics_server->stop();
    server.stop();
    calendars.stop();
    deployed_workflows.stop();
  }
  // The server (and every handler holding the store) is gone: now the writer can flush.
  // Uploads already received are stored (or refused) first.
  context->attachments.reset();
  context->audit.reset();  // what is queued is written
  auth.reset();
  store->reset();
  io.err << "investflow: stopped\n";
  return kExitOk;
}

}  // namespace investflow::app
