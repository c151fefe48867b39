#pragma once
// Server metrics in the Prometheus text exposition format (version 0.0.4):
//   investflow_http_requests_total{method,route,status}      counter
//   investflow_http_request_duration_seconds{route}          histogram
//   investflow_http_requests_in_flight                       gauge
//   investflow_http_connections_open                         gauge
//   investflow_http_connections_rejected_total               counter (connection cap)
//   investflow_http_address_connections_rejected_total       counter (per-address cap)
//   investflow_http_streams_closed_slow_total                counter (stream memory budget)
//   investflow_http_stream_queued_bytes                      gauge (added by the server)
//   investflow_http_accept_errors_total                      counter (EMFILE and friends)
//   investflow_http_tls_handshake_failures_total             counter (TLS only)
// `route` is the route template ("/api/projects/{id}"), "static", "unmatched" (404), or
// "none" (refused before routing: 413, malformed), so the number of series stays bounded
// whatever clients send. Other modules add their own
// numbers (transitions, queue depth, outbox backlog) as sampled gauges and counters.
// Thread-safe.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace investflow::web {

class Metrics {
 public:
  Metrics();

  void observe_request(std::string_view method, std::string_view route, int status,
                       std::chrono::nanoseconds duration);
  void request_started();
  void request_finished();
  void connection_opened();
  void connection_closed();
  void connection_rejected();
  void address_connection_rejected();
  void slow_stream_closed();
  void accept_failed();
  void tls_handshake_failed();

  // A number read at every scrape. name must be a valid metric name; help one line.
  void add_gauge(std::string name, std::string help, std::function<double()> sample);
  void add_counter(std::string name, std::string help, std::function<double()> sample);
  // A family of labelled series read at every scrape: each pair is the labels (as written
  // between the braces, e.g. `format="wecom",outcome="delivered"`) and the value.
  using Series = std::vector<std::pair<std::string, double>>;
  void add_family(std::string name, std::string help, std::string type,
                  std::function<Series()> sample);

  std::string render() const;

  // Histogram bucket upper bounds, in seconds.
  static const std::vector<double>& buckets();

 private:
  struct Histogram {
    std::vector<std::uint64_t> counts;  // one per bucket, not cumulative
    std::uint64_t count = 0;
    double sum = 0;
  };
  struct Sampled {
    std::string name;
    std::string help;
    std::string type;
    std::function<double()> sample;
    std::function<Series()> series;  // instead of `sample`, for a labelled family
  };

  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t>
      requests_;                                    // GUARDED_BY(mutex_)
  std::map<std::string, Histogram> durations_;      // GUARDED_BY(mutex_)
  std::int64_t in_flight_ = 0;                      // GUARDED_BY(mutex_)
  std::int64_t connections_open_ = 0;               // GUARDED_BY(mutex_)
  std::uint64_t connections_rejected_ = 0;          // GUARDED_BY(mutex_)
  std::uint64_t address_connections_rejected_ = 0;  // GUARDED_BY(mutex_)
  std::uint64_t slow_streams_closed_ = 0;           // GUARDED_BY(mutex_)
  std::uint64_t accept_errors_ = 0;                 // GUARDED_BY(mutex_)
  std::uint64_t tls_handshake_failures_ = 0;        // GUARDED_BY(mutex_)
  std::vector<Sampled> sampled_;                    // GUARDED_BY(mutex_)
};

// Normalizes a request method for a label: the standard ones as they are, anything else
// "other", so that invented methods cannot grow the series.
std::string_view method_label(std::string_view method);

}  // namespace investflow::web
