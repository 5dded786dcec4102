-- Shared by every scenario script (loaded with dofile): counts the
-- responses that are not 2xx in each thread and prints one line the
-- runner reads:
--   BENCH requests=N duration_us=N non2xx=N p50_us=N p99_us=N
--         connect=N read=N write=N timeout=N
-- A scenario may define its own request() and, to add to init(), call
-- bench_init(args) from it.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function bench_init(args)
  non2xx = 0
end

function init(args)
  bench_init(args)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non2xx") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d non2xx=%d p50_us=%d p99_us=%d " ..
    "connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, bad,
    latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.timeout))
end

-- The member tokens in the file named by BENCH_TOKENS (one a line) and a
-- starting place that differs from thread to thread, for scripts that
-- take them round-robin.
function load_tokens()
  local tokens = {}
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    if line ~= "" then
      tokens[#tokens + 1] = line
    end
  end
  assert(#tokens > 0, "no tokens in " .. os.getenv("BENCH_TOKENS"))
  return tokens, ((id or 0) * 7919) % #tokens
end

-- GET requests for wrk.path as each member in BENCH_TOKENS, formatted once
-- (so that wrk spends its time sending them), and a starting place that
-- differs from thread to thread, for request() to take round-robin.
function member_gets()
  local tokens, start = load_tokens()
  local reqs = {}
  for k, t in ipairs(tokens) do
    reqs[k] = wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. t })
  end
  return reqs, start
end
