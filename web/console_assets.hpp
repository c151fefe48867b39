#pragma once
// The web console embedded in the binary at build time (web/console/console.cmake): every
// file of web/console/public and the vendored chart library, each with the ETag computed
// when the binary was built. `investflow serve` serves these unless --static-dir is given.

#include "web/static_files.hpp"

namespace investflow::web {

StaticFiles embedded_console();

}  // namespace investflow::web
