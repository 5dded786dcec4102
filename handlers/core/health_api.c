/* Liveness (no database) and health (database round trip). */
#include "app.h"
#include "db.h"

enum { HL_ONE, HL_NCOLS };
DB_SQL_COLS(q_health, HL_NCOLS, "SELECT 1");

/* Out: {status:"ok"}. Touches nothing. */
static int
health_live(struct req *r)
{
	cJSON *d = j_obj();

	j_str(d, "status", "ok");
	return resp_data(r, 200, d);
}

/* Out: {status, db, version}; 503 unavailable when the database is down. */
static int
health_check(struct req *r)
{
	struct db_res res;
	cJSON *d;

	if (DB0(r, &q_health, &res) != DB_OK || res.nrows != 1)
		return resp_err(r, 503, "unavailable", "数据库不可用", NULL);
	d = j_obj();
	j_str(d, "status", "ok");
	j_str(d, "db", "ok");
	j_str(d, "version", cfg.version);
	return resp_data(r, 200, d);
}

ROUTES(health_routes) = {
	{ M_GET, "/livez", health_live, 0 },
	{ M_GET, "/healthz", health_check, 0 },
	{ 0, NULL, NULL, 0 }
};
