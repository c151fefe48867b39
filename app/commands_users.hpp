#pragma once
// The people who log in: `user add|passwd|list|disable|enable|token` and the API tokens,
// `token list|revoke`. Passwords follow storage/password_policy.hpp; one given on the
// command line shows in `ps`, so scripts pass it on standard input (--password-stdin).

#include <memory>
#include <span>
#include <string>

#include "app/args.hpp"
#include "storage/auth.hpp"

namespace investflow::app {

// The users of `db`; nullptr after writing why to io.err.
std::unique_ptr<storage::AuthStore> open_auth(const std::string& db, Io& io,
                                              storage::AuthOptions options = {});

int run_user(std::span<const std::string> args, Io& io);
int run_token(std::span<const std::string> args, Io& io);

}  // namespace investflow::app
