// Prints GET /api/openapi.json's document (for `redocly lint` and openapi-typescript).
#include <iostream>

#include "web/openapi.hpp"

int main() {
  std::cout << investflow::web::openapi_json() << '\n';
  return 0;
}
