#include "web/response.hpp"

namespace investflow::web {

Response text_response(int status, std::string body, std::string_view content_type) {
  Response response{status, {}, std::move(body), {}, {}, {}};
  response.headers.set("Content-Type", std::string(content_type));
  return response;
}

Response json_response(int status, std::string body) {
  return text_response(status, std::move(body), kJsonType);
}

Response empty_response(int status) {
  return Response{status, {}, {}, {}, {}, {}};
}

}  // namespace investflow::web
