-- POST /api/v1/m/demo/staff/orders/quote (the path given to wrk) as the
-- owner (BENCH_STAFF_TOKEN), for the members by phone: 199<8 digits> for
-- the first BENCH_QUOTE_MEMBERS bench members, taken round-robin (each
-- thread starts at a different place). Each quote is three lines of the
-- products in BENCH_PRODUCTS ("id,id,..."; member i's lines start at
-- product i), at store BENCH_STORE_ID (1), with BENCH_POINTS (500)
-- points and the balance, the coupons left for the engine to propose.
-- Only a 200 whose quote took a coupon counts as success (through
-- common.lua's non2xx count): a quote that proposes nothing is cheaper
-- and would pass for throughput.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local reqs = {}
local i = 0

function init(args)
  bench_init(args)
  local products = {}
  for p in string.gmatch(assert(os.getenv("BENCH_PRODUCTS"), "BENCH_PRODUCTS"), "%d+") do
    products[#products + 1] = p
  end
  local np = #products
  local n = tonumber((assert(os.getenv("BENCH_QUOTE_MEMBERS"), "missing")))
  local headers = {
    ["Authorization"] = "Bearer " .. assert(os.getenv("BENCH_STAFF_TOKEN"), "BENCH_STAFF_TOKEN"),
    ["Content-Type"] = "application/json",
  }
  local store = os.getenv("BENCH_STORE_ID") or "1"
  local points = os.getenv("BENCH_POINTS") or "500"
  for j = 0, n - 1 do
    reqs[j + 1] = wrk.format("POST", nil, headers, string.format(
      '{"store_id":%s,"member_phone":"199%08d","lines":[' ..
      '{"product_id":%s,"qty":2},{"product_id":%s,"qty":1},' ..
      '{"product_id":%s,"qty":1}],"points":%s,"use_balance":true}',
      store, j, products[j % np + 1], products[(j + 1) % np + 1],
      products[(j + 3) % np + 1], points))
  end
  i = ((id or 0) * 7919) % #reqs
end

function request()
  i = i % #reqs + 1
  return reqs[i]
end

function response(status, headers, body)
  if status ~= 200 or not body:find('"kind":"coupon"', 1, true) then
    non2xx = non2xx + 1
  end
end
