-- GET /api/v1/m/demo/me/card as many different members: tokens from the
-- file named by BENCH_TOKENS, one a line, taken round-robin (each thread
-- starts at a different place). The requests are formatted once, in
-- init, so that wrk spends its time sending them.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local reqs = {}
local i = 0

function init(args)
  bench_init(args)
  local tokens
  tokens, i = load_tokens()
  for k, t in ipairs(tokens) do
    reqs[k] = wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. t })
  end
end

function request()
  i = i % #reqs + 1
  return reqs[i]
end
