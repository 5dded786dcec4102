/*
 * Coupon pushes (定向发券): owners and marketing issue one template's
 * coupon straight to members, chosen by the member list's filter (the
 * query of GET staff/members), by pasted phones or card numbers, or by
 * member ids. POST staff/coupon-pushes makes the push and answers 202;
 * the job coupon-pushes does the work in batches (started at once in a
 * process of its own, and by every tick), and GET staff/coupon-pushes/{id}
 * shows how far it is.
 *
 * A push is a row of coupon_pushes with a cursor and its counts, and a
 * row of coupon_push_members per member it reaches. A list's members are
 * written with the push; a filter's are collected by the job first, a
 * page of the member list at a time (phase collect: who matches the
 * filter as the job reads it, among the members who had joined when the
 * push was made), and then the push has its total. Then each batch takes
 * the next members after the cursor, sets each one's outcome by a
 * conditional update of a row that has none yet, and issues the coupon
 * through coupon_grant() (the claim's issue path: the per-member limit
 * by the claim counter, the stock by the conditional decrement), all in
 * the batch's transaction together with the push's cursor and counts:
 * a batch that fails half way is rolled back whole and done again, and
 * no member gets two coupons of one push.
 *
 * Outcomes: issued; over_limit (the member holds the template's
 * per-member limit already: counted and reported, the push goes on);
 * out_of_stock (the stock ran out: the push stops there, done, and every
 * member not reached yet counts here); skipped (a member who is gone, or
 * the template stopped during the push: then the rest is skipped and the
 * push failed); blocked (a member frozen by staff is sent nothing: counted
 * and reported like over_limit, the push goes on). issued + over_limit +
 * out_of_stock + skipped + blocked = total once the push is done.
 *
 * POST staff/coupon-pushes/{id}/cancel stops a queued or running push:
 * the batch under way (if any) commits first, the next one finds the push
 * cancelled; what was issued stays, the members not reached keep no
 * outcome. Pushes are taken in turn, a batch each (after the push the
 * run's last batch worked on), skipping one whose batch another process
 * holds, so a long or stuck push holds no later one back.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "coupon/coupon.h"
#include "db.h"
#include "job.h"
#include "member/member.h"
#include "req.h"
#include "staff.h"

#define PUSH_BATCH	200	/* members a batch issues to */
#define PUSH_COLLECT	500	/* members a collect batch reads */
#define PUSH_LIST_MAX	5000	/* phones or card numbers of one push */
#define PUSH_IDS_MAX	1000	/* member ids of one push */
#define PUSH_FILTER_MAX	1000	/* characters of a filter query */
#define PUSH_UNKNOWN_MAX 100	/* unknown entries kept to show */
#define PUSH_SEND_MAX	(30 * 86400)	/* how far ahead send_at may be */

enum { PT_ID, PT_NAME, PT_KIND, PT_STATUS, PT_STOCK_LEFT, PT_NCOLS };
DB_SQL_COLS(q_push_tpl, PT_NCOLS,
    "SELECT id, name, kind, status, stock_left FROM coupon_templates"
    " WHERE merchant_id = ? AND id = ?");
enum { PX_MAX, PX_NCOLS };
DB_SQL_COLS(q_push_max_member, PX_NCOLS,
    "SELECT COALESCE(MAX(id), 0) FROM members WHERE merchant_id = ?");
enum { PM_ID, PM_NCOLS };
DB_SQL_COLS(q_push_by_phone, PM_NCOLS,
    "SELECT id FROM members WHERE merchant_id = ? AND phone = ?");
DB_SQL_COLS(q_push_by_card, PM_NCOLS,
    "SELECT id FROM members WHERE merchant_id = ? AND card_no = ?");
DB_SQL_COLS(q_push_by_id, PM_NCOLS,
    "SELECT id FROM members WHERE merchant_id = ? AND id = ?");
DB_SQL(q_push_insert,
    "INSERT INTO coupon_pushes (merchant_id, template_id, target, filter,"
    " status, phase, max_member_id, total, unknown, unknown_count, send_at,"
    " staff_id, created_at) VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?,"
    " ?, ?, UTC_TIMESTAMP())");
DB_SQL(q_push_member_add,
    "INSERT IGNORE INTO coupon_push_members (push_id, member_id,"
    " merchant_id) VALUES (?, ?, ?)");

#define PUSH_COLS \
	"p.id, p.template_id, t.name, p.target, p.filter, p.status, p.total," \
	" p.issued, p.over_limit, p.out_of_stock, p.skipped, p.unknown," \
	" p.unknown_count, p.send_at, p.error, p.created_at, p.started_at," \
	" p.finished_at, p.blocked, p.cancelled_at"
enum { PG_ID, PG_TEMPLATE, PG_TNAME, PG_TARGET, PG_FILTER, PG_STATUS,
    PG_TOTAL, PG_ISSUED, PG_OVER, PG_OUT, PG_SKIPPED, PG_UNKNOWN,
    PG_UNKNOWN_N, PG_SEND_AT, PG_ERROR, PG_CREATED, PG_STARTED,
    PG_FINISHED, PG_BLOCKED, PG_CANCELLED, PG_NCOLS };
DB_SQL_COLS(q_push_get, PG_NCOLS,
    "SELECT " PUSH_COLS " FROM coupon_pushes p"
    " JOIN coupon_templates t ON t.id = p.template_id"
    " AND t.merchant_id = p.merchant_id"
    " WHERE p.merchant_id = ? AND p.id = ?");
DB_SQL_COLS(q_push_list, PG_NCOLS,
    "SELECT " PUSH_COLS " FROM coupon_pushes p"
    " JOIN coupon_templates t ON t.id = p.template_id"
    " AND t.merchant_id = p.merchant_id"
    " WHERE p.merchant_id = ? AND p.id < ? ORDER BY p.id DESC LIMIT ?");

/* ---- the push as JSON ---- */

static void
j_time_or_null(struct req *r, cJSON *o, const char *k, const char *sql)
{
	if (sql == NULL)
		j_null(o, k);
	else
		j_str(o, k, time_rfc3339(r, sql));
}

static cJSON *
push_json(struct req *r, const struct db_res *res, int i)
{
	cJSON *o = j_obj(), *u;
	const char *s;

	j_int(o, "id", db_int(res, i, PG_ID));
	j_int(o, "template_id", db_int(res, i, PG_TEMPLATE));
	j_str(o, "template_name", db_str(res, i, PG_TNAME));
	j_str(o, "status", db_str(res, i, PG_STATUS));
	j_str(o, "target", db_str(res, i, PG_TARGET));
	j_str(o, "filter", db_str(res, i, PG_FILTER));
	if (db_isnull(res, i, PG_TOTAL))
		j_null(o, "total");
	else
		j_int(o, "total", db_int(res, i, PG_TOTAL));
	j_int(o, "issued", db_int(res, i, PG_ISSUED));
	j_int(o, "over_limit", db_int(res, i, PG_OVER));
	j_int(o, "out_of_stock", db_int(res, i, PG_OUT));
	j_int(o, "skipped", db_int(res, i, PG_SKIPPED));
	j_int(o, "blocked", db_int(res, i, PG_BLOCKED));
	s = db_str(res, i, PG_UNKNOWN);
	if (s == NULL || (u = cJSON_Parse(s)) == NULL || !cJSON_IsArray(u))
		u = j_arr();
	j_add(o, "unknown", u);
	j_int(o, "unknown_count", db_int(res, i, PG_UNKNOWN_N));
	j_time_or_null(r, o, "send_at", db_str(res, i, PG_SEND_AT));
	j_str(o, "error", db_str(res, i, PG_ERROR));
	j_time_or_null(r, o, "created_at", db_str(res, i, PG_CREATED));
	j_time_or_null(r, o, "started_at", db_str(res, i, PG_STARTED));
	j_time_or_null(r, o, "finished_at", db_str(res, i, PG_FINISHED));
	j_time_or_null(r, o, "cancelled_at", db_str(res, i, PG_CANCELLED));
	return o;
}

#define PUSH_OVER_SHOWN	50	/* members of an outcome a push names */

enum { PO_ID, PO_NAME, PO_PHONE, PO_NCOLS };
DB_SQL_COLS(q_push_over, PO_NCOLS,
    "SELECT mb.id, mb.name, mb.phone FROM coupon_push_members pm"
    " JOIN members mb ON mb.id = pm.member_id"
    " AND mb.merchant_id = pm.merchant_id"
    " WHERE pm.push_id = ? AND pm.merchant_id = ?"
    " AND pm.outcome = ? ORDER BY pm.member_id LIMIT ?");

/* The first members of a push with an outcome (over_limit, blocked):
   [{id, name, phone_masked}], or NULL with the error recorded. */
static cJSON *
outcome_members_json(struct req *r, int64_t push, const char *outcome)
{
	struct db_res res;
	char masked[32];
	cJSON *arr = j_arr(), *o;
	int i;

	if (DB(r, &q_push_over, &res, DBI(push), DBI(r->m->id), DBS(outcome),
	    DBI(PUSH_OVER_SHOWN)) != DB_OK) {
		db_fail(r);
		return NULL;
	}
	for (i = 0; i < res.nrows; i++) {
		o = j_obj();
		j_int(o, "id", db_int(&res, i, PO_ID));
		j_str(o, "name", db_str(&res, i, PO_NAME));
		phone_mask(db_str(&res, i, PO_PHONE), masked, sizeof(masked));
		j_str(o, "phone_masked", masked);
		j_add(arr, NULL, o);
	}
	return arr;
}

/* ---- making a push ---- */

struct push_in {
	int64_t		 template_id;
	const char	*target;	/* "filter" | "phones" | "member_ids" */
	const char	*filter;	/* query string */
	const char	*send_at;	/* SQL UTC, or NULL */
	/* phones: the entries as pasted, deduplicated */
	const char	**entries;
	int		 nentries;
	/* member_ids */
	int64_t		*ids;
	int		 nids;
	int64_t		 push_id;
};

static int
is_sep(const char *p, size_t *len)
{
	/* ASCII space and punctuation, and the full-width ，；、 */
	if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
	    *p == ',' || *p == ';') {
		*len = 1;
		return 1;
	}
	if (strncmp(p, "\xef\xbc\x8c", 3) == 0 ||
	    strncmp(p, "\xef\xbc\x9b", 3) == 0 ||
	    strncmp(p, "\xe3\x80\x81", 3) == 0) {
		*len = 3;
		return 1;
	}
	return 0;
}

static int
add_entry(struct req *r, struct push_in *in, const char *s, size_t n)
{
	int i;

	if (n == 0)
		return 0;
	for (i = 0; i < in->nentries; i++)
		if (strlen(in->entries[i]) == n &&
		    memcmp(in->entries[i], s, n) == 0)
			return 0;	/* pasted twice */
	if (in->nentries >= PUSH_LIST_MAX)
		return resp_bad_field(r, "phones", arena_printf(r->a,
		    "一次最多 %d 个手机号或卡号", PUSH_LIST_MAX));
	in->entries[in->nentries++] = arena_strndup(r->a, s, n);
	return 0;
}

/* Split pasted text on spaces, new lines, commas and the like. */
static int
add_text(struct req *r, struct push_in *in, const char *s)
{
	const char *start = s;
	size_t sep;
	int st;

	for (; *s != '\0'; s++) {
		if (!is_sep(s, &sep))
			continue;
		if ((st = add_entry(r, in, start, (size_t)(s - start))) != 0)
			return st;
		s += sep - 1;
		start = s + 1;
	}
	return add_entry(r, in, start, (size_t)(s - start));
}

/* phones: pasted text, or an array of strings. 0 or 400. */
static int
parse_phones(struct req *r, cJSON *v, struct push_in *in)
{
	cJSON *e;
	int st;

	in->entries = arena_calloc(r->a, PUSH_LIST_MAX + 1, sizeof(char *));
	if (cJSON_IsString(v)) {
		if ((st = add_text(r, in, v->valuestring)) != 0)
			return st;
	} else if (cJSON_IsArray(v)) {
		cJSON_ArrayForEach(e, v) {
			if (!cJSON_IsString(e))
				return resp_bad_field(r, "phones",
				    "应为手机号或卡号的列表");
			if ((st = add_text(r, in, e->valuestring)) != 0)
				return st;
		}
	} else
		return resp_bad_field(r, "phones", "应为手机号或卡号的列表");
	if (in->nentries == 0)
		return resp_bad_field(r, "phones", "请粘贴至少一个手机号或卡号");
	return 0;
}

static int
parse_ids(struct req *r, cJSON *v, struct push_in *in)
{
	cJSON *e;
	int64_t id;
	int i, k = 0;

	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) < 1 ||
	    cJSON_GetArraySize(v) > PUSH_IDS_MAX)
		return resp_bad_field(r, "member_ids", arena_printf(r->a,
		    "应为 1 到 %d 个会员编号", PUSH_IDS_MAX));
	in->ids = arena_calloc(r->a, (size_t)cJSON_GetArraySize(v) + 1,
	    sizeof(int64_t));
	cJSON_ArrayForEach(e, v) {
		if (json_integer(e, &id) == -1 || id < 1)
			return resp_bad_field(r, arena_printf(r->a,
			    "member_ids[%d]", k), "应为会员编号");
		for (i = 0; i < in->nids && in->ids[i] != id; i++)
			;
		if (i == in->nids)
			in->ids[in->nids++] = id;
		k++;
	}
	return 0;
}

/* Query-string escaping of one key or value. */
static void
query_put(struct sbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
			sbuf_putc(b, (char)c);
		else {
			sbuf_putc(b, '%');
			sbuf_putc(b, hex[c >> 4]);
			sbuf_putc(b, hex[c & 15]);
		}
	}
}

/*
 * filter: the member list's query, as a query string ("tier=2&...") or
 * an object of its parameters ({"tier": 2, ...}; empty values left out).
 * Checked as the list checks it. 0 or 400.
 */
static int
parse_filter(struct req *r, cJSON *v, struct push_in *in)
{
	struct sbuf b;
	cJSON *e;
	int st;

	if (cJSON_IsString(v)) {
		in->filter = v->valuestring[0] == '?' ? v->valuestring + 1 :
		    v->valuestring;
	} else if (cJSON_IsObject(v)) {
		sbuf_init(&b, r->a, 256);
		cJSON_ArrayForEach(e, v) {
			const char *val;

			if (cJSON_IsString(e))
				val = e->valuestring;
			else if (cJSON_IsBool(e))
				val = cJSON_IsTrue(e) ? "true" : "false";
			else if (cJSON_IsNumber(e))
				val = arena_printf(r->a, "%lld",
				    (long long)e->valuedouble);
			else if (cJSON_IsNull(e))
				continue;
			else
				return resp_bad_field(r, arena_printf(r->a,
				    "filter.%s", e->string), "应为文字或数字");
			if (*val == '\0')
				continue;
			if (b.len > 0)
				sbuf_putc(&b, '&');
			query_put(&b, e->string);
			sbuf_putc(&b, '=');
			query_put(&b, val);
		}
		in->filter = sbuf_str(&b);
	} else
		return resp_bad_field(r, "filter", "应为会员列表的筛选条件");
	if (strlen(in->filter) > PUSH_FILTER_MAX)
		return resp_bad_field(r, "filter", "筛选条件太长");
	if ((st = members_filter_check(r, in->filter)) != 0) {
		/* the list names its own parameter: name it inside filter */
		cJSON *err = r->out ? cJSON_ParseWithLength(r->out,
		    r->outlen) : NULL;
		cJSON *eo = cJSON_GetObjectItem(err, "error");
		cJSON *f = cJSON_GetObjectItem(eo, "field");
		cJSON *msg = cJSON_GetObjectItem(eo, "message");

		if (st != 400 || !cJSON_IsString(f) || !cJSON_IsString(msg))
			return st;
		f = cJSON_CreateString(arena_printf(r->a, "filter.%s",
		    f->valuestring));
		msg = cJSON_CreateString(msg->valuestring);
		resp_reset(r);
		return resp_bad_field(r, f->valuestring, msg->valuestring);
	}
	return 0;
}

static int
push_create_tx(struct req *r, void *arg)
{
	struct push_in *in = arg;
	struct db_res res;
	struct sbuf unk;
	int64_t max_id, *found = NULL;
	int i, k, nfound = 0, nunknown = 0, st;

	if (DB(r, &q_push_tpl, &res, DBI(r->m->id), DBI(in->template_id)) !=
	    DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 404, "not_found", "优惠券不存在", NULL);
	if (strcmp(db_str(&res, 0, PT_KIND), "promo_code") == 0)
		return resp_bad_field(r, "template_id",
		    "优惠码类型的券请导出优惠码发放");
	if (strcmp(db_str(&res, 0, PT_STATUS), "active") != 0)
		return resp_err(r, 409, "ended",
		    "该优惠券不在发放中，请先启用再发券", "template_id");
	if (!db_isnull(&res, 0, PT_STOCK_LEFT) &&
	    db_int(&res, 0, PT_STOCK_LEFT) <= 0)
		return resp_err(r, 409, "out_of_stock", "优惠券已被抢光",
		    "template_id");
	if (DB(r, &q_push_max_member, &res, DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	max_id = db_int(&res, 0, PX_MAX);

	sbuf_init(&unk, r->a, 256);
	sbuf_putc(&unk, '[');
	if (in->nentries > 0) {
		found = arena_calloc(r->a, (size_t)in->nentries + 1,
		    sizeof(int64_t));
		for (i = 0; i < in->nentries; i++) {
			const char *e = in->entries[i];
			int64_t id = 0;

			if (phone_valid(e)) {
				if (DB(r, &q_push_by_phone, &res,
				    DBI(r->m->id), DBS(e)) != DB_OK)
					return db_fail(r);
				if (res.nrows == 1)
					id = db_int(&res, 0, PM_ID);
			}
			if (id == 0 && strlen(e) <= 20) {
				if (DB(r, &q_push_by_card, &res,
				    DBI(r->m->id), DBS(e)) != DB_OK)
					return db_fail(r);
				if (res.nrows == 1)
					id = db_int(&res, 0, PM_ID);
			}
			if (id == 0) {
				if (nunknown++ < PUSH_UNKNOWN_MAX) {
					char *s = cJSON_PrintUnformatted(
					    cJSON_CreateString(e));

					if (unk.len > 1)
						sbuf_putc(&unk, ',');
					sbuf_puts(&unk, s != NULL ? s : "\"\"");
				}
				continue;
			}
			/* a phone and the same member's card: once */
			for (k = 0; k < nfound && found[k] != id; k++)
				;
			if (k == nfound)
				found[nfound++] = id;
		}
		if (nfound == 0)
			return resp_bad_field(r, "phones",
			    "没有找到这些手机号或卡号对应的会员");
	} else if (in->nids > 0) {
		for (i = 0; i < in->nids; i++) {
			if (DB(r, &q_push_by_id, &res, DBI(r->m->id),
			    DBI(in->ids[i])) != DB_OK)
				return db_fail(r);
			if (res.nrows == 0)
				return resp_bad_field(r, arena_printf(r->a,
				    "member_ids[%d]", i), "会员不存在");
		}
		found = in->ids;
		nfound = in->nids;
	}
	sbuf_putc(&unk, ']');
	if (DB(r, &q_push_insert, &res, DBI(r->m->id), DBI(in->template_id),
	    DBS(in->target), DBS(in->filter),
	    DBS(in->filter != NULL ? "collect" : "issue"), DBI(max_id),
	    DBIN(nfound, in->filter == NULL),
	    DBS(in->nentries > 0 ? sbuf_str(&unk) : NULL), DBI(nunknown),
	    DBS(in->send_at), DBIN(r->auth.staff_id, r->auth.staff_id > 0)) !=
	    DB_OK)
		return db_fail(r);
	in->push_id = (int64_t)res.insert_id;
	for (i = 0; i < nfound; i++)
		if (DB(r, &q_push_member_add, &res, DBI(in->push_id),
		    DBI(found[i]), DBI(r->m->id)) != DB_OK)
			return db_fail(r);
	if ((st = audit_log(r, "coupon.push", arena_printf(r->a,
	    "coupon_push:%lld", (long long)in->push_id), arena_printf(r->a,
	    "{\"template_id\":%lld,\"target\":\"%s\",\"members\":%d}",
	    (long long)in->template_id, in->target, nfound), 0)) != 0)
		return st;
	return 202;
}

/* After the response: the job for this merchant, now. */
static void
push_start(void *code)
{
	(void)job_start("coupon-pushes", code);
}

/*
 * POST staff/coupon-pushes (owner, marketing): issue one template's
 * coupon to members.
 * In: {template_id, filter? | phones? | member_ids?, send_at?}, exactly
 * one target: filter, the member list's query (a query string or an
 * object of its parameters); phones, phones or card numbers (pasted
 * text split on spaces, new lines and commas, or an array), deduplicated,
 * those not found reported in unknown; member_ids, 1..1000 ids. send_at:
 * not before then (at most 30 days ahead). Out: 202 the push, queued.
 * Errors: 404 not_found (no such template of this merchant), 409 ended
 * (the template is not active), 409 out_of_stock, 400 invalid_field
 * (filter.<name> as the list names it, phones when none is found,
 * member_ids[i] for an unknown member). Writes: coupon_pushes,
 * coupon_push_members, audit_log; then starts the job.
 */
static int
push_create(struct req *r)
{
	struct push_in in;
	cJSON *f, *p, *ids;
	struct db_res res;
	int64_t at;
	int n = 0, st;

	memset(&in, 0, sizeof(in));
	if (req_json_body(r) == -1 ||
	    req_json_int(r, "template_id", 1, 1, INT64_MAX,
	    &in.template_id) == -1 ||
	    json_time_field(r, "send_at", 0, &in.send_at) == -1)
		return r->status;
	f = json_member(r->json, "filter");
	p = json_member(r->json, "phones");
	ids = json_member(r->json, "member_ids");
	n = (f != NULL) + (p != NULL) + (ids != NULL);
	if (n != 1)
		return resp_bad_field(r, f != NULL ? "phones" : "filter",
		    "请选择一种发券对象：会员筛选条件、手机号或会员");
	if (in.send_at != NULL) {
		if (time_sql_parse(in.send_at, &at) == -1)
			return resp_bad_field(r, "send_at", "时间格式不正确");
		if (at > time_now() + PUSH_SEND_MAX)
			return resp_bad_field(r, "send_at",
			    "定时发送最多提前 30 天");
		if (at <= time_now())
			in.send_at = NULL;	/* now */
	}
	if (f != NULL) {
		in.target = "filter";
		st = parse_filter(r, f, &in);
	} else if (p != NULL) {
		in.target = "phones";
		st = parse_phones(r, p, &in);
	} else {
		in.target = "member_ids";
		st = parse_ids(r, ids, &in);
	}
	if (st != 0)
		return st;
	if ((st = db_tx(r, push_create_tx, &in)) >= 400)
		return st;
	if (DB(r, &q_push_get, &res, DBI(r->m->id), DBI(in.push_id)) !=
	    DB_OK || res.nrows != 1)
		return db_fail(r);
	if (in.send_at == NULL)
		arena_defer(r->a, push_start, arena_strdup(r->a, r->m->code));
	return resp_data(r, 202, push_json(r, &res, 0));
}

/*
 * GET staff/coupon-pushes/{id}: one push and its progress, with
 * over_limit_members and blocked_members, the first 50 members it found
 * over the limit or blocked by staff. 404.
 */
static int
push_get(struct req *r)
{
	struct db_res res;
	cJSON *d, *over, *blocked;
	int64_t id;

	if (req_param_id(r, "id", &id) == -1)
		return resp_err(r, 404, "not_found", "发券任务不存在", NULL);
	if (DB(r, &q_push_get, &res, DBI(r->m->id), DBI(id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 404, "not_found", "发券任务不存在", NULL);
	d = push_json(r, &res, 0);
	if ((over = outcome_members_json(r, id, "over_limit")) == NULL ||
	    (blocked = outcome_members_json(r, id, "blocked")) == NULL)
		return r->status;
	j_add(d, "over_limit_members", over);
	j_add(d, "blocked_members", blocked);
	return resp_data(r, 200, d);
}

DB_SQL(q_push_cancel,
    "UPDATE coupon_pushes SET status = 'cancelled',"
    " cancelled_at = UTC_TIMESTAMP(), finished_at = UTC_TIMESTAMP()"
    " WHERE merchant_id = ? AND id = ? AND status IN ('queued', 'running')");

struct push_cancel {
	int64_t		 id;
};

static int
push_cancel_tx(struct req *r, void *arg)
{
	struct push_cancel *c = arg;
	struct db_res res;

	if (DB(r, &q_push_cancel, &res, DBI(r->m->id), DBI(c->id)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1) {
		if (DB(r, &q_push_get, &res, DBI(r->m->id), DBI(c->id)) !=
		    DB_OK)
			return db_fail(r);
		if (res.nrows == 0)
			return resp_err(r, 404, "not_found", "发券任务不存在",
			    NULL);
		return resp_err(r, 409, "conflict",
		    "发券任务已结束，无法取消", NULL);
	}
	return audit_log(r, "coupon.push_cancel", arena_printf(r->a,
	    "coupon_push:%lld", (long long)c->id),
	    "{\"status\":\"cancelled\"}", 0);
}

/*
 * POST staff/coupon-pushes/{id}/cancel (owner, marketing): stop a queued
 * or running push. The batch under way commits first (the push row's
 * lock orders them); no batch runs after. Out: the push, cancelled, its
 * counts as far as it got. Errors: 404 not_found, 409 conflict (done,
 * failed or cancelled already). Writes: coupon_pushes, audit_log.
 */
static int
push_cancel(struct req *r)
{
	struct push_cancel c;
	struct db_res res;
	int st;

	if (req_param_id(r, "id", &c.id) == -1)
		return resp_err(r, 404, "not_found", "发券任务不存在", NULL);
	if ((st = db_tx(r, push_cancel_tx, &c)) != 0)
		return st;
	if (DB(r, &q_push_get, &res, DBI(r->m->id), DBI(c.id)) != DB_OK ||
	    res.nrows != 1)
		return db_fail(r);
	return resp_data(r, 200, push_json(r, &res, 0));
}

/* GET staff/coupon-pushes: the pushes, newest first, a page at a time. */
static int
push_list(struct req *r)
{
	struct db_res res;
	int64_t limit, cursor, next;
	cJSON *arr;
	int i, n;

	if (req_page(r, &limit, &cursor) == -1)
		return r->status;
	if (DB(r, &q_push_list, &res, DBI(r->m->id),
	    DBI(cursor > 0 ? cursor : INT64_MAX), DBI(limit + 1)) != DB_OK)
		return db_fail(r);
	n = db_page(&res, limit, PG_ID, &next);
	arr = j_arr();
	for (i = 0; i < n; i++)
		j_add(arr, NULL, push_json(r, &res, i));
	return resp_list(r, arr, next);
}

/* ---- the job ---- */

enum { PN_ID, PN_TEMPLATE, PN_FILTER, PN_PHASE, PN_COLLECT, PN_MAX,
    PN_CURSOR, PN_NCOLS };
/* the next push due after id ?, in turn; one whose batch another
   process holds is passed over (it holds no later push back) */
DB_SQL_COLS(q_push_next, PN_NCOLS,
    "SELECT id, template_id, filter, phase, collect_cursor, max_member_id,"
    " `cursor` FROM coupon_pushes p WHERE merchant_id = ? AND id > ?"
    " AND (? = 0 OR id <= ?) AND status IN ('queued', 'running')"
    " AND (send_at IS NULL OR send_at <= ?)"
    " AND NOT EXISTS (SELECT 1 FROM job_batch_fails f WHERE f.run_id = ?"
    "  AND f.cursor_to = p.id)"
    " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED");
DB_SQL(q_push_collected,
    "UPDATE coupon_pushes SET collect_cursor = ?, status = 'running',"
    " started_at = IFNULL(started_at, UTC_TIMESTAMP())"
    " WHERE merchant_id = ? AND id = ?");
DB_SQL(q_push_to_issue,
    "UPDATE coupon_pushes SET phase = 'issue', status = 'running',"
    " started_at = IFNULL(started_at, UTC_TIMESTAMP()),"
    " total = (SELECT COUNT(*) FROM coupon_push_members"
    "  WHERE push_id = ?) WHERE merchant_id = ? AND id = ?");
enum { PR_MEMBER, PR_NCOLS };
DB_SQL_COLS(q_push_targets, PR_NCOLS,
    "SELECT member_id FROM coupon_push_members WHERE push_id = ?"
    " AND member_id > ? ORDER BY member_id LIMIT ?");
DB_SQL(q_push_outcome,
    "UPDATE coupon_push_members SET outcome = ?"
    " WHERE push_id = ? AND member_id = ? AND outcome IS NULL");
DB_SQL(q_push_outcome_set,
    "UPDATE coupon_push_members SET outcome = ?, coupon_id = ?"
    " WHERE push_id = ? AND member_id = ?");
DB_SQL(q_push_rest,
    "UPDATE coupon_push_members SET outcome = ?"
    " WHERE push_id = ? AND outcome IS NULL");
DB_SQL(q_push_step,
    "UPDATE coupon_pushes SET `cursor` = ?, issued = issued + ?,"
    " over_limit = over_limit + ?, out_of_stock = out_of_stock + ?,"
    " skipped = skipped + ?, blocked = blocked + ?, status = ?, error = ?,"
    " started_at = IFNULL(started_at, UTC_TIMESTAMP()),"
    " finished_at = IF(? = 'running', NULL, UTC_TIMESTAMP())"
    " WHERE merchant_id = ? AND id = ?");
DB_SQL(q_push_fail,
    "UPDATE coupon_pushes SET status = 'failed', error = ?,"
    " finished_at = UTC_TIMESTAMP() WHERE merchant_id = ? AND id = ?");
enum { PC_ID, PC_NCOLS };
DB_SQL_COLS(q_push_coupon_id, PC_NCOLS,
    "SELECT id FROM coupons WHERE merchant_id = ? AND code = ?");

enum { PB_BLOCKED, PB_NCOLS };
DB_SQL_COLS(q_push_blocked, PB_NCOLS, MEMBER_SQL_BLOCKED);

/* the job's counts are the first four; blocked is counted as skipped */
enum { N_ISSUED, N_OVER, N_OUT, N_SKIPPED, N_BLOCKED };

static int coupon_pushes_batch(struct job_run *);

JOB(coupon_pushes_job) = {
	"coupon-pushes", "定向发券", JOB_MINUTE, 0,
	{ "发放张数", "超出限领", "库存不足", "跳过" },
	coupon_pushes_batch,
	1,	/* a failing batch is set aside */
};

/* The message of the response recorded in r, for the push's error. */
static const char *
recorded_message(struct req *r)
{
	cJSON *o = r->out != NULL ? cJSON_ParseWithLength(r->out,
	    r->outlen) : NULL;
	cJSON *m = cJSON_GetObjectItem(cJSON_GetObjectItem(o, "error"),
	    "message");

	return cJSON_IsString(m) ? arena_strdup(r->a, m->valuestring) :
	    "发券失败";
}

/* A filter's members, a page of the member list at a time. */
static int
push_collect(struct job_run *j, const struct db_res *p)
{
	struct req *r = j->r;
	int64_t push = db_int(p, 0, PN_ID), max_id = db_int(p, 0, PN_MAX);
	int64_t limit = job_batch_limit(PUSH_COLLECT), *ids;
	const char *next;
	int i, n, st;

	ids = arena_calloc(r->a, (size_t)limit + 1, sizeof(int64_t));
	st = members_filter_page(r, db_str(p, 0, PN_FILTER),
	    db_str(p, 0, PN_COLLECT), limit, ids, &n, &next);
	if (st >= 500 || db_retry_pending())
		return st >= 400 ? st : 500;
	if (st != 0) {
		/* the filter no longer reads (a tier taken away) */
		const char *why = recorded_message(r);

		resp_reset(r);
		if (DB(r, &q_push_fail, NULL, DBS(why), DBI(r->m->id),
		    DBI(push)) != DB_OK)
			return db_fail(r);
		return JOB_MORE;
	}
	for (i = 0; i < n; i++)
		if (ids[i] <= max_id && DB(r, &q_push_member_add, NULL,
		    DBI(push), DBI(ids[i]), DBI(r->m->id)) != DB_OK)
			return db_fail(r);
	if (next != NULL) {
		if (DB(r, &q_push_collected, NULL, DBS(next), DBI(r->m->id),
		    DBI(push)) != DB_OK)
			return db_fail(r);
	} else if (DB(r, &q_push_to_issue, NULL, DBI(push), DBI(r->m->id),
	    DBI(push)) != DB_OK)
		return db_fail(r);
	return JOB_MORE;
}

/* The rest of the push's members, not reached: outcome, how many. */
static int
push_rest(struct req *r, int64_t push, const char *outcome, int64_t *n)
{
	struct db_res res;

	if (DB(r, &q_push_rest, &res, DBS(outcome), DBI(push)) != DB_OK)
		return db_fail(r);
	*n += (int64_t)res.affected;
	return 0;
}

/* The next members of a push, each issued once. */
static int
push_issue(struct job_run *j, const struct db_res *p)
{
	struct req *r = j->r;
	int64_t push = db_int(p, 0, PN_ID), tpl = db_int(p, 0, PN_TEMPLATE);
	int64_t cursor = db_int(p, 0, PN_CURSOR), n[5] = { 0, 0, 0, 0, 0 };
	int64_t limit = job_batch_limit(PUSH_BATCH);
	const char *status = "running", *error = NULL;
	const char *channel = arena_printf(r->a, "push:%lld", (long long)push);
	struct db_res res, t;
	int i, k, st;

	if (DB(r, &q_push_targets, &t, DBI(push), DBI(cursor),
	    DBI(limit)) != DB_OK)
		return db_fail(r);
	for (i = 0; i < t.nrows; i++) {
		int64_t member = db_int(&t, i, PR_MEMBER), cid = 0;
		const char *outcome = "issued";
		cJSON *coupon, *code;

		cursor = member;
		/* the row decides: a member reached already is left alone */
		if (DB(r, &q_push_outcome, &res, DBS("issued"), DBI(push),
		    DBI(member)) != DB_OK)
			return db_fail(r);
		if (res.affected != 1)
			continue;
		/* a member frozen by staff is sent nothing, and told why */
		if (DB(r, &q_push_blocked, &res, DBI(r->m->id),
		    DBI(member)) != DB_OK)
			return db_fail(r);
		if (res.nrows == 1 && db_int(&res, 0, PB_BLOCKED)) {
			n[N_BLOCKED]++;
			if (DB(r, &q_push_outcome_set, NULL, DBS("blocked"),
			    DBIN(0, 0), DBI(push), DBI(member)) != DB_OK)
				return db_fail(r);
			continue;
		}
		st = coupon_grant(r, member, tpl, channel, &coupon);
		if (st >= 500 || db_retry_pending())
			return st >= 400 ? st : 500;
		if (st == 0) {
			n[N_ISSUED]++;
			code = cJSON_GetObjectItem(coupon, "code");
			if (cJSON_IsString(code)) {
				if (DB(r, &q_push_coupon_id, &res,
				    DBI(r->m->id), DBS(code->valuestring)) !=
				    DB_OK)
					return db_fail(r);
				cid = db_int(&res, 0, PC_ID);
			}
		} else {
			const char *why = r->err_code ? r->err_code : "";

			if (strcmp(why, "limit_reached") == 0) {
				outcome = "over_limit";
				n[N_OVER]++;
			} else if (strcmp(why, "out_of_stock") == 0) {
				outcome = "out_of_stock";
				n[N_OUT]++;
				status = "done";
			} else if (strcmp(why, "ended") == 0) {
				outcome = "skipped";
				n[N_SKIPPED]++;
				status = "failed";
				error = "优惠券已停止发放，其余会员未发";
			} else {
				outcome = "skipped";	/* the member is gone */
				n[N_SKIPPED]++;
			}
			resp_reset(r);
		}
		if (DB(r, &q_push_outcome_set, NULL, DBS(outcome),
		    DBIN(cid, cid > 0), DBI(push), DBI(member)) != DB_OK)
			return db_fail(r);
		if (strcmp(status, "running") != 0)
			break;
	}
	if (strcmp(status, "done") == 0)
		st = push_rest(r, push, "out_of_stock", &n[N_OUT]);
	else if (strcmp(status, "failed") == 0)
		st = push_rest(r, push, "skipped", &n[N_SKIPPED]);
	else {
		st = 0;
		if (t.nrows < limit)
			status = "done";	/* every member reached */
	}
	if (st != 0)
		return st;
	if (DB(r, &q_push_step, NULL, DBI(cursor), DBI(n[N_ISSUED]),
	    DBI(n[N_OVER]), DBI(n[N_OUT]), DBI(n[N_SKIPPED]),
	    DBI(n[N_BLOCKED]), DBS(status), DBS(error), DBS(status),
	    DBI(r->m->id), DBI(push)) != DB_OK)
		return db_fail(r);
	for (k = 0; k < 4; k++)
		j->count[k] += n[k];
	j->count[N_SKIPPED] += n[N_BLOCKED];
	return JOB_MORE;
}

/*
 * One batch of the next push that is due at the run's moment (a
 * scheduled one once its send_at has come; `--date` runs for that day),
 * in turn after the one the run's last batch worked on (j->cursor), so
 * that pushes share the run a batch each; one another process holds is
 * passed over: a page of a filter's members collected, or the next
 * members issued. JOB_MORE while a push is left (this one or the next),
 * JOB_DONE when none is. A push whose batch failed and was set aside
 * (job.h) is passed over by the rest of the run; its retry (j->retry)
 * takes that push only, j->cursor_end.
 */
static int
coupon_pushes_batch(struct job_run *j)
{
	struct req *r = j->r;
	struct db_res p;
	int64_t after = j->retry ? j->cursor_end - 1 : j->cursor;
	int64_t aside = j->retry ? 0 : j->id;
	char at[20];

	time_sql(j->now, at);
	if (DB(r, &q_push_next, &p, DBI(r->m->id), DBI(after),
	    DBI(j->cursor_end), DBI(j->cursor_end), DBS(at), DBI(aside)) !=
	    DB_OK)
		return db_fail(r);
	if (p.nrows == 0 && after > 0 && !j->retry &&
	    DB(r, &q_push_next, &p, DBI(r->m->id), DBI(0), DBI(0), DBI(0),
	    DBS(at), DBI(aside)) != DB_OK)
		return db_fail(r);
	if (p.nrows == 0)
		return JOB_DONE;
	j->cursor = db_int(&p, 0, PN_ID);
	if (strcmp(db_str(&p, 0, PN_PHASE), "collect") == 0)
		return push_collect(j, &p);
	return push_issue(j, &p);
}

/* ---- the console ---- */

/*
 * GET /m/{merchant}/staff/coupon-pushes: the 定向发券 console (owners
 * and marketing): choose a template and the members (the member list's
 * filter it was opened with, pasted phones or card numbers, one member),
 * send, and watch the push's progress.
 */
static int
page_coupon_pushes(struct req *r)
{
	return resp_html(r, 200, "pages/staff_pushes",
	    page_staff_ctx("定向发券", "staff_pushes.js"));
}

#define PBASE "/api/v1/m/:merchant/staff/coupon-pushes"
#define MKT (AUTH_STAFF | ROLE_MARKETING)

ROUTES(coupon_push_routes) = {
	{ M_POST, PBASE, push_create, MKT | CSRF | IDEMPOTENT },
	{ M_GET, PBASE, push_list, MKT },
	{ M_GET, PBASE "/:id", push_get, MKT },
	{ M_POST, PBASE "/:id/cancel", push_cancel, MKT | CSRF },
	{ M_GET, "/m/:merchant/staff/coupon-pushes", page_coupon_pushes, HTML },
	{ 0, NULL, NULL, 0 }
};
