-- GET /api/projects/{id} over many seeded ids.
-- Usage: wrk ... -s get_project.lua URL -- IDS_FILE TOKEN [PATH_PREFIX]
-- With PATH_PREFIX "/" and an ids file holding one file name, the same script drives
-- nginx for the static ceiling, so both runs pay the same client-side cost.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local common = require("common")

local requests = {}
local next_request = 0
sent = 0  -- a global: done() reads it through thread:get

setup = common.setup
done = common.done

function init(args)
  local ids = common.read_ids(args[1])
  local headers = common.auth_headers(args[2])
  local prefix = args[3] or "/api/projects/"
  -- Requests are formatted once: the client should measure the server, not Lua.
  for i, id in ipairs(ids) do
    requests[i] = wrk.format("GET", prefix .. id, headers)
  end
  -- Threads start at different ids so they do not walk the same rows in step.
  next_request = ((wrk.thread:get("thread_index") or 1) - 1) * 7919 % #requests
end

function request()
  next_request = next_request % #requests + 1
  sent = sent + 1
  return requests[next_request]
end
