-- PATCH /api/projects/{id} with a new contact every time, without If-Match: every
-- request is accepted and appends one fields_edited event (durably, before the 200).
-- Usage: wrk ... -s edit_project.lua URL -- IDS_FILE TOKEN
-- The ids must be projects whose state allows edits (not rejected/withdrawn/exited).
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local common = require("common")

local ids = {}
local headers = {}
local my_thread = 1
local next_id = 0
sent = 0  -- a global: done() reads it through thread:get

setup = common.setup
done = common.done

function init(args)
  ids = common.read_ids(args[1])
  headers = common.auth_headers(args[2])
  headers["Content-Type"] = "application/json"
  my_thread = wrk.thread:get("thread_index") or 1
  next_id = (my_thread - 1) * 7919 % #ids
end

function request()
  next_id = next_id % #ids + 1
  sent = sent + 1
  -- The value is unique per thread and request, so it always differs from the stored one.
  local body = string.format('{"fields":{"contact":"bench %d-%d 13800000000"}}',
                             my_thread, sent)
  return wrk.format("PATCH", "/api/projects/" .. ids[next_id], headers, body)
end
