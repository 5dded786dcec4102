/*
 * The dynamic member code: issued to the signed-in member as text, SVG or
 * PNG, shown on the H5 page /m/{merchant}/code (scanned once at the
 * counter: membercode_staff.c). Format in membercode_rules.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cmd.h"
#include "core/core.h"
#include "db.h"
#include "member.h"

#define REFRESH_S	30	/* the page fetches a new code this often */

enum { CM_ID, CM_NCOLS };
DB_SQL_COLS(q_code_merchant, CM_NCOLS,
    "SELECT id FROM merchants WHERE code = ?");

static int
refresh_in(void)
{
	int s = cfg.member_code_ttl / 2;

	return s > REFRESH_S ? REFRESH_S : (s < 1 ? 1 : s);
}

/*
 * A fresh code for the signed-in member into out, with the time it was
 * issued. 0, or 500 internal (recorded) for ids the code cannot hold.
 */
static int
code_issue(struct req *r, char out[MCODE_LEN + 1], int64_t *issued)
{
	*issued = time_now();
	if (mcode_encode(cfg.secret, r->m->id, r->auth.member_id, *issued,
	    rand_uniform(MCODE_SALT_MAX), out) == -1) {
		log_err(r, "member code: ids out of range (merchant %lld, "
		    "member %lld)", (long long)r->m->id,
		    (long long)r->auth.member_id);
		return resp_internal(r);
	}
	return 0;
}

/*
 * A fresh member code.
 * Out: {code, display, expires_at, refresh_in_s, svg_url, png_url}.
 * svg_url and png_url render this very code.
 */
static int
membercode_get(struct req *r)
{
	char code[MCODE_LEN + 1], disp[40];
	const char *base;
	int64_t at;
	cJSON *d;
	int st;

	if ((st = code_issue(r, code, &at)) != 0)
		return st;
	mcode_display(code, disp, sizeof(disp));
	base = arena_printf(r->a, "/api/v1/m/%s/me/member-code", r->m->code);
	d = j_obj();
	j_str(d, "code", code);
	j_str(d, "display", disp);
	j_str(d, "expires_at", time_rfc3339_t(r, at + cfg.member_code_ttl));
	j_int(d, "refresh_in_s", refresh_in());
	j_str(d, "svg_url", arena_printf(r->a, "%s.svg?code=%s", base, code));
	j_str(d, "png_url", arena_printf(r->a, "%s.png?code=%s", base, code));
	return resp_data(r, 200, d);
}

/*
 * The code to draw: ?code= when it is this member's and still valid, else
 * a fresh one. 0, or the error status (recorded): 400 invalid_member_code
 * for a ?code= that is not such a one.
 */
static int
code_for_image(struct req *r, char out[MCODE_LEN + 1], int64_t *issued)
{
	const char *q = req_query(r, "code");
	struct mcode mc;

	if (q == NULL || *q == '\0')
		return code_issue(r, out, issued);
	if (strlen(q) > 64 || mcode_verify(cfg.secret, q, time_now(),
	    cfg.member_code_ttl, &mc) != MCODE_OK ||
	    mc.merchant_id != r->m->id || mc.member_id != r->auth.member_id)
		return resp_err(r, 400, "invalid_member_code",
		    "会员码无效或已过期，请刷新", "code");
	mcode_normalize(q, out);
	*issued = mc.issued_at;
	return 0;
}

static int
image_reply(struct req *r, const char *ctype,
    int (*render)(struct req *, const char *, char **, size_t *))
{
	char code[MCODE_LEN + 1], *img;
	size_t len;
	int64_t at;
	int st;

	if ((st = code_for_image(r, code, &at)) != 0)
		return st;
	if (render(r, code, &img, &len) == -1)
		return resp_internal(r);
	resp_header(r, "Cache-Control", "no-store");
	resp_header(r, "X-Member-Code", code);
	resp_header(r, "X-Member-Code-Expires-At",
	    time_rfc3339_t(r, at + cfg.member_code_ttl));
	return resp_raw(r, 200, ctype, img, len);
}

/*
 * The member code as an SVG QR code (one path, level M, quiet zone 4).
 * In: ?code= (optional: a code from GET member-code to draw; else a fresh
 * one). Out: image/svg+xml, Cache-Control: no-store, X-Member-Code.
 * Errors: invalid_member_code (400, a ?code= not this member's or expired).
 */
static int
membercode_svg(struct req *r)
{
	return image_reply(r, "image/svg+xml", qr_svg);
}

/* The same as a 1-bit PNG (image/png). */
static int
membercode_png(struct req *r)
{
	return image_reply(r, "image/png", qr_png);
}

/* ---- the H5 page ---- */

/*
 * GET /m/{merchant}/code: the member's QR code, renewed every 30 s, with
 * the card number and the text code under it; a link to the home page
 * to sign in or join when there is no member session.
 */
static int
membercode_page(struct req *r)
{
	cJSON *c = j_obj(), *s = j_arr(), *m;
	int found;

	j_str(c, "title", "会员码");
	j_str(c, "body_class", "page-code");
	j_bool(c, "tab_code", 1);
	if (r->auth.kind == AUTH_KIND_MEMBER && r->auth.member_id != 0) {
		m = member_get_json(r, r->auth.member_id, &found);
		if (!found)
			return resp_err(r, 404, "not_found", "会员不存在",
			    NULL);
		if (m == NULL)
			return r->status;
		j_add(c, "member", m);
		j_int(c, "refresh_s", refresh_in());
		j_add(s, NULL, cJSON_CreateString("code.js"));
		j_add(c, "scripts", s);
	}
	return resp_html(r, 200, "pages/code", c);
}

/* ---- the command line: codes for support and tests ---- */

static int
cmd_code_usage(void)
{
	fputs("usage: app member-code check <code> [unix_time]\n"
	    "       app member-code issue <merchant> <member_id> [unix_time]"
	    "  (APP_ENV dev or test)\n", stderr);
	return 2;
}

/*
 * `app member-code check <code> [time]`: whether the code verifies at that
 * time (default now) under this installation's secret, and what it says.
 * `app member-code issue <merchant> <member_id> [time]`: a code as if
 * issued at that time (dev and test only: tests of expiry use it).
 */
static int
cmd_member_code(int argc, char *argv[])
{
	static const char *const names[] = { "ok", "malformed", "forged",
	    "expired" };
	char code[MCODE_LEN + 1];
	int64_t at = time_now();
	struct mcode mc;
	struct req r;
	struct db_res res;
	enum mcode_status st;
	int rc = 1;

	if (argc >= 3 && strcmp(argv[1], "check") == 0) {
		if (argc == 4)
			at = strtoll(argv[3], NULL, 10);
		memset(&mc, 0, sizeof(mc));
		st = mcode_verify(cfg.secret, argv[2], at, cfg.member_code_ttl,
		    &mc);
		printf("%s", names[st]);
		if (st == MCODE_OK || st == MCODE_EXPIRED)
			printf(" merchant_id=%lld member_id=%lld issued_at=%lld",
			    (long long)mc.merchant_id, (long long)mc.member_id,
			    (long long)mc.issued_at);
		putchar('\n');
		return st == MCODE_OK ? 0 : 1;
	}
	if (argc < 4 || argc > 5 || strcmp(argv[1], "issue") != 0)
		return cmd_code_usage();
	if (!cfg_is_dev()) {
		fputs("member-code issue: only with APP_ENV dev or test\n",
		    stderr);
		return 1;
	}
	if (argc == 5)
		at = strtoll(argv[4], NULL, 10);
	if (cmd_req_init(&r) == -1)
		goto out;
	if (DB(&r, &q_code_merchant, &res, DBS(argv[2])) != DB_OK ||
	    res.nrows != 1) {
		fprintf(stderr, "member-code: no merchant %s\n", argv[2]);
		goto out;
	}
	if (mcode_encode(cfg.secret, db_int(&res, 0, CM_ID),
	    strtoll(argv[3], NULL, 10), at, rand_uniform(MCODE_SALT_MAX),
	    code) == -1) {
		fputs("member-code: ids or time out of range\n", stderr);
		goto out;
	}
	printf("%s\n", code);
	rc = 0;
out:
	cmd_req_done(&r);
	return rc;
}

COMMANDS(membercode_commands) = {
	{ "member-code", "check a member code, or issue one (dev, test)",
	  cmd_member_code },
	{ NULL, NULL, NULL }
};

ROUTES(membercode_routes) = {
	{ M_GET, "/api/v1/m/:merchant/me/member-code", membercode_get,
	    AUTH_MEMBER },
	{ M_GET, "/api/v1/m/:merchant/me/member-code.svg", membercode_svg,
	    AUTH_MEMBER },
	{ M_GET, "/api/v1/m/:merchant/me/member-code.png", membercode_png,
	    AUTH_MEMBER },
	{ M_GET, "/m/:merchant/code", membercode_page, HTML | AUTH_OPTIONAL },
	{ 0, NULL, NULL, 0 }
};
