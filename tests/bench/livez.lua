-- GET /livez: the floor every other scenario is compared with (nginx,
-- FastCGI, router, JSON; no database).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
