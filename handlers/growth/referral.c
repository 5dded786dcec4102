/*
 * Referral links and rewards: every member has a signed code and a link
 * /r/{code}; a visitor who opens it and joins becomes the referee of that
 * member for good, and both sides are rewarded under the merchant's rules
 * and caps.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "core/core.h"
#include "coupon/coupon.h"
#include "db.h"
#include "growth.h"
#include "member/member.h"
#include "order/order.h"
#include "points/points.h"
#include "wallet/wallet.h"
#include "referral_rules.h"

enum { RM_CODE, RM_NCOLS };
DB_SQL_COLS(q_ref_merchant_code, RM_NCOLS,
    "SELECT code FROM merchants WHERE id = ? AND active = 1");
enum { RS_ENABLED, RS_REFERRER_TPL, RS_REFERRER_POINTS, RS_REFEREE_TPL,
    RS_REFEREE_POINTS, RS_WHEN, RS_DAILY_CAP, RS_TOTAL_CAP, RS_NCOLS };
DB_SQL_COLS(q_ref_settings, RS_NCOLS,
    "SELECT enabled, referrer_template_id, referrer_points,"
    " referee_template_id, referee_points, reward_when, daily_cap, total_cap"
    " FROM referral_settings WHERE merchant_id = ?");
DB_SQL(q_ref_settings_put,
    "INSERT INTO referral_settings (merchant_id, enabled,"
    " referrer_template_id, referrer_points, referee_template_id,"
    " referee_points, reward_when, daily_cap, total_cap, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP())"
    " ON DUPLICATE KEY UPDATE enabled = VALUES(enabled),"
    " referrer_template_id = VALUES(referrer_template_id),"
    " referrer_points = VALUES(referrer_points),"
    " referee_template_id = VALUES(referee_template_id),"
    " referee_points = VALUES(referee_points),"
    " reward_when = VALUES(reward_when), daily_cap = VALUES(daily_cap),"
    " total_cap = VALUES(total_cap), updated_at = UTC_TIMESTAMP()");
enum { RT_ID, RT_NCOLS };
DB_SQL_COLS(q_ref_template_ok, RT_NCOLS,
    "SELECT id FROM coupon_templates WHERE merchant_id = ? AND id = ?");
DB_SQL(q_ref_insert,
    "INSERT INTO referrals (merchant_id, referrer_id, referee_id, status,"
    " created_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP())");
enum { RP_ID, RP_REFERRER, RP_NCOLS };
DB_SQL_COLS(q_ref_pending, RP_NCOLS,
    "SELECT id, referrer_id FROM referrals WHERE merchant_id = ?"
    " AND referee_id = ? AND status = 'pending'");
DB_SQL(q_ref_mark,
    "UPDATE referrals SET status = ?, rewarded_at = UTC_TIMESTAMP()"
    " WHERE id = ? AND status = 'pending'");
DB_SQL(q_ref_capped,
    "UPDATE referrals SET status = 'capped', rewarded_at = NULL WHERE id = ?");
DB_SQL(q_ref_day_row,
    "INSERT IGNORE INTO referral_counts (referrer_id, day, rewarded)"
    " VALUES (?, ?, 0)");
DB_SQL(q_ref_day_bump,
    "UPDATE referral_counts SET rewarded = rewarded + 1"
    " WHERE referrer_id = ? AND day = ? AND rewarded < ?");
DB_SQL(q_ref_total_bump,
    "UPDATE members SET referrals_rewarded = referrals_rewarded + 1"
    " WHERE merchant_id = ? AND id = ? AND referrals_rewarded < ?");
/* Which of the two sides staff have blocked (冻结): (merchant, referrer,
   referee). */
enum { RB_REFERRER, RB_REFEREE, RB_NCOLS };
DB_SQL_COLS(q_ref_blocked, RB_NCOLS,
    "SELECT COALESCE(MAX(id = ? AND blocked_at IS NOT NULL), 0),"
    " COALESCE(MAX(id = ? AND blocked_at IS NOT NULL), 0) FROM members"
    " WHERE merchant_id = ? AND id IN (?, ?)");
enum { RC_INVITED, RC_REWARDED, RC_NCOLS };
DB_SQL_COLS(q_ref_counts, RC_NCOLS,
    "SELECT COUNT(*), COALESCE(SUM(status = 'rewarded'), 0) FROM referrals"
    " WHERE merchant_id = ? AND referrer_id = ?");

struct ref_settings {
	int		 enabled, on_join;
	int64_t		 referrer_tpl, referrer_points;
	int64_t		 referee_tpl, referee_points;
	int64_t		 daily_cap, total_cap;
};

static const char *
referral_link(struct req *r, const char *code)
{
	return arena_printf(r->a, "%s/r/%s", cfg.public_url, code);
}

/*
 * The merchant's referral rules into s, *found 0 when there are none
 * (rewards off, s zeroed): 0, or the error status (recorded).
 */
static int
settings_load(struct req *r, struct ref_settings *s, int *found)
{
	struct db_res res;

	memset(s, 0, sizeof(*s));
	*found = 0;
	if (DB(r, &q_ref_settings, &res, DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return 0;
	s->enabled = (int)db_int(&res, 0, RS_ENABLED);
	s->referrer_tpl = db_int(&res, 0, RS_REFERRER_TPL);
	s->referrer_points = db_int(&res, 0, RS_REFERRER_POINTS);
	s->referee_tpl = db_int(&res, 0, RS_REFEREE_TPL);
	s->referee_points = db_int(&res, 0, RS_REFEREE_POINTS);
	s->on_join = strcmp(db_str(&res, 0, RS_WHEN), "join") == 0;
	s->daily_cap = db_int(&res, 0, RS_DAILY_CAP);
	s->total_cap = db_int(&res, 0, RS_TOTAL_CAP);
	*found = 1;
	return 0;
}

/*
 * One side's reward: a coupon (skipped when it is refused) and points.
 * 0, or the error status (recorded).
 */
static int
reward_side(struct req *r, int64_t member, int64_t tpl, int64_t points,
    int64_t referral_id)
{
	cJSON *coupon;
	int st;

	if (tpl > 0) {
		if ((st = coupon_grant(r, member, tpl, "referral",
		    &coupon)) >= 500)
			return st;
		if (st != 0) {
			log_info(r, "referral %lld: coupon %lld not issued to "
			    "%lld (%s)", (long long)referral_id, (long long)tpl,
			    (long long)member, r->err_code ? r->err_code : "");
			resp_reset(r);
		}
	}
	if (points > 0) {
		const char *ref = arena_printf(r->a, "referral:%lld",
		    (long long)referral_id);

		/* a lot of the points ledger, expiring as the points
		   settings say */
		if ((st = points_grant(r, member, points, "referral", ref)) !=
		    0)
			return st;
	}
	return 0;
}

/*
 * Reward a pending referral once: the status update from pending decides
 * who rewards it; the caps are counters raised by conditional updates.
 * A side blocked by staff then is skipped for good (not rewarded later);
 * a referral whose referrer is blocked is marked 'blocked', so that it is
 * not among the referrals the referrer sees rewarded, while its referee
 * is rewarded as usual (within the caps, which bound what one link gives).
 * 0, or the error status (recorded).
 */
static int
reward(struct req *r, const struct ref_settings *s, int64_t id,
    int64_t referrer, int64_t referee)
{
	const char *day = arena_strndup(r->a, time_rfc3339_t(r, time_now()),
	    10);
	struct db_res res;
	int st, referrer_blocked, referee_blocked;

	if (DB(r, &q_ref_blocked, &res, DBI(referrer), DBI(referee),
	    DBI(r->m->id), DBI(referrer), DBI(referee)) != DB_OK ||
	    res.nrows != 1)
		return db_fail(r);
	referrer_blocked = db_int(&res, 0, RB_REFERRER) != 0;
	referee_blocked = db_int(&res, 0, RB_REFEREE) != 0;
	if (DB(r, &q_ref_mark, &res, DBS(referrer_blocked ? "blocked" :
	    "rewarded"), DBI(id)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1)
		return 0;	/* rewarded (or capped) already */
	if (db_exec_simple("SAVEPOINT referral_caps") == -1)
		return db_fail(r);
	if (DB(r, &q_ref_day_row, NULL, DBI(referrer), DBS(day)) != DB_OK ||
	    DB(r, &q_ref_day_bump, &res, DBI(referrer), DBS(day),
	    DBI(s->daily_cap)) != DB_OK)
		return db_fail(r);
	if (res.affected == 1 && DB(r, &q_ref_total_bump, &res,
	    DBI(r->m->id), DBI(referrer), DBI(s->total_cap)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1) {
		/* over a cap: undo the counters, bound but not rewarded */
		if (db_exec_simple("ROLLBACK TO SAVEPOINT referral_caps") == -1 ||
		    DB(r, &q_ref_capped, NULL, DBI(id)) != DB_OK)
			return db_fail(r);
		return 0;
	}
	if (referrer_blocked)
		log_info(r, "referral %lld: referrer %lld blocked, not rewarded",
		    (long long)id, (long long)referrer);
	else if ((st = reward_side(r, referrer, s->referrer_tpl,
	    s->referrer_points, id)) != 0)
		return st;
	if (referee_blocked) {
		log_info(r, "referral %lld: referee %lld blocked, not rewarded",
		    (long long)id, (long long)referee);
		return 0;
	}
	return reward_side(r, referee, s->referee_tpl, s->referee_points, id);
}

/* A new member joined with a referrer: bind them for good and, when the
   merchant rewards on joining, reward both within the caps. 0, or the
   error status (recorded). */
static int
referral_on_join(struct req *r, int64_t referee, int64_t referrer)
{
	struct ref_settings s;
	struct db_res res;
	int found, rc, st;

	if (referee == referrer)
		return 0;	/* no self-referral */
	if ((st = settings_load(r, &s, &found)) != 0)
		return st;
	rc = DB(r, &q_ref_insert, &res, DBI(r->m->id), DBI(referrer),
	    DBI(referee), DBS(found && s.enabled ? "pending" : "off"));
	if (rc == DB_DUP)
		return 0;	/* bound to a referrer already, for good */
	if (rc != DB_OK)
		return db_fail(r);
	if (!s.enabled || !s.on_join)
		return 0;
	return reward(r, &s, (int64_t)res.insert_id, referrer, referee);
}

/* A member completed a balance payment: when the merchant rewards
   referrals on the referee's first payment, reward a pending referral.
   0, or the error status (recorded). */
static int
referral_on_payment(struct req *r, int64_t member)
{
	struct ref_settings s;
	struct db_res res;
	int found, st;

	if ((st = settings_load(r, &s, &found)) != 0)
		return st;
	if (!found || !s.enabled || s.on_join)
		return 0;
	if (DB(r, &q_ref_pending, &res, DBI(r->m->id), DBI(member)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return 0;
	return reward(r, &s, db_int(&res, 0, RP_ID),
	    db_int(&res, 0, RP_REFERRER), member);
}

static int
referral_on_joined(struct req *r, const void *arg)
{
	const struct member_joined *e = arg;

	if (e->referrer_id == 0)
		return 0;
	return referral_on_join(r, e->member_id, e->referrer_id);
}
ON_EVENT(EV_MEMBER_JOINED, 10, referral_on_joined);

/* An order paid by a member with any tender is a first payment too. */
static int
referral_on_order(struct req *r, const void *arg)
{
	const struct order_paid *e = arg;

	if (e->member_id == 0)
		return 0;
	return referral_on_payment(r, e->member_id);
}
ON_EVENT(EV_ORDER_PAID, 10, referral_on_order);

/*
 * The member's referral code, link and counts.
 * Out: {code, link, invited, rewarded, qr_svg_url}.
 */
static int
referral_mine(struct req *r)
{
	const char *code = referral_code(r, r->auth.member_id);
	struct db_res res;
	cJSON *d;

	if (DB(r, &q_ref_counts, &res, DBI(r->m->id), DBI(r->auth.member_id))
	    != DB_OK)
		return db_fail(r);
	d = j_obj();
	j_str(d, "code", code);
	j_str(d, "link", referral_link(r, code));
	j_int(d, "invited", db_int(&res, 0, RC_INVITED));
	j_int(d, "rewarded", db_int(&res, 0, RC_REWARDED));
	j_str(d, "qr_svg_url", arena_printf(r->a,
	    "/api/v1/m/%s/me/referral.svg", r->m->code));
	return resp_data(r, 200, d);
}

/* The referral link as a QR code (SVG). */
static int
referral_qr(struct req *r)
{
	const char *code = referral_code(r, r->auth.member_id);
	char *svg;
	size_t len;

	if (qr_svg(r, referral_link(r, code), &svg, &len) == -1)
		return resp_internal(r);
	resp_header(r, "Cache-Control", "private, max-age=3600");
	return resp_raw(r, 200, "image/svg+xml", svg, len);
}

/*
 * GET /r/{code}: bind the referrer to this browser and send the visitor
 * to the merchant's join page with it. A forged code gets a 404 page.
 */
static int
referral_open(struct req *r)
{
	const char *code = req_param(r, "code");
	uint32_t mid, member;
	struct db_res res;

	if (referral_check(code, &mid, &member) == -1)
		return resp_err(r, 404, "not_found", "邀请链接无效", NULL);
	if (DB(r, &q_ref_merchant_code, &res, DBI(mid)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 404, "not_found", "邀请链接无效", NULL);
	resp_cookie(r, "ref", code, arena_printf(r->a, "/m/%s/",
	    db_str(&res, 0, RM_CODE)), 30L * 86400);
	return resp_redirect(r, 302, arena_printf(r->a,
	    "/m/%s/join?ref=%s", db_str(&res, 0, RM_CODE), code));
}

/* Out: settings/referral as api.md describes it. */
static int
referral_settings_get(struct req *r)
{
	struct ref_settings s;
	cJSON *d, *o;
	int found, st;

	if ((st = settings_load(r, &s, &found)) != 0)
		return st;
	if (!found) {
		s.daily_cap = 10;
		s.total_cap = 100;
		s.on_join = 1;
	}
	d = j_obj();
	j_bool(d, "enabled", s.enabled);
	o = j_obj();
	if (s.referrer_tpl)
		j_int(o, "template_id", s.referrer_tpl);
	else
		j_null(o, "template_id");
	j_int(o, "points", s.referrer_points);
	j_add(d, "referrer", o);
	o = j_obj();
	if (s.referee_tpl)
		j_int(o, "template_id", s.referee_tpl);
	else
		j_null(o, "template_id");
	j_int(o, "points", s.referee_points);
	j_add(d, "referee", o);
	j_str(d, "when", s.on_join ? "join" : "first_payment");
	j_int(d, "daily_cap", s.daily_cap);
	j_int(d, "total_cap", s.total_cap);
	return resp_data(r, 200, d);
}

/*
 * One side of the settings: {template_id?, points?}, validated: 0, or the
 * error status (recorded).
 */
static int
side_parse(struct req *r, const char *name, int64_t *tpl, int64_t *points)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(r->json, name), *v;
	struct db_res res;
	const char *f;

	*tpl = 0;
	*points = 0;
	if (o == NULL || cJSON_IsNull(o))
		return 0;
	if (!cJSON_IsObject(o))
		return resp_bad_field(r, name, "应为对象");
	v = cJSON_GetObjectItemCaseSensitive(o, "template_id");
	if (v != NULL && !cJSON_IsNull(v)) {
		f = arena_printf(r->a, "%s.template_id", name);
		if (!cJSON_IsNumber(v) || v->valuedouble < 1 ||
		    v->valuedouble > 1e15 ||
		    v->valuedouble != (double)(int64_t)v->valuedouble)
			return resp_bad_field(r, f, "应为优惠券模板 id");
		*tpl = (int64_t)v->valuedouble;
		if (DB(r, &q_ref_template_ok, &res, DBI(r->m->id), DBI(*tpl))
		    != DB_OK)
			return db_fail(r);
		if (res.nrows == 0)
			return resp_bad_field(r, f, "优惠券模板不存在");
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "points");
	if (v != NULL && !cJSON_IsNull(v)) {
		f = arena_printf(r->a, "%s.points", name);
		if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
		    v->valuedouble > 1000000 ||
		    v->valuedouble != (double)(int64_t)v->valuedouble)
			return resp_bad_field(r, f, "应为 0 到 1000000 的整数");
		*points = (int64_t)v->valuedouble;
	}
	return 0;
}

static int
settings_put_tx(struct req *r, void *arg)
{
	struct ref_settings *s = arg;
	int st;

	if (DB(r, &q_ref_settings_put, NULL, DBI(r->m->id), DBI(s->enabled),
	    DBIN(s->referrer_tpl, s->referrer_tpl), DBI(s->referrer_points),
	    DBIN(s->referee_tpl, s->referee_tpl), DBI(s->referee_points),
	    DBS(s->on_join ? "join" : "first_payment"), DBI(s->daily_cap),
	    DBI(s->total_cap)) != DB_OK)
		return db_fail(r);
	if ((st = audit_log(r, "settings.referral", NULL, r->body, 0)) != 0)
		return st;
	return 200;
}

/*
 * Replace the referral rules.
 * In: {enabled, referrer:{template_id?, points?}, referee:{...},
 * when:"join"|"first_payment", daily_cap, total_cap}. Out: the settings.
 * Writes: referral_settings, audit_log.
 */
static int
referral_settings_put(struct req *r)
{
	struct ref_settings s;
	const char *when;
	int enabled, st;

	memset(&s, 0, sizeof(s));
	if (req_json_body(r) == -1 ||
	    req_json_bool(r, "enabled", 1, &enabled) == -1 ||
	    req_json_str(r, "when", 1, 1, 16, &when) == -1 ||
	    req_json_int(r, "daily_cap", 1, 0, 100000, &s.daily_cap) == -1 ||
	    req_json_int(r, "total_cap", 1, 0, 10000000, &s.total_cap) == -1)
		return r->status;
	if (strcmp(when, "join") && strcmp(when, "first_payment"))
		return resp_bad_field(r, "when", "应为 join 或 first_payment");
	if (s.daily_cap > s.total_cap)
		return resp_bad_field(r, "daily_cap", "每日上限不能超过总上限");
	if ((st = side_parse(r, "referrer", &s.referrer_tpl,
	    &s.referrer_points)) != 0 || (st = side_parse(r, "referee",
	    &s.referee_tpl, &s.referee_points)) != 0)
		return st;
	s.enabled = enabled;
	s.on_join = strcmp(when, "join") == 0;
	if ((st = db_tx(r, settings_put_tx, &s)) >= 400)
		return st;
	return referral_settings_get(r);
}

/* GET /m/{merchant}/invite: the link, its QR code and the counts. */
static int
page_invite(struct req *r)
{
	int st;

	if ((st = page_member_gate(r)) != 0)
		return st;
	return resp_html(r, 200, "pages/invite",
	    page_ctx("邀请好友", "page-invite", "invite.js"));
}

ROUTES(referral_routes) = {
	{ M_GET, "/api/v1/m/:merchant/me/referral", referral_mine, AUTH_MEMBER },
	{ M_GET, "/api/v1/m/:merchant/me/referral.svg", referral_qr,
	    AUTH_MEMBER },
	{ M_GET, "/r/:code", referral_open, HTML },
	{ M_GET, "/api/v1/m/:merchant/staff/settings/referral",
	    referral_settings_get, AUTH_STAFF | ROLE_MARKETING },
	{ M_PUT, "/api/v1/m/:merchant/staff/settings/referral",
	    referral_settings_put, AUTH_STAFF | ROLE_MARKETING | CSRF },
	{ M_GET, "/m/:merchant/invite", page_invite, AUTH_OPTIONAL | HTML },
	{ 0, NULL, NULL, 0 }
};
