/*
 * wallet: stored value. Principal and bonus accounts with their ledger,
 * packages, recharges through a payment provider, balance payments under
 * the merchant's deduction rules, refunds. Floor: a ledger above core and
 * tier; a payment sets off what other domains do through EV_PAYMENT_DONE.
 *
 *	wallet.c	settings, packages, credit, payment, the member routes
 *	wallet_rules.c	pure: the deduction rules, top-up suggestions
 *	payprovider.c	the sandbox provider (payprovider.h, this folder's)
 *	wallet_staff.c, wallet_pages.c	routes only
 */
#ifndef WALLET_H
#define WALLET_H
#include <stdint.h>
#include "cjson/cJSON.h"
#include "wallet_rules.h"

struct req;

struct wallet_cfg {
	struct deduction_rules	 rules;
	struct custom_amount	 custom;
};

struct wallet_pkg {
	int64_t		 id, pay_fen, bonus_fen;
	const char	*label;
	int		 recommended;
};

/* The merchant's settings (defaults when never saved). 0, or -1 with the
   error recorded. */
int	 wallet_cfg_load(struct req *, struct wallet_cfg *);
/* Active packages in their order. 0, or -1 with the error recorded. */
int	 wallet_pkgs_load(struct req *, struct wallet_pkg **, int *n);
/* One active package of r->m: 0 found, 1 not found, -1 error recorded. */
int	 wallet_pkg_get(struct req *, int64_t id, struct wallet_pkg *);
/* {principal_fen, bonus_fen, total_fen}. */
cJSON	*wallet_balance_json(int64_t principal_fen, int64_t bonus_fen);
/* The merchant's calendar day now, "YYYY-MM-DD". */
const char *wallet_today(struct req *);
/*
 * The member's accounts, today's bonus and whether a balance payment was
 * made before; lock: take the member row lock (inside a transaction).
 * 0, 1 member not found, -1 error (recorded unless a retry is pending).
 */
int	 wallet_state_load(struct req *, int64_t member_id, int lock,
	    const struct wallet_cfg *, struct wallet_state *, int64_t *growth);

/*
 * Credit a paid recharge to the member's accounts with its ledger entry
 * and today's bonus record, inside the caller's transaction. 0, or -1
 * with the error recorded (unless a retry is pending).
 */
int	 wallet_credit(struct req *, int64_t recharge_id, int64_t member_id,
	    int64_t pay_fen, int64_t bonus_fen, int64_t store_id,
	    int64_t staff_id);

/* EV_PAYMENT_DONE: a balance payment was recorded, in its transaction. */
struct payment_done {
	int64_t		 payment_id, member_id, order_fen, store_id;
};

/* A balance payment: db_tx function, ctx a struct wallet_payment. */
struct wallet_payment {
	int64_t		 member_id, order_fen, store_id;
	int64_t		 staff_id;		/* 0: in the app */
	const struct ticket *ticket;		/* counter: consumed */
	cJSON		*out;			/* the payment object */
};
int	 wallet_pay_tx(struct req *, void *);

/* A random out_trade_no with a one-letter prefix, 25 characters. */
const char *wallet_trade_no(struct req *, char prefix);
/*
 * Insert a recharge (paid: credited now, counter; else pending). The id,
 * or -1 with the error recorded (unless a retry is pending).
 */
int64_t	 wallet_recharge_insert(struct req *, int64_t member_id,
	    int64_t package_id, const char *provider, const char *trade_no,
	    int64_t pay_fen, int64_t bonus_fen, int paid, int64_t store_id,
	    int64_t staff_id);
/* {id, status, pay_fen, bonus_fen, package_id, provider, out_trade_no,
   store_id, created_at, paid_at} of a recharge of r->m, or NULL. */
cJSON	*wallet_recharge_json(struct req *, int64_t id);
/* A path parameter as a positive id, or 0. */
int64_t	 wallet_param_id(struct req *, const char *name);

#endif
