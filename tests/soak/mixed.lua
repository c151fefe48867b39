-- Mixed read/write load for the soak test (tests/soak/soak.py): per 20 requests, 12 GETs of
-- a project, 2 list pages, 2 histories, 3 field edits, 1 transition attempt (often refused
-- by the workflow's rules: a 4xx is part of the mix, not an error).
-- Usage: wrk ... -s tests/soak/mixed.lua URL -- IDS_FILE TOKEN
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "../../bench/http/?.lua;" ..
               package.path
local common = require("common")

local ids = {}
local headers = {}
local write_headers = {}
local n = 0
local my_thread = 1
sent = 0

setup = common.setup
done = common.done

function init(args)
  ids = common.read_ids(args[1])
  headers = common.auth_headers(args[2])
  write_headers = common.auth_headers(args[2])
  write_headers["Content-Type"] = "application/json"
  my_thread = wrk.thread:get("thread_index") or 1
  n = (my_thread - 1) * 7919
end

local transitions = {"accept_lead", "pass_screening", "submit_for_review"}

function request()
  n = n + 1
  sent = sent + 1
  local id = ids[n % #ids + 1]
  local slot = n % 20
  if slot < 12 then
    return wrk.format("GET", "/api/projects/" .. id, headers)
  elseif slot < 14 then
    return wrk.format("GET", "/api/projects?limit=50&sort=-updated", headers)
  elseif slot < 16 then
    return wrk.format("GET", "/api/projects/" .. id .. "/history", headers)
  elseif slot < 19 then
    local body = string.format('{"fields":{"contact":"soak %d-%d"}}', my_thread, n)
    return wrk.format("PATCH", "/api/projects/" .. id, write_headers, body)
  end
  local body = string.format('{"transition":"%s","comment":"soak %d"}',
                             transitions[n % #transitions + 1], n)
  return wrk.format("POST", "/api/projects/" .. id .. "/transitions", write_headers, body)
end
