/*
 * The order's rows: its lines, each line's share of each adjustment
 * (allocations) and the adjustments, in the order's transaction. Each
 * table's rows go in multi-row INSERTs of at most ORDER_ROWS_CHUNK rows
 * (order_db.h), one prepared statement for each row count, so that an
 * order of three lines writes its rows in three statements; the rows and
 * their values are those the single-row statements wrote.
 */
#include <stdint.h>

#include "app.h"
#include "db.h"
#include "order.h"
#include "order_db.h"

/* q_<t>[n - 1]: the statement of n rows of table t */
#define ROWS_DECL(t, SQL) \
	DB_SQL(q_##t##_1, SQL(1)); DB_SQL(q_##t##_2, SQL(2)); \
	DB_SQL(q_##t##_3, SQL(3)); DB_SQL(q_##t##_4, SQL(4)); \
	DB_SQL(q_##t##_5, SQL(5)); DB_SQL(q_##t##_6, SQL(6)); \
	DB_SQL(q_##t##_7, SQL(7)); DB_SQL(q_##t##_8, SQL(8)); \
	DB_SQL(q_##t##_9, SQL(9)); DB_SQL(q_##t##_10, SQL(10)); \
	DB_SQL(q_##t##_11, SQL(11)); DB_SQL(q_##t##_12, SQL(12)); \
	DB_SQL(q_##t##_13, SQL(13)); DB_SQL(q_##t##_14, SQL(14)); \
	DB_SQL(q_##t##_15, SQL(15)); DB_SQL(q_##t##_16, SQL(16)); \
	static struct db_sql *const q_##t[ORDER_ROWS_CHUNK] = { \
	    &q_##t##_1, &q_##t##_2, &q_##t##_3, &q_##t##_4, &q_##t##_5, \
	    &q_##t##_6, &q_##t##_7, &q_##t##_8, &q_##t##_9, &q_##t##_10, \
	    &q_##t##_11, &q_##t##_12, &q_##t##_13, &q_##t##_14, \
	    &q_##t##_15, &q_##t##_16 }

ROWS_DECL(line, ORDER_LINE_SQL);
ROWS_DECL(adj, ORDER_ADJ_SQL);
ROWS_DECL(alloc, ORDER_ALLOC_SQL);

/* A table's rows collected: np values a row, sent a chunk at a time. */
struct rows {
	struct db_sql *const *q;
	int		 np, n;
	struct db_val	 v[ORDER_ROWS_CHUNK * ORDER_LINE_NP];
};

static int
rows_flush(struct req *r, struct rows *b)
{
	int n = b->n;

	b->n = 0;
	if (n == 0)
		return 0;
	return db_run(r, b->q[n - 1], NULL, b->v, n * b->np) == DB_OK ? 0 :
	    db_fail(r);
}

/* The next row's np values to fill (the chunk sent first when full). */
static struct db_val *
rows_next(struct req *r, struct rows *b, int *st)
{
	if (b->n == ORDER_ROWS_CHUNK && (*st = rows_flush(r, b)) != 0)
		return NULL;
	return &b->v[b->n++ * b->np];
}

int
order_rows_insert(struct req *r, struct order_ctx *c, int64_t id)
{
	const struct priced *o = &c->out;
	struct rows *b = arena_alloc(r->a, sizeof(*b));
	struct db_val *v;
	int i, k, st = 0;

	b->q = q_line;
	b->np = ORDER_LINE_NP;
	b->n = 0;
	for (i = 0; i < o->nlines; i++) {
		const struct priced_line *l = &o->lines[i];
		const char *gift = l->gift_coupon >= 0 &&
		    l->gift_coupon < c->in.ncoupons ?
		    c->in.coupons[l->gift_coupon].code : NULL;
		const char *cat = i < c->in.nlines ? c->in.lines[i].category :
		    NULL;
		int card = i < c->body.nlines && c->card_uses[i] > 0;

		if ((v = rows_next(r, b, &st)) == NULL)
			return st;
		v[0] = DBI(id);
		v[1] = DBI(l->line_no);
		v[2] = DBIN(l->product_id, l->product_id > 0);
		v[3] = DBS(l->name);
		v[4] = DBS(cat);
		v[5] = DBI(l->qty);
		v[6] = DBI(l->unit_fen);
		v[7] = DBIN(l->member_unit_fen,
		    l->member_unit_fen != ORDER_NONE);
		v[8] = DBI(l->list_fen);
		v[9] = DBI(l->net_fen);
		v[10] = DBS(gift);
		v[11] = DBI(l->tender[TD_POINTS]);
		v[12] = DBI(l->tender[TD_PRINCIPAL]);
		v[13] = DBI(l->tender[TD_BONUS]);
		v[14] = DBI(l->tender[TD_CASH]);
		v[15] = DBI(l->tender[TD_CARD]);
		v[16] = DBI(l->tender[TD_ONLINE]);
		v[17] = DBIN(card ? c->body.lines[i].count_card_product_id : 0,
		    card);
		v[18] = DBIN(card ? c->card_uses[i] : 0, card);
	}
	if ((st = rows_flush(r, b)) != 0)
		return st;
	b->q = q_alloc;
	b->np = ORDER_ALLOC_NP;
	for (i = 0; i < o->nlines; i++) {
		const struct priced_line *l = &o->lines[i];

		for (k = 0; k < o->nadj; k++) {
			if (l->alloc[k] <= 0)
				continue;
			if ((v = rows_next(r, b, &st)) == NULL)
				return st;
			v[0] = DBI(id);
			v[1] = DBI(l->line_no);
			v[2] = DBI(k + 1);
			v[3] = DBI(l->alloc[k]);
		}
	}
	if ((st = rows_flush(r, b)) != 0)
		return st;
	b->q = q_adj;
	b->np = ORDER_ADJ_NP;
	for (k = 0; k < o->nadj; k++) {
		const struct priced_adj *a = &o->adj[k];

		if ((v = rows_next(r, b, &st)) == NULL)
			return st;
		v[0] = DBI(id);
		v[1] = DBI(a->seq);
		v[2] = DBS(order_adj_kind_name(a->kind));
		v[3] = DBS(a->ref);
		v[4] = DBI(a->base_fen);
		v[5] = DBI(a->amount_fen);
	}
	return rows_flush(r, b);
}
