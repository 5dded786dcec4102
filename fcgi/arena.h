/*
 * Per-request arena: bump allocation in chunks, released all at once.
 * Objects of other libraries register a destructor with arena_defer().
 */
#ifndef ARENA_H
#define ARENA_H
#include <stddef.h>
#include <stdarg.h>

struct arena;

struct arena	*arena_new(size_t first_chunk);
void		*arena_alloc(struct arena *, size_t);
void		*arena_calloc(struct arena *, size_t, size_t);
void		*arena_realloc(struct arena *, void *, size_t oldsz, size_t newsz);
char		*arena_strdup(struct arena *, const char *);
char		*arena_strndup(struct arena *, const char *, size_t);
char		*arena_printf(struct arena *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
char		*arena_vprintf(struct arena *, const char *, va_list);
void		 arena_defer(struct arena *, void (*)(void *), void *);
size_t		 arena_used(const struct arena *);
void		 arena_reset(struct arena *);	/* runs defers, keeps first chunk */
void		 arena_free(struct arena *);

/* Growable string buffer whose storage lives in an arena. */
struct sbuf {
	struct arena	*a;
	char		*buf;
	size_t		 len, cap;
};

void	 sbuf_init(struct sbuf *, struct arena *, size_t);
void	 sbuf_add(struct sbuf *, const char *, size_t);
void	 sbuf_puts(struct sbuf *, const char *);
void	 sbuf_putc(struct sbuf *, char);
void	 sbuf_printf(struct sbuf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* NUL-terminated contents (the terminator is not counted in len). */
const char *sbuf_str(struct sbuf *);

#endif
