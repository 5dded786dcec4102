-- GET /api/v1/m/demo/me/card as many different members: tokens from the
-- file named by BENCH_TOKENS, one a line, taken round-robin (each thread
-- starts at a different place).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local tokens = {}
local i = 0

function init(args)
  bench_init(args)
  tokens, i = load_tokens()
end

function request()
  i = i % #tokens + 1
  return wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. tokens[i] })
end
