/*
 * Merchant settings staff edit: the member card (name, background image,
 * validity, stores), image uploads for it, the tier ladder, and checkout
 * (收银与退款: tier discount, coupon stacking, points to cash, coupons
 * given back, refund approval, unpaid orders). The card and tier routes
 * read the database on every request, so changes show at once; orders
 * read checkout's through checkout_cfg_load() (order/checkout.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "core/core.h"
#include "db.h"
#include "member/member.h"
#include "order/order.h"
#include "req.h"
#include "tier/tier.h"
#include "wallet/wallet.h"

#define CARD_STORES_MAX		100
#define CARD_MONTHS_MAX		120
#define TIERS_MAX		7
#define PRIVILEGES_MAX		10
#define PRIV_TITLE_MAX		16
#define PRIV_DESC_MAX		64
#define TIER_NAME_MAX		16
#define CHECKOUT_STACK_MAX	16
#define CHECKOUT_RATE_MAX	10000
#define CHECKOUT_POINTS_MAX	100000000
#define CHECKOUT_EXPIRY_MAX	1440

enum { CS_NAME, CS_BG, CS_VALIDITY, CS_UNTIL, CS_MONTHS, CS_STORES,
    CS_NCOLS };
DB_SQL_COLS(q_card_settings, CS_NCOLS,
    "SELECT card_name, card_bg_url, card_validity, card_valid_until,"
    " card_valid_months, card_store_ids FROM merchants WHERE id = ?");
DB_SQL(q_card_update,
    "UPDATE merchants SET card_name = ?, card_bg_url = ?, card_validity = ?,"
    " card_valid_until = ?, card_valid_months = ?, card_store_ids = ?"
    " WHERE id = ?");
enum { SO_ONE, SO_NCOLS };
DB_SQL_COLS(q_settings_store, SO_NCOLS,
    "SELECT 1 FROM stores WHERE id = ? AND merchant_id = ? AND active = 1"
    " AND kind = 'own'");
DB_SQL(q_tiers_clear, "DELETE FROM tiers WHERE merchant_id = ?");
DB_SQL(q_tier_insert,
    "INSERT INTO tiers (merchant_id, level, name, growth, discount_pct,"
    " points_multiplier, privileges) VALUES (?, ?, ?, ?, ?, ?, ?)");
DB_SQL(q_checkout_save,
    "INSERT INTO checkout_settings (merchant_id, tier_with_member_price,"
    " tier_only_if_balance, max_stackable, points_enabled, points_per_yuan,"
    " points_max_pct, points_max_points, return_on_cancel,"
    " return_before_complete, return_after_complete,"
    " refund_approval_over_fen, unpaid_expiry_min)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE"
    " tier_with_member_price = VALUES(tier_with_member_price),"
    " tier_only_if_balance = VALUES(tier_only_if_balance),"
    " max_stackable = VALUES(max_stackable),"
    " points_enabled = VALUES(points_enabled),"
    " points_per_yuan = VALUES(points_per_yuan),"
    " points_max_pct = VALUES(points_max_pct),"
    " points_max_points = VALUES(points_max_points),"
    " return_on_cancel = VALUES(return_on_cancel),"
    " return_before_complete = VALUES(return_before_complete),"
    " return_after_complete = VALUES(return_after_complete),"
    " refund_approval_over_fen = VALUES(refund_approval_over_fen),"
    " unpaid_expiry_min = VALUES(unpaid_expiry_min)");

/* ---- nested JSON input (errors name the full path of the field) ---- */

/*
 * Like req_json_str for a member of o, field naming it in errors: input
 * helpers, 0 when present and valid, 1 when absent (or null) and not
 * required, -1 with 400 invalid_field recorded. obj_int likewise.
 */
static int
obj_str(struct req *r, cJSON *o, const char *key, const char *field,
    int required, size_t minlen, size_t maxlen, const char **out)
{
	cJSON *v = json_member(o, key);
	size_t chars = 0;

	*out = NULL;
	if (v == NULL) {
		if (!required)
			return 1;
		resp_bad_field(r, field, "缺少必填项");
		return -1;
	}
	if (!cJSON_IsString(v) || v->valuestring == NULL ||
	    !utf8_ok(v->valuestring, strlen(v->valuestring), &chars)) {
		resp_bad_field(r, field, "应为字符串");
		return -1;
	}
	if (chars < minlen || chars > maxlen) {
		resp_bad_field(r, field, arena_printf(r->a,
		    "长度应为 %zu 到 %zu 个字符", minlen, maxlen));
		return -1;
	}
	*out = v->valuestring;
	return 0;
}

static int
obj_int(struct req *r, cJSON *o, const char *key, const char *field,
    int required, int64_t min, int64_t max, int64_t *out)
{
	cJSON *v = json_member(o, key);
	int64_t i;

	if (v == NULL) {
		if (!required)
			return 1;
		resp_bad_field(r, field, "缺少必填项");
		return -1;
	}
	if (json_integer(v, &i) == -1) {
		resp_bad_field(r, field, "应为整数");
		return -1;
	}
	if (i < min || i > max) {
		resp_bad_field(r, field, arena_printf(r->a,
		    "应在 %lld 到 %lld 之间", (long long)min, (long long)max));
		return -1;
	}
	*out = i;
	return 0;
}

/* Like req_json_bool for a member of o: 0, 1 absent, -1 recorded. */
static int
obj_bool(struct req *r, cJSON *o, const char *key, const char *field,
    int required, int *out)
{
	cJSON *v = json_member(o, key);

	if (v == NULL) {
		if (!required)
			return 1;
		resp_bad_field(r, field, "缺少必填项");
		return -1;
	}
	if (!cJSON_IsBool(v)) {
		resp_bad_field(r, field, "应为 true 或 false");
		return -1;
	}
	*out = cJSON_IsTrue(v);
	return 0;
}

/* A member of o that must be an object, or NULL with 400 recorded. */
static cJSON *
obj_obj(struct req *r, cJSON *o, const char *key)
{
	cJSON *v = json_member(o, key);

	if (v == NULL)
		resp_bad_field(r, key, "缺少必填项");
	else if (!cJSON_IsObject(v))
		resp_bad_field(r, key, "应为对象");
	return v != NULL && cJSON_IsObject(v) ? v : NULL;
}

/* YYYY-MM-DD, a real calendar date in 2000..2099. */
static int
date_ok(const char *s)
{
	int y, m, d;

	return strlen(s) == 10 && date_parse(s, &y, &m, &d) == 0 &&
	    y >= 2000 && y <= 2099;
}

/*
 * An image address a page may put in src= or a CSS url(): our uploads,
 * our static files or an https URL, of characters that need no quoting.
 */
static int
image_url_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 9 || n > 255)
		return 0;
	if (strncmp(s, "/uploads/", 9) != 0 && strncmp(s, "/static/", 8) != 0
	    && strncmp(s, "https://", 8) != 0)
		return 0;
	if (strstr(s, "..") != NULL || strstr(s + 8, "//") != NULL)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~:/?#@!$&*+,;=%",
		    c) != NULL))
			return 0;
	}
	return 1;
}

/* ---- the member card ---- */

/* The card settings as GET returns them, or NULL with the error status in
   r->status. */
static cJSON *
card_settings_json(struct req *r)
{
	struct db_res res;
	cJSON *d, *v, *stores;
	const char *kind;

	if (DB(r, &q_card_settings, &res, DBI(r->m->id)) != DB_OK ||
	    res.nrows != 1) {
		db_fail(r);
		return NULL;
	}
	d = j_obj();
	j_str(d, "name", db_str(&res, 0, CS_NAME));
	j_str(d, "background_url", db_str(&res, 0, CS_BG));
	kind = db_str(&res, 0, CS_VALIDITY);
	v = j_obj();
	j_str(v, "kind", kind);
	if (strcmp(kind, "until") == 0)
		j_str(v, "until", db_str(&res, 0, CS_UNTIL));
	if (strcmp(kind, "months") == 0)
		j_int(v, "months", db_int(&res, 0, CS_MONTHS));
	j_add(d, "validity", v);
	stores = db_isnull(&res, 0, CS_STORES) ? NULL :
	    cJSON_Parse(db_str(&res, 0, CS_STORES));
	if (cJSON_IsArray(stores))
		j_add(d, "store_ids", stores);
	else
		j_str(d, "store_ids", "all");
	return d;
}

/*
 * The member card's settings (owner, marketing).
 * Out: {name, background_url|null, validity:{kind, until?, months?},
 * store_ids:"all"|[ids]}.
 */
static int
settings_card_get(struct req *r)
{
	cJSON *d = card_settings_json(r);

	return d ? resp_data(r, 200, d) : r->status;
}

struct card_ctx {
	const char	*name, *bg, *kind, *until;
	int64_t		 months;
	int		 has_months;
	char		*stores;	/* JSON text, NULL: all */
	cJSON		*out;
};

/*
 * store_ids: "all" or distinct active stores of the merchant, into
 * c->stores. 0, or the error status (recorded).
 */
static int
card_stores_arg(struct req *r, struct card_ctx *c)
{
	cJSON *a = json_member(r->json, "store_ids"), *e, *ids;
	int n = 0;

	if (a == NULL)
		return resp_bad_field(r, "store_ids", "缺少必填项");
	if (cJSON_IsString(a) && strcmp(a->valuestring, "all") == 0) {
		c->stores = NULL;
		return 0;
	}
	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) < 1 ||
	    cJSON_GetArraySize(a) > CARD_STORES_MAX)
		return resp_bad_field(r, "store_ids",
		    "应为 \"all\" 或 1 到 100 个门店编号");
	ids = j_arr();
	for (e = a->child; e != NULL; e = e->next) {
		const char *f = arena_printf(r->a, "store_ids[%d]", n);
		struct db_res res;
		cJSON *p;

		if (!cJSON_IsNumber(e) || e->valuedouble < 1 ||
		    e->valuedouble > 9007199254740991.0 ||
		    e->valuedouble != floor(e->valuedouble))
			return resp_bad_field(r, f, "应为门店编号");
		for (p = ids->child; p != NULL; p = p->next)
			if (p->valuedouble == e->valuedouble)
				return resp_bad_field(r, f, "门店重复");
		if (DB(r, &q_settings_store, &res, DBI((int64_t)e->valuedouble),
		    DBI(r->m->id)) != DB_OK)
			return db_fail(r);
		if (res.nrows == 0)
			return resp_bad_field(r, f, "门店不存在");
		j_add(ids, NULL, cJSON_CreateNumber(e->valuedouble));
		n++;
	}
	c->stores = cJSON_PrintUnformatted(ids);
	return 0;
}

static int
card_put_tx(struct req *r, void *arg)
{
	struct card_ctx *c = arg;
	int st;

	if ((st = card_stores_arg(r, c)) != 0)
		return st;
	if (DB(r, &q_card_update, NULL, DBS(c->name), DBS(c->bg), DBS(c->kind),
	    DBS(c->until), DBIN(c->months, c->has_months), DBS(c->stores),
	    DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	if ((c->out = card_settings_json(r)) == NULL)
		return r->status;
	if ((st = audit_log(r, "settings.card", "merchant:card",
	    cJSON_PrintUnformatted(c->out), 0)) != 0)
		return st;
	return 200;
}

/*
 * Replace the member card's settings (owner, marketing).
 * In: {name (1..32), background_url? (null or absent: none; /uploads/...,
 * /static/... or https://...), validity:{kind:"permanent"|"until"|"months",
 * until (YYYY-MM-DD, today or later), months (1..120)}, store_ids:"all"|
 * [ids]}. Out: the settings as GET returns them. Errors: invalid_field
 * naming the field (validity.kind, store_ids[1], ...).
 * Writes: merchants (card columns), audit_log.
 */
static int
settings_card_put(struct req *r)
{
	struct card_ctx c;
	cJSON *v;
	int st;

	memset(&c, 0, sizeof(c));
	if (req_json_body(r) == -1 ||
	    req_json_str(r, "name", 1, 1, 32, &c.name) == -1 ||
	    req_json_str(r, "background_url", 0, 1, 255, &c.bg) == -1)
		return r->status;
	if (c.bg != NULL && !image_url_ok(c.bg))
		return resp_bad_field(r, "background_url",
		    "应为上传后的图片地址或 https 地址");
	v = json_member(r->json, "validity");
	if (v == NULL)
		return resp_bad_field(r, "validity", "缺少必填项");
	if (!cJSON_IsObject(v))
		return resp_bad_field(r, "validity", "应为对象");
	if (obj_str(r, v, "kind", "validity.kind", 1, 1, 16, &c.kind) == -1)
		return r->status;
	if (strcmp(c.kind, "until") == 0) {
		const char *today = arena_strndup(r->a,
		    time_rfc3339_t(r, time_now()), 10);

		if (obj_str(r, v, "until", "validity.until", 1, 10, 10,
		    &c.until) == -1)
			return r->status;
		if (!date_ok(c.until))
			return resp_bad_field(r, "validity.until",
			    "日期应为 YYYY-MM-DD");
		if (strcmp(c.until, today) < 0)
			return resp_bad_field(r, "validity.until",
			    "应为今天或之后的日期");
	} else if (strcmp(c.kind, "months") == 0) {
		if (obj_int(r, v, "months", "validity.months", 1, 1,
		    CARD_MONTHS_MAX, &c.months) == -1)
			return r->status;
		c.has_months = 1;
	} else if (strcmp(c.kind, "permanent") != 0)
		return resp_bad_field(r, "validity.kind",
		    "应为 permanent、until 或 months");
	if ((st = db_tx(r, card_put_tx, &c)) >= 400)
		return st;
	card_settings_forget(r->m->id);
	return resp_data(r, 200, c.out);
}

/* ---- uploads ---- */

/* Write the bytes to dir/name through a temporary file; 0 or -1. */
static int
store_file(struct req *r, const char *dir, const char *name, const char *p,
    size_t n)
{
	const char *tmp = arena_printf(r->a, "%s/.%s.tmp", dir, name);
	const char *dst = arena_printf(r->a, "%s/%s", dir, name);
	size_t off = 0;
	int fd;

	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		log_err(r, "upload: mkdir %s: %s", dir, strerror(errno));
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0644);
	if (fd == -1) {
		log_err(r, "upload: open: %s", strerror(errno));
		return -1;
	}
	while (off < n) {
		ssize_t w = write(fd, p + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			log_err(r, "upload: write: %s", strerror(errno));
			goto fail;
		}
		off += (size_t)w;
	}
	/* readable by the web server whatever the umask; never executable */
	if (fchmod(fd, 0644) == -1 || fsync(fd) == -1) {
		log_err(r, "upload: %s", strerror(errno));
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, dst) == -1) {
		log_err(r, "upload: rename: %s", strerror(errno));
		goto fail;
	}
	return 0;
fail:
	if (fd != -1)
		close(fd);
	unlink(tmp);
	return -1;
}

struct upload_ctx {
	const char	*name;
	size_t		 bytes;
};

static int
upload_tx(struct req *r, void *arg)
{
	struct upload_ctx *c = arg;
	int st;

	if ((st = audit_log(r, "upload.create", arena_printf(r->a, "upload:%s",
	    c->name), arena_printf(r->a, "{\"bytes\":%zu}", c->bytes), 0)) != 0)
		return st;
	return 201;
}

/*
 * Store an image for the card (owner, marketing).
 * In: the raw bytes of a PNG or JPEG (any Content-Type), up to 2 MiB,
 * decoded whole before it is kept.
 * Out: 201 {url:"/uploads/<random>.png|.jpg", bytes, content_type, width,
 * height}. Errors: invalid_field (field body: empty, truncated or corrupt,
 * no pixels, wider or taller than 4096), unsupported_media_type (415, not
 * a PNG or JPEG by its bytes), body_too_large (413).
 * Writes: a file in the upload directory, audit_log.
 */
static int
settings_upload(struct req *r)
{
	struct upload_ctx c;
	unsigned char rnd[16];
	enum image_kind kind;
	const char *ext, *why;
	cJSON *d;
	int st, w, h;

	if (r->body_len == 0)
		return resp_bad_field(r, "body", "请上传图片");
	if (image_check(r->body, r->body_len, &kind, &w, &h, &why) == -1) {
		if (kind == IMAGE_NONE)
			return resp_err(r, 415, "unsupported_media_type", why,
			    NULL);
		return resp_bad_field(r, "body", why);
	}
	ext = kind == IMAGE_PNG ? "png" : "jpg";
	rand_bytes(rnd, sizeof(rnd));
	c.name = arena_printf(r->a, "%s.%s", hex_encode(r->a, rnd,
	    sizeof(rnd)), ext);
	c.bytes = r->body_len;
	if (store_file(r, cfg.upload_dir, c.name, r->body, r->body_len) == -1)
		return resp_internal(r);
	if ((st = db_tx(r, upload_tx, &c)) >= 400) {
		unlink(arena_printf(r->a, "%s/%s", cfg.upload_dir, c.name));
		return st;
	}
	d = j_obj();
	j_str(d, "url", arena_printf(r->a, "/uploads/%s", c.name));
	j_int(d, "bytes", (int64_t)c.bytes);
	j_str(d, "content_type", kind == IMAGE_PNG ? "image/png" :
	    "image/jpeg");
	j_int(d, "width", w);
	j_int(d, "height", h);
	return resp_data(r, 201, d);
}

/* ---- tiers ---- */

/* Out: {tiers:[{level, name, growth, discount_pct, points_multiplier,
   privileges, keep_growth, upgrade_rewards}], growth_rules, downgrade}
   (owner, marketing; the last three: tier/tier_policy.c). */
static int
settings_tiers_get(struct req *r)
{
	cJSON *t = tiers_build(r), *d;
	int st;

	if (t == NULL)
		return r->status;
	d = j_obj();
	j_add(d, "tiers", t);
	if ((st = tier_terms_json(r, d)) != 0)
		return st;
	return resp_data(r, 200, d);
}

struct tier_in {
	int64_t		 growth, discount;
	int		 has_discount;
	char		 mult[16];
	const char	*name;
	char		*privileges;	/* JSON text */
};

struct tiers_ctx {
	struct tier_in	 t[TIERS_MAX];
	int		 n;
	struct tier_terms_in terms;	/* keep, rewards, growth, downgrade */
	cJSON		*out;
};

/* Validate one tier of the body into t; 0, or the error status (recorded). */
static int
tier_arg(struct req *r, cJSON *o, int i, int64_t prev_growth,
    struct tier_in *t)
{
	const char *f = arena_printf(r->a, "tiers[%d]", i);
	cJSON *v, *privs, *p;
	int64_t level;
	double mult;
	int k = 0, rc;

	if (!cJSON_IsObject(o))
		return resp_bad_field(r, f, "应为对象");
	if (obj_int(r, o, "level", arena_printf(r->a, "%s.level", f), 1, 1,
	    TIERS_MAX, &level) == -1)
		return r->status;
	if (level != i + 1)
		return resp_bad_field(r, arena_printf(r->a, "%s.level", f),
		    arena_printf(r->a, "等级应从 1 起连续，此处应为 %d",
		    i + 1));
	if (obj_str(r, o, "name", arena_printf(r->a, "%s.name", f), 1, 1,
	    TIER_NAME_MAX, &t->name) == -1)
		return r->status;
	if (obj_int(r, o, "growth", arena_printf(r->a, "%s.growth", f), 1, 0,
	    INT64_C(1000000000000), &t->growth) == -1)
		return r->status;
	if (i == 0 && t->growth != 0)
		return resp_bad_field(r, arena_printf(r->a, "%s.growth", f),
		    "第 1 级的成长值门槛应为 0");
	if (i > 0 && t->growth <= prev_growth)
		return resp_bad_field(r, arena_printf(r->a, "%s.growth", f),
		    "成长值门槛应逐级升高");
	rc = obj_int(r, o, "discount_pct", arena_printf(r->a,
	    "%s.discount_pct", f), 0, 1, 99, &t->discount);
	if (rc == -1)
		return r->status;
	t->has_discount = rc == 0;
	v = json_member(o, "points_multiplier");
	if (v == NULL)
		return resp_bad_field(r, arena_printf(r->a,
		    "%s.points_multiplier", f), "缺少必填项");
	mult = cJSON_IsNumber(v) ? v->valuedouble : -1;
	if (!cJSON_IsNumber(v) || !isfinite(mult) || mult < 0.1 - 1e-9 ||
	    mult > 10 + 1e-9 || fabs(mult * 100 - round(mult * 100)) > 1e-6)
		return resp_bad_field(r, arena_printf(r->a,
		    "%s.points_multiplier", f),
		    "应为 0.1 到 10 之间、最多两位小数的数");
	snprintf(t->mult, sizeof(t->mult), "%.2f", round(mult * 100) / 100);
	privs = json_member(o, "privileges");
	if (privs == NULL)
		privs = j_arr();
	if (!cJSON_IsArray(privs) || cJSON_GetArraySize(privs) >
	    PRIVILEGES_MAX)
		return resp_bad_field(r, arena_printf(r->a, "%s.privileges",
		    f), "应为最多 10 项的数组");
	v = j_arr();
	for (p = privs->child; p != NULL; p = p->next) {
		const char *pf = arena_printf(r->a, "%s.privileges[%d]", f, k);
		const char *title, *desc;
		cJSON *q;

		if (!cJSON_IsObject(p))
			return resp_bad_field(r, pf, "应为 {title, desc}");
		if (obj_str(r, p, "title", arena_printf(r->a, "%s.title", pf),
		    1, 1, PRIV_TITLE_MAX, &title) == -1 ||
		    obj_str(r, p, "desc", arena_printf(r->a, "%s.desc", pf),
		    0, 0, PRIV_DESC_MAX, &desc) == -1)
			return r->status;
		q = j_obj();
		j_str(q, "title", title);
		j_str(q, "desc", desc ? desc : "");
		j_add(v, NULL, q);
		k++;
	}
	t->privileges = cJSON_PrintUnformatted(v);
	return 0;
}

static int
tiers_put_tx(struct req *r, void *arg)
{
	struct tiers_ctx *c = arg;
	cJSON *ladder;
	int i, st;

	if (DB(r, &q_tiers_clear, NULL, DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	for (i = 0; i < c->n; i++) {
		struct tier_in *t = &c->t[i];

		if (DB(r, &q_tier_insert, NULL, DBI(r->m->id), DBI(i + 1),
		    DBS(t->name), DBI(t->growth),
		    DBIN(t->discount, t->has_discount), DBS(t->mult),
		    DBS(t->privileges)) != DB_OK)
			return db_fail(r);
	}
	if ((st = tier_terms_save(r, &c->terms)) != 0)
		return st;
	r->m->tiers_rev_known = 0;	/* the triggers raised it */
	if ((ladder = tiers_build(r)) == NULL)
		return r->status;
	c->out = j_obj();
	j_add(c->out, "tiers", ladder);
	if ((st = tier_terms_json(r, c->out)) != 0 ||
	    (st = audit_log(r, "settings.tiers", "merchant:tiers",
	    cJSON_PrintUnformatted(c->out), 0)) != 0)
		return st;
	return 200;
}

/*
 * Replace the tier ladder in one transaction (owner, marketing).
 * In: {tiers:[{level, name (1..16), growth, discount_pct? (1..99 or null),
 * points_multiplier (0.1..10), privileges:[{title (1..16), desc (..64)}]
 * (up to 10)}]}: 1 to 7 tiers, levels 1..n in order, level 1 at growth 0,
 * growth strictly rising; each tier may add keep_growth and
 * upgrade_rewards, the body growth_rules and downgrade (tier_terms_arg():
 * absent ones stay as stored). Out: as GET. Errors: invalid_field
 * naming the field (tiers[2].growth, downgrade.mode, ...). Writes: tiers,
 * tier_terms, tier_policies, audit_log.
 */
static int
settings_tiers_put(struct req *r)
{
	struct tiers_ctx *c = arena_calloc(r->a, 1, sizeof(*c));
	cJSON *arr, *o;
	int st;

	if (req_json_body(r) == -1)
		return r->status;
	arr = json_member(r->json, "tiers");
	if (arr == NULL)
		return resp_bad_field(r, "tiers", "缺少必填项");
	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1 ||
	    cJSON_GetArraySize(arr) > TIERS_MAX)
		return resp_bad_field(r, "tiers", "应为 1 到 7 个等级");
	for (o = arr->child; o != NULL; o = o->next) {
		if ((st = tier_arg(r, o, c->n, c->n > 0 ?
		    c->t[c->n - 1].growth : 0, &c->t[c->n])) != 0)
			return st;
		c->n++;
	}
	if ((st = tier_terms_arg(r, r->json, c->n, &c->terms)) != 0)
		return st;
	if ((st = db_tx(r, tiers_put_tx, c)) >= 400)
		return st;
	card_settings_forget(r->m->id);
	return resp_data(r, 200, c->out);
}

/* ---- checkout (收银与退款) ---- */

/* settings/checkout as GET returns it. */
static cJSON *
checkout_json(const struct checkout_cfg *c)
{
	cJSON *d = j_obj(), *o;

	j_bool(d, "tier_discount_with_member_price",
	    c->price.tier_discount_with_member_price);
	j_bool(d, "tier_discount_only_if_balance_covers",
	    c->price.tier_discount_only_if_balance_covers);
	j_int(d, "max_stackable", c->price.max_stackable);
	o = j_obj();
	j_bool(o, "enabled", c->price.points_enabled);
	j_int(o, "points_per_yuan", c->price.points_per_yuan);
	j_int(o, "max_pct", c->price.points_max_pct);
	if (c->price.points_max_points == ORDER_NONE)
		j_null(o, "max_points");
	else
		j_int(o, "max_points", c->price.points_max_points);
	j_add(d, "points_to_cash", o);
	o = j_obj();
	j_bool(o, "on_cancel", c->return_on_cancel);
	j_bool(o, "on_refund_before_complete", c->return_before_complete);
	j_bool(o, "on_refund_after_complete", c->return_after_complete);
	j_add(d, "coupon_return", o);
	if (c->refund_approval_over_fen == ORDER_NONE)
		j_null(d, "refund_approval_over_fen");
	else
		j_int(d, "refund_approval_over_fen",
		    c->refund_approval_over_fen);
	j_int(d, "unpaid_expiry_min", c->unpaid_expiry_min);
	return d;
}

/*
 * The checkout settings (owner, marketing); the defaults of api.md for a
 * merchant that never saved them.
 * Out: {tier_discount_with_member_price, tier_discount_only_if_balance_covers,
 * max_stackable, points_to_cash:{enabled, points_per_yuan, max_pct,
 * max_points|null}, coupon_return:{on_cancel, on_refund_before_complete,
 * on_refund_after_complete}, refund_approval_over_fen|null,
 * unpaid_expiry_min}.
 */
static int
settings_checkout_get(struct req *r)
{
	struct checkout_cfg c;
	int st;

	if ((st = checkout_cfg_load(r, &c)) != 0)
		return st;
	return resp_data(r, 200, checkout_json(&c));
}

struct checkout_ctx {
	struct checkout_cfg	 c;
	cJSON			*out;
};

static int
checkout_put_tx(struct req *r, void *arg)
{
	struct checkout_ctx *x = arg;
	const struct checkout_cfg *c = &x->c;
	int st;

	if (DB(r, &q_checkout_save, NULL, DBI(r->m->id),
	    DBI(c->price.tier_discount_with_member_price),
	    DBI(c->price.tier_discount_only_if_balance_covers),
	    DBI(c->price.max_stackable), DBI(c->price.points_enabled),
	    DBI(c->price.points_per_yuan), DBI(c->price.points_max_pct),
	    DBIN(c->price.points_max_points,
	    c->price.points_max_points != ORDER_NONE),
	    DBI(c->return_on_cancel), DBI(c->return_before_complete),
	    DBI(c->return_after_complete),
	    DBIN(c->refund_approval_over_fen,
	    c->refund_approval_over_fen != ORDER_NONE),
	    DBI(c->unpaid_expiry_min)) != DB_OK)
		return db_fail(r);
	x->out = checkout_json(c);
	if ((st = audit_log(r, "settings.checkout", "merchant:checkout",
	    cJSON_PrintUnformatted(x->out), 0)) != 0)
		return st;
	return 200;
}

/*
 * Replace the checkout settings whole (owner, marketing).
 * In: the shape GET returns. Every field is required (400 缺少必填项 when
 * absent) but points_to_cash.max_points and refund_approval_over_fen,
 * which absent or null mean no cap and no approval. Ranges: max_stackable
 * 1..16, points_per_yuan 1..10000, max_pct 0..100, max_points 1..10^8,
 * refund_approval_over_fen 1..WALLET_MAX_FEN, unpaid_expiry_min 1..1440.
 * Out: the settings as GET returns them. Errors: invalid_field naming the
 * field ("points_to_cash.max_pct"); nothing written then.
 * Writes: checkout_settings, audit_log.
 */
static int
settings_checkout_put(struct req *r)
{
	struct checkout_ctx x;
	struct checkout_cfg *c = &x.c;
	cJSON *p, *ret;
	int64_t v;
	int rc, st;

	memset(&x, 0, sizeof(x));
	if (req_json_body(r) == -1 ||
	    obj_bool(r, r->json, "tier_discount_with_member_price",
	    "tier_discount_with_member_price", 1,
	    &c->price.tier_discount_with_member_price) == -1 ||
	    obj_bool(r, r->json, "tier_discount_only_if_balance_covers",
	    "tier_discount_only_if_balance_covers", 1,
	    &c->price.tier_discount_only_if_balance_covers) == -1 ||
	    obj_int(r, r->json, "max_stackable", "max_stackable", 1, 1,
	    CHECKOUT_STACK_MAX, &v) == -1)
		return r->status;
	c->price.max_stackable = (int)v;
	if ((p = obj_obj(r, r->json, "points_to_cash")) == NULL ||
	    obj_bool(r, p, "enabled", "points_to_cash.enabled", 1,
	    &c->price.points_enabled) == -1 ||
	    obj_int(r, p, "points_per_yuan", "points_to_cash.points_per_yuan",
	    1, 1, CHECKOUT_RATE_MAX, &c->price.points_per_yuan) == -1 ||
	    obj_int(r, p, "max_pct", "points_to_cash.max_pct", 1, 0, 100,
	    &v) == -1)
		return r->status;
	c->price.points_max_pct = (int)v;
	if ((rc = obj_int(r, p, "max_points", "points_to_cash.max_points", 0,
	    1, CHECKOUT_POINTS_MAX, &c->price.points_max_points)) == -1)
		return r->status;
	if (rc == 1)
		c->price.points_max_points = ORDER_NONE;
	if ((ret = obj_obj(r, r->json, "coupon_return")) == NULL ||
	    obj_bool(r, ret, "on_cancel", "coupon_return.on_cancel", 1,
	    &c->return_on_cancel) == -1 ||
	    obj_bool(r, ret, "on_refund_before_complete",
	    "coupon_return.on_refund_before_complete", 1,
	    &c->return_before_complete) == -1 ||
	    obj_bool(r, ret, "on_refund_after_complete",
	    "coupon_return.on_refund_after_complete", 1,
	    &c->return_after_complete) == -1)
		return r->status;
	/* money: the range in yuan, as people read it */
	if ((rc = obj_int(r, r->json, "refund_approval_over_fen",
	    "refund_approval_over_fen", 0, INT64_MIN, INT64_MAX,
	    &c->refund_approval_over_fen)) == -1)
		return r->status;
	if (rc == 0 && (c->refund_approval_over_fen < 1 ||
	    c->refund_approval_over_fen > WALLET_MAX_FEN))
		return resp_bad_field(r, "refund_approval_over_fen", arena_printf(
		    r->a, "应在 0.01 到 %lld 元之间",
		    (long long)(WALLET_MAX_FEN / 100)));
	if (rc == 1)
		c->refund_approval_over_fen = ORDER_NONE;
	if (obj_int(r, r->json, "unpaid_expiry_min", "unpaid_expiry_min", 1,
	    1, CHECKOUT_EXPIRY_MAX, &v) == -1)
		return r->status;
	c->unpaid_expiry_min = (int)v;
	if ((st = db_tx(r, checkout_put_tx, &x)) >= 400)
		return st;
	return resp_data(r, 200, x.out);
}

#define BASE "/api/v1/m/:merchant/staff"

ROUTES(settings_routes) = {
	{ M_GET, BASE "/settings/card", settings_card_get,
	    AUTH_STAFF | ROLE_MARKETING },
	{ M_PUT, BASE "/settings/card", settings_card_put,
	    AUTH_STAFF | ROLE_MARKETING | CSRF },
	{ M_POST, BASE "/uploads", settings_upload,
	    AUTH_STAFF | ROLE_MARKETING | CSRF | UPLOAD },
	{ M_GET, BASE "/settings/tiers", settings_tiers_get,
	    AUTH_STAFF | ROLE_MARKETING },
	{ M_PUT, BASE "/settings/tiers", settings_tiers_put,
	    AUTH_STAFF | ROLE_MARKETING | CSRF },
	{ M_GET, BASE "/settings/checkout", settings_checkout_get,
	    AUTH_STAFF | ROLE_MARKETING },
	{ M_PUT, BASE "/settings/checkout", settings_checkout_put,
	    AUTH_STAFF | ROLE_MARKETING | CSRF },
	{ 0, NULL, NULL, 0 }
};
