/*
 * Order lines that sell a count card (次卡): {count_card_product_id, qty}
 * read, priced as a line of its own (the product's price_fen a unit, no
 * member price, no catalogue product: the tier discount and whole-order
 * coupons apply to it as to any line, coupons scoped to catalogue
 * products do not), for a member only. The card itself is issued when
 * the order is paid (EV_ORDER_PAID, handlers/card/): qty x uses uses on
 * one card. A refund of such a line counts uses (order_after.c).
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "catalog/catalog.h"
#include "db.h"
#include "order.h"
#include "order_db.h"

int
order_card_line_parse(struct req *r, cJSON *l, const char *f,
    struct order_req_line *q)
{
	if (json_member(l, "count_card_product_id") == NULL)
		return 0;
	if (json_member(l, "product_id") != NULL ||
	    json_member(l, "name") != NULL) {
		resp_bad_field(r, arena_printf(r->a,
		    "%s.count_card_product_id", f), "次卡行不能同时填写商品");
		return -1;
	}
	if (req_obj_int(r, l, "count_card_product_id", arena_printf(r->a,
	    "%s.count_card_product_id", f), 1, 1, INT64_MAX / 2,
	    &q->count_card_product_id) == -1)
		return -1;
	return 1;
}

int
order_card_line_load(struct req *r, struct order_ctx *c, int i)
{
	const struct order_req_line *q = &c->body.lines[i];
	struct order_line_in *l = &c->in.lines[i];
	const char *f = arena_printf(r->a, "lines[%d].count_card_product_id",
	    i);
	struct count_card_item it;
	int st;

	if ((st = count_card_item_load(r, q->count_card_product_id,
	    c->body.store_id, time_now(), &it)) != 0)
		return st;
	if (!it.found || !it.active)
		return resp_bad_field(r, f, "次卡不存在或已停售");
	if (!it.sold_here)
		return resp_bad_field(r, f, "本店不售此次卡");
	if (it.ended)
		return resp_bad_field(r, f, "次卡已过有效期，不能再售卖");
	if (c->member_id == 0)
		return resp_bad_field(r, f,
		    "次卡记在会员名下：请先扫描会员码，或按会员手机号下单");
	if (q->qty * it.uses > ORDER_MAX_QTY)
		return resp_bad_field(r, arena_printf(r->a, "lines[%d].qty", i),
		    arena_printf(r->a, "一次最多购买 %lld 张",
		    (long long)(ORDER_MAX_QTY / it.uses)));
	l->product_id = 0;
	l->name = it.name;
	l->category = "次卡";
	l->unit_fen = it.price_fen;
	c->card_uses[i] = it.uses;
	c->ncards++;
	return 0;
}

char *
order_card_hash(struct req *r, const struct order_ctx *c, char *buf,
    size_t len, size_t *out_len)
{
	struct sbuf s;
	int i;

	sbuf_init(&s, r->a, len + 32 * (size_t)c->ncards + 1);
	sbuf_add(&s, buf, len);
	sbuf_puts(&s, "|cards");
	for (i = 0; i < c->body.nlines; i++)
		if (c->card_uses[i] > 0)
			sbuf_printf(&s, "|%d:%lld:%lld", i + 1, (long long)
			    c->body.lines[i].count_card_product_id,
			    (long long)c->card_uses[i]);
	*out_len = s.len;
	return (char *)sbuf_str(&s);
}

void
order_card_lines_json(const struct order_ctx *c, cJSON *lines)
{
	cJSON *x;
	int i = 0;

	cJSON_ArrayForEach(x, lines) {
		if (i < c->body.nlines && c->card_uses[i] > 0) {
			j_int(x, "count_card_product_id",
			    c->body.lines[i].count_card_product_id);
			j_int(x, "card_uses", c->body.lines[i].qty *
			    c->card_uses[i]);
		}
		i++;
	}
}
