-- GET staff/members as the owner (BENCH_STAFF_TOKEN) with the queries of
-- BENCH_MEMBER_KIND, formatted once and taken round-robin (each thread
-- starts at a different place), over the million members of
-- members_setup.sql:
--   last4:   a phone's last four (a hundred members each)
--   phone:   a phone in full
--   card:    a card number
--   surname: a surname (one member in twenty), each sort in turn
--   filter:  the heaviest filters, in turn: channel, birthday month and
--            unused coupons, by balance; tier, channel, birthday month and
--            a points range (each birthday month in turn); the top tier
--            and the second by joining, newest first (the newest 10,000
--            are all below the second tier: none of either among the
--            first 5000 in order); count cards active, each sort in turn
--            (none has one: the whole list's end); a balance range, a
--            points range, a channel and a birthday month by joining,
--            newest first, in turn (members_correlate.sql: the newest
--            50,000 pass none of them)
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local reqs = {}
local i = 0
local surnames = { "%E5%BC%A0", "%E7%8E%8B", "%E6%9D%8E", "%E8%B5%B5" }
local sorts = { "joined", "last_order", "balance", "spend" }

function init(args)
  bench_init(args)
  local h = { ["Authorization"] = "Bearer " .. os.getenv("BENCH_STAFF_TOKEN") }
  local base = wrk.path
  local kind = os.getenv("BENCH_MEMBER_KIND")
  local start = ((id or 0) * 7919)
  for k = 0, 399 do
    local n = (start + k * 2477) % 1000000
    local q
    if kind == "phone" then
      q = string.format("q=170%08d", n)
    elseif kind == "last4" then
      q = string.format("q=%04d", n % 10000)
    elseif kind == "card" then
      q = string.format("q=9%015d", n)
    elseif kind == "surname" then
      q = "q=" .. surnames[k % 4 + 1] .. "&sort=" ..
        sorts[math.floor(k / 4) % 4 + 1]
    elseif k % 5 == 4 then
      q = ({ "balance_min_fen=100000", "points_min=100", "channel=poster:2",
        "birthday_month=7" })[math.floor(k / 5) % 4 + 1]
    elseif k % 4 == 0 then
      q = string.format("channel=referral&birthday_month=%d" ..
        "&has_unused_coupons=true&sort=balance", k % 12 + 1)
    elseif k % 4 == 1 then
      q = string.format("tier=3&channel=referral&birthday_month=%d" ..
        "&points_min=100&points_max=500", k % 12 + 1)
    elseif k % 4 == 2 then
      q = string.format("tier=%d&sort=joined", 3 - math.floor(k / 4) % 2)
    else
      q = "count_cards=active&sort=" .. sorts[math.floor(k / 4) % 4 + 1]
    end
    reqs[#reqs + 1] = wrk.format("GET", base .. "?" .. q, h)
  end
  i = start % #reqs
end

function request()
  i = i % #reqs + 1
  return reqs[i]
end
