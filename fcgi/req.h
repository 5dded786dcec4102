/* Runtime-internal parts of the request layer (also reached by unit tests). */
#ifndef REQ_H
#define REQ_H
#include <stddef.h>
#include <stdint.h>

struct req;
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
void	 json_hooks_arena(struct arena *);
/* The text cJSON_PrintUnformatted() gives, in the arena; NULL if it gives
   none. *len (if not NULL) gets its length. */
char	*json_print(struct arena *, const struct cJSON *, size_t *len);

#endif
