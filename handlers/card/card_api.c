/*
 * The member's count cards (routes only): the list, and one card with
 * the history of its uses.
 */
#include <string.h>

#include "app.h"
#include "card.h"
#include "core/core.h"
#include "db.h"

DB_SQL_COLS(q_my_card, CCC_NCOLS,
    "SELECT " COUNT_CARD_COLS " FROM count_cards cc"
    " WHERE cc.merchant_id = ? AND cc.id = ? AND cc.member_id = ?");
enum { MU_ID, MU_USES, MU_PRODUCT, MU_PNAME, MU_STORE, MU_SNAME, MU_STATUS,
    MU_CREATED, MU_REVERSED, MU_NCOLS };
DB_SQL_COLS(q_my_uses, MU_NCOLS,
    "SELECT u.id, u.uses, u.product_id, p.name, u.store_id, s.name,"
    " u.status, u.created_at, u.reversed_at FROM count_card_uses u"
    " LEFT JOIN products p ON p.id = u.product_id"
    " LEFT JOIN stores s ON s.id = u.store_id"
    " WHERE u.merchant_id = ? AND u.card_id = ? ORDER BY u.id DESC"
    " LIMIT 200");

/* GET me/count-cards: the member's cards, newest first (at most 100). */
static int
me_count_cards(struct req *r)
{
	cJSON *arr = count_cards_of_member(r, r->auth.member_id, 0);

	return arr == NULL ? r->status : resp_list(r, arr, 0);
}

/*
 * GET me/count-cards/{id}: one of the member's cards with its uses,
 * newest first: {..., uses:[{id, uses, product_id, product_name,
 * store_id, store_name, status:"done"|"reversed", created_at,
 * reversed_at}]}. Errors: not_found.
 */
static int
me_count_card(struct req *r)
{
	struct db_res res, u;
	int64_t id;
	cJSON *d, *arr, *x;
	int i;

	if (req_param_id(r, "id", &id) == -1)
		return resp_err(r, 404, "not_found", "次卡不存在", NULL);
	if (DB(r, &q_my_card, &res, DBI(r->m->id), DBI(id),
	    DBI(r->auth.member_id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 404, "not_found", "次卡不存在", NULL);
	if (DB(r, &q_my_uses, &u, DBI(r->m->id), DBI(id)) != DB_OK)
		return db_fail(r);
	d = count_card_json(r, &res, 0, time_now());
	arr = j_arr();
	for (i = 0; i < u.nrows; i++) {
		x = j_obj();
		j_int(x, "id", db_int(&u, i, MU_ID));
		j_int(x, "uses", db_int(&u, i, MU_USES));
		if (db_isnull(&u, i, MU_PRODUCT))
			j_null(x, "product_id");
		else
			j_int(x, "product_id", db_int(&u, i, MU_PRODUCT));
		j_str(x, "product_name", db_str(&u, i, MU_PNAME));
		j_int(x, "store_id", db_int(&u, i, MU_STORE));
		j_str(x, "store_name", db_str(&u, i, MU_SNAME));
		j_str(x, "status", db_str(&u, i, MU_STATUS));
		j_str(x, "created_at", time_rfc3339(r, db_str(&u, i,
		    MU_CREATED)));
		if (db_isnull(&u, i, MU_REVERSED))
			j_null(x, "reversed_at");
		else
			j_str(x, "reversed_at", time_rfc3339(r, db_str(&u, i,
			    MU_REVERSED)));
		j_add(arr, NULL, x);
	}
	j_add(d, "uses", arr);
	return resp_data(r, 200, d);
}

ROUTES(card_api_routes) = {
	{ M_GET, "/api/v1/m/:merchant/me/count-cards", me_count_cards,
	    AUTH_MEMBER },
	{ M_GET, "/api/v1/m/:merchant/me/count-cards/:id", me_count_card,
	    AUTH_MEMBER },
	{ 0, NULL, NULL, 0 }
};
