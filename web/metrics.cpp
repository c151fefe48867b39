#include "web/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace investflow::web {
namespace {

// Label values escape backslash, double quote and newline (exposition format).
std::string escape_label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void family(std::string& out, std::string_view name, std::string_view help, std::string_view type) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

std::string_view method_label(std::string_view method) {
  static constexpr std::string_view kKnown[] = {"GET",   "HEAD",   "POST",   "PUT",
                                                "PATCH", "DELETE", "OPTIONS"};
  for (const auto known : kKnown) {
    if (method == known) return known;
  }
  return "other";
}

const std::vector<double>& Metrics::buckets() {
  static const std::vector<double> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return kBuckets;
}

Metrics::Metrics() = default;

void Metrics::observe_request(std::string_view method, std::string_view route, int status,
                              std::chrono::nanoseconds duration) {
  const double seconds = std::chrono::duration<double>(duration).count();
  const auto& bounds = buckets();
  const auto bucket = static_cast<std::size_t>(
      std::lower_bound(bounds.begin(), bounds.end(), seconds) - bounds.begin());
  std::lock_guard lock(mutex_);
  ++requests_[{std::string(method_label(method)), std::string(route), status}];
  auto& histogram = durations_[std::string(route)];
  if (histogram.counts.empty()) histogram.counts.assign(bounds.size(), 0);
  if (bucket < bounds.size()) ++histogram.counts[bucket];
  ++histogram.count;
  histogram.sum += seconds;
}

void Metrics::request_started() {
  std::lock_guard lock(mutex_);
  ++in_flight_;
}

void Metrics::request_finished() {
  std::lock_guard lock(mutex_);
  --in_flight_;
}

void Metrics::connection_opened() {
  std::lock_guard lock(mutex_);
  ++connections_open_;
}

void Metrics::connection_closed() {
  std::lock_guard lock(mutex_);
  --connections_open_;
}

void Metrics::connection_rejected() {
  std::lock_guard lock(mutex_);
  ++connections_rejected_;
}

void Metrics::address_connection_rejected() {
  std::lock_guard lock(mutex_);
  ++address_connections_rejected_;
}

void Metrics::slow_stream_closed() {
  std::lock_guard lock(mutex_);
  ++slow_streams_closed_;
}

void Metrics::accept_failed() {
  std::lock_guard lock(mutex_);
  ++accept_errors_;
}

void Metrics::tls_handshake_failed() {
  std::lock_guard lock(mutex_);
  ++tls_handshake_failures_;
}

void Metrics::add_gauge(std::string name, std::string help, std::function<double()> sample) {
  std::lock_guard lock(mutex_);
  sampled_.push_back({std::move(name), std::move(help), "gauge", std::move(sample), {}});
}

void Metrics::add_counter(std::string name, std::string help, std::function<double()> sample) {
  std::lock_guard lock(mutex_);
  sampled_.push_back({std::move(name), std::move(help), "counter", std::move(sample), {}});
}

void Metrics::add_family(std::string name, std::string help, std::string type,
                         std::function<Series()> sample) {
  std::lock_guard lock(mutex_);
  sampled_.push_back({std::move(name), std::move(help), std::move(type), {}, std::move(sample)});
}

std::string Metrics::render() const {
  std::string out;
  auto append = std::back_inserter(out);
  std::unique_lock lock(mutex_);

  family(out, "investflow_http_requests_total", "HTTP requests answered.", "counter");
  for (const auto& [key, count] : requests_) {
    const auto& [method, route, status] = key;
    fmt::format_to(
        append, "investflow_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n",
        method, escape_label(route), status, count);
  }

  family(out, "investflow_http_request_duration_seconds",
         "Time from a complete request header to the response written.", "histogram");
  const auto& bounds = buckets();
  for (const auto& [route, histogram] : durations_) {
    const auto label = escape_label(route);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
      cumulative += histogram.counts[i];
      fmt::format_to(
          append, "investflow_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n",
          label, bounds[i], cumulative);
    }
    fmt::format_to(
        append,
        "investflow_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n"
        "investflow_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n"
        "investflow_http_request_duration_seconds_count{{route=\"{}\"}} {}\n",
        label, histogram.count, label, histogram.sum, label, histogram.count);
  }

  family(out, "investflow_http_requests_in_flight", "Requests being handled now.", "gauge");
  fmt::format_to(append, "investflow_http_requests_in_flight {}\n", in_flight_);
  family(out, "investflow_http_connections_open", "Open client connections.", "gauge");
  fmt::format_to(append, "investflow_http_connections_open {}\n", connections_open_);
  family(out, "investflow_http_connections_rejected_total",
         "Connections refused with 503 because the connection cap was reached.", "counter");
  fmt::format_to(append, "investflow_http_connections_rejected_total {}\n", connections_rejected_);
  family(out, "investflow_http_address_connections_rejected_total",
         "Connections refused with 503 because their address had the most it may hold open.",
         "counter");
  fmt::format_to(append, "investflow_http_address_connections_rejected_total {}\n",
                 address_connections_rejected_);
  family(out, "investflow_http_streams_closed_slow_total",
         "Event streams closed because their client read too slowly for the memory budget "
         "(the client resumes with Last-Event-ID).",
         "counter");
  fmt::format_to(append, "investflow_http_streams_closed_slow_total {}\n", slow_streams_closed_);
  family(out, "investflow_http_accept_errors_total",
         "Failed accepts (such as EMFILE), each followed by a short back-off.", "counter");
  fmt::format_to(append, "investflow_http_accept_errors_total {}\n", accept_errors_);
  family(out, "investflow_http_tls_handshake_failures_total",
         "Connections closed because their TLS handshake failed (plain HTTP to the TLS "
         "port, an unknown certificate, a timeout).",
         "counter");
  fmt::format_to(append, "investflow_http_tls_handshake_failures_total {}\n",
                 tls_handshake_failures_);

  const auto sampled = sampled_;
  lock.unlock();
  // Sampled outside the lock: a sample may take its own locks (the storage queue's).
  for (const auto& metric : sampled) {
    family(out, metric.name, metric.help, metric.type);
    if (metric.series) {
      for (const auto& [labels, value] : metric.series())
        fmt::format_to(append, "{}{{{}}} {}\n", metric.name, labels, value);
      continue;
    }
    fmt::format_to(append, "{} {}\n", metric.name, metric.sample());
  }
  return out;
}

}  // namespace investflow::web
