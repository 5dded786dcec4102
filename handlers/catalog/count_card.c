/*
 * The count cards on sale (次卡) as an order prices them and as the card
 * issued when the order is paid copies them.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "catalog.h"
#include "core/core.h"
#include "db.h"

enum { CK_ID, CK_NAME, CK_USES, CK_PRICE, CK_KIND, CK_DAYS, CK_UNTIL,
    CK_PRODUCTS, CK_STORES, CK_ACTIVE, CK_NCOLS };
DB_SQL_COLS(q_cc_item, CK_NCOLS,
    "SELECT id, name, uses, price_fen, validity_kind, validity_days,"
    " validity_until, product_ids, store_ids, active"
    " FROM count_card_products WHERE merchant_id = ? AND id = ?");

int
count_card_item_load(struct req *r, int64_t id, int64_t store_id,
    int64_t now, struct count_card_item *out)
{
	struct db_res res;

	memset(out, 0, sizeof(*out));
	out->id = id;
	if (DB(r, &q_cc_item, &res, DBI(r->m->id), DBI(id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return 0;
	out->found = 1;
	out->name = db_str(&res, 0, CK_NAME);
	out->uses = db_int(&res, 0, CK_USES);
	out->price_fen = db_int(&res, 0, CK_PRICE);
	out->validity_days = strcmp(db_str(&res, 0, CK_KIND), "days") == 0;
	out->days = db_int(&res, 0, CK_DAYS);
	out->until = db_str(&res, 0, CK_UNTIL);
	out->product_ids = db_str(&res, 0, CK_PRODUCTS);
	out->store_ids = db_str(&res, 0, CK_STORES);
	out->active = db_int(&res, 0, CK_ACTIVE) != 0;
	out->sold_here = store_list_allows(out->store_ids, store_id);
	if (!out->validity_days) {
		if (out->until == NULL || time_parse(out->until,
		    tz_offset(r->m->tz), 1, &out->until_end) == -1)
			out->until_end = 0;
		out->ended = out->until_end < now;
	}
	return 0;
}

cJSON *
count_card_ids_json(const char *s)
{
	cJSON *arr = j_arr();

	while (s != NULL && *s) {
		if (*s >= '0' && *s <= '9') {
			char *end;

			j_add(arr, NULL, cJSON_CreateNumber((double)strtoll(s,
			    &end, 10)));
			s = end;
		} else
			s++;
	}
	return arr;
}
