/* QR codes rendered as SVG (one path) or 1-bit PNG (see qr.h). */
#include <errno.h>
#include <setjmp.h>
#include <string.h>

#include <png.h>
#include <qrencode.h>

#include "app.h"
#include "core.h"

#define QR_TEXT_MAX	2048	/* fits version 40 at level M in 8-bit mode */

static QRcode *
encode(struct req *r, const char *text)
{
	QRcode *q;
	size_t n = text != NULL ? strlen(text) : 0;

	if (n == 0 || n > QR_TEXT_MAX) {
		log_err(r, "qr: text of %zu bytes", n);
		return NULL;
	}
	if ((q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1)) ==
	    NULL)
		log_err(r, "qr: encode: %s", strerror(errno));
	return q;
}

static int
dark(const QRcode *q, int x, int y)
{
	return q->data[y * q->width + x] & 1;
}

int
qr_svg(struct req *r, const char *text, char **out, size_t *len)
{
	QRcode *q = encode(r, text);
	struct sbuf s;
	int x, y, size;

	if (q == NULL)
		return -1;
	size = q->width + 2 * QR_QUIET;
	sbuf_init(&s, r->a, 4096);
	sbuf_printf(&s, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
	    "shape-rendering=\"crispEdges\">"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path d=\"",
	    size, size, size * 8, size * 8, size, size);
	/* each horizontal run of dark modules: a 1-module-high rectangle */
	for (y = 0; y < q->width; y++)
		for (x = 0; x < q->width; x++) {
			int run = 0;

			if (!dark(q, x, y))
				continue;
			while (x + run < q->width && dark(q, x + run, y))
				run++;
			sbuf_printf(&s, "M%d %dh%dv1h-%dz", x + QR_QUIET,
			    y + QR_QUIET, run, run);
			x += run - 1;
		}
	sbuf_puts(&s, "\" fill=\"#000\"/></svg>\n");
	QRcode_free(q);
	*out = (char *)sbuf_str(&s);
	*len = s.len;
	return 0;
}

static void
png_sink(png_structp p, png_bytep data, png_size_t n)
{
	sbuf_add(png_get_io_ptr(p), (const char *)data, n);
}

static void
png_flush_none(png_structp p)
{
	(void)p;
}

static void
png_fail(png_structp p, png_const_charp msg)
{
	(void)msg;
	png_longjmp(p, 1);
}

static void
png_warn_none(png_structp p, png_const_charp msg)
{
	(void)p;
	(void)msg;
}

int
qr_png(struct req *r, const char *text, char **out, size_t *len)
{
	QRcode *q = encode(r, text);
	png_structp png = NULL;
	png_infop info = NULL;
	struct sbuf s;
	unsigned char *row;
	int size, scale, px, rowbytes, x, y, k;
	volatile int rc = -1;

	if (q == NULL)
		return -1;
	size = q->width + 2 * QR_QUIET;
	/* about 260-400 pixels across, whole pixels per module */
	scale = 400 / size;
	if (scale > 8)
		scale = 8;
	if (scale < 2)
		scale = 2;
	px = size * scale;
	rowbytes = (px + 7) / 8;
	row = arena_alloc(r->a, (size_t)rowbytes);
	sbuf_init(&s, r->a, 2048);
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, png_fail,
	    png_warn_none);
	if (png == NULL || (info = png_create_info_struct(png)) == NULL)
		goto out;
	if (setjmp(png_jmpbuf(png))) {
		log_err(r, "qr: png encoding failed");
		goto out;
	}
	png_set_write_fn(png, &s, png_sink, png_flush_none);
	png_set_IHDR(png, info, (png_uint_32)px, (png_uint_32)px, 1,
	    PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
	    PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	/*
	 * A few kilobytes of 1-bit rows: a small, fast zlib state costs a
	 * third of the default one to set up and still gives ~450 bytes.
	 */
	png_set_filter(png, 0, PNG_FILTER_NONE);
	png_set_compression_level(png, 3);
	png_set_compression_mem_level(png, 2);
	png_set_compression_window_bits(png, 9);
	png_write_info(png, info);
	for (y = 0; y < size; y++) {
		/* 1 is white in greyscale; dark modules clear their bits */
		memset(row, 0xff, (size_t)rowbytes);
		if (y >= QR_QUIET && y < QR_QUIET + q->width)
			for (x = 0; x < q->width; x++) {
				if (!dark(q, x, y - QR_QUIET))
					continue;
				for (k = 0; k < scale; k++) {
					int p = (x + QR_QUIET) * scale + k;

					row[p / 8] &= (unsigned char)
					    ~(0x80 >> (p % 8));
				}
			}
		for (k = 0; k < scale; k++)
			png_write_row(png, row);
	}
	png_write_end(png, NULL);
	*out = (char *)sbuf_str(&s);
	*len = s.len;
	rc = 0;
out:
	png_destroy_write_struct(&png, &info);
	QRcode_free(q);
	return rc;
}
