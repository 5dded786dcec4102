/* The request context commands use outside a web request. */
#include <string.h>

#include "app.h"
#include "cmd.h"
#include "db.h"
#include "req.h"

int
cmd_req_init(struct req *r)
{
	memset(r, 0, sizeof(*r));
	r->a = arena_new(1024 * 1024);
	r->request_id = "cmd";
	json_hooks_arena(r->a);
	return db_connect();
}

void
cmd_req_done(struct req *r)
{
	db_close();
	json_hooks_arena(NULL);
	arena_free(r->a);
	r->a = NULL;
}
