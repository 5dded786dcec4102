-- GET /api/v1/m/demo/me/member-code.png or .svg (the path given to wrk) as
-- many different members: tokens from the file named by BENCH_TOKENS, one
-- a line, taken round-robin (each thread starts at a different place),
-- formatted once.
-- Every answer must be a 2xx image of the type the path names: anything
-- else counts as not 2xx, so a fast error never passes for throughput.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local reqs = {}
local i = 0
local want = nil

function init(args)
  bench_init(args)
  reqs, i = member_gets()
  if string.find(wrk.path, "%.png") then
    want = "image/png"
  elseif string.find(wrk.path, "%.svg") then
    want = "image/svg+xml"
  end
end

function request()
  i = i % #reqs + 1
  return reqs[i]
end

function response(status, headers, body)
  local ct = headers["Content-Type"] or headers["content-type"] or ""
  if status < 200 or status > 299 or (want and string.sub(ct, 1, #want) ~= want) then
    non2xx = non2xx + 1
  end
end
