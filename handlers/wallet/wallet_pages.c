/*
 * Stored-value H5 pages: the member's wallet (balance split and ledger),
 * recharge (packages, custom amount, smart top-up for an order), and the
 * staff settings page for packages and deduction rules. Server-rendered;
 * static/js/wallet.js, recharge.js and staff_wallet.js call the API.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "db.h"
#include "payprovider.h"
#include "wallet.h"

enum { PB_PRINCIPAL, PB_BONUS, PB_NCOLS };
DB_SQL_COLS(q_pg_balance, PB_NCOLS,
    "SELECT principal_fen, bonus_fen FROM members"
    " WHERE merchant_id = ? AND id = ?");
enum { PE_ID, PE_AT, PE_KIND, PE_PRINCIPAL, PE_BONUS, PE_REF, PE_NCOLS };
DB_SQL_COLS(q_pg_entries, PE_NCOLS,
    "SELECT id, created_at, kind, principal_fen, bonus_fen, ref"
    " FROM wallet_entries WHERE merchant_id = ? AND member_id = ?"
    " ORDER BY id DESC LIMIT ?");

#define PAGE_ENTRIES	20

static const char *
signed_yuan(struct req *r, int64_t fen)
{
	return fen > 0 ? arena_printf(r->a, "+%s", page_yuan(r, fen)) :
	    page_yuan(r, fen);
}

/* The balance into the context. 0, or the error status (recorded). */
static int
add_balance(struct req *r, cJSON *c, int64_t *principal, int64_t *bonus)
{
	struct db_res res;

	if (DB(r, &q_pg_balance, &res, DBI(r->m->id),
	    DBI(r->auth.member_id)) != DB_OK || res.nrows != 1)
		return db_fail(r);
	*principal = db_int(&res, 0, PB_PRINCIPAL);
	*bonus = db_int(&res, 0, PB_BONUS);
	j_str(c, "total_yuan", page_yuan(r, *principal + *bonus));
	j_str(c, "principal_yuan", page_yuan(r, *principal));
	j_str(c, "bonus_yuan", page_yuan(r, *bonus));
	j_int(c, "total_fen", *principal + *bonus);
	return 0;
}

static const char *
kind_name(const char *k)
{
	if (strcmp(k, "recharge") == 0)
		return "充值";
	if (strcmp(k, "payment") == 0)
		return "余额支付";
	if (strcmp(k, "refund") == 0)
		return "退款";
	if (strcmp(k, "scratch") == 0)
		return "刮刮乐";
	return "调整";
}

/* GET /m/{merchant}/wallet: balance split and the latest ledger entries. */
static int
page_wallet(struct req *r)
{
	struct db_res res;
	int64_t p, b;
	cJSON *c, *arr;
	int st, i;

	if ((st = page_member_gate(r)) != 0)
		return st;
	c = page_ctx("我的钱包", "page-wallet", "wallet.js");
	j_bool(c, "tab_wallet", 1);
	if ((st = add_balance(r, c, &p, &b)) != 0)
		return st;
	if (DB(r, &q_pg_entries, &res, DBI(r->m->id), DBI(r->auth.member_id),
	    DBI(PAGE_ENTRIES + 1)) != DB_OK)
		return db_fail(r);
	arr = j_arr();
	for (i = 0; i < res.nrows && i < PAGE_ENTRIES; i++) {
		cJSON *o = j_obj();
		int64_t ep = db_int(&res, i, PE_PRINCIPAL);
		int64_t eb = db_int(&res, i, PE_BONUS);
		const char *at = time_rfc3339(r, db_str(&res, i, PE_AT));

		j_int(o, "id", db_int(&res, i, PE_ID));
		j_str(o, "kind", db_str(&res, i, PE_KIND));
		j_str(o, "kind_name", kind_name(db_str(&res, i, PE_KIND)));
		j_str(o, "at", arena_printf(r->a, "%.10s %.5s", at, at + 11));
		j_str(o, "amount", signed_yuan(r, ep + eb));
		j_bool(o, "minus", ep + eb < 0);
		j_str(o, "principal", signed_yuan(r, ep));
		j_str(o, "bonus", signed_yuan(r, eb));
		j_str(o, "ref", db_str(&res, i, PE_REF));
		j_add(arr, NULL, o);
	}
	j_add(c, "entries", arr);
	if (res.nrows > PAGE_ENTRIES)
		j_int(c, "next_cursor", db_int(&res, PAGE_ENTRIES - 1, PE_ID));
	return resp_html(r, 200, "pages/wallet", c);
}

/*
 * GET /m/{merchant}/recharge[?order_fen=N]: packages and a custom amount;
 * with an order amount, what the balance pays and the top-up suggestions.
 */
static int
page_recharge(struct req *r)
{
	struct wallet_cfg cfg;
	struct wallet_pkg *pk;
	struct wallet_state ws;
	int64_t p, b, order = 0;
	cJSON *c, *arr, *cu;
	int st, n, i, found;

	if ((st = page_member_gate(r)) != 0)
		return st;
	c = page_ctx("充值", "page-recharge", "recharge.js");
	j_bool(c, "tab_wallet", 1);
	if ((st = add_balance(r, c, &p, &b)) != 0 ||
	    (st = wallet_cfg_load(r, &cfg)) != 0 ||
	    (st = wallet_pkgs_load(r, &pk, &n)) != 0)
		return st;
	arr = j_arr();
	for (i = 0; i < n; i++) {
		cJSON *o = j_obj();

		j_int(o, "id", pk[i].id);
		j_str(o, "label", pk[i].label);
		j_int(o, "pay_fen", pk[i].pay_fen);
		j_str(o, "pay_yuan", page_yuan(r, pk[i].pay_fen));
		j_str(o, "bonus_yuan", page_yuan(r, pk[i].bonus_fen));
		j_bool(o, "has_bonus", pk[i].bonus_fen > 0);
		j_bool(o, "recommended", pk[i].recommended);
		j_add(arr, NULL, o);
	}
	j_add(c, "packages", arr);
	if (cfg.custom.enabled) {
		cu = j_obj();
		j_str(cu, "min_yuan", page_yuan(r, cfg.custom.min_fen));
		j_str(cu, "max_yuan", page_yuan(r, cfg.custom.max_fen));
		j_int(cu, "min_fen", cfg.custom.min_fen);
		j_int(cu, "max_fen", cfg.custom.max_fen);
		j_add(c, "custom", cu);
	}
	j_bool(c, "sandbox", cfg_is_dev() && payprovider_find("sandbox") !=
	    NULL);
	j_bool(c, "online", payprovider_find("sandbox") != NULL);
	if (req_query(r, "order_fen") != NULL &&
	    req_query_int(r, "order_fen", 0, 1, WALLET_MAX_FEN, &order) == 0) {
		struct recharge_pkg rp[WALLET_MAX_PACKAGES];
		struct topup t[TOPUP_MAX];
		int64_t payable;
		cJSON *s = j_arr(), *o;
		int k;

		if ((st = wallet_state_load(r, r->auth.member_id, 0, &cfg, &ws,
		    NULL, &found)) != 0)
			return st;
		if (!found)	/* signed in as a member that is gone */
			return resp_internal(r);
		for (i = 0; i < n && i < WALLET_MAX_PACKAGES; i++) {
			rp[i].id = pk[i].id;
			rp[i].pay_fen = pk[i].pay_fen;
			rp[i].bonus_fen = pk[i].bonus_fen;
		}
		k = topup_suggest(&cfg.rules, &ws, order, rp, i, &cfg.custom, t,
		    &payable);
		o = j_obj();
		j_int(o, "order_fen", order);
		j_str(o, "order_yuan", page_yuan(r, order));
		j_str(o, "payable_yuan", page_yuan(r, payable));
		j_str(o, "due_yuan", page_yuan(r, order - payable));
		j_bool(o, "covered", payable == order);
		for (i = 0; i < k; i++) {
			cJSON *x = j_obj();

			j_int(x, "pay_fen", t[i].pay_fen);
			j_str(x, "pay_yuan", page_yuan(r, t[i].pay_fen));
			j_str(x, "bonus_yuan", page_yuan(r, t[i].bonus_fen));
			j_bool(x, "has_bonus", t[i].bonus_fen > 0);
			j_str(x, "after_yuan", page_yuan(r, t[i].balance_after_fen));
			j_int(x, "package_id", t[i].package_id);
			j_str(x, "reason", t[i].reason);
			j_add(s, NULL, x);
		}
		j_add(o, "suggestions", s);
		j_add(c, "order", o);
	}
	return resp_html(r, 200, "pages/recharge", c);
}

/* GET /m/{merchant}/staff/wallet: packages and deduction rules. */
static int
page_staff_wallet(struct req *r)
{
	return resp_html(r, 200, "pages/staff_wallet",
	    page_staff_ctx("储值设置", "staff_wallet.js"));
}

ROUTES(wallet_page_routes) = {
	{ M_GET, "/m/:merchant/wallet", page_wallet, AUTH_OPTIONAL | HTML },
	{ M_GET, "/m/:merchant/recharge", page_recharge, AUTH_OPTIONAL | HTML },
	{ M_GET, "/m/:merchant/staff/wallet", page_staff_wallet, HTML },
	{ 0, NULL, NULL, 0 }
};
