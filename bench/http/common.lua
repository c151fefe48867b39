-- Shared by the wrk scripts: reads the project ids, and reports one machine-readable
-- line from done() so bench/http_bench.sh need not parse wrk's human output.

local common = {}

-- One id a line; blank lines skipped.
function common.read_ids(path)
  local ids = {}
  for line in io.lines(path) do
    if line ~= "" then ids[#ids + 1] = line end
  end
  assert(#ids > 0, "no ids in " .. path)
  return ids
end

function common.auth_headers(token)
  local headers = {}
  if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
  return headers
end

-- setup() runs once per thread in the main Lua state; keeping the threads lets done()
-- add up what each thread counted (wrk gives every thread its own Lua state).
local threads = {}

function common.setup(thread)
  thread:set("thread_index", #threads + 1)
  threads[#threads + 1] = thread
end

function common.done(summary, latency)
  local sent = 0
  for _, thread in ipairs(threads) do sent = sent + (thread:get("sent") or 0) end
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    "wrk_result requests=%d sent=%d non2xx=%d socket_errors=%d duration_us=%d " ..
    "p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, sent, e.status, socket_errors, summary.duration,
    latency:percentile(50.0), latency:percentile(99.0), latency.max))
end

return common
