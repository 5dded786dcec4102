-- POST /api/v1/m/demo/me/payments (the path given to wrk): balance
-- payments of BENCH_ORDER_FEN (default 100) at store BENCH_STORE_ID
-- (default 1), each with its own Idempotency-Key, as the members whose
-- tokens are in the file named by BENCH_TOKENS (one a line).
--   distinct members: tokens taken round-robin (each thread starts at a
--                     different place)
--   one member:       BENCH_ONE=1, every request pays from the first
--                     token's balance (payments serialise on its row)
-- The members need a balance first: `app bench-wallet demo <fen>` after
-- `app bench-members`. Only 201 counts as success (an empty balance's
-- 409 is a failure), through common.lua's 2xx check.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local tokens = {}
local i = 0
local n = 0
local one = os.getenv("BENCH_ONE") == "1"
local body = string.format('{"order_fen":%d,"store_id":%d}',
  tonumber(os.getenv("BENCH_ORDER_FEN") or "100"),
  tonumber(os.getenv("BENCH_STORE_ID") or "1"))
local stamp = tostring(os.time())

function init(args)
  bench_init(args)
  tokens, i = load_tokens()
end

function request()
  n = n + 1
  if not one then
    i = i % #tokens + 1
  else
    i = 1
  end
  return wrk.format("POST", nil, {
    ["Authorization"] = "Bearer " .. tokens[i],
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("b%s-%d-%d", stamp, id or 0, n),
  }, body)
end
