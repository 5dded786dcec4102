-- GET /api/v1/m/demo/me/card as many different members: tokens from the
-- file named by BENCH_TOKENS, one a line, taken round-robin (each thread
-- starts at a different place), formatted once.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local reqs = {}
local i = 0

function init(args)
  bench_init(args)
  reqs, i = member_gets()
end

function request()
  i = i % #reqs + 1
  return reqs[i]
end
