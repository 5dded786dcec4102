/*
 * A quote's reads: what is the member's in one statement (the session,
 * the member with balance, growth and points, the member's usable
 * coupons, and the merchant's revisions), and what is the merchant's
 * (the checkout, wallet and privilege settings, the stores, the
 * products, the tier ladder) from the copy each worker keeps, by
 * revision: config_revs.rev (migration 0033) and merchants.tiers_rev,
 * both raised by triggers on every change to what they cover, are read with
 * the member, so a copy is used only while nothing it holds has changed.
 * A commit reads everything afresh under the member's lock (order.c) and
 * compares the hash.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "catalog/catalog.h"
#include "core/core.h"
#include "coupon/coupon.h"
#include "db.h"
#include "member/member.h"
#include "order.h"
#include "order_db.h"
#include "tier/tier.h"
#include "wallet/wallet.h"

DB_SQL_COLS(q_quote_phone_coupons, QS_C_NCOLS,
    QUOTE_SQL("mb.phone = ?", 1));
DB_SQL_COLS(q_quote_id_coupons, QS_C_NCOLS, QUOTE_SQL("mb.id = ?", 1));
DB_SQL_COLS(q_quote_session_coupons, QS_C_NCOLS,
    QUOTE_SQL("mb.id = s.member_id", 1));
DB_SQL_COLS(q_quote_phone, QS_NCOLS, QUOTE_SQL("mb.phone = ?", 0));
DB_SQL_COLS(q_quote_id, QS_NCOLS, QUOTE_SQL("mb.id = ?", 0));
DB_SQL_COLS(q_quote_session, QS_NCOLS, QUOTE_SQL("mb.id = s.member_id", 0));
DB_SQL_COLS(q_quote_store, QT_NCOLS, QUOTE_STORE_SQL);

/* ---- the merchant's settings each worker keeps ---- */

/*
 * A merchant's settings as read at config_revs.rev rev, and what was asked of
 * its stores at that revision (store, cashier or 0: the store open, the
 * cashier at it), the oldest replaced first. A merchant's slot is its id
 * modulo the cache size. Plain data: copied whole into a quote.
 */
#define QC_SLOTS	16
#define QC_STORES	16

static struct quote_cfg {
	int64_t		 merchant_id, rev;	/* merchant_id 0: empty */
	struct checkout_cfg ck;
	struct wallet_cfg wc;
	struct priv_cfg	 priv;
	int		 npkgs;			/* -1: not read yet */
	struct recharge_pkg pkgs[WALLET_MAX_PACKAGES];
	int		 nstores, next;
	struct {
		int64_t		 store_id, staff_id;
		int		 store_ok, staff_ok;
	}		 stores[QC_STORES];
} qcfg[QC_SLOTS];

/* The settings of r->m at rev, read afresh when this worker's copy is
   older. NULL with the error status recorded. */
static struct quote_cfg *
cfg_at(struct req *r, int64_t rev)
{
	struct quote_cfg *q = &qcfg[(uint64_t)r->m->id % QC_SLOTS], fresh;

	if (q->merchant_id == r->m->id && q->rev == rev)
		return q;
	memset(&fresh, 0, sizeof(fresh));
	/* read after rev was: a change in between is read at the older rev,
	   and read again at the next quote */
	if (order_settings_load(r, &fresh.ck, &fresh.wc, &fresh.priv) != 0)
		return NULL;
	fresh.merchant_id = r->m->id;
	fresh.rev = rev;
	fresh.npkgs = -1;
	*q = fresh;
	return q;
}

/* Store store_id open (*store_ok: 1, 2 for a partner's) and staff (0: none asked) working at
   it (*staff_ok), from the copy or read and kept. 0, or the status. */
static int
cfg_store(struct req *r, struct quote_cfg *q, int64_t store_id,
    int64_t staff, int *store_ok, int *staff_ok)
{
	struct db_res res;
	int i;

	for (i = 0; i < q->nstores; i++)
		if (q->stores[i].store_id == store_id &&
		    q->stores[i].staff_id == staff) {
			*store_ok = q->stores[i].store_ok;
			*staff_ok = q->stores[i].staff_ok;
			return 0;
		}
	if (DB(r, &q_quote_store, &res, DBI(r->m->id), DBI(store_id),
	    DBI(staff), DBI(store_id)) != DB_OK || res.nrows != 1)
		return db_fail(r);
	*store_ok = db_isnull(&res, 0, QT_STORE) ? 0 :
	    strcmp(db_str(&res, 0, QT_STORE), "partner") == 0 ? 2 : 1;
	*staff_ok = !db_isnull(&res, 0, QT_STAFF_AT);
	i = q->nstores < QC_STORES ? q->nstores++ : q->next++ % QC_STORES;
	q->stores[i].store_id = store_id;
	q->stores[i].staff_id = staff;
	q->stores[i].store_ok = *store_ok;
	q->stores[i].staff_ok = *staff_ok;
	return 0;
}

int
order_quote_pkgs(struct req *r, const struct order_ctx *c,
    struct recharge_pkg *rp, int *n)
{
	struct quote_cfg *q = &qcfg[(uint64_t)r->m->id % QC_SLOTS];
	struct wallet_pkg *p;
	int i, st;

	if (c->config_rev >= 0 && q->merchant_id == r->m->id &&
	    q->rev == c->config_rev && q->npkgs >= 0) {
		memcpy(rp, q->pkgs, sizeof(q->pkgs));
		*n = q->npkgs;
		return 0;
	}
	if ((st = wallet_pkgs_load(r, &p, n)) != 0)
		return st;
	for (i = 0; i < *n && i < WALLET_MAX_PACKAGES; i++) {
		rp[i].id = p[i].id;
		rp[i].pay_fen = p[i].pay_fen;
		rp[i].bonus_fen = p[i].bonus_fen;
	}
	*n = i;
	if (c->config_rev >= 0 && q->merchant_id == r->m->id &&
	    q->rev == c->config_rev) {
		memcpy(q->pkgs, rp, (size_t)i * sizeof(*rp));
		q->npkgs = i;
	}
	return 0;
}

/* ---- the member's statement ---- */

/* The session of row 0, for auth_accept(). */
static void
auth_row_of(struct req *r, const struct db_res *res, struct auth_row *a)
{
	memset(a, 0, sizeof(*a));
	a->kind = db_str(res, 0, QS_KIND);
	a->session_id = db_int(res, 0, QS_SESSION);
	a->merchant_id = r->m->id;
	a->revoked = !db_isnull(res, 0, QS_REVOKED);
	a->expires_at = db_str(res, 0, QS_EXPIRES);
	a->phone = db_str(res, 0, QS_PHONE);
	a->member_id = db_int(res, 0, QS_S_MEMBER);
	a->staff_id = db_int(res, 0, QS_STAFF);
	a->csrf_hash = db_str(res, 0, QS_CSRF);
	a->role = db_str(res, 0, QS_ROLE);
	a->staff_name = db_str(res, 0, QS_STAFF_NAME);
	a->disabled = db_int(res, 0, QS_DISABLED) != 0;
}

/*
 * The coupons of the rows (a QUOTE_SQL with coupons), in the order the
 * coupon statement gives them (valid_until, then id) and as many as it
 * takes: 0 when they were taken, 1 when there were more than it reads
 * (coupons_load() reads them then).
 */
static int
coupons_from_rows(struct req *r, struct order_ctx *c, const struct db_res *res)
{
	struct db_res view = *res;
	int *ix, n = 0, i, j;

	if (res->nrows > QUOTE_COUPONS_MAX)
		return 1;
	/* the coupon columns as a result of their own */
	view.vals = res->vals + QS_COUPON;
	view.lens = res->lens + QS_COUPON;
	ix = arena_calloc(r->a, (size_t)res->nrows + 1, sizeof(*ix));
	for (i = 0; i < res->nrows; i++) {
		const char *u;
		int64_t id;

		if (db_isnull(&view, i, CC_ID))
			continue;
		u = db_str(&view, i, CC_VALID_UNTIL);
		id = db_int(&view, i, CC_ID);
		for (j = n; j > 0; j--) {
			const char *v = db_str(&view, ix[j - 1], CC_VALID_UNTIL);
			int d = strcmp(v, u);

			if (d < 0 || (d == 0 && db_int(&view, ix[j - 1], CC_ID) <
			    id))
				break;
			ix[j] = ix[j - 1];
		}
		ix[j] = i;
		n++;
	}
	c->in.ncoupons = 0;
	for (i = 0; i < n && c->in.ncoupons < ORDER_MAX_COUPONS; i++)
		if (store_list_allows(db_str(&view, ix[i], CC_STORES),
		    c->body.store_id))
			coupon_in_from_row(r, c, &view, ix[i]);
	return 0;
}

int
order_quote_load(struct req *r, struct order_ctx *c, int64_t now)
{
	struct order_member_in *m = &c->in.member;
	struct quote_cfg *q;
	struct auth_row a;
	struct db_res res;
	struct db_sql *sql;
	const char *stores, *phone = NULL, *b;
	int64_t until, staff = 0, store = c->body.store_id, member = 0;
	int staff_side = c->channel != OC_APP && !c->for_member, st;
	int by_session = 0, coupons, store_ok = 0, staff_ok = 0;
	char now_s[20];

	member = c->who_known ? c->member_id : 0;
	c->member_id = 0;
	c->has_ticket = 0;
	if (c->who_known)
		;	/* the caller's */
	else if (c->channel == OC_APP && c->quote_token != NULL)
		by_session = 1;
	else if (c->channel == OC_APP)
		member = r->auth.member_id;
	else if (c->body.ticket != NULL) {
		if ((st = ticket_resolve(r, c->body.ticket, &c->ticket)) != 0)
			return st;
		member = c->ticket.member_id;
	} else
		phone = c->body.member_phone;
	/* the usable coupons with the member when the engine proposes */
	coupons = c->body.ncodes < 0 && (phone != NULL || member > 0 ||
	    by_session);
	time_sql(now, now_s);
	sql = phone != NULL ? (coupons ? &q_quote_phone_coupons :
	    &q_quote_phone) : by_session ? (coupons ?
	    &q_quote_session_coupons : &q_quote_session) : (coupons ?
	    &q_quote_id_coupons : &q_quote_id);
	{
		struct db_val v[5];
		int nv = 0;

		v[nv++] = DBS(c->quote_token);
		if (phone != NULL)
			v[nv++] = DBS(phone);
		else if (!by_session)
			v[nv++] = DBI(member);
		if (coupons) {
			v[nv++] = DBS(now_s);
			v[nv++] = DBS(now_s);
		}
		v[nv++] = DBI(r->m->id);
		if (db_run(r, sql, &res, v, nv) != DB_OK || res.nrows < 1)
			return db_fail(r);
	}
	if (c->quote_token != NULL) {
		auth_row_of(r, &res, &a);
		if (auth_accept(r, &a) != 0)
			return QUOTE_NOT_SIGNED_IN;
		if (by_session)
			member = r->auth.member_id;
	}
	/* the merchant's: its settings and the store from the copy */
	if ((q = cfg_at(r, db_int(&res, 0, QS_CONFIG_REV))) == NULL)
		return r->status;
	c->config_rev = q->rev;
	/* a cashier works at the stores staff_stores lists */
	if (staff_side && (r->auth.role == NULL ||
	    strcmp(r->auth.role, "cashier") == 0))
		staff = r->auth.staff_id;
	if ((st = cfg_store(r, q, store, staff, &store_ok, &staff_ok)) != 0)
		return st;
	if (!store_ok)
		return resp_bad_field(r, "store_id", "门店不存在");
	/* a partner store, as the commit answers it (staff_store_check,
	   and the app's own stores only) */
	if (store_ok == 2)
		return staff_side ? resp_err(r, 403, "forbidden",
		    "这是合作门店，只能由合作方账号操作", "store_id") :
		    resp_bad_field(r, "store_id", "门店不存在");
	if (staff > 0 && !staff_ok)
		return resp_err(r, 403, "forbidden", "您不在该门店任职",
		    "store_id");
	c->member_id = member;
	if (c->who_known)
		;
	else if (c->channel != OC_APP) {
		if (c->body.ticket != NULL) {
			if (c->ticket.store_id != store)
				return resp_err(r, 400, "invalid_ticket",
				    "凭证不属于本门店，请重新扫码", "ticket");
			c->has_ticket = 1;
			c->channel = OC_COUNTER;
		} else if (phone != NULL) {
			if (strcmp(r->auth.role, "cashier") == 0)
				return resp_err(r, 403, "forbidden",
				    "收银员请扫描会员码下单", NULL);
			if (db_isnull(&res, 0, QS_MEMBER))
				return resp_bad_field(r, "member_phone",
				    "该手机号还不是会员");
			c->member_id = db_int(&res, 0, QS_MEMBER);
			c->channel = OC_PHONE;
		} else
			c->channel = OC_COUNTER;
	}
	c->ck = q->ck;
	c->wc = q->wc;
	c->in.priv = q->priv;
	if (c->member_id == 0)
		return 0;
	b = db_str(&res, 0, QS_BIRTHDAY);	/* YYYY-MM-DD */
	m->birth_month = b != NULL && strlen(b) >= 10 ? atoi(b + 5) : 0;
	m->birth_day = b != NULL && strlen(b) >= 10 ? atoi(b + 8) : 0;
	c->member_blocked = !db_isnull(&res, 0, QS_BLOCKED);
	if (db_isnull(&res, 0, QS_MEMBER))
		return resp_err(r, 404, "not_found", "会员不存在", NULL);
	memset(&m->wallet, 0, sizeof(m->wallet));
	m->wallet.principal_fen = db_int(&res, 0, QS_PRINCIPAL);
	m->wallet.bonus_fen = db_int(&res, 0, QS_BONUS);
	if ((st = wallet_state_rest(r, c->member_id, 0, &c->wc,
	    &m->wallet)) != 0)
		return st;
	card_terms_from_row(r, &res, 0, QS_CARD, db_str(&res, 0, QS_JOINED),
	    &until, &stores);
	r->m->tiers_rev = db_int(&res, 0, QS_TIERS_REV);
	r->m->tiers_rev_known = 1;
	if ((st = order_member_fill(r, c, db_int(&res, 0, QS_GROWTH),
	    db_int(&res, 0, QS_POINTS), db_int(&res, 0, QS_PER_YUAN), until,
	    stores)) != 0)
		return st;
	if (coupons && coupons_from_rows(r, c, &res) == 0)
		c->coupons_read = 1;
	return 0;
}

/*
 * The route's work (AUTH_SELF): the session is checked in the member's
 * statement; when it does not sign the request in (or the body is bad,
 * or names a ticket, which is resolved as the staff member signed in),
 * the usual checks run first and then the same reads.
 */
int
order_quote_respond(struct req *r, struct order_ctx *c)
{
	int channel = c->channel, for_member = c->for_member;
	int64_t now = time_now();
	const char *h = auth_token_hash(r);
	int st;

	if (h != NULL) {
		c->quote_token = h;
		st = order_body_parse(r, c, 0);
		if (st == 0 && c->body.ticket == NULL) {
			st = order_prepare(r, c, 0, now);
			if (st != QUOTE_NOT_SIGNED_IN)
				goto prepared;
		}
		/* afresh, as the route made it */
		resp_reset(r);
		memset(c, 0, sizeof(*c));
		c->channel = channel;
		c->for_member = for_member;
		c->config_rev = -1;
	}
	if ((st = auth_require(r)) != 0 ||
	    (st = order_body_parse(r, c, 0)) != 0)
		return st;
	st = order_prepare(r, c, 0, now);
prepared:
	if (st != 0 || (st = order_price(r, c, now)) != 0)
		return st;
	return resp_data(r, 200, order_quote_json(r, c));
}
