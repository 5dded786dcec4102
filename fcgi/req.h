/* Runtime-internal parts of the request layer (also reached by unit tests). */
#ifndef REQ_H
#define REQ_H
#include <stddef.h>
#include <stdint.h>

struct req;
struct route_table;
struct event_sub;
struct arena;
struct cJSON;

int	 req_begin(struct req *, void *fcgx_request);
int	 req_read_body(struct req *, size_t limit);
char	*url_decode(struct arena *, const char *, size_t, int form);
int	 json_depth_ok(const char *, size_t, int max);
int	 utf8_ok(const char *, size_t, size_t *chars);
int	 parse_int(const char *, int64_t min, int64_t max, int64_t *);
void	 resp_send(struct req *);
int	 router_dispatch(struct req *);
/* Match a path; returns the route or NULL; *allowed gets methods of paths
   that match with another method (for 405). Fills r->pname/pval. */
const struct route *router_match(struct req *, int *allowed);
int	 router_match_pattern(struct req *, const char *pattern,
	    const char *path);
/* Whether one path can match both patterns (the rule router_check()
   applies to every two routes with a method in common). */
int	 router_patterns_overlap(const char *, const char *);
/* router_check() over tables[0..n): 0, or -1 with each overlapping pair
   logged. */
int	 router_check_tables(const struct route_table *const *tables,
	    size_t n);
/* event_init()'s check over v[0..n), sorting v by event then order: 0,
   or -1 (printed) for an unknown event or two subscribers of one event
   at one order. */
int	 event_sort_check(const struct event_sub **v, int n);
void	 json_hooks_arena(struct arena *);
/* The text cJSON_PrintUnformatted() gives, in the arena; NULL if it gives
   none. *len (if not NULL) gets its length. */
char	*json_print(struct arena *, const struct cJSON *, size_t *len);

#endif
