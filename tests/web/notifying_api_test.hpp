#pragma once
// An ApiTest served again with notifications on (the inbox, 我的待办's mentions, the
// notification routes), and a dispatch() that delivers the outbox into the inboxes.

#include <functional>
#include <memory>

#include "notify/dispatcher.hpp"
#include "notify/notify_store.hpp"
#include "tests/web/api_test_support.hpp"

namespace investflow::web::testing {

class NotifyingApiTest : public ApiTest {
 protected:
  void TearDown() override {
    notify_.reset();
    ApiTest::TearDown();
  }

  // Serves again, the context with notifications; `extend` adds to it before serving. Call
  // it at the end of SetUp, once the test's own set-up (workflows, users) is done.
  void serve_with_notifications(const std::function<void(ApiContext&)>& extend = {}) {
    server_.reset();
    auto notify = notify::NotifyStore::open(database_);
    ASSERT_TRUE(notify);
    notify_ = *notify;
    context_ = std::make_shared<ApiContext>(*store_, *auth_, clock_);
    context_->notify = notify_;
    if (extend) extend(*context_);
    Router router;
    add_api_routes(router, context_);
    server_ = std::make_unique<RunningServer>(std::move(router));
  }

  // Delivers what the outbox holds into the inboxes.
  void dispatch() {
    notify::Dispatcher dispatcher(*store_, notify_, clock_, {}, {});
    while (dispatcher.run_once() > 0) {
    }
  }

  std::shared_ptr<notify::NotifyStore> notify_;
};

}  // namespace investflow::web::testing
