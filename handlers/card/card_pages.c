/*
 * The H5 page 我的次卡 (routes only): each card with its uses left, its
 * expiry and status, and the history of its uses. Server-rendered, no
 * script. And the staff console's shell for the count cards on sale.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "card.h"
#include "core/core.h"
#include "db.h"

enum { PU_CARD, PU_USES, PU_PNAME, PU_SNAME, PU_STATUS, PU_CREATED,
    PU_NCOLS };
DB_SQL_COLS(q_page_uses, PU_NCOLS,
    "SELECT u.card_id, u.uses, p.name, s.name, u.status, u.created_at"
    " FROM count_card_uses u LEFT JOIN products p ON p.id = u.product_id"
    " LEFT JOIN stores s ON s.id = u.store_id"
    " WHERE u.merchant_id = ? AND u.member_id = ? ORDER BY u.id DESC"
    " LIMIT 300");

/* An RFC 3339 time as people write it: "2026年12月1日" (+ " 14:05"). */
static const char *
when_cn(struct req *r, const char *rfc, int with_time)
{
	int y, m, d;

	if (rfc == NULL || date_parse(rfc, &y, &m, &d) == -1)
		return "";
	if (with_time && strlen(rfc) >= 16)
		return arena_printf(r->a, "%d年%d月%d日 %.5s", y, m, d,
		    rfc + 11);
	return arena_printf(r->a, "%d年%d月%d日", y, m, d);
}

/* GET /m/{merchant}/count-cards: 我的次卡. */
static int
page_count_cards(struct req *r)
{
	struct db_res u;
	cJSON *c, *cards, *card, *list, *x;
	int st, i, n = 0;

	if ((st = page_member_gate(r)) != 0)
		return st;
	if ((cards = count_cards_of_member(r, r->auth.member_id, 0)) == NULL)
		return r->status;
	if (DB(r, &q_page_uses, &u, DBI(r->m->id), DBI(r->auth.member_id)) !=
	    DB_OK)
		return db_fail(r);
	list = j_arr();
	cJSON_ArrayForEach(card, cards) {
		int64_t id = (int64_t)cJSON_GetNumberValue(
		    cJSON_GetObjectItem(card, "id"));
		const char *status = cJSON_GetStringValue(
		    cJSON_GetObjectItem(card, "status"));
		cJSON *uses = j_arr();

		x = j_obj();
		j_int(x, "id", id);
		j_str(x, "name", cJSON_GetStringValue(cJSON_GetObjectItem(card,
		    "name")));
		j_int(x, "uses_left", (int64_t)cJSON_GetNumberValue(
		    cJSON_GetObjectItem(card, "uses_left")));
		j_int(x, "uses_total", (int64_t)cJSON_GetNumberValue(
		    cJSON_GetObjectItem(card, "uses_total")));
		j_str(x, "status", status);
		j_str(x, "status_text", cJSON_GetStringValue(
		    cJSON_GetObjectItem(card, "status_text")));
		j_bool(x, "active", strcmp(status, "active") == 0);
		j_str(x, "expires", when_cn(r, cJSON_GetStringValue(
		    cJSON_GetObjectItem(card, "expires_at")), 0));
		for (i = 0; i < u.nrows; i++) {
			cJSON *e;
			const char *pn = db_str(&u, i, PU_PNAME);

			if (db_int(&u, i, PU_CARD) != id)
				continue;
			e = j_obj();
			j_str(e, "at", when_cn(r, time_rfc3339(r, db_str(&u, i,
			    PU_CREATED)), 1));
			j_str(e, "where", db_str(&u, i, PU_SNAME));
			j_str(e, "what", pn != NULL ? arena_printf(r->a,
			    "%s · %lld 次", pn, (long long)db_int(&u, i,
			    PU_USES)) : arena_printf(r->a, "%lld 次",
			    (long long)db_int(&u, i, PU_USES)));
			j_bool(e, "reversed", strcmp(db_str(&u, i, PU_STATUS),
			    "reversed") == 0);
			j_add(uses, NULL, e);
		}
		j_bool(x, "has_uses", cJSON_GetArraySize(uses) > 0);
		j_add(x, "uses", uses);
		j_add(list, NULL, x);
		n++;
	}
	c = j_obj();
	j_str(c, "title", "我的次卡");
	j_str(c, "body_class", "page-count-cards");
	j_add(c, "scripts", j_arr());	/* no script of its own */
	if (n > 0)
		j_add(c, "cards", list);
	return resp_html(r, 200, "pages/count_cards", c);
}

/* GET /m/{merchant}/staff/count-cards: the count-card console (a shell
   for static/js/staff_count_cards.js). */
static int
page_staff_count_cards(struct req *r)
{
	return resp_html(r, 200, "pages/staff_count_cards",
	    page_staff_ctx("次卡管理", "staff_count_cards.js"));
}

ROUTES(card_page_routes) = {
	{ M_GET, "/m/:merchant/count-cards", page_count_cards,
	    AUTH_OPTIONAL | HTML },
	{ M_GET, "/m/:merchant/staff/count-cards", page_staff_count_cards,
	    HTML },
	{ 0, NULL, NULL, 0 }
};
