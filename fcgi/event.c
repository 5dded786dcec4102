/*
 * The event seam: what one domain sets off in another that it must not
 * call by name. Subscribers register with ON_EVENT() in the app_events
 * section, as routes and statements register themselves; event_emit()
 * runs an event's subscribers in their declared order inside the
 * caller's transaction, and the first error ends the run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "req.h"

extern const struct event_sub *const __start_app_events[];
extern const struct event_sub *const __stop_app_events[];

static const char *const event_names[EV_NEVENTS] = {
	[EV_MEMBER_JOINED] = "member_joined",
	[EV_ORDER_PAID] = "order_paid",
	[EV_ORDER_REFUNDED] = "order_refunded",
	[EV_ONLINE_NOTIFIED] = "online_notified",
	[EV_TIER_REWARDED] = "tier_rewarded",
	[EV_RECHARGED] = "recharged",
};

/* Every subscription, by event then order; built once per process. */
static const struct event_sub **subs;
static int nsubs;
static int checked;		/* what sorting and checking them said */

static int
sub_cmp(const void *a, const void *b)
{
	const struct event_sub *x = *(const struct event_sub *const *)a;
	const struct event_sub *y = *(const struct event_sub *const *)b;

	if (x->ev != y->ev)
		return x->ev < y->ev ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

const char *
event_name(int ev)
{
	return ev > 0 && ev < EV_NEVENTS && event_names[ev] ? event_names[ev] :
	    "?";
}

/*
 * Sort n subscriptions by event then order and check them: 0, or -1
 * (printed) for an unknown event or two subscribers of one event at one
 * order. event_init() runs it over every registered subscription.
 */
int
event_sort_check(const struct event_sub **v, int n)
{
	int i;

	qsort(v, (size_t)n, sizeof(*v), sub_cmp);
	for (i = 0; i < n; i++) {
		if (v[i]->ev <= 0 || v[i]->ev >= EV_NEVENTS) {
			fprintf(stderr, "event: %s subscribes to unknown "
			    "event %d\n", v[i]->name, v[i]->ev);
			return -1;
		}
		if (i > 0 && v[i]->ev == v[i - 1]->ev &&
		    v[i]->order == v[i - 1]->order) {
			fprintf(stderr, "event: %s and %s both run at %d of "
			    "%s: their order is undefined\n",
			    v[i - 1]->name, v[i]->name, v[i]->order,
			    event_name(v[i]->ev));
			return -1;
		}
	}
	return 0;
}

int
event_init(void)
{
	int n = (int)(__stop_app_events - __start_app_events), i;

	if (subs != NULL)
		return checked;	/* a refusal stays a refusal */
	if ((subs = calloc((size_t)n + 1, sizeof(*subs))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		subs[i] = __start_app_events[i];
	nsubs = n;
	return checked = event_sort_check(subs, n);
}

int
event_emit(struct req *r, int ev, const void *payload)
{
	int i, st;

	if (event_init() == -1)
		return resp_internal(r);
	for (i = 0; i < nsubs; i++) {
		if (subs[i]->ev != ev)
			continue;
		if ((st = subs[i]->fn(r, payload)) != 0)
			return st;
	}
	return 0;
}

void
event_print(void)
{
	int i;

	if (subs == NULL && event_init() == -1)
		return;
	for (i = 0; i < nsubs; i++)
		printf("%-16s %4d  %-24s %s\n", event_name(subs[i]->ev),
		    subs[i]->order, subs[i]->name, subs[i]->file);
}
