-- wrk script for b24crm benchmarks: replays pre-built requests in a loop.
-- Usage: wrk ... -s bench/wrk-requests.lua <url> -- <requests.tsv>
-- Each line of requests.tsv is "METHOD<TAB>PATH<TAB>BODY" (BODY is one-line JSON, may be empty).
-- Requests are formatted once in init(), so the per-request cost in wrk is a table lookup.

local requests = {}
local counter = 0

function init(args)
  for line in io.lines(args[1]) do
    local method, path, body = line:match("^(%u+)\t([^\t]+)\t(.*)$")
    if method ~= nil then
      local headers = {}
      if body ~= "" then headers["Content-Type"] = "application/json" else body = nil end
      requests[#requests + 1] = wrk.format(method, path, headers, body)
    end
  end
  if #requests == 0 then error("no requests in " .. tostring(args[1])) end
  -- threads start at different places in the list
  counter = math.random(#requests) - 1
end

function request()
  counter = counter % #requests + 1
  return requests[counter]
end
