-- A flash-sale claim run: POST /api/v1/m/demo/coupons {template_id} as
-- distinct members, each once. Tokens come from the file named by
-- BENCH_TOKENS (one a line), split between the BENCH_THREADS threads
-- (default 2: pass wrk's -t); the template from BENCH_TEMPLATE. A thread
-- stops once every one of its members has an answer; its connections
-- fill any gap before that with GET /livez.
-- 201 counts as claimed and 409 out_of_stock as sold out; anything else
-- is counted in non2xx. wrk runs for the whole -d whatever the threads
-- do, so the sale is timed here: from the first claim sent to the last
-- coupon issued. Prints common.lua's BENCH line and
--   CLAIM created=N sold_out=N sale_us=N claims_per_s=N
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local ffi = require("ffi")
ffi.cdef[[
  struct bench_timespec { long tv_sec; long tv_nsec; };
  int clock_gettime(int clk, struct bench_timespec *tp);
]]
local ts = ffi.new("struct bench_timespec")

local function now_us()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000000 + math.floor(tonumber(ts.tv_nsec) / 1000)
end

local mine = {}
local sent = 0
local body
-- wrk calls request() once on its first thread to look at the script
-- before any connection runs; that request is never sent.
local looked_at = false

function init(args)
  bench_init(args)
  created = 0
  sold_out = 0
  first_us = 0
  last_us = 0
  local n = tonumber(os.getenv("BENCH_THREADS") or "2")
  assert((id or 0) < n, "more wrk threads than BENCH_THREADS")
  local k = 0
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    if line ~= "" then
      if k % n == (id or 0) then
        mine[#mine + 1] = line
      end
      k = k + 1
    end
  end
  assert(#mine > 0, "no tokens for this thread in " .. os.getenv("BENCH_TOKENS"))
  body = '{"template_id":' .. assert(os.getenv("BENCH_TEMPLATE"), "BENCH_TEMPLATE") .. '}'
end

local function claim(token)
  return wrk.format("POST", nil, {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, body)
end

function request()
  if (id or 0) == 0 and not looked_at then
    looked_at = true
    return claim(mine[1])
  end
  sent = sent + 1
  if sent == 1 then
    first_us = now_us()
  end
  if sent > #mine then
    return wrk.format("GET", "/livez")
  end
  return claim(mine[sent])
end

function response(status, headers, resp)
  if status == 201 then
    created = created + 1
    last_us = now_us()
  elseif status == 409 and resp:find('"out_of_stock"', 1, true) then
    sold_out = sold_out + 1
  elseif status == 200 and resp:find('"status":"ok"', 1, true) then
    return
  else
    non2xx = non2xx + 1
  end
  if created + sold_out + non2xx >= #mine then
    wrk.thread:stop()
  end
end

local common_done = done

function done(summary, latency, requests)
  common_done(summary, latency, requests)
  local c, s, first, last = 0, 0, nil, 0
  for _, t in pairs(threads_by_id) do
    c = c + (t:get("created") or 0)
    s = s + (t:get("sold_out") or 0)
    local f = t:get("first_us") or 0
    if f > 0 and (first == nil or f < first) then
      first = f
    end
    last = math.max(last, t:get("last_us") or 0)
  end
  local us = (first and last > first) and (last - first) or 0
  io.write(string.format("CLAIM created=%d sold_out=%d sale_us=%d claims_per_s=%.0f\n",
    c, s, us, us > 0 and c * 1e6 / us or 0))
end

local common_setup = setup
threads_by_id = {}

function setup(thread)
  common_setup(thread)
  threads_by_id[thread:get("id")] = thread
end
