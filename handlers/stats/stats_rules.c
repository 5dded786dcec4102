#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "arena.h"
#include "core/core.h"
#include "stats.h"

long
stats_day(const char *s)
{
	struct tm tm;
	int y, m, d;

	if (s == NULL || strlen(s) != 10 || date_parse(s, &y, &m, &d) == -1 ||
	    y < 1970)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	return (long)(timegm(&tm) / 86400);
}

void
stats_date(long day, char out[11])
{
	time_t t = (time_t)day * 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

int
stats_period(const char *from, const char *to, const char *today,
    struct stats_period *p, const char **field, const char **why)
{
	long t = stats_day(today), a, b;

	if (to != NULL) {
		if ((b = stats_day(to)) == -1) {
			*field = "to";
			*why = "日期应为 YYYY-MM-DD";
			return -1;
		}
	} else
		b = t;
	if (from != NULL) {
		if ((a = stats_day(from)) == -1) {
			*field = "from";
			*why = "日期应为 YYYY-MM-DD";
			return -1;
		}
		if (to == NULL && b - a + 1 > STATS_MAX_DAYS)
			b = a + STATS_MAX_DAYS - 1;
	} else
		a = b - (STATS_DEFAULT_DAYS - 1);
	if (a > b) {
		*field = "from";
		*why = "开始日期不能晚于结束日期";
		return -1;
	}
	if (b - a + 1 > STATS_MAX_DAYS) {
		*field = "to";
		*why = "统计区间最长 366 天";
		return -1;
	}
	if (a < 0) {
		*field = "from";
		*why = "日期应为 YYYY-MM-DD";
		return -1;
	}
	p->first = a;
	p->last = b;
	p->days = (int)(b - a + 1);
	stats_date(a, p->from);
	stats_date(b, p->to);
	return 0;
}

double
stats_rate(int64_t num, int64_t den)
{
	if (den == 0)
		return -1;
	return round((double)num / (double)den * 10000.0) / 10000.0;
}

/* The civil date of a day number. */
static void
civil(long day, int *y, int *m, int *d)
{
	time_t t = (time_t)day * 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	*y = tm.tm_year + 1900;
	*m = tm.tm_mon + 1;
	*d = tm.tm_mday;
}

static long
day_of(int y, int m, int d)
{
	struct tm tm;
	int last;

	/* clamp the day to the month's last (31 March -> 28/29 February) */
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	last = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) ||
	    y % 400 == 0));
	if (d > last)
		d = last;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	return (long)(timegm(&tm) / 86400);
}

long
stats_year_before(long day)
{
	int y, m, d;

	civil(day, &y, &m, &d);
	return day_of(y - 1, m, d);
}

long
stats_month_before(long day)
{
	int y, m, d;

	civil(day, &y, &m, &d);
	return m == 1 ? day_of(y - 1, 12, d) : day_of(y, m - 1, d);
}

void
stats_periods(long today, struct stats_span out[3][3])
{
	int y, m, d;
	long monday, first, pfirst;

	civil(today, &y, &m, &d);
	/* 1970-01-01 was a Thursday: Monday is day 4 mod 7 */
	monday = today - ((today - 4) % 7 + 7) % 7;
	first = today - (d - 1);
	pfirst = stats_month_before(first);
	out[0][0] = (struct stats_span){ today, today };
	out[0][1] = (struct stats_span){ today - 1, today - 1 };
	out[1][0] = (struct stats_span){ monday, today };
	out[1][1] = (struct stats_span){ monday - 7, today - 7 };
	out[2][0] = (struct stats_span){ first, today };
	/* the same days of the month before, as far as it has them */
	out[2][1] = (struct stats_span){ pfirst, stats_month_before(today) };
	if (out[2][1].last >= first)
		out[2][1].last = first - 1;
	for (int k = 0; k < 3; k++)
		out[k][2] = (struct stats_span){
		    stats_year_before(out[k][0].first),
		    stats_year_before(out[k][0].last) };
}

double
stats_change(int64_t now, int64_t before)
{
	if (before == 0)
		return STATS_NO_CHANGE;
	return round((double)(now - before) / (double)before * 10000.0) /
	    10000.0;
}

/* ---- CSV of a report ---- */

/* The words of a field in a CSV head; money fields say 元. */
static const struct {
	const char	*key, *zh;
} labels[] = {
	{ "from", "开始日期" }, { "to", "结束日期" }, { "date", "日期" },
	{ "store_id", "门店编号" }, { "store_name", "门店" },
	{ "name", "名称" }, { "id", "编号" }, { "kind", "类型" },
	{ "status", "状态" }, { "slug", "活动代码" }, { "channel", "渠道代码" },
	{ "channel_name", "渠道" }, { "level", "等级" },
	{ "today", "今日" }, { "week", "本周" }, { "month", "本月" },
	{ "previous", "上期" }, { "last_year", "去年同期" },
	{ "change", "环比" }, { "change_yoy", "同比" },
	{ "new_members", "新会员" }, { "referred", "推荐新会员" },
	{ "members", "会员" }, { "non_members", "非会员" },
	{ "totals", "合计" }, { "orders", "订单数" }, { "order", "订单" },
	{ "order_fen", "订单金额" }, { "member_orders", "会员订单数" },
	{ "member_order_fen", "会员订单金额" },
	{ "non_member_orders", "非会员订单数" },
	{ "non_member_order_fen", "非会员订单金额" },
	{ "order_share", "订单数占比" }, { "fen_share", "金额占比" },
	{ "aov_fen", "客单价" }, { "refunds", "退款笔数" },
	{ "refund_fen", "退款金额" }, { "net_fen", "净额" },
	{ "recharges", "充值笔数" }, { "recharge_fen", "充值金额" },
	{ "count", "笔数" }, { "pay_fen", "实付金额" },
	{ "bonus_fen", "赠送金额" }, { "share", "占比" },
	{ "claims", "领券数" }, { "new_claims", "新会员领券" },
	{ "uses", "用券数" }, { "use_rate", "核销率" },
	{ "discount_fen", "优惠金额" }, { "roi", "费效比" },
	{ "views", "浏览" }, { "visitors", "访客" }, { "shares", "分享" },
	{ "day1", "次日回访" }, { "day7", "7日回访" }, { "day30", "30日回访" },
	{ "day1_rate", "次日留存率" }, { "day7_rate", "7日留存率" },
	{ "day30_rate", "30日留存率" }, { "active", "活跃会员" },
	{ "dau", "日活" }, { "wau", "周活" }, { "mau", "月活" },
	{ "avg_dau", "平均日活" }, { "buyers", "消费会员" },
	{ "repeat_buyers", "复购会员" }, { "rate", "比率" },
	{ "arpu_fen", "ARPU" }, { "arppu_fen", "ARPPU" },
	{ "members_total", "会员总数" }, { "members_at_start", "期初会员" },
	{ "referrers", "推荐人" }, { "k_factor", "K 因子" },
	{ "issued", "领取" }, { "used", "使用" }, { "cancelled", "作废" },
	{ "expired", "过期" }, { "issued_used", "领取后已用" },
	{ "claimed", "已领" }, { "claim_rate", "领取率" }, { "stock", "库存" },
	{ "principal_fen", "本金" }, { "total_fen", "合计" },
	{ "balance_fen", "余额支付" }, { "refunded_fen", "退回" },
	{ "paying_members", "付费会员" }, { "avg_order_fen", "平均订单" },
	{ "coupons", "优惠券" }, { "campaigns", "活动" },
	{ "templates", "券模板" }, { "channels", "渠道" }, { "stores", "门店" },
	{ "daily", "每日" }, { "cohorts", "留存（按加入日）" },
	{ "stored_value", "储值" }, { "repurchase", "复购" },
	{ "referral", "推荐" }, { "tiers", "等级" }, { "packages", "充值套餐" },
	{ "providers", "支付方式" }, { "balance", "余额" },
	{ "spending", "余额消费" }, { "package_id", "套餐编号" },
	{ "label", "套餐" }, { "pay_fen_total", "实付合计" },
	{ "bonus_fen_total", "赠送合计" }, { "provider", "支付方式" },
	{ "payments", "笔数" }, { "definitions", "口径" },
};

static const char *
label_of(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i].key, key) == 0)
			return labels[i].zh;
	return key;
}

static int
is_money(const char *key)
{
	size_t n = strlen(key);

	return n > 4 && strcmp(key + n - 4, "_fen") == 0;
}

static void
csv_text(struct sbuf *b, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		sbuf_puts(b, s);
		return;
	}
	sbuf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			sbuf_putc(b, '"');
		sbuf_putc(b, *s);
	}
	sbuf_putc(b, '"');
}

/* A field's head: its words, 元 for money. */
static void
csv_head(struct sbuf *b, const char *prefix, const char *key, int rate)
{
	char h[160];

	snprintf(h, sizeof(h), "%s%s%s%s", prefix, *prefix ? "·" : "",
	    label_of(key), !rate && is_money(key) ? "（元）" : "");
	csv_text(b, h);
}

static void
csv_value(struct sbuf *b, const char *key, const cJSON *v, int rate)
{
	if (cJSON_IsNumber(v)) {
		double x = v->valuedouble;

		if (rate)
			sbuf_printf(b, "%.4f", x);
		else if (is_money(key))
			sbuf_printf(b, "%.2f", x / 100.0);
		else if (x == (double)(int64_t)x)
			sbuf_printf(b, "%lld", (long long)x);
		else
			sbuf_printf(b, "%.4f", x);
	} else if (cJSON_IsString(v))
		csv_text(b, v->valuestring);
	else if (cJSON_IsBool(v))
		sbuf_puts(b, cJSON_IsTrue(v) ? "是" : "否");
	/* null: empty */
}

/* The rows of a summary: name, value, for every scalar under o (rate:
   under a change, whose figures are rates, not money). */
static void
csv_summary(struct sbuf *b, const char *prefix, const cJSON *o, int rate)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, o) {
		char p[160];

		if (cJSON_IsArray(c) || strcmp(c->string, "definitions") == 0)
			continue;
		if (cJSON_IsObject(c)) {
			snprintf(p, sizeof(p), "%s%s%s", prefix,
			    *prefix ? "·" : "", label_of(c->string));
			csv_summary(b, p, c, rate ||
			    strncmp(c->string, "change", 6) == 0);
			continue;
		}
		csv_head(b, prefix, c->string, rate);
		sbuf_putc(b, ',');
		csv_value(b, c->string, c, rate);
		sbuf_puts(b, "\r\n");
	}
}

/* A table of the objects of arr: a title line, a head, a row each. */
static void
csv_table(struct sbuf *b, const char *title, const cJSON *arr)
{
	const cJSON *first = cJSON_GetArrayItem(arr, 0), *c, *row;
	int n;

	sbuf_puts(b, "\r\n");
	csv_text(b, title);
	sbuf_puts(b, "\r\n");
	if (!cJSON_IsObject(first))
		return;
	n = 0;
	cJSON_ArrayForEach(c, first) {
		if (cJSON_IsArray(c) || cJSON_IsObject(c))
			continue;
		if (n++)
			sbuf_putc(b, ',');
		csv_head(b, "", c->string, 0);
	}
	sbuf_puts(b, "\r\n");
	cJSON_ArrayForEach(row, arr) {
		n = 0;
		cJSON_ArrayForEach(c, first) {
			if (cJSON_IsArray(c) || cJSON_IsObject(c))
				continue;
			if (n++)
				sbuf_putc(b, ',');
			csv_value(b, c->string,
			    cJSON_GetObjectItemCaseSensitive(row, c->string),
			    0);
		}
		sbuf_puts(b, "\r\n");
	}
}

/* Every array of objects under o, as tables titled by their path. */
static void
csv_tables(struct sbuf *b, const char *prefix, const cJSON *o)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, o) {
		char p[160];

		if (!cJSON_IsArray(c) && !cJSON_IsObject(c))
			continue;
		if (strcmp(c->string, "definitions") == 0)
			continue;
		snprintf(p, sizeof(p), "%s%s%s", prefix, *prefix ? "·" : "",
		    label_of(c->string));
		if (cJSON_IsArray(c))
			csv_table(b, p, c);
		else
			csv_tables(b, p, c);
	}
}

const char *
stats_csv(struct arena *a, const char *title, const cJSON *data,
    size_t *len)
{
	const cJSON *defs = cJSON_GetObjectItemCaseSensitive(data,
	    "definitions"), *c;
	struct sbuf b;

	sbuf_init(&b, a, 16 * 1024);
	sbuf_puts(&b, "\xEF\xBB\xBF");
	csv_text(&b, title);
	sbuf_puts(&b, "\r\n指标,数值\r\n");
	csv_summary(&b, "", data, 0);
	csv_tables(&b, "", data);
	if (cJSON_IsObject(defs)) {
		sbuf_puts(&b, "\r\n口径\r\n指标,口径\r\n");
		cJSON_ArrayForEach(c, defs) {
			csv_text(&b, c->string);
			sbuf_putc(&b, ',');
			csv_value(&b, "", c, 0);
			sbuf_puts(&b, "\r\n");
		}
	}
	*len = b.len;
	return sbuf_str(&b);
}
