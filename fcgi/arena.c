/*
 * Bump allocator in a chain of chunks. The first chunk is kept across
 * resets so a steady request load allocates nothing from malloc; a reset
 * after the chunks outgrew it makes the first chunk as large as they all
 * were (up to ARENA_KEEP_MAX), so that requests of that size (an order's
 * quote: its context alone is some 60 KiB) do not malloc and free, and
 * fault in, fresh chunks every time.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ALIGN		16
#define ALIGN_UP(n)	(((n) + (ALIGN - 1)) & ~(size_t)(ALIGN - 1))
/* the most a reset keeps as the first chunk: a large export's arena is
   given back */
#define ARENA_KEEP_MAX	((size_t)1 << 20)

struct chunk {
	struct chunk	*next;
	size_t		 size, used;
	unsigned char	 data[] __attribute__((aligned(ALIGN)));
};

struct defer {
	void		(*fn)(void *);
	void		*arg;
	struct defer	*next;
};

struct arena {
	struct chunk	*first, *cur;
	struct defer	*defers;
	size_t		 total;
};

static struct chunk *
chunk_new(size_t size)
{
	struct chunk *c;

	if ((c = malloc(sizeof(*c) + size)) == NULL) {
		fputs("arena: out of memory\n", stderr);
		abort();
	}
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

struct arena *
arena_new(size_t first)
{
	struct arena *a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		abort();
	a->first = a->cur = chunk_new(first < 1024 ? 1024 : first);
	return a;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct chunk *c = a->cur;
	void *p;

	n = ALIGN_UP(n ? n : 1);
	if (c->size - c->used < n) {
		size_t sz = c->size * 2;

		while (sz < n)
			sz *= 2;
		c = chunk_new(sz);
		a->cur->next = c;
		a->cur = c;
	}
	p = c->data + c->used;
	c->used += n;
	a->total += n;
	return p;
}

void *
arena_calloc(struct arena *a, size_t n, size_t sz)
{
	void *p;

	if (sz && n > SIZE_MAX / sz)
		abort();
	p = arena_alloc(a, n * sz);
	memset(p, 0, n * sz);
	return p;
}

void *
arena_realloc(struct arena *a, void *old, size_t oldsz, size_t newsz)
{
	void *p;

	if (newsz <= oldsz)
		return old;
	p = arena_alloc(a, newsz);
	if (old != NULL && oldsz)
		memcpy(p, old, oldsz);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return s == NULL ? NULL : arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	char *p;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return arena_strdup(a, "");
	p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void
arena_defer(struct arena *a, void (*fn)(void *), void *arg)
{
	struct defer *d = arena_alloc(a, sizeof(*d));

	d->fn = fn;
	d->arg = arg;
	d->next = a->defers;
	a->defers = d;
}

size_t
arena_used(const struct arena *a)
{
	return a->total;
}

void
arena_reset(struct arena *a)
{
	struct chunk *c, *next;
	struct defer *d;
	size_t size;

	/* Defers are allocated in the arena: run them all before freeing. */
	for (d = a->defers; d != NULL; d = d->next)
		d->fn(d->arg);
	a->defers = NULL;
	size = a->first->size;
	for (c = a->first->next; c != NULL; c = next) {
		next = c->next;
		size += c->size;
		free(c);
	}
	a->first->next = NULL;
	if (size > a->first->size && size <= ARENA_KEEP_MAX) {
		free(a->first);
		a->first = chunk_new(size);
	}
	a->first->used = 0;
	a->cur = a->first;
	a->total = 0;
}

void
arena_free(struct arena *a)
{
	if (a == NULL)
		return;
	arena_reset(a);
	free(a->first);
	free(a);
}

void
sbuf_init(struct sbuf *s, struct arena *a, size_t cap)
{
	s->a = a;
	s->cap = cap < 64 ? 64 : cap;
	s->buf = arena_alloc(a, s->cap);
	s->len = 0;
	s->buf[0] = '\0';
}

static void
sbuf_grow(struct sbuf *s, size_t need)
{
	size_t cap = s->cap;

	if (s->len + need + 1 <= cap)
		return;
	while (s->len + need + 1 > cap)
		cap *= 2;
	s->buf = arena_realloc(s->a, s->buf, s->len + 1, cap);
	s->cap = cap;
}

void
sbuf_add(struct sbuf *s, const char *p, size_t n)
{
	sbuf_grow(s, n);
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->buf[s->len] = '\0';
}

void
sbuf_puts(struct sbuf *s, const char *p)
{
	sbuf_add(s, p, strlen(p));
}

void
sbuf_putc(struct sbuf *s, char c)
{
	sbuf_add(s, &c, 1);
}

void
sbuf_printf(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	sbuf_grow(s, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(s->buf + s->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	s->len += (size_t)n;
}

const char *
sbuf_str(struct sbuf *s)
{
	return s->buf;
}
