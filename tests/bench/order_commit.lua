-- POST /api/v1/m/demo/me/orders (the path given to wrk): members' own
-- orders, each with its own Idempotency-Key, three lines, a coupon,
-- points and the balance; the body tests/bench/order_raw.c commits.
-- The members are the BENCH_COUNT bench members from index BENCH_FIRST
-- (tokens: line index + 1 of the file named by BENCH_TOKENS), split
-- between the BENCH_THREADS threads (pass wrk's -t) so that each member
-- is one thread's: a thread takes its members round-robin, and a
-- member's n-th order names its coupon BO<index:5><BENCH_K0 + n:3> (the
-- bench gives each member BENCH_K of them). Lines: products of
-- BENCH_PRODUCTS from product index + n, at store BENCH_STORE_ID (1),
-- BENCH_POINTS (500) points. Only a 201 that used the coupon counts as
-- success (through common.lua's non2xx count). Prints common.lua's
-- BENCH line and
--   ORDERS created=N response_bytes=N   (the length of one answer)
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local mine = {}
local products = {}
local p = 0
local round = 0
local store, points
local stamp = tostring(os.time())
local sent = 0

function init(args)
  bench_init(args)
  created = 0
  response_bytes = 0
  for q in string.gmatch(assert(os.getenv("BENCH_PRODUCTS"), "BENCH_PRODUCTS"), "%d+") do
    products[#products + 1] = q
  end
  local first = tonumber((assert(os.getenv("BENCH_FIRST"), "missing")))
  local count = tonumber((assert(os.getenv("BENCH_COUNT"), "missing")))
  local n = tonumber(os.getenv("BENCH_THREADS") or "2")
  assert((id or 0) < n, "more wrk threads than BENCH_THREADS")
  k0 = tonumber(os.getenv("BENCH_K0") or "0")
  store = os.getenv("BENCH_STORE_ID") or "1"
  points = os.getenv("BENCH_POINTS") or "500"
  local idx = 0
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    if idx >= first + count then
      break
    end
    if idx >= first and (idx - first) % n == (id or 0) then
      mine[#mine + 1] = { idx = idx, token = line }
    end
    idx = idx + 1
  end
  assert(#mine > 0, "no members for this thread in " .. os.getenv("BENCH_TOKENS"))
end

function request()
  p = p + 1
  if p > #mine then
    p = 1
    round = round + 1
  end
  local m = mine[p]
  local np = #products
  local j = m.idx + round
  sent = sent + 1
  -- past the coupons given, the order names one that is not there and
  -- fails: the run needs more (ORDER_COUPONS)
  return wrk.format("POST", nil, {
    ["Authorization"] = "Bearer " .. m.token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("o%s-%d-%d", stamp, id or 0, sent),
  }, string.format(
    '{"store_id":%s,"lines":[{"product_id":%s,"qty":2},' ..
    '{"product_id":%s,"qty":1},{"product_id":%s,"qty":1}],' ..
    '"coupon_codes":["BO%05d%03d"],"points":%s,"use_balance":true}',
    store, products[j % np + 1], products[(j + 1) % np + 1],
    products[(j + 3) % np + 1], m.idx, k0 + round, points))
end

function response(status, headers, body)
  if status == 201 and body:find('"kind":"coupon"', 1, true) then
    created = created + 1
    response_bytes = #body
  else
    non2xx = non2xx + 1
  end
end

local common_done = done

function done(summary, latency, requests)
  common_done(summary, latency, requests)
  local c, b = 0, 0
  for _, t in ipairs(order_threads) do
    c = c + (t:get("created") or 0)
    b = math.max(b, t:get("response_bytes") or 0)
  end
  io.write(string.format("ORDERS created=%d response_bytes=%d\n", c, b))
end

local common_setup = setup
order_threads = {}

function setup(thread)
  common_setup(thread)
  table.insert(order_threads, thread)
end
