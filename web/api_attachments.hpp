#pragma once
// Files attached to projects (evidence): upload, list, download.
//
//   POST /api/projects/{id}/attachments?filename=NAME[&milestone=ID]   the file is the raw
//        body; the server writes it to a file as it arrives (Route::spool_body), and once
//        complete its type is detected from its content (PDF, JPEG, PNG, OFD, DOCX, XLSX,
//        ZIP; nothing else, and never HTML, SVG or scripts), it is stored under its SHA-256
//        beside the database and an AttachFile command puts it in the project's chain.
//        201 with the attachment; 200 with it when the project holds that file already.
//   GET  /api/projects/{id}/attachments                                the project's files
//   GET  /api/attachments/{id}[?project=P][&inline=true]               the bytes, as a
//        download (Content-Disposition: attachment), or shown by the browser for images
//        and PDFs when inline=true.
// Who may upload: whoever may change the project (the engine decides). Who may download:
// whoever may read a project holding the file.

#include <cstdint>

#include "web/api.hpp"
#include "web/reply.hpp"
#include "web/request.hpp"
#include "web/response.hpp"
#include "web/router.hpp"

namespace investflow::web::api {

// The route's body limit as declared; the server takes ApiContext::attachment_limit.
inline constexpr std::uint64_t kAttachmentBodyLimit = 50 * 1024 * 1024;

void upload_attachment(ApiContext& context, const Request& request, const RouteParams& params,
                       Reply reply);
Response list_attachments(ApiContext& context, const Request& request, const RouteParams& params);
Response download_attachment(ApiContext& context, const Request& request,
                             const RouteParams& params);

}  // namespace investflow::web::api
