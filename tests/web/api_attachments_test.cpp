// Attachments: POST /api/projects/{id}/attachments for every accepted type (tiny valid
// samples made here), the size limit, a disguised HTML file, an interrupted upload, dedup,
// the event in the chain, the download's headers, milestone evidence, and `verify` and
// `backup` over the stored files. Every response is checked against the OpenAPI contract.

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "storage/attachment_files.hpp"
#include "storage/operations.hpp"
#include "tests/web/api_test_support.hpp"

namespace investflow::web::testing {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

void put16(std::string& out, unsigned value) {
  out += static_cast<char>(value & 0xFF);
  out += static_cast<char>((value >> 8) & 0xFF);
}
void put32(std::string& out, unsigned value) {
  put16(out, value & 0xFFFF);
  put16(out, value >> 16);
}

// A ZIP archive (stored, no compression) holding these entries.
std::string zip_of(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out, directory;
  for (const auto& [name, content] : entries) {
    const auto offset = static_cast<unsigned>(out.size());
    out += "PK\x03\x04";
    put16(out, 20);
    put16(out, 0);
    put16(out, 0);
    put16(out, 0);
    put16(out, 0);
    put32(out, 0);  // CRC (not checked by detection)
    put32(out, static_cast<unsigned>(content.size()));
    put32(out, static_cast<unsigned>(content.size()));
    put16(out, static_cast<unsigned>(name.size()));
    put16(out, 0);
    out += name;
    out += content;
    directory += "PK\x01\x02";
    put16(directory, 20);
    put16(directory, 20);
    put16(directory, 0);
    put16(directory, 0);
    put16(directory, 0);
    put16(directory, 0);
    put32(directory, 0);
    put32(directory, static_cast<unsigned>(content.size()));
    put32(directory, static_cast<unsigned>(content.size()));
    put16(directory, static_cast<unsigned>(name.size()));
    put16(directory, 0);
    put16(directory, 0);
    put16(directory, 0);
    put16(directory, 0);
    put32(directory, 0);
    put32(directory, offset);
    directory += name;
  }
  const auto directory_offset = static_cast<unsigned>(out.size());
  out += directory;
  out += "PK\x05\x06";
  put16(out, 0);
  put16(out, 0);
  put16(out, static_cast<unsigned>(entries.size()));
  put16(out, static_cast<unsigned>(entries.size()));
  put32(out, static_cast<unsigned>(directory.size()));
  put32(out, directory_offset);
  put16(out, 0);
  return out;
}

const std::string kPdf = "%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<<>>\n%%EOF\n";
// Bytes as written, NULs included.
template <std::size_t N>
std::string bytes_of(const char (&text)[N]) {
  return std::string(text, N - 1);
}
const std::string kJpeg =
    bytes_of("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xFF\xD9");
const std::string kPng = bytes_of(
    "\x89PNG\r\n\x1A\n\x00\x00\x00\x0DIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    "\x90\x77\x53\xDE");

class AttachmentsApi : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    server_.reset();
    files_dir_ = files_dir();
    auto context = std::make_shared<ApiContext>(*store_, *auth_, clock_);
    context->attachments = std::make_shared<storage::AttachmentFiles>(files_dir_);
    context->attachment_limit = 64 * 1024;
    Router router;
    add_api_routes(router, context);
    ServerOptions options = test_options();
    options.upload_dir = context->attachments->upload_dir().string();
    server_ = std::make_unique<RunningServer>(std::move(router), options);
    context_ = context;
  }
  void TearDown() override {
    server_.reset();
    context_.reset();
    ApiTest::TearDown();
  }

  ClientResponse upload(const std::string& project, const std::string& name, std::string body,
                        std::string type = "application/octet-stream",
                        const std::string& user = "zhang") {
    auto response =
        fetch(port(), "POST", "/api/projects/" + project + "/attachments?filename=" + name,
              std::move(body),
              {{"Authorization", "Bearer " + tokens_.at(user)}, {"Content-Type", std::move(type)}});
    EXPECT_TRUE(response);
    return response.value_or(ClientResponse{});
  }

  std::size_t stored_files() const {
    std::size_t count = 0;
    for (const auto& entry : fs::recursive_directory_iterator(files_dir_)) {
      if (entry.is_regular_file()) ++count;
    }
    return count;
  }

  fs::path files_dir_;
  std::shared_ptr<ApiContext> context_;
};

TEST_F(AttachmentsApi, EveryAcceptedTypeIsDetectedFromItsContent) {
  const std::string id = create_lead();
  const std::vector<std::tuple<std::string, std::string, std::string>> samples = {
      {"a.pdf", kPdf, "application/pdf"},
      {"b.jpg", kJpeg, "image/jpeg"},
      {"c.png", kPng, "image/png"},
      {"d.ofd", zip_of({{"OFD.xml", "<ofd:OFD/>"}, {"Doc_0/Document.xml", "<x/>"}}),
       "application/ofd"},
      {"e.docx", zip_of({{"[Content_Types].xml", "<Types/>"}, {"word/document.xml", "<w/>"}}),
       "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {"f.xlsx", zip_of({{"[Content_Types].xml", "<Types/>"}, {"xl/workbook.xml", "<wb/>"}}),
       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {"g.zip", zip_of({{"readme.txt", "hello"}}), "application/zip"}};
  for (const auto& [name, bytes, type] : samples) {
    // The declared type says nothing: the content decides.
    const auto response = upload(id, name, bytes, "application/octet-stream");
    ASSERT_EQ(response.status, 201) << name << ": " << response.body;
    const json::object body = parse(response);
    EXPECT_EQ(body.at("media_type").as_string(), type) << name;
    EXPECT_EQ(body.at("filename").as_string(), name);
    EXPECT_EQ(body.at("size").as_int64(), static_cast<std::int64_t>(bytes.size()));
    EXPECT_EQ(body.at("id").as_string(), body.at("sha256").as_string());
  }
  const auto list = call_as("zhang", "GET", "/api/projects/" + id + "/attachments");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(parse(list).at("attachments").as_array().size(), samples.size());
  EXPECT_EQ(stored_files(), samples.size());
  // Files 0600, the directory 0700.
  EXPECT_EQ(fs::status(files_dir_).permissions() & fs::perms::all, fs::perms::owner_all);
  for (const auto& entry : fs::recursive_directory_iterator(files_dir_)) {
    if (!entry.is_regular_file()) continue;
    EXPECT_EQ(entry.status().permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
  }
}

TEST_F(AttachmentsApi, TheDownloadIsAnAttachmentWithNosniffAndTheSameBytes) {
  const std::string id = create_lead();
  const auto created = upload(id, "%E5%90%88%E5%90%8C.pdf", kPdf);  // 合同.pdf
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string sha(parse(created).at("id").as_string());
  storage::Sha256Stream hash;
  hash.update(kPdf.data(), kPdf.size());
  EXPECT_EQ(sha, hash.hex_digest());
  const auto download = call_as("audit", "GET", "/api/attachments/" + sha);
  ASSERT_EQ(download.status, 200) << download.body;
  EXPECT_EQ(download.body, kPdf);
  EXPECT_EQ(download.header("Content-Type").value_or(""), "application/pdf");
  EXPECT_TRUE(download.header("Content-Disposition").value_or("").starts_with("attachment;"));
  EXPECT_NE(download.header("Content-Disposition").value_or("").find("%E5%90%88%E5%90%8C.pdf"),
            std::string_view::npos);
  EXPECT_EQ(download.header("X-Content-Type-Options").value_or(""), "nosniff");
  const auto shown = call_as("audit", "GET", "/api/attachments/" + sha + "?inline=true");
  EXPECT_TRUE(shown.header("Content-Disposition").value_or("").starts_with("inline;"));
  EXPECT_EQ(call_as("audit", "GET", "/api/attachments/" + std::string(64, 'a')).status, 404);
}

TEST_F(AttachmentsApi, ADisguisedHtmlFileIsRefusedAndLeavesNothing) {
  const std::string id = create_lead();
  const auto response = upload(
      id, "report.pdf", "<!DOCTYPE html><html><script>alert(1)</script></html>", "text/html");
  EXPECT_EQ(response.status, 415) << response.body;
  EXPECT_NE(parse(response).at("detail").as_string().find("HTML"), std::string::npos);
  const auto svg = upload(id, "x.png", "<?xml version=\"1.0\"?><svg onload=\"x()\"/>", "image/png");
  EXPECT_EQ(svg.status, 415) << svg.body;
  // A real PDF declared as a page is refused too.
  EXPECT_EQ(upload(id, "x.pdf", kPdf, "text/html").status, 415);
  EXPECT_EQ(stored_files(), 0u);
  EXPECT_TRUE(fs::is_empty(files_dir_ / "tmp"));
}

TEST_F(AttachmentsApi, AFileOverTheLimitIs413) {
  const std::string id = create_lead();
  const auto response = upload(id, "big.pdf", kPdf + std::string(70 * 1024, 'x'));
  EXPECT_EQ(response.status, 413) << response.body;
  EXPECT_EQ(stored_files(), 0u);
}

TEST_F(AttachmentsApi, TheSameFileIsStoredOnceAndAttachedOncePerProject) {
  const std::string first = create_lead();
  const std::string second = create_lead();
  EXPECT_EQ(upload(first, "a.pdf", kPdf).status, 201);
  const auto again = upload(first, "again.pdf", kPdf);
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(parse(again).at("filename").as_string(), "a.pdf");
  EXPECT_EQ(upload(second, "b.pdf", kPdf).status, 201);
  EXPECT_EQ(stored_files(), 1u);
  // The event is in the chain of each project, and the chain verifies.
  const auto history = call_as("zhang", "GET", "/api/projects/" + first + "/history");
  const json::object body = parse(history);
  EXPECT_TRUE(body.at("chain_ok").as_bool());
  int attached = 0;
  for (const auto& event : body.at("events").as_array()) {
    if (event.at("type").as_string() == "file_attached") {
      ++attached;
      EXPECT_EQ(event.at("body").at("filename").as_string(), "a.pdf");
    }
  }
  EXPECT_EQ(attached, 1);
}

TEST_F(AttachmentsApi, OnlyWhoMayChangeTheProjectAttaches) {
  const std::string id = create_lead();
  EXPECT_EQ(upload(id, "a.pdf", kPdf, "application/pdf", "audit").status, 403);
  EXPECT_EQ(stored_files(), 0u);
  EXPECT_EQ(upload("P-NONE", "a.pdf", kPdf).status, 404);
  EXPECT_EQ(upload(id, "", kPdf).status, 400);
}

TEST_F(AttachmentsApi, AnInterruptedUploadLeavesNoFileNoEvent) {
  const std::string id = create_lead();
  {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port()});
    const std::string head = "POST /api/projects/" + id +
                             "/attachments?filename=cut.pdf HTTP/1.1\r\nHost: x\r\n"
                             "Authorization: Bearer " +
                             tokens_.at("zhang") + "\r\nContent-Length: 60000\r\n\r\n" + kPdf +
                             std::string(20000, 'x');
    boost::asio::write(socket, boost::asio::buffer(head));
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    EXPECT_FALSE(fs::is_empty(files_dir_ / "tmp"));  // arriving on disk, not in memory
  }                                                  // the client goes away mid-body
  for (int i = 0; i < 50 && !fs::is_empty(files_dir_ / "tmp"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_TRUE(fs::is_empty(files_dir_ / "tmp"));
  EXPECT_EQ(stored_files(), 0u);
  const auto project = call_as("zhang", "GET", "/api/projects/" + id);
  EXPECT_FALSE(parse(project).contains("attachments"));
  EXPECT_EQ(parse(call_as("zhang", "GET", "/api/projects/" + id + "/history"))
                .at("events")
                .as_array()
                .size(),
            1u);
}

TEST_F(AttachmentsApi, TheProjectHoldsItsAttachmentsForTheEngineToCheckEvidence) {
  const std::string id = create_lead();
  const auto created = upload(id, "a.pdf", kPdf);
  ASSERT_EQ(created.status, 201);
  // Folded into the project: a milestone's evidence naming an attachment is checked there.
  auto project = store_->project(id);
  ASSERT_TRUE(project && *project);
  EXPECT_NE((*project)->attachment(std::string(parse(created).at("id").as_string())), nullptr);
  EXPECT_EQ((*project)->attachment(std::string(64, 'b')), nullptr);
}

TEST_F(AttachmentsApi, VerifyCatchesAnAlteredFileAndBackupCopiesThem) {
  if (on_postgres()) GTEST_SKIP() << "verify and backup of a SQLite file with its files";
  const std::string id = create_lead();
  const auto created = upload(id, "a.pdf", kPdf);
  ASSERT_EQ(created.status, 201);
  const std::string sha(parse(created).at("id").as_string());
  const fs::path db = dir_ / "api.db";
  auto clean = storage::verify_database(db);
  ASSERT_TRUE(clean) << clean.error().message;
  EXPECT_TRUE(clean->ok());
  EXPECT_EQ(clean->files, 1);

  const fs::path copy = dir_ / "backup.db";
  ASSERT_TRUE(storage::backup_database(db, copy));
  EXPECT_TRUE(fs::exists(storage::files_dir_of(copy) / sha.substr(0, 2) / sha));
  auto copied = storage::verify_database(copy);
  ASSERT_TRUE(copied);
  EXPECT_TRUE(copied->ok());

  const fs::path stored = files_dir_ / sha.substr(0, 2) / sha;
  fs::permissions(stored, fs::perms::owner_all, fs::perm_options::replace);
  std::ofstream(stored, std::ios::app) << "tampered";
  auto altered = storage::verify_database(db);
  ASSERT_TRUE(altered);
  ASSERT_EQ(altered->problems.size(), 1u);
  EXPECT_EQ(altered->problems[0].kind, storage::VerifyProblem::Kind::altered_file);
  EXPECT_EQ(altered->problems[0].project_id, id);
  EXPECT_EQ(altered->problems[0].seq, 2);
  fs::remove(stored);
  auto missing = storage::verify_database(db);
  ASSERT_TRUE(missing);
  ASSERT_EQ(missing->problems.size(), 1u);
  EXPECT_EQ(missing->problems[0].kind, storage::VerifyProblem::Kind::missing_file);
}

}  // namespace
}  // namespace investflow::web::testing
