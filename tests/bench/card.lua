-- GET /api/v1/m/demo/me/card as many different members: tokens from the
-- file named by BENCH_TOKENS, one a line, taken round-robin (each thread
-- starts at a different place).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local tokens = {}
local i = 0

function init(args)
  bench_init(args)
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    if line ~= "" then
      tokens[#tokens + 1] = line
    end
  end
  assert(#tokens > 0, "no tokens in " .. os.getenv("BENCH_TOKENS"))
  i = ((id or 0) * 7919) % #tokens
end

function request()
  i = i % #tokens + 1
  return wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. tokens[i] })
end
