#include "notify/dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "notify/webhook_format.hpp"
#include "storage/codec.hpp"

namespace investflow::notify {
namespace {

using Clock = std::chrono::steady_clock;

// A chat robot's lane reads at most this many due deliveries at once (a digest lists what
// fits and counts the rest; more than this waits for the next digest).
constexpr int kRobotBacklog = 5000;

std::chrono::milliseconds ms(std::int64_t count) {
  return std::chrono::milliseconds(count);
}

PostRequest request_to(const Webhook& webhook, std::string body, const DispatchOptions& options) {
  PostRequest request;
  request.url = webhook.url;
  request.body = std::move(body);
  request.timeout = options.request_timeout;
  request.proxy = options.proxy;
  request.ca_file = options.ca_file;
  request.addresses = options.webhook_addresses;
  return request;
}

}  // namespace

struct Dispatcher::Lane {
  Webhook webhook;
  std::mutex mutex;
  std::condition_variable wake;
  bool woken = false;     // GUARDED_BY(mutex)
  bool stopping = false;  // GUARDED_BY(mutex)
  std::mt19937_64 random{std::random_device{}()};
  std::thread thread;

  void poke() {
    {
      std::lock_guard lock(mutex);
      woken = true;
    }
    wake.notify_all();
  }
  void stop() {
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    wake.notify_all();
  }
  bool stopped() {
    std::lock_guard lock(mutex);
    return stopping;
  }
};

std::chrono::milliseconds backoff_delay(const DispatchOptions& options, int attempts,
                                        std::mt19937_64& random) {
  const int doublings = std::clamp(attempts - 1, 0, 40);
  std::int64_t delay = options.backoff_base.count();
  for (int i = 0; i < doublings && delay < options.backoff_cap.count(); ++i)
    delay *= 2;
  delay = std::min<std::int64_t>(delay, options.backoff_cap.count());
  // Jitter: receivers coming back are not hit by every sender at the same instant.
  std::uniform_int_distribution<std::int64_t> spread(delay / 2, std::max<std::int64_t>(delay, 1));
  return ms(spread(random));
}

AttemptResult judge_response(const std::string& format, const PostOutcome& outcome) {
  AttemptResult result;
  if (!outcome.error.empty()) {
    result.error = outcome.error;
    return result;
  }
  result.http_status = outcome.status;
  if (outcome.status < 200 || outcome.status > 299) {
    result.error = "HTTP " + std::to_string(outcome.status);
    return result;
  }
  if (is_chat_robot(format)) {
    // Both robots answer 200 with {"errcode": 0, "errmsg": "ok"}; anything else failed.
    auto parsed = storage::parse_json(outcome.body);
    const boost::json::object* object = parsed ? parsed->if_object() : nullptr;
    const boost::json::value* code = object != nullptr ? object->if_contains("errcode") : nullptr;
    if (code == nullptr || !code->is_int64() || code->get_int64() != 0) {
      result.error = "robot refused: " + outcome.body.substr(0, 200);
      return result;
    }
  }
  result.delivered = true;
  return result;
}

bool is_chat_robot(std::string_view format) {
  return format == webhook_format_name(WebhookFormat::wecom) ||
         format == webhook_format_name(WebhookFormat::dingtalk);
}

PostRequest delivery_request(const Webhook& webhook, const Message& message, engine::Timestamp now,
                             const DispatchOptions& options) {
  const WebhookFormat format = parse_webhook_format(webhook.format).value_or(WebhookFormat::json);
  PostRequest request = request_to(webhook, body_for(format, message), options);
  switch (format) {
    case WebhookFormat::json:
      request.headers.emplace_back("X-Investflow-Event", message.type);
      request.headers.emplace_back("X-Investflow-Event-Id", std::to_string(message.event_id));
      if (!webhook.secret.empty()) {
        request.headers.emplace_back(std::string(kSignatureHeader),
                                     signature_header_value(webhook.secret, request.body));
      }
      break;
    case WebhookFormat::wecom:
      break;  // the key is part of the robot's URL
    case WebhookFormat::dingtalk:
      request.url = dingtalk_signed_url(webhook.url, webhook.secret, now);
      break;
  }
  return request;
}

PostRequest digest_request(const Webhook& webhook, const Digest& digest, engine::Timestamp now,
                           const DispatchOptions& options) {
  const WebhookFormat format = parse_webhook_format(webhook.format).value_or(WebhookFormat::wecom);
  PostRequest request = request_to(webhook, digest_body(format, digest), options);
  if (format == WebhookFormat::dingtalk) {
    request.url = dingtalk_signed_url(webhook.url, webhook.secret, now);
  }
  return request;
}

std::vector<PlannedPost> plan_robot_posts(const std::vector<DueDelivery>& due, int free,
                                          engine::Timestamp now, const DispatchOptions& options) {
  std::vector<PlannedPost> posts;
  if (free <= 0) return posts;
  std::vector<PlannedPost> batches;  // in the order of their first delivery
  std::vector<engine::Timestamp> newest;
  std::map<std::string, std::size_t> batch_index;
  std::vector<std::size_t> loose;
  for (std::size_t i = 0; i < due.size(); ++i) {
    const std::string& batch = due[i].batch;
    if (batch.empty()) {
      loose.push_back(i);
      continue;
    }
    auto [found, added] = batch_index.try_emplace(batch, batches.size());
    if (added) {
      batches.push_back(PlannedPost{{}, true, batch});
      newest.push_back(0);
    }
    batches[found->second].items.push_back(i);
    newest[found->second] = std::max(newest[found->second], due[i].delivery.created_at);
  }
  for (std::size_t b = 0; b < batches.size(); ++b) {
    if (newest[b] > now - options.batch_quiet.count()) continue;  // may still be writing
    if (batches[b].items.size() == 1) batches[b].digest = false;
    posts.push_back(std::move(batches[b]));
  }
  const int room = free - static_cast<int>(posts.size());
  if (room < 0) {
    posts.resize(static_cast<std::size_t>(free));
  } else if (room > 0 && !loose.empty()) {
    engine::Timestamp oldest = now;
    for (const std::size_t i : loose)
      oldest = std::min(oldest, due[i].delivery.created_at);
    const bool backlog = loose.size() > 1 && now - oldest >= options.robot_backlog_after.count();
    const bool all_fit = !backlog && loose.size() <= static_cast<std::size_t>(room);
    const std::size_t single =
        all_fit ? loose.size() : (backlog ? 0 : static_cast<std::size_t>(room - 1));
    for (std::size_t i = 0; i < single; ++i)
      posts.push_back(PlannedPost{{loose[i]}, false, {}});
    if (!all_fit) {
      posts.push_back(PlannedPost{
          {loose.begin() + static_cast<std::ptrdiff_t>(single), loose.end()}, true, {}});
    }
  }
  std::sort(posts.begin(), posts.end(), [](const PlannedPost& a, const PlannedPost& b) {
    return a.items.front() < b.items.front();
  });
  return posts;
}

RobotWindows::RobotWindows(std::shared_ptr<NotifyStore> notify, int limit,
                           std::chrono::milliseconds window)
    : notify_(std::move(notify)), limit_(limit), window_(window) {
}

std::vector<engine::Timestamp>& RobotWindows::posts(const std::string& url, engine::Timestamp now) {
  const engine::Timestamp since = now - window_.count() + 1;  // a post counts for one window
  auto found = posts_.find(url);
  if (found == posts_.end()) {
    // First use in this process: the posts made before a restart still count.
    std::vector<engine::Timestamp> stored;
    if (auto loaded = notify_->robot_posts(url, since)) {
      stored = std::move(*loaded);
    } else {
      spdlog::error("notify: reading a robot's recent posts failed: {}", loaded.error().message);
    }
    found = posts_.emplace(url, std::move(stored)).first;
  }
  auto& list = found->second;
  list.erase(list.begin(), std::lower_bound(list.begin(), list.end(), since));
  return list;
}

int RobotWindows::free(const std::string& url, engine::Timestamp now) {
  std::lock_guard lock(mutex_);
  return std::max(0, limit_ - static_cast<int>(posts(url, now).size()));
}

bool RobotWindows::take(const std::string& url, engine::Timestamp now) {
  std::lock_guard lock(mutex_);
  auto& list = posts(url, now);
  if (static_cast<int>(list.size()) >= limit_) return false;
  list.insert(std::upper_bound(list.begin(), list.end(), now), now);
  if (auto recorded = notify_->record_robot_post(url, now, now - window_.count() + 1); !recorded) {
    spdlog::error("notify: recording a robot's post failed: {}", recorded.error().message);
  }
  return true;
}

engine::Timestamp RobotWindows::next_free(const std::string& url, engine::Timestamp now) {
  std::lock_guard lock(mutex_);
  const auto& list = posts(url, now);
  if (static_cast<int>(list.size()) < limit_) return now;
  return list[list.size() - static_cast<std::size_t>(limit_)] + window_.count();
}

Dispatcher::Dispatcher(storage::Store& store, std::shared_ptr<NotifyStore> notify,
                       std::shared_ptr<const engine::Clock> clock, DispatchOptions options,
                       InboxListener on_inbox)
    : store_(store),
      notify_(std::move(notify)),
      clock_(std::move(clock)),
      options_(options),
      on_inbox_(std::move(on_inbox)),
      robots_(notify_, options.robot_limit, options.robot_window) {
}

Dispatcher::~Dispatcher() {
  stop();
}

void Dispatcher::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  started_ = true;
  thread_ = std::thread([this] { run(); });
}

void Dispatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(lanes_mutex_);
  for (auto& [id, lane] : lanes_)
    lane->stop();
  for (auto& [id, lane] : lanes_) {
    if (lane->thread.joinable()) lane->thread.join();
  }
  lanes_.clear();
}

void Dispatcher::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

void Dispatcher::run() {
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, options_.poll, [this] { return woken_ || stopping_; });
      if (stopping_) return;
      woken_ = false;
    }
    if (options_.on_duty && !options_.on_duty()) continue;  // another server's turn
    // Keep going while there is a backlog (a batch came back full).
    while (run_once() > 0) {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
  }
}

int Dispatcher::run_once() {
  return dispatch_inbox() + fan_out();
}

std::vector<std::string> Dispatcher::resolve(
    const OutboxItem& item, std::map<std::string, std::vector<std::string>>& roles) {
  std::set<std::string> users;
  for (const engine::NotifyRecipient& recipient : item.recipients) {
    switch (recipient.kind) {
      case engine::NotifyRecipient::Kind::owner:
        if (!item.project_owner.empty()) users.insert(item.project_owner);
        break;
      case engine::NotifyRecipient::Kind::role: {
        auto found = roles.find(recipient.name);
        if (found == roles.end()) {
          auto members = notify_->users_with_role(recipient.name);
          found = roles
                      .emplace(recipient.name,
                               members ? std::move(*members) : std::vector<std::string>{})
                      .first;
        }
        users.insert(found->second.begin(), found->second.end());
        break;
      }
      case engine::NotifyRecipient::Kind::user:
        users.insert(recipient.name);
        break;
      case engine::NotifyRecipient::Kind::field:
      case engine::NotifyRecipient::Kind::previous_holder:
      case engine::NotifyRecipient::Kind::new_holder:
        break;  // never in the outbox: engine::notify_deliveries names the users
    }
  }
  // People are not told about what they did themselves.
  users.erase(item.event.actor);
  return {users.begin(), users.end()};
}

std::vector<std::string> Dispatcher::seeing(
    const std::string& project_id, std::vector<std::string> users,
    std::map<std::string, std::shared_ptr<const engine::DataScope>>& scopes) {
  std::erase_if(users, [&](const std::string& user) {
    auto found = scopes.find(user);
    if (found == scopes.end()) {
      // A login no account has yet reads nothing (told as before: it cannot log in); one
      // whose account cannot be read is not told.
      std::shared_ptr<const engine::DataScope> scope;
      if (auto viewer = notify_->viewer(user); viewer) {
        scope = *viewer ? std::make_shared<const engine::DataScope>(
                              engine::DataScope::of(**viewer, store_.registered_workflows()))
                        : std::make_shared<const engine::DataScope>();
      }
      found = scopes.emplace(user, std::move(scope)).first;
    }
    if (!found->second) return true;
    if (found->second->unrestricted()) return false;
    const auto seen = store_.visible(project_id, *found->second);
    return !seen || !*seen;
  });
  return users;
}

int Dispatcher::dispatch_inbox() {
  const engine::Timestamp before = clock_->now() - options_.historical_after.count();
  if (auto settled = notify_->settle_historical_outbox(before); !settled) {
    spdlog::error("notify: settling historical outbox rows failed: {}", settled.error().message);
  }
  auto items = notify_->pending_outbox("inbox", options_.batch);
  if (!items) {
    spdlog::error("notify: reading the outbox failed: {}", items.error().message);
    return 0;
  }
  if (items->empty()) return 0;
  const engine::Timestamp now = clock_->now();
  const engine::Timestamp historical = now - options_.historical_after.count();
  std::map<std::string, std::vector<std::string>> roles;
  std::map<std::string, std::shared_ptr<const engine::DataScope>> scopes;
  std::vector<InboxEntry> entries;
  std::set<std::string> told;
  for (const OutboxItem& item : *items) {
    InboxEntry entry;
    entry.outbox_id = item.id;
    entry.event_id = item.event_id;
    entry.project_id = item.event.project_id;
    entry.type = std::string(engine::event_type(item.event));
    entry.triggers = item.triggers;
    entry.created_at = item.event.at;
    entry.skip = item.event.at < historical;
    if (!entry.skip) {
      const auto workflow = store_.workflow(item.workflow, item.workflow_version);
      const Message message =
          make_message(item.event_id, item.event, workflow.get(), item.project_name);
      entry.title_zh = message.title_zh;
      entry.title_en = message.title_en;
      entry.users = seeing(item.event.project_id, resolve(item, roles), scopes);
      told.insert(entry.users.begin(), entry.users.end());
    }
    entries.push_back(std::move(entry));
  }
  if (auto settled = notify_->settle_inbox(entries); !settled) {
    spdlog::error("notify: writing notifications failed: {}", settled.error().message);
    return 0;
  }
  if (on_inbox_ && !told.empty()) on_inbox_({told.begin(), told.end()});
  return static_cast<int>(items->size());
}

int Dispatcher::fan_out() {
  auto webhooks = notify_->webhooks();
  if (!webhooks) {
    spdlog::error("notify: reading webhooks failed: {}", webhooks.error().message);
    return 0;
  }
  bool started = false;
  {
    std::lock_guard lock(mutex_);
    started = started_ && !stopping_;
  }
  if (started) sync_lanes(*webhooks);
  const engine::Timestamp now = clock_->now();
  const engine::Timestamp historical = now - options_.historical_after.count();
  int looked = 0;
  for (const Webhook& webhook : *webhooks) {
    auto count = notify_->fan_out(webhook, options_.batch, now, historical);
    if (!count) {
      spdlog::error("notify: fan-out to webhook {} failed: {}", webhook.id, count.error().message);
      continue;
    }
    looked += *count;
    if (*count > 0) {
      std::lock_guard lock(lanes_mutex_);
      if (auto lane = lanes_.find(webhook.id); lane != lanes_.end()) lane->second->poke();
    }
  }
  // Webhook-channel outbox rows are settled once every webhook has passed their event.
  auto refreshed = notify_->webhooks();
  auto tail = store_.last_event_id();
  if (refreshed && tail) {
    std::int64_t settled_to = *tail;
    for (const Webhook& webhook : *refreshed)
      settled_to = std::min(settled_to, webhook.after_event_id);
    (void)notify_->settle_webhook_outbox(settled_to);
  }
  return looked;
}

void Dispatcher::sync_lanes(const std::vector<Webhook>& webhooks) {
  std::lock_guard lock(lanes_mutex_);
  for (auto it = lanes_.begin(); it != lanes_.end();) {
    const bool alive = std::any_of(webhooks.begin(), webhooks.end(),
                                   [&](const Webhook& webhook) { return webhook.id == it->first; });
    if (alive) {
      ++it;
      continue;
    }
    it->second->stop();
    if (it->second->thread.joinable()) it->second->thread.join();
    it = lanes_.erase(it);
  }
  for (const Webhook& webhook : webhooks) {
    if (lanes_.contains(webhook.id)) continue;
    auto lane = std::make_unique<Lane>();
    lane->webhook = webhook;
    Lane& ref = *lane;
    lane->thread = std::thread([this, &ref] { run_lane(ref); });
    lanes_.emplace(webhook.id, std::move(lane));
  }
}

void Dispatcher::run_lane(Lane& lane) {
  while (!lane.stopped()) {
    if (!options_.on_duty || options_.on_duty()) deliver_due(lane);
    // Sleep until the earliest retry is due, a poke, or the poll interval.
    auto wait = options_.poll;
    // A robot's lane may hold due deliveries (its window is full, a batch is not quiet
    // yet): it looks again after the poll interval, or when poked.
    if (!is_chat_robot(lane.webhook.format)) {
      if (auto next = notify_->next_attempt(lane.webhook.id); next && *next) {
        const auto until = ms(std::max<std::int64_t>(0, **next - clock_->now()));
        wait = std::min(wait, until);
      }
    }
    std::unique_lock lock(lane.mutex);
    lane.wake.wait_for(lock, wait, [&] { return lane.woken || lane.stopping; });
    lane.woken = false;
  }
}

DispatchCounts Dispatcher::counts() const {
  return {posts_delivered_.load(), posts_failed_.load(), digests_.load(), digest_events_.load()};
}

std::map<std::pair<std::string, std::string>, std::int64_t> Dispatcher::posts_by_format() const {
  std::lock_guard lock(outcomes_mutex_);
  return outcomes_;
}

void Dispatcher::count_outcome(const std::string& format, const char* outcome) {
  std::lock_guard lock(outcomes_mutex_);
  ++outcomes_[{format, outcome}];
}

void Dispatcher::deliver_once(const Webhook& webhook) {
  Lane lane;
  lane.webhook = webhook;
  deliver_due(lane);
}

void Dispatcher::deliver_due(Lane& lane) {
  if (is_chat_robot(lane.webhook.format)) {
    deliver_robot(lane);
    return;
  }
  while (!lane.stopped()) {
    auto due = notify_->due_deliveries(lane.webhook.id, clock_->now(), options_.batch);
    if (!due) {
      spdlog::error("notify: reading deliveries failed: {}", due.error().message);
      return;
    }
    if (due->empty()) return;
    for (const DueDelivery& item : *due) {
      if (lane.stopped()) return;
      // The receiver is in trouble: leave the rest for when it has had time to recover.
      if (!post_one(lane, item)) return;
    }
  }
}

void Dispatcher::deliver_robot(Lane& lane) {
  const std::string& url = lane.webhook.url;
  while (!lane.stopped()) {
    const engine::Timestamp now = clock_->now();
    const int free = robots_.free(url, now);
    if (free <= 0) return;
    auto due = notify_->due_deliveries(lane.webhook.id, now, kRobotBacklog);
    if (!due) {
      spdlog::error("notify: reading deliveries failed: {}", due.error().message);
      return;
    }
    const std::vector<PlannedPost> plan = plan_robot_posts(*due, free, now, options_);
    if (plan.empty()) return;
    for (const PlannedPost& post : plan) {
      // Another webhook on the same robot may have taken the room meanwhile.
      if (lane.stopped() || !robots_.take(url, clock_->now())) return;
      const bool ok =
          post.digest ? post_digest(lane, *due, post) : post_one(lane, (*due)[post.items.front()]);
      if (!ok) return;
    }
  }
}

bool Dispatcher::post_one(Lane& lane, const DueDelivery& item) {
  // Never unsigned: a secret that cannot be unsealed fails the delivery, and says why.
  if (!lane.webhook.secret_error.empty()) {
    return settle_attempt(lane, {&item},
                          AttemptResult{false, std::nullopt, lane.webhook.secret_error});
  }
  const auto workflow = store_.workflow(item.workflow, item.workflow_version);
  const Message message =
      make_message(item.delivery.event_id, item.event, workflow.get(), item.project_name);
  const PostRequest request = delivery_request(lane.webhook, message, clock_->now(), options_);
  return settle_attempt(lane, {&item}, judge_response(lane.webhook.format, http_post(request)));
}

bool Dispatcher::post_digest(Lane& lane, const std::vector<DueDelivery>& due,
                             const PlannedPost& post) {
  Digest digest;
  std::vector<const DueDelivery*> items;
  items.reserve(post.items.size());
  digest.messages.reserve(post.items.size());
  for (const std::size_t index : post.items)
    items.push_back(&due[index]);
  if (!lane.webhook.secret_error.empty()) {
    return settle_attempt(lane, items,
                          AttemptResult{false, std::nullopt, lane.webhook.secret_error});
  }
  for (const std::size_t index : post.items) {
    const DueDelivery& item = due[index];
    const auto workflow = store_.workflow(item.workflow, item.workflow_version);
    digest.messages.push_back(
        make_message(item.delivery.event_id, item.event, workflow.get(), item.project_name));
  }
  const std::string count = std::to_string(items.size());
  digest.heading_zh =
      post.batch.empty() ? "另有 " + count + " 条动态" : "批量操作：共 " + count + " 条动态";
  const PostRequest request = digest_request(lane.webhook, digest, clock_->now(), options_);
  return settle_attempt(lane, items, judge_response(lane.webhook.format, http_post(request)));
}

bool Dispatcher::settle_attempt(Lane& lane, const std::vector<const DueDelivery*>& items,
                                const AttemptResult& result) {
  const engine::Timestamp now = clock_->now();
  if (result.delivered) {
    ++posts_delivered_;
    count_outcome(lane.webhook.format, "delivered");
    if (items.size() > 1) {
      ++digests_;
      digest_events_ += static_cast<std::int64_t>(items.size());
    }
    const int status = result.http_status.value_or(200);
    if (items.size() == 1) {
      (void)notify_->record_delivered(items.front()->delivery.id, status, now);
    } else {
      std::vector<std::int64_t> ids;
      ids.reserve(items.size());
      for (const DueDelivery* item : items)
        ids.push_back(item->delivery.id);
      (void)notify_->record_digest_delivered(ids, status, now);
    }
    return true;
  }
  ++posts_failed_;
  // A digest is retried as one: one backoff, from its most tried delivery.
  int most = 0;
  for (const DueDelivery* item : items)
    most = std::max(most, item->delivery.attempts + 1);
  count_outcome(lane.webhook.format, most < options_.max_attempts ? "failed" : "dead");
  const engine::Timestamp retry_at = now + backoff_delay(options_, most, lane.random).count();
  std::vector<FailedAttempt> failed;
  failed.reserve(items.size());
  for (const DueDelivery* item : items) {
    FailedAttempt attempt{item->delivery.id, item->delivery.attempts + 1, std::nullopt};
    if (attempt.attempts < options_.max_attempts) {
      attempt.retry_at = retry_at;
    } else {
      spdlog::warn("notify: delivery {} of event {} to webhook {} is dead after {} attempts: {}",
                   item->delivery.id, item->delivery.event_id, lane.webhook.id, attempt.attempts,
                   result.error);
    }
    failed.push_back(attempt);
  }
  (void)notify_->record_failures(failed, result.error, result.http_status);
  return false;
}

}  // namespace investflow::notify
