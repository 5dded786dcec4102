/* What every H5 page handler shares (handlers/pages.c). */
#ifndef PAGE_H
#define PAGE_H
#include <stdint.h>
#include "cjson/cJSON.h"

struct req;

/* A page context: title, body class and one script of static/js/. */
cJSON	*page_ctx(const char *title, const char *body_class,
	    const char *script);
/* A staff console page's context: staff.js (sign-in), then its script. */
cJSON	*page_staff_ctx(const char *title, const char *script);
/* "12.30", "-5.00": fen as yuan with two decimals, in the arena. */
const char *page_yuan(struct req *, int64_t fen);
/*
 * The sign-in page, which comes back to this page (or ?next=) once
 * signed in, by way of joining when needed.
 */
int	 page_signin(struct req *);
/*
 * For pages of members only: 0 to go on, else the status of what was
 * rendered instead (the sign-in page, or the redirect to join).
 */
int	 page_member_gate(struct req *);

#endif
