-- wrk script for b24crm benchmarks: replays pre-built requests in a loop.
-- Usage: wrk ... -s bench/wrk-requests.lua <url> -- <requests.tsv>
-- Each line of requests.tsv is "METHOD<TAB>PATH<TAB>BODY" (BODY is one-line JSON, may be empty).
-- Requests without an "(edit N)" marker are formatted once in init(), so their per-request cost in wrk is
-- a table lookup. Update bodies carry "(edit N)" in a title (plain, or "(edit%20N)" inside URL-encoded
-- batch commands): every send gets a number of its own there, because a replayed update would change
-- nothing and the server saves nothing for a no-op update — the benchmark must measure real writes.

local requests = {}
local counter = 0
local edits = 0

function init(args)
  for line in io.lines(args[1]) do
    local method, path, body = line:match("^(%u+)\t([^\t]+)\t(.*)$")
    if method ~= nil then
      local headers = {}
      if body ~= "" then headers["Content-Type"] = "application/json" else body = nil end
      if body ~= nil and body:find("%(edit[ %%2]*%d+%)") then
        requests[#requests + 1] = { method = method, path = path, headers = headers, body = body }
      else
        requests[#requests + 1] = wrk.format(method, path, headers, body)
      end
    end
  end
  if #requests == 0 then error("no requests in " .. tostring(args[1])) end
  -- threads start at different places in the list, and number their edits in their own range
  counter = math.random(#requests) - 1
  edits = math.random(1000000) * 1000000
end

local function numbered(separator)
  edits = edits + 1
  return "(edit" .. separator .. edits .. ")"
end

function request()
  counter = counter % #requests + 1
  local r = requests[counter]
  if type(r) == "string" then return r end
  local body = r.body:gsub("%(edit( )%d+%)", numbered):gsub("%(edit(%%20)%d+%)", numbered)
  return wrk.format(r.method, r.path, r.headers, body)
end
