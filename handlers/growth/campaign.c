/*
 * Campaign pages: marketing builds a page with coupons, a gift pack for
 * members who join through it and share settings; consumers open it from
 * a share, join and claim; views, visitors and shares are counted.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "coupon/coupon.h"
#include "db.h"
#include "growth.h"
#include "member/member.h"

#define CAMPAIGN_TEMPLATES_MAX	20
#define CAMPAIGN_GIFTS_MAX	10

DB_SQL(q_cp_insert,
    "INSERT INTO campaigns (merchant_id, slug, name, starts_at, ends_at,"
    " banner_url, rules_text, published, paused, share_title, share_desc,"
    " share_image_url, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?,"
    " ?, ?, ?, ?, ?, UTC_TIMESTAMP(), UTC_TIMESTAMP())");
DB_SQL(q_cp_update,
    "UPDATE campaigns SET slug = ?, name = ?, starts_at = ?, ends_at = ?,"
    " banner_url = ?, rules_text = ?, published = ?, paused = ?,"
    " share_title = ?, share_desc = ?, share_image_url = ?,"
    " updated_at = UTC_TIMESTAMP() WHERE merchant_id = ? AND id = ?");
#define CP_COLS \
    "id, slug, name, starts_at, ends_at, banner_url, rules_text, published," \
    " paused, share_title, share_desc, share_image_url, created_at," \
    " updated_at, starts_at > UTC_TIMESTAMP(), ends_at <= UTC_TIMESTAMP()"
enum { CP_ID, CP_SLUG, CP_NAME, CP_STARTS, CP_ENDS, CP_BANNER, CP_RULES,
    CP_PUBLISHED, CP_PAUSED, CP_STITLE, CP_SDESC, CP_SIMAGE, CP_CREATED,
    CP_UPDATED, CP_BEFORE, CP_AFTER, CP_NCOLS };
DB_SQL_COLS(q_cp_by_id, CP_NCOLS,
    "SELECT " CP_COLS " FROM campaigns WHERE merchant_id = ? AND id = ?");
DB_SQL_COLS(q_cp_by_slug, CP_NCOLS,
    "SELECT " CP_COLS " FROM campaigns WHERE merchant_id = ? AND slug = ?");
DB_SQL_COLS(q_cp_list, CP_NCOLS,
    "SELECT " CP_COLS " FROM campaigns WHERE merchant_id = ? AND id < ?"
    " ORDER BY id DESC LIMIT ?");
DB_SQL(q_cp_tpl_clear, "DELETE FROM campaign_templates WHERE campaign_id = ?");
DB_SQL(q_cp_tpl_add,
    "INSERT INTO campaign_templates (campaign_id, template_id, gift,"
    " position) VALUES (?, ?, ?, ?)");
enum { CT_TEMPLATE, CT_GIFT, CT_NCOLS };
DB_SQL_COLS(q_cp_tpls, CT_NCOLS,
    "SELECT template_id, gift FROM campaign_templates WHERE campaign_id = ?"
    " ORDER BY gift, position");
enum { CO_ID, CO_NCOLS };
DB_SQL_COLS(q_cp_tpl_ok, CO_NCOLS,
    "SELECT id FROM coupon_templates WHERE merchant_id = ? AND id = ?");
enum { CN_ID, CN_NAME, CN_KIND, CN_VALUE, CN_THRESHOLD, CN_PCT, CN_GIFT,
    CN_NCOLS };
DB_SQL_COLS(q_cp_tpl_names, CN_NCOLS,
    "SELECT t.id, t.name, t.kind, t.value_fen, t.threshold_fen,"
    " t.discount_pct, t.gift_item FROM campaign_templates ct"
    " JOIN coupon_templates t ON t.id = ct.template_id"
    " WHERE ct.campaign_id = ? AND ct.gift = ? AND t.merchant_id = ?"
    " ORDER BY ct.position");
enum { CS_VIEWS, CS_VISITORS, CS_SHARES, CS_NCOLS };
DB_SQL_COLS(q_cp_stats, CS_NCOLS,
    "SELECT COALESCE(SUM(views), 0), COALESCE(SUM(visitors), 0),"
    " COALESCE(SUM(shares), 0) FROM campaign_stats WHERE campaign_id = ?");
enum { CJ_COUNT, CJ_NCOLS };
DB_SQL_COLS(q_cp_joins, CJ_NCOLS,
    "SELECT COUNT(*) FROM members WHERE merchant_id = ? AND channel = ?");
enum { CL_COUNT, CL_NCOLS };
DB_SQL_COLS(q_cp_claims, CL_NCOLS,
    "SELECT COUNT(*) FROM coupons WHERE merchant_id = ? AND channel = ?");
DB_SQL(q_cp_count,
    "INSERT INTO campaign_stats (campaign_id, day, views, visitors, shares)"
    " VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE"
    " views = views + VALUES(views), visitors = visitors + VALUES(visitors),"
    " shares = shares + VALUES(shares)");
DB_SQL(q_cp_visitor,
    "INSERT IGNORE INTO campaign_visitors (campaign_id, visitor, first_at)"
    " VALUES (?, ?, UTC_TIMESTAMP())");

/* A campaign as the request or the database gives it. */
struct campaign {
	int64_t		 id;
	const char	*slug, *name, *starts_at, *ends_at;	/* SQL UTC */
	const char	*banner_url, *rules_text;
	const char	*share_title, *share_desc, *share_image_url;
	int		 published, paused;
	int		 before, after;		/* the window, now */
	int64_t		 tpl[CAMPAIGN_TEMPLATES_MAX];
	int		 ntpl;
	int64_t		 gift[CAMPAIGN_GIFTS_MAX];
	int		 ngift;
	int		 tpl_given, gift_given;
};

static const char *
cp_status(const struct campaign *c)
{
	if (!c->published)
		return "draft";
	if (c->before)
		return "scheduled";
	if (c->after)
		return "ended";
	return c->paused ? "paused" : "live";
}

static void
cp_from_row(const struct db_res *res, int i, struct campaign *c)
{
	memset(c, 0, sizeof(*c));
	c->id = db_int(res, i, CP_ID);
	c->slug = db_str(res, i, CP_SLUG);
	c->name = db_str(res, i, CP_NAME);
	c->starts_at = db_str(res, i, CP_STARTS);
	c->ends_at = db_str(res, i, CP_ENDS);
	c->banner_url = db_str(res, i, CP_BANNER);
	c->rules_text = db_str(res, i, CP_RULES);
	c->published = (int)db_int(res, i, CP_PUBLISHED);
	c->paused = (int)db_int(res, i, CP_PAUSED);
	c->share_title = db_str(res, i, CP_STITLE);
	c->share_desc = db_str(res, i, CP_SDESC);
	c->share_image_url = db_str(res, i, CP_SIMAGE);
	c->before = (int)db_int(res, i, CP_BEFORE);
	c->after = (int)db_int(res, i, CP_AFTER);
}

/* The campaign's coupons and gift pack into c: 0, or the error status. */
static int
cp_load_templates(struct req *r, struct campaign *c)
{
	struct db_res res;
	int i;

	if (DB(r, &q_cp_tpls, &res, DBI(c->id)) != DB_OK)
		return db_fail(r);
	for (i = 0; i < res.nrows; i++) {
		if (db_int(&res, i, CT_GIFT) == 0 &&
		    c->ntpl < CAMPAIGN_TEMPLATES_MAX)
			c->tpl[c->ntpl++] = db_int(&res, i, CT_TEMPLATE);
		else if (db_int(&res, i, CT_GIFT) == 1 &&
		    c->ngift < CAMPAIGN_GIFTS_MAX)
			c->gift[c->ngift++] = db_int(&res, i, CT_TEMPLATE);
	}
	return 0;
}

/*
 * A campaign of r->m by slug or by id (with its coupons and gift pack)
 * into c, *found 0 when there is none: 0, or the error status (recorded).
 */
static int
cp_load(struct req *r, const char *slug, int64_t id, struct campaign *c,
    int *found)
{
	struct db_res res;
	int rc;

	*found = 0;
	rc = slug != NULL ?
	    DB(r, &q_cp_by_slug, &res, DBI(r->m->id), DBS(slug)) :
	    DB(r, &q_cp_by_id, &res, DBI(r->m->id), DBI(id));
	if (rc != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return 0;
	cp_from_row(&res, 0, c);
	if ((rc = cp_load_templates(r, c)) != 0)
		return rc;
	*found = 1;
	return 0;
}

static const char *
page_url(struct req *r, const char *slug)
{
	return arena_printf(r->a, "%s/m/%s/c/%s", cfg.public_url, r->m->code,
	    slug);
}

static cJSON *
ids_json(const int64_t *ids, int n)
{
	cJSON *a = j_arr();
	int i;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber((double)ids[i]));
	return a;
}

static cJSON *
cp_json(struct req *r, const struct campaign *c)
{
	cJSON *d = j_obj(), *s;

	j_int(d, "id", c->id);
	j_str(d, "name", c->name);
	j_str(d, "slug", c->slug);
	j_str(d, "starts_at", time_rfc3339(r, c->starts_at));
	j_str(d, "ends_at", time_rfc3339(r, c->ends_at));
	j_str(d, "banner_url", c->banner_url);
	j_str(d, "rules_text", c->rules_text);
	j_add(d, "template_ids", ids_json(c->tpl, c->ntpl));
	j_add(d, "gift_template_ids", ids_json(c->gift, c->ngift));
	s = j_obj();
	j_str(s, "title", c->share_title);
	j_str(s, "desc", c->share_desc);
	j_str(s, "image_url", c->share_image_url);
	j_add(d, "share", s);
	j_bool(d, "published", c->published);
	j_bool(d, "paused", c->paused);
	j_str(d, "status", cp_status(c));
	j_str(d, "url", page_url(r, c->slug));
	return d;
}

/* ---- input ---- */

int
campaign_slug_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 2 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

/* An image reference: one of our uploads, or an https URL. */
static int
image_url_ok(const char *s)
{
	size_t i;

	if (strncmp(s, "/uploads/", 9) != 0 && strncmp(s, "https://", 8) != 0)
		return 0;
	for (i = 0; s[i]; i++)
		if (s[i] <= 0x20 || s[i] == '"' || s[i] == '\'' ||
		    s[i] == '<' || s[i] == '>' || s[i] == '\\' || s[i] == 0x7f)
			return 0;
	return 1;
}

/*
 * A list of the merchant's coupon template ids into ids and *n (*given
 * when the field is there): 0, or the error status (recorded).
 */
static int
ids_field(struct req *r, const char *name, int required, int max,
    int64_t *ids, int *n, int *given)
{
	cJSON *a = cJSON_GetObjectItemCaseSensitive(r->json, name), *v;
	struct db_res res;
	int i = 0, j;

	*given = a != NULL && !cJSON_IsNull(a);
	if (!*given) {
		if (required)
			return resp_bad_field(r, name, "缺少必填项");
		return 0;
	}
	*n = 0;
	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > max ||
	    (required && cJSON_GetArraySize(a) == 0))
		return resp_bad_field(r, name, arena_printf(r->a,
		    "应为 %s%d 个优惠券模板 id", required ? "1 到 " : "至多 ",
		    max));
	for (v = a ? a->child : NULL; v != NULL; v = v->next) {
		const char *f = arena_printf(r->a, "%s[%d]", name, i);

		if (!cJSON_IsNumber(v) || v->valuedouble < 1 ||
		    v->valuedouble > 1e15 ||
		    v->valuedouble != (double)(int64_t)v->valuedouble)
			return resp_bad_field(r, f, "应为优惠券模板 id");
		ids[i] = (int64_t)v->valuedouble;
		for (j = 0; j < i; j++)
			if (ids[j] == ids[i])
				return resp_bad_field(r, f, "重复的模板");
		if (DB(r, &q_cp_tpl_ok, &res, DBI(r->m->id), DBI(ids[i])) !=
		    DB_OK)
			return db_fail(r);
		if (res.nrows == 0)
			return resp_bad_field(r, f, "优惠券模板不存在");
		i++;
	}
	*n = i;
	return 0;
}

/*
 * A string member of a nested object: 0 present, 1 absent and optional,
 * -1 with invalid_field naming the full path recorded.
 */
static int
obj_str(struct req *r, cJSON *o, const char *path, const char *name,
    int required, size_t maxlen, const char **out)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	size_t chars;

	*out = NULL;
	if (v == NULL || cJSON_IsNull(v)) {
		if (!required)
			return 1;
		return resp_bad_field(r, path, "缺少必填项"), -1;
	}
	if (!cJSON_IsString(v) || !utf8_text_ok(v->valuestring, &chars) ||
	    chars < 1 || chars > maxlen)
		return resp_bad_field(r, path, arena_printf(r->a,
		    "应为 1 到 %zu 个字符的文字", maxlen)), -1;
	*out = v->valuestring;
	return 0;
}

/*
 * Read the payload over c (all fields when creating, the given ones when
 * patching) and validate the result: 0, or the error status (recorded).
 */
static int
cp_parse(struct req *r, struct campaign *c, int create)
{
	cJSON *share;
	const char *s;
	int b, rc, st;

	if (req_json_body(r) == -1)
		return r->status;
	if (req_json_str(r, "name", create, 1, 64, &s) == -1)
		return r->status;
	if (s)
		c->name = s;
	if (req_json_str(r, "slug", create, 1, 64, &s) == -1)
		return r->status;
	if (s) {
		if (!campaign_slug_ok(s))
			return resp_bad_field(r, "slug",
			    "应为 2 到 64 个小写字母、数字、- 或 _");
		c->slug = s;
	}
	if (json_time_field(r, "starts_at", create, &s) == -1)
		return r->status;
	if (s)
		c->starts_at = s;
	if (json_time_field(r, "ends_at", create, &s) == -1)
		return r->status;
	if (s)
		c->ends_at = s;
	if (strcmp(c->ends_at, c->starts_at) <= 0)
		return resp_bad_field(r, "ends_at", "结束时间应晚于开始时间");
	if ((rc = req_json_str(r, "banner_url", 0, 1, 255, &s)) == -1)
		return r->status;
	if (rc == 0) {
		if (!image_url_ok(s))
			return resp_bad_field(r, "banner_url",
			    "应为上传的图片或 https 地址");
		c->banner_url = s;
	} else if (cJSON_IsNull(cJSON_GetObjectItem(r->json, "banner_url")))
		c->banner_url = NULL;
	if ((rc = req_json_str(r, "rules_text", 0, 0, 2000, &s)) == -1)
		return r->status;
	if (rc == 0)
		c->rules_text = s;
	if ((st = ids_field(r, "template_ids", create, CAMPAIGN_TEMPLATES_MAX,
	    c->tpl, &c->ntpl, &c->tpl_given)) != 0 ||
	    (st = ids_field(r, "gift_template_ids", 0, CAMPAIGN_GIFTS_MAX,
	    c->gift, &c->ngift, &c->gift_given)) != 0)
		return st;
	if (req_json_bool(r, "published", 0, &b) == -1)
		return r->status;
	if (cJSON_GetObjectItemCaseSensitive(r->json, "published") &&
	    cJSON_IsBool(cJSON_GetObjectItem(r->json, "published")))
		c->published = b;
	if (req_json_bool(r, "paused", 0, &b) == -1)
		return r->status;
	if (cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(r->json, "paused")))
		c->paused = b;
	share = cJSON_GetObjectItemCaseSensitive(r->json, "share");
	if (share == NULL || cJSON_IsNull(share)) {
		if (create)
			return resp_bad_field(r, "share", "缺少必填项");
		return 0;
	}
	if (!cJSON_IsObject(share))
		return resp_bad_field(r, "share", "应为对象");
	{
		const char *t, *d, *img = NULL;

		if (obj_str(r, share, "share.title", "title", 1, 64, &t) == -1 ||
		    obj_str(r, share, "share.desc", "desc", 1, 128, &d) == -1 ||
		    obj_str(r, share, "share.image_url", "image_url", 0, 255,
		    &img) == -1)
			return r->status;
		if (img != NULL && !image_url_ok(img))
			return resp_bad_field(r, "share.image_url",
			    "应为上传的图片或 https 地址");
		c->share_title = t;
		c->share_desc = d;
		c->share_image_url = img;
	}
	return 0;
}

/*
 * The campaign's coupons and gift pack, rewritten when either was given:
 * 0, or the error status (recorded).
 */
static int
cp_write_templates(struct req *r, const struct campaign *c)
{
	int i;

	if (!c->tpl_given && !c->gift_given)
		return 0;
	if (DB(r, &q_cp_tpl_clear, NULL, DBI(c->id)) != DB_OK)
		return db_fail(r);
	for (i = 0; i < c->ntpl; i++)
		if (DB(r, &q_cp_tpl_add, NULL, DBI(c->id), DBI(c->tpl[i]),
		    DBI(0), DBI(i)) != DB_OK)
			return db_fail(r);
	for (i = 0; i < c->ngift; i++)
		if (DB(r, &q_cp_tpl_add, NULL, DBI(c->id), DBI(c->gift[i]),
		    DBI(1), DBI(i)) != DB_OK)
			return db_fail(r);
	return 0;
}

static int
cp_save_tx(struct req *r, void *arg)
{
	struct campaign *c = arg;
	struct db_res res;
	int rc, st;

	if (c->id == 0) {
		rc = DB(r, &q_cp_insert, &res, DBI(r->m->id), DBS(c->slug),
		    DBS(c->name), DBS(c->starts_at), DBS(c->ends_at),
		    DBS(c->banner_url), DBS(c->rules_text), DBI(c->published),
		    DBI(c->paused), DBS(c->share_title), DBS(c->share_desc),
		    DBS(c->share_image_url));
		c->id = (int64_t)res.insert_id;
		c->tpl_given = 1;
	} else
		rc = DB(r, &q_cp_update, &res, DBS(c->slug), DBS(c->name),
		    DBS(c->starts_at), DBS(c->ends_at), DBS(c->banner_url),
		    DBS(c->rules_text), DBI(c->published), DBI(c->paused),
		    DBS(c->share_title), DBS(c->share_desc),
		    DBS(c->share_image_url), DBI(r->m->id), DBI(c->id));
	if (rc == DB_DUP)
		return resp_err(r, 409, "conflict", "活动标识已被使用", "slug");
	if (rc != DB_OK)
		return db_fail(r);
	if ((st = cp_write_templates(r, c)) != 0)
		return st;
	if ((st = audit_log(r, "campaign.save", arena_printf(r->a,
	    "campaign:%lld", (long long)c->id), r->body, 0)) != 0)
		return st;
	return 200;
}

static cJSON *
cp_stats_json(struct req *r, const struct campaign *c)
{
	const char *ch = arena_printf(r->a, "campaign:%s", c->slug);
	struct db_res res;
	cJSON *s = j_obj();

	if (DB(r, &q_cp_stats, &res, DBI(c->id)) != DB_OK) {
		db_fail(r);
		return NULL;
	}
	j_int(s, "views", db_int(&res, 0, CS_VIEWS));
	j_int(s, "visitors", db_int(&res, 0, CS_VISITORS));
	j_int(s, "shares", db_int(&res, 0, CS_SHARES));
	if (DB(r, &q_cp_joins, &res, DBI(r->m->id), DBS(ch)) != DB_OK) {
		db_fail(r);
		return NULL;
	}
	j_int(s, "joins", db_int(&res, 0, CJ_COUNT));
	if (DB(r, &q_cp_claims, &res, DBI(r->m->id), DBS(ch)) != DB_OK) {
		db_fail(r);
		return NULL;
	}
	j_int(s, "claims", db_int(&res, 0, CL_COUNT));
	return s;
}

/* ---- staff routes ---- */

/*
 * Create a campaign. In: the campaign payload of api.md, plus published?
 * and paused?. Out: 201 campaign with status and url. Errors:
 * invalid_field, conflict (slug taken). Writes: campaigns,
 * campaign_templates, audit_log.
 */
static int
campaign_create(struct req *r)
{
	struct campaign c;
	int found, st;

	memset(&c, 0, sizeof(c));
	c.published = 1;
	c.starts_at = c.ends_at = "";
	if ((st = cp_parse(r, &c, 1)) != 0)
		return st;
	if ((st = db_tx(r, cp_save_tx, &c)) >= 400)
		return st;
	if ((st = cp_load(r, NULL, c.id, &c, &found)) != 0)
		return st;
	if (!found)
		return resp_internal(r);
	return resp_data(r, 201, cp_json(r, &c));
}

/* Change some fields of a campaign (the same payload, every field optional). */
static int
campaign_patch(struct req *r)
{
	struct campaign c;
	int64_t id;
	int found, st;

	if (req_param_id(r, "id", &id) == -1)
		return resp_err(r, 404, "not_found", "活动不存在", NULL);
	if ((st = cp_load(r, NULL, id, &c, &found)) != 0)
		return st;
	if (!found)
		return resp_err(r, 404, "not_found", "活动不存在", NULL);
	if ((st = cp_parse(r, &c, 0)) != 0)
		return st;
	/* either list given: both are rewritten, the other as loaded */
	c.tpl_given = c.gift_given = c.tpl_given || c.gift_given;
	if ((st = db_tx(r, cp_save_tx, &c)) >= 400)
		return st;
	if ((st = cp_load(r, NULL, id, &c, &found)) != 0)
		return st;
	if (!found)
		return resp_internal(r);
	return resp_data(r, 200, cp_json(r, &c));
}

/* One campaign with its counters: views, visitors, shares, joins, claims. */
static int
campaign_get(struct req *r)
{
	struct campaign c;
	cJSON *d, *s;
	int64_t id;
	int found, st;

	if (req_param_id(r, "id", &id) == -1)
		return resp_err(r, 404, "not_found", "活动不存在", NULL);
	if ((st = cp_load(r, NULL, id, &c, &found)) != 0)
		return st;
	if (!found)
		return resp_err(r, 404, "not_found", "活动不存在", NULL);
	d = cp_json(r, &c);
	if ((s = cp_stats_json(r, &c)) == NULL)
		return r->status;
	j_add(d, "stats", s);
	return resp_data(r, 200, d);
}

/* The merchant's campaigns, newest first, paged. */
static int
campaign_list(struct req *r)
{
	int64_t limit, cursor, next;
	struct db_res res;
	cJSON *arr;
	int i, n, st;

	if (req_page(r, &limit, &cursor) == -1)
		return r->status;
	if (DB(r, &q_cp_list, &res, DBI(r->m->id),
	    DBI(cursor ? cursor : INT64_MAX), DBI(limit + 1)) != DB_OK)
		return db_fail(r);
	arr = j_arr();
	n = db_page(&res, limit, CP_ID, &next);
	for (i = 0; i < n; i++) {
		struct campaign c;

		cp_from_row(&res, i, &c);
		if ((st = cp_load_templates(r, &c)) != 0)
			return st;
		cJSON_AddItemToArray(arr, cp_json(r, &c));
	}
	return resp_list(r, arr, next);
}

/* ---- for the coupon claim and joining ---- */

/*
 * The coupons a live campaign offers. No such campaign (or not
 * published) is 404 not_found; a campaign before or after its window, or
 * paused, refuses claims (409 not_started / ended).
 */
int
campaign_template_ids(struct req *r, const char *slug, int64_t *ids, int max,
    int *n)
{
	struct campaign c;
	int found, st, i;

	*n = 0;
	if ((st = cp_load(r, slug, 0, &c, &found)) != 0)
		return st;
	if (!found || !c.published)
		return resp_err(r, 404, "not_found", "活动不存在", "campaign");
	if (c.before)
		return resp_err(r, 409, "not_started", "活动尚未开始",
		    "campaign");
	if (c.after || c.paused)
		return resp_err(r, 409, "ended", c.after ? "活动已结束" :
		    "活动已暂停", "campaign");
	for (i = 0; i < c.ntpl && i < max; i++)
		ids[i] = c.tpl[i];
	*n = i;
	return 0;
}

/*
 * A new member joined through a channel: for "campaign:<slug>" with the
 * campaign live, grant its gift pack (coupons refused, such as those out
 * of stock, are skipped). 0, or the error status (recorded).
 */
static int
campaign_on_join(struct req *r, int64_t member, const char *channel)
{
	struct campaign c;
	cJSON *coupon;
	int found, i, st;

	if (channel == NULL || strncmp(channel, "campaign:", 9) != 0)
		return 0;
	if ((st = cp_load(r, channel + 9, 0, &c, &found)) != 0)
		return st;
	if (!found || !c.published || c.before || c.after || c.paused)
		return 0;
	for (i = 0; i < c.ngift; i++) {
		if ((st = coupon_grant(r, member, c.gift[i], channel,
		    &coupon)) >= 500)
			return st;
		if (st != 0) {
			log_info(r, "campaign %s: gift %lld not issued (%s)",
			    c.slug, (long long)c.gift[i],
			    r->err_code ? r->err_code : "");
			resp_reset(r);
		}
	}
	return 0;
}

static int
campaign_on_joined(struct req *r, const void *arg)
{
	const struct member_joined *e = arg;

	return campaign_on_join(r, e->member_id, e->channel);
}
ON_EVENT(EV_MEMBER_JOINED, 20, campaign_on_joined);

/* ---- the page and its counters ---- */

static const char *
absolute(struct req *r, const char *url)
{
	if (url == NULL)
		return NULL;
	return url[0] == '/' ? arena_printf(r->a, "%s%s", cfg.public_url, url)
	    : url;
}

/* Text of a coupon's value for a campaign page listing. */
static const char *
offer_text(struct req *r, const struct db_res *res, int i)
{
	const char *kind = db_str(res, i, CN_KIND);
	int64_t v = db_int(res, i, CN_VALUE), th = db_int(res, i, CN_THRESHOLD);

	if (strcmp(kind, "discount") == 0)
		return arena_printf(r->a, "%lld.%lld 折",
		    (long long)db_int(res, i, CN_PCT) / 10,
		    (long long)db_int(res, i, CN_PCT) % 10);
	if (strcmp(kind, "gift") == 0)
		return db_str(res, i, CN_GIFT) ? db_str(res, i, CN_GIFT) :
		    "礼品";
	if (strcmp(kind, "threshold") == 0)
		return arena_printf(r->a, "满 %lld 减 %lld",
		    (long long)th / 100, (long long)v / 100);
	return arena_printf(r->a, "立减 %lld 元", (long long)v / 100);
}

static int64_t
num(cJSON *o, const char *k)
{
	cJSON *v = cJSON_GetObjectItem(o, k);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

/* The same offer text for the coupon centre's entries. */
static void
add_offers(struct req *r, cJSON *coupons)
{
	cJSON *o;

	for (o = coupons ? coupons->child : NULL; o != NULL; o = o->next) {
		const char *kind = cJSON_GetStringValue(
		    cJSON_GetObjectItem(o, "kind"));
		const char *t;

		if (kind == NULL)
			continue;
		if (strcmp(kind, "discount") == 0)
			t = arena_printf(r->a, "%lld.%lld 折",
			    (long long)num(o, "discount_pct") / 10,
			    (long long)num(o, "discount_pct") % 10);
		else if (strcmp(kind, "gift") == 0)
			t = cJSON_GetStringValue(cJSON_GetObjectItem(o,
			    "gift_item"));
		else if (strcmp(kind, "threshold") == 0)
			t = arena_printf(r->a, "满 %lld 减 %lld",
			    (long long)num(o, "threshold_fen") / 100,
			    (long long)num(o, "value_fen") / 100);
		else
			t = arena_printf(r->a, "立减 %lld 元",
			    (long long)num(o, "value_fen") / 100);
		j_str(o, "offer", t ? t : "礼品");
	}
}

static cJSON *
offers_json(struct req *r, int64_t campaign_id, int gift)
{
	struct db_res res;
	cJSON *a = j_arr();
	int i;

	if (DB(r, &q_cp_tpl_names, &res, DBI(campaign_id), DBI(gift),
	    DBI(r->m->id)) != DB_OK) {
		db_fail(r);
		return NULL;
	}
	for (i = 0; i < res.nrows; i++) {
		cJSON *o = j_obj();

		j_int(o, "id", db_int(&res, i, CN_ID));
		j_str(o, "name", db_str(&res, i, CN_NAME));
		j_str(o, "offer", offer_text(r, &res, i));
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

/*
 * The window as the page writes it, "11月30日 00:00" 至 "12月31日 23:59"
 * (the year when it is not this year), into starts and ends.
 */
static void
window_text(struct req *r, const struct campaign *c, cJSON *ctx)
{
	int64_t from, until;
	char a[32], b[32];

	if (time_sql_parse(c->starts_at, &from) == -1 ||
	    time_sql_parse(c->ends_at, &until) == -1) {
		j_str(ctx, "starts", time_rfc3339(r, c->starts_at));
		j_str(ctx, "ends", time_rfc3339(r, c->ends_at));
		return;
	}
	time_cn_span(from, until, tz_offset(r->m->tz), time_now(), a, b);
	j_str(ctx, "starts", a);
	j_str(ctx, "ends", b);
}

/* claimed_some on the coupons the member has claimed (for "已领 n 张"). */
static void
mark_claimed(cJSON *coupons)
{
	cJSON *o;

	for (o = coupons ? coupons->child : NULL; o != NULL; o = o->next) {
		const cJSON *n = cJSON_GetObjectItem(o, "claimed_by_me");

		if (cJSON_IsNumber(n) && n->valuedouble > 0)
			j_bool(o, "claimed_some", 1);
	}
}

/*
 * A campaign link a member shared carries the referral code (?ref=): the
 * visitor who has not joined keeps it in the ref cookie, as /r/{code}
 * leaves it, so joining from the page counts the referral.
 */
static void
ref_keep(struct req *r)
{
	const char *ref = req_query(r, "ref");
	uint32_t mid, member;

	if (ref == NULL || r->auth.member_id != 0 || strlen(ref) > 64 ||
	    referral_check(ref, &mid, &member) == -1 ||
	    (int64_t)mid != r->m->id)
		return;
	resp_cookie(r, "ref", ref, arena_printf(r->a, "/m/%s/", r->m->code),
	    30L * 86400);
}

/*
 * GET /m/{merchant}/c/{slug}: the campaign page, server-rendered with its
 * share tags; claim buttons call POST {base}/coupons with the campaign.
 * Before and after the window it says so and offers no claim. A coupon
 * the member cannot claim shows why (reason_text, never the code).
 */
static int
page_campaign(struct req *r)
{
	const char *slug = req_param(r, "slug");
	struct campaign c;
	cJSON *ctx, *og, *share, *coupons, *gifts;
	int found, st;

	if (!campaign_slug_ok(slug))
		return resp_err(r, 404, "not_found", "活动不存在", NULL);
	if ((st = cp_load(r, slug, 0, &c, &found)) != 0)
		return st;
	if (!found || !c.published)
		return resp_err(r, 404, "not_found", "活动不存在", NULL);
	ctx = page_ctx(c.name, "page-campaign", "campaign.js");
	j_add(ctx, "campaign", cp_json(r, &c));
	j_bool(ctx, "live", strcmp(cp_status(&c), "live") == 0);
	j_bool(ctx, "before", c.before);
	j_bool(ctx, "after", c.after);
	j_bool(ctx, "paused", c.paused && !c.before && !c.after);
	window_text(r, &c, ctx);
	j_bool(ctx, "signed_in", r->auth.kind == AUTH_KIND_MEMBER);
	j_bool(ctx, "is_member", r->auth.member_id != 0);
	if (strcmp(cp_status(&c), "live") == 0) {
		int64_t next;

		coupons = coupon_centre_json(r, r->auth.member_id, c.tpl,
		    c.ntpl, 0, 0, &next);
		if (coupons == NULL) {
			if (r->status >= 500)
				return r->status;
			resp_reset(r);
			coupons = j_arr();
		}
	} else if ((coupons = offers_json(r, c.id, 0)) == NULL)
		return r->status;
	add_offers(r, coupons);
	mark_claimed(coupons);
	j_add(ctx, "coupons", coupons);
	if ((gifts = offers_json(r, c.id, 1)) == NULL)
		return r->status;
	j_bool(ctx, "has_gifts", cJSON_GetArraySize(gifts) > 0);
	j_add(ctx, "gifts", gifts);
	og = j_obj();
	j_str(og, "title", c.share_title);
	j_str(og, "desc", c.share_desc);
	j_str(og, "image", absolute(r, c.share_image_url ? c.share_image_url :
	    c.banner_url));
	j_str(og, "url", page_url(r, c.slug));
	j_add(ctx, "og", og);
	share = j_obj();
	j_str(share, "title", c.share_title);
	j_str(share, "desc", c.share_desc);
	/* a member shares with the referral code (wxshare.js in WeChat) */
	j_str(share, "link", r->auth.member_id == 0 ? page_url(r, c.slug) :
	    arena_printf(r->a, "%s?ref=%s", page_url(r, c.slug),
	    referral_code(r, r->auth.member_id)));
	ref_keep(r);
	j_str(share, "imgUrl", absolute(r, c.share_image_url ?
	    c.share_image_url : c.banner_url));
	j_add(ctx, "share", share);
	/*
	 * What an anonymous visitor sees nginx may keep a second (it reads
	 * and removes X-Accel-Expires); browsers keep nothing, so a visitor
	 * who has just joined never sees the anonymous page again.
	 */
	resp_header(r, "Cache-Control", "no-cache");
	if (r->auth.kind != AUTH_KIND_MEMBER)
		resp_header(r, "X-Accel-Expires", "1");
	return resp_html(r, 200, "pages/campaign", ctx);
}

/*
 * The page reports a view or a share. In: {type:"view"|"share"}. Out:
 * {counted:true}. Visitors are told apart by the vid cookie, set here.
 * Writes: campaign_stats, campaign_visitors.
 */
static int
campaign_event(struct req *r)
{
	const char *type, *vid = req_cookie(r, "vid", 0);
	const char *day = arena_strndup(r->a, time_rfc3339_t(r, time_now()),
	    10);
	struct campaign c;
	struct db_res res;
	int view, newvis = 0, found, st;
	cJSON *d;

	if (req_json_body(r) == -1 ||
	    req_json_str(r, "type", 1, 1, 8, &type) == -1)
		return r->status;
	view = strcmp(type, "view") == 0;
	if (!view && strcmp(type, "share") != 0)
		return resp_bad_field(r, "type", "应为 view 或 share");
	if (!campaign_slug_ok(req_param(r, "slug")))
		return resp_err(r, 404, "not_found", "活动不存在", NULL);
	if ((st = cp_load(r, req_param(r, "slug"), 0, &c, &found)) != 0)
		return st;
	if (!found)
		return resp_err(r, 404, "not_found", "活动不存在", NULL);
	if (vid == NULL || strlen(vid) != 32 || strspn(vid,
	    "0123456789abcdef") != 32) {
		unsigned char raw[16];

		rand_bytes(raw, sizeof(raw));
		vid = hex_encode(r->a, raw, sizeof(raw));
		resp_cookie(r, "vid", vid, "/", 365L * 86400);
	}
	if (view) {
		if (DB(r, &q_cp_visitor, &res, DBI(c.id), DBS(vid)) != DB_OK)
			return db_fail(r);
		newvis = res.affected == 1;
	}
	if (DB(r, &q_cp_count, NULL, DBI(c.id), DBS(day), DBI(view),
	    DBI(newvis), DBI(!view)) != DB_OK)
		return db_fail(r);
	d = j_obj();
	j_bool(d, "counted", 1);
	return resp_data(r, 200, d);
}

/*
 * GET /m/{merchant}/staff/campaigns: the marketing console for campaigns,
 * a staff page like the others (header, menu, sign-in from staff.js).
 */
static int
page_campaign_console(struct req *r)
{
	return resp_html(r, 200, "pages/campaign_console",
	    page_staff_ctx("活动管理", "campaign_console.js"));
}

ROUTES(campaign_routes) = {
	{ M_POST, "/api/v1/m/:merchant/staff/campaigns", campaign_create,
	    AUTH_STAFF | ROLE_MARKETING | CSRF },
	{ M_GET, "/api/v1/m/:merchant/staff/campaigns", campaign_list,
	    AUTH_STAFF | ROLE_MARKETING },
	{ M_GET, "/api/v1/m/:merchant/staff/campaigns/:id", campaign_get,
	    AUTH_STAFF | ROLE_MARKETING },
	{ M_PATCH, "/api/v1/m/:merchant/staff/campaigns/:id", campaign_patch,
	    AUTH_STAFF | ROLE_MARKETING | CSRF },
	{ M_POST, "/api/v1/m/:merchant/campaigns/:slug/events", campaign_event,
	    0 },
	{ M_GET, "/m/:merchant/c/:slug", page_campaign, AUTH_OPTIONAL | HTML },
	{ M_GET, "/m/:merchant/staff/campaigns", page_campaign_console, HTML },
	{ 0, NULL, NULL, 0 }
};
