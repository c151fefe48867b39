#include "storage/audit.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <boost/json.hpp>

#include "storage/codec.hpp"

namespace investflow::storage {

bool is_audit_action(std::string_view action) {
  return std::find(std::begin(kAuditActions), std::end(kAuditActions), action) !=
         std::end(kAuditActions);
}

std::string audit_canonical(const AuditEntry& entry) {
  boost::json::object object;
  object["id"] = entry.id;
  object["at"] = entry.at;
  object["actor"] = entry.actor;
  object["action"] = entry.action;
  object["target"] = entry.target;
  object["address"] = entry.address;
  object["request_id"] = entry.request_id;
  object["detail"] = entry.detail;
  return canonical_json(object);
}

std::int64_t append_audit(SQLite::Database& db, AuditEntry entry) {
  Hash previous = kGenesisHash;
  {
    SQLite::Statement last(db, "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1");
    entry.id = 1;
    if (last.executeStep()) {
      entry.id = last.getColumn(0).getInt64() + 1;
      const SQLite::Column column = last.getColumn(1);
      previous = hash_from_bytes(column.getBlob(), static_cast<std::size_t>(column.getBytes()))
                     .value_or(kGenesisHash);
    }
  }
  const Hash hash = chain_hash(previous, audit_canonical(entry));
  SQLite::Statement insert(db,
                           "INSERT INTO audit_log (id, at, actor, action, target, address, "
                           "request_id, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)");
  insert.bind(1, entry.id);
  insert.bind(2, entry.at);
  insert.bind(3, entry.actor);
  insert.bind(4, entry.action);
  insert.bind(5, entry.target);
  insert.bind(6, entry.address);
  insert.bind(7, entry.request_id);
  insert.bind(8, entry.detail);
  insert.bind(9, previous.data(), static_cast<int>(previous.size()));
  insert.bind(10, hash.data(), static_cast<int>(hash.size()));
  insert.exec();
  return entry.id;
}

std::vector<AuditEntry> list_audit(SQLite::Database& db, const AuditQuery& query) {
  std::string sql =
      "SELECT id, at, actor, action, target, address, request_id, detail FROM audit_log "
      "WHERE 1";
  if (query.from) sql += " AND at >= :from";
  if (query.to) sql += " AND at < :to";
  if (!query.actor.empty()) sql += " AND actor = :actor";
  if (!query.action.empty()) sql += " AND action = :action";
  if (query.before) sql += " AND id < :before";
  sql += " ORDER BY id DESC LIMIT :limit";
  SQLite::Statement select(db, sql);
  if (query.from) select.bind(":from", *query.from);
  if (query.to) select.bind(":to", *query.to);
  if (!query.actor.empty()) select.bind(":actor", query.actor);
  if (!query.action.empty()) select.bind(":action", query.action);
  if (query.before) select.bind(":before", *query.before);
  select.bind(":limit", query.limit);
  std::vector<AuditEntry> entries;
  while (select.executeStep()) {
    entries.push_back(AuditEntry{select.getColumn(0).getInt64(), select.getColumn(1).getInt64(),
                                 select.getColumn(2).getString(), select.getColumn(3).getString(),
                                 select.getColumn(4).getString(), select.getColumn(5).getString(),
                                 select.getColumn(6).getString(), select.getColumn(7).getString()});
  }
  return entries;
}

}  // namespace investflow::storage
