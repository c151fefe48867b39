#include "web/api_attachments.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <system_error>

#include "engine/date.hpp"
#include "engine/typed_text.hpp"
#include "storage/attachment_files.hpp"
#include "storage/auth.hpp"
#include "storage/wire_json.hpp"
#include "web/api_support.hpp"

namespace investflow::web::api {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

json::object attachment_json(const engine::Attachment& attachment, const std::string& project) {
  json::object item{{"id", attachment.id},
                    {"sha256", attachment.id},
                    {"size", attachment.size},
                    {"media_type", attachment.media_type},
                    {"filename", attachment.filename},
                    {"project", project},
                    {"created_at", storage::wire_timestamp(attachment.at)},
                    {"created_by", attachment.by},
                    {"url", "/api/attachments/" + attachment.id + "?project=" + project}};
  if (!attachment.milestone.empty()) item["milestone"] = attachment.milestone;
  return item;
}

// Declared types that would make a browser run the content: refused whatever the bytes.
bool active_declared_type(std::string_view content_type) {
  std::string type(engine::trim(content_type.substr(0, content_type.find(';'))));
  for (char& c : type)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type == "text/html" || type == "application/xhtml+xml" || type == "image/svg+xml" ||
         type.find("javascript") != std::string::npos ||
         type.find("ecmascript") != std::string::npos || type == "text/xml" ||
         type == "application/xml" || type == "application/x-sh" || type == "text/x-shellscript";
}

// An upload on its way: what the I/O thread learned, for the attachment worker.
struct Upload {
  Caller caller;
  std::string project_id;
  std::string filename;
  std::string milestone;
  std::string declared_type;
  std::string lang;
  std::string request_id;
  std::shared_ptr<SpooledBody> body;  // the file; made from `in_memory` when not spooled
  std::string in_memory;
  Reply reply;

  Response problem(const Problem& problem) const { return to_response(problem, lang); }
};

// The server held the body in memory (no upload_dir): write it to a file like a spooled one.
std::shared_ptr<SpooledBody> spool_from_memory(const storage::AttachmentFiles& files,
                                               const std::string& bytes) {
  const fs::path path =
      files.upload_dir() / ("upload-" + storage::random_secret().substr(0, 32) + ".part");
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "creating " + path.string());
  auto body = std::make_shared<SpooledBody>(path, bytes.size(), [&] {
    storage::Sha256Stream hash;
    hash.update(bytes.data(), bytes.size());
    return hash.hex_digest();
  }());
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t written = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      // A regular file takes no bytes only when there is no room.
      const int error = written < 0 ? errno : ENOSPC;
      ::close(fd);
      throw std::system_error(error, std::generic_category(), "writing " + path.string());
    }
    done += static_cast<std::size_t>(written);
  }
  ::close(fd);
  return body;
}

Problem refused_type(const storage::DetectedType& detected) {
  const std::string accepted(storage::accepted_types_text());
  if (detected.active) {
    return unsupported_media_type(
        {"不接受网页、SVG 或脚本文件（此文件的内容是 " + detected.label + "）；只接受 " + accepted +
             " 文件",
         "web pages, SVG and scripts are not accepted (this file's content is " + detected.label +
             "); only PDF, JPEG, PNG, OFD, DOCX, XLSX and ZIP"});
  }
  return unsupported_media_type(
      {"无法识别的文件类型：只接受 " + accepted + " 文件（按文件内容判断，而非扩展名）",
       "unrecognised file type: only PDF, JPEG, PNG, OFD, DOCX, "
       "XLSX and ZIP are accepted (judged by content, not name)"});
}

// On the attachment worker: detect, check, store, then submit the command.
void store_upload(ApiContext& context, const std::shared_ptr<Upload>& upload) {
  storage::AttachmentFiles& files = *context.attachments;
  if (!upload->body) {
    upload->body = spool_from_memory(files, upload->in_memory);
    upload->in_memory.clear();
  }
  const storage::DetectedType detected = storage::detect_media_type(upload->body->path());
  if (detected.media_type.empty()) return upload->reply(upload->problem(refused_type(detected)));
  if (active_declared_type(upload->declared_type)) {
    return upload->reply(upload->problem(unsupported_media_type(
        {"声明的类型 " + upload->declared_type + " 是网页或脚本，不予接受",
         "the declared type " + upload->declared_type + " is a page or script: refused"})));
  }
  const std::string sha = upload->body->sha256();
  auto project = context.store.project(upload->project_id);
  if (!project)
    return upload->reply(storage_failure(project.error(), upload->lang, upload->request_id));
  if (!*project) {
    return upload->reply(upload->problem(no_such_project(upload->project_id)));
  }
  if (const engine::Attachment* existing = (*project)->attachment(sha)) {
    return upload->reply(json_body(200, attachment_json(*existing, upload->project_id)));
  }
  auto placed = files.place(upload->body->path(), sha);
  upload->body->kept();  // moved into place, or removed as a duplicate
  if (!placed) {
    files.settle(sha, false, nullptr);
    return upload->reply(storage_failure(placed.error(), upload->lang, upload->request_id));
  }
  storage::WriteRequest write;
  write.command.project_id = upload->project_id;
  write.command.body =
      engine::AttachFile{sha, upload->filename, static_cast<std::int64_t>(upload->body->size()),
                         detected.media_type, upload->milestone};
  write.actor = upload->caller.actor;
  context.store.submit(
      std::move(write), [&context, upload, sha](const storage::WriteResult& result) {
        // A refused or failed command leaves no file behind (unless another project holds it).
        context.attachments->settle(sha, result.accepted(), [&context, &sha] {
          auto holders = context.store.projects_with_attachment(sha);
          return !holders || !holders->empty();
        });
        if (!result.accepted()) {
          return upload->reply(write_result(result, 201, upload->lang, upload->request_id));
        }
        context.feed->wake();
        const engine::Event& event = result.events.front();
        const auto& attached = std::get<engine::FileAttached>(event.body);
        const engine::Attachment attachment{
            attached.attachment_id, attached.filename, attached.size, attached.media_type,
            attached.milestone,     event.actor,       event.at};
        Response response = json_body(201, attachment_json(attachment, upload->project_id));
        response.headers.set("Location", "/api/attachments/" + sha);
        response.headers.set("ETag", "\"" + std::to_string(result.version) + "\"");
        upload->reply(std::move(response));
      });
}

}  // namespace

void upload_attachment(ApiContext& context, const Request& request, const RouteParams& params,
                       Reply reply) {
  const std::string lang(language(request));
  auto caller = authenticate(context, request);
  if (!caller) return reply(problem(request, caller.error()));
  if (auto unseen = refuse_unseen(context, *caller, params.at("id"), request))
    return reply(std::move(*unseen));
  if (!context.attachments) {
    return reply(problem(request, service_unavailable({"此服务器未配置附件存储",
                                                       "this server stores no attachments"})));
  }
  const std::string filename =
      storage::clean_filename(request.query_param("filename").value_or(""));
  if (filename.empty()) {
    return reply(problem(request, bad_request({"请用 filename 参数给出文件名",
                                               "give the file's name in the filename parameter"},
                                              {FieldError{"filename", {"缺少文件名", "missing"}}},
                                              "missing_filename")));
  }
  const std::uint64_t size = request.spooled ? request.spooled->size() : request.body.size();
  if (size == 0) {
    return reply(
        problem(request, bad_request({"上传的文件是空的", "the file is empty"}, {}, "empty_file")));
  }
  if (size > context.attachment_limit) {
    return reply(problem(
        request,
        payload_too_large(
            {"文件超过 " + std::to_string(context.attachment_limit / (1024 * 1024)) + " MiB 的上限",
             "the file is larger than the limit of " + std::to_string(context.attachment_limit) +
                 " bytes"})));
  }
  auto upload = std::make_shared<Upload>(
      Upload{std::move(*caller), params.at("id"), filename,
             std::string(request.query_param("milestone").value_or("")),
             std::string(request.header("Content-Type").value_or("")), lang, request.request_id,
             request.spooled, request.spooled ? std::string() : request.body, std::move(reply)});
  context.attachments->post([&context, upload] {
    try {
      store_upload(context, upload);
    } catch (const std::exception& error) {
      // ENOSPC writing the file: 507, like a database write that found no room.
      upload->reply(upload->problem(reported_storage_problem(
          *spdlog::default_logger(), storage::fault_of(error),
          "attachment: " + storage::describe_failure(error), upload->request_id)));
    }
  });
}

Response list_attachments(ApiContext& context, const Request& request, const RouteParams& params) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  const std::string& id = params.at("id");
  if (auto unseen = refuse_unseen(context, *caller, id, request)) return std::move(*unseen);
  auto project = context.store.project(id);
  if (!project) return storage_failure(project.error(), request);
  if (!*project) return problem(request, no_such_project(id));
  json::array items;
  for (const engine::Attachment& attachment : (*project)->attachments)
    items.push_back(attachment_json(attachment, id));
  return json_body(200, json::object{{"project", id}, {"attachments", std::move(items)}});
}

Response download_attachment(ApiContext& context, const Request& request,
                             const RouteParams& params) {
  auto caller = authenticate(context, request);
  if (!caller) return problem(request, caller.error());
  const std::string& id = params.at("id");
  const auto missing = [&] {
    return problem(request, not_found({"没有附件“" + id + "”", "no attachment '" + id + "'"},
                                      "no_such_attachment"));
  };
  if (!context.attachments) {
    return problem(request, service_unavailable(
                                {"此服务器未配置附件存储", "this server stores no attachments"}));
  }
  if (!engine::is_attachment_id(id)) return missing();
  auto all_holders = context.store.projects_with_attachment(id);
  if (!all_holders) return storage_failure(all_holders.error(), request);
  // Only the holders the caller sees (data scope): a file held by none of them is missing.
  auto holders = context.store.seen_of(std::move(*all_holders), caller->scope.get());
  if (!holders) return storage_failure(holders.error(), request);
  if (holders->empty()) return missing();
  // The name and type come from the project asked for, else the first holding the file.
  std::string project_id = holders->front();
  if (const auto asked = request.query_param("project");
      asked && std::find(holders->begin(), holders->end(), *asked) != holders->end()) {
    project_id = std::string(*asked);
  }
  auto project = context.store.project(project_id);
  if (!project) return storage_failure(project.error(), request);
  const engine::Attachment* attachment = *project ? (*project)->attachment(id) : nullptr;
  if (attachment == nullptr || !context.attachments->contains(id)) return missing();

  const auto inline_param = request.query_param("inline");
  if (inline_param && *inline_param != "true" && *inline_param != "false") {
    return problem(
        request,
        bad_request({"inline 只能是 true 或 false", "inline takes true or false"},
                    {FieldError{"inline", {"应为 true 或 false", "expected true or false"}}}));
  }
  const bool show = inline_param == "true" && storage::shows_inline(attachment->media_type);
  Response response;
  response.status = 200;
  response.file = context.attachments->path_of(id).string();
  response.headers.set("Content-Type", attachment->media_type);
  std::string disposition = attachment_disposition(attachment->filename, attachment->filename);
  if (show) disposition.replace(0, std::string_view("attachment").size(), "inline");
  response.headers.set("Content-Disposition", disposition);
  response.headers.set("X-Content-Type-Options", "nosniff");
  response.headers.set("Cache-Control", "private, max-age=86400");
  response.headers.set("ETag", "\"" + id + "\"");
  // A download runs nothing; an image or PDF shown in a tab may only show itself.
  response.headers.set("Content-Security-Policy",
                       show ? "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
                              "object-src 'self'; frame-ancestors 'self'"
                            : "sandbox; default-src 'none'; frame-ancestors 'none'");
  return response;
}

}  // namespace investflow::web::api
