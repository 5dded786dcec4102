/*
 * Images that staff upload, decoded whole before they are kept (see
 * core.h): libpng and libjpeg read every row from memory, one row at a
 * time, so a file that only starts like an image, declares a size it does
 * not hold, or stops early is refused, and a huge declared size is
 * refused before any pixel is read.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

#include "core.h"

static const unsigned char png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n',
    0x1a, '\n' };

static const char *const why_truncated = "图片数据不完整或已损坏";
static const char *const why_empty = "图片的宽或高为零";
static const char *const why_large = "图片过大，宽和高最多 4096 像素";

/* ---- PNG ---- */

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

struct png_src {
	const unsigned char	*p;
	size_t			 n, at;
	const char		*why;
};

static void
png_read_mem(png_structp png, png_bytep out, png_size_t len)
{
	struct png_src *s = png_get_io_ptr(png);

	if (len > s->n - s->at)
		png_error(png, "truncated");
	memcpy(out, s->p + s->at, len);
	s->at += len;
}

static void
png_fail(png_structp png, png_const_charp msg)
{
	struct png_src *s = png_get_error_ptr(png);

	(void)msg;
	if (s->why == NULL)
		s->why = why_truncated;
	png_longjmp(png, 1);
}

/* Warnings (a colour profile an editor wrote slightly wrong) are no
   reason to refuse an image that decodes. */
static void
png_warn(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static int
png_check(const unsigned char *p, size_t n, int *w, int *h,
    const char **why)
{
	struct png_src s = { p, n, 0, NULL };
	png_structp png;
	png_infop info = NULL;
	png_bytep volatile row = NULL;
	png_uint_32 pw, ph, y;
	int passes, i;
	volatile int rc = -1;

	png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &s, png_fail,
	    png_warn);
	if (png == NULL || (info = png_create_info_struct(png)) == NULL) {
		png_destroy_read_struct(&png, NULL, NULL);
		*why = why_truncated;
		return -1;
	}
	if (setjmp(png_jmpbuf(png))) {
		*why = s.why != NULL ? s.why : why_truncated;
		goto out;
	}
	png_set_user_limits(png, IMAGE_MAX_SIDE, IMAGE_MAX_SIDE);
	png_set_chunk_malloc_max(png, 8 * 1024 * 1024);
	png_set_read_fn(png, &s, png_read_mem);
	png_read_info(png, info);
	pw = png_get_image_width(png, info);
	ph = png_get_image_height(png, info);
	passes = png_set_interlace_handling(png);
	png_read_update_info(png, info);
	row = malloc(png_get_rowbytes(png, info));
	if (row == NULL)
		png_error(png, "out of memory");
	for (i = 0; i < passes; i++)
		for (y = 0; y < ph; y++)
			png_read_row(png, row, NULL);
	png_read_end(png, NULL);
	*w = (int)pw;
	*h = (int)ph;
	rc = 0;
out:
	free(row);
	png_destroy_read_struct(&png, &info, NULL);
	return rc;
}

/* ---- JPEG ---- */

struct jpeg_fail {
	struct jpeg_error_mgr	 mgr;
	jmp_buf			 jmp;
	const char		*why;
};

static void
jpeg_exit(j_common_ptr j)
{
	struct jpeg_fail *f = (struct jpeg_fail *)j->err;

	if (f->why == NULL)
		f->why = j->err->msg_code == JERR_IMAGE_TOO_BIG ? why_large :
		    j->err->msg_code == JERR_EMPTY_IMAGE ? why_empty :
		    why_truncated;
	longjmp(f->jmp, 1);
}

/* A warning (level -1: the data ended early, a segment is corrupt)
   refuses, but for stray bytes between segments, which decode fine. */
static void
jpeg_message(j_common_ptr j, int level)
{
	if (level < 0 && j->err->msg_code != JWRN_EXTRANEOUS_DATA)
		jpeg_exit(j);
}

static int
jpeg_check(const unsigned char *p, size_t n, int *w, int *h,
    const char **why)
{
	struct jpeg_decompress_struct d;
	struct jpeg_fail f;
	JSAMPARRAY row;
	volatile int rc = -1;

	memset(&f, 0, sizeof(f));
	d.err = jpeg_std_error(&f.mgr);
	f.mgr.error_exit = jpeg_exit;
	f.mgr.emit_message = jpeg_message;
	jpeg_create_decompress(&d);
	if (setjmp(f.jmp)) {
		*why = f.why != NULL ? f.why : why_truncated;
		goto out;
	}
	jpeg_mem_src(&d, p, (unsigned long)n);
	if (jpeg_read_header(&d, TRUE) != JPEG_HEADER_OK) {
		*why = why_truncated;
		goto out;
	}
	if (d.image_width == 0 || d.image_height == 0) {
		*why = why_empty;
		goto out;
	}
	if (d.image_width > IMAGE_MAX_SIDE || d.image_height > IMAGE_MAX_SIDE) {
		*why = why_large;
		goto out;
	}
	jpeg_start_decompress(&d);
	row = (*d.mem->alloc_sarray)((j_common_ptr)&d, JPOOL_IMAGE,
	    d.output_width * (JDIMENSION)d.output_components, 1);
	while (d.output_scanline < d.output_height)
		jpeg_read_scanlines(&d, row, 1);
	jpeg_finish_decompress(&d);
	*w = (int)d.image_width;
	*h = (int)d.image_height;
	rc = 0;
out:
	jpeg_destroy_decompress(&d);
	return rc;
}

int
image_check(const void *data, size_t n, enum image_kind *kind, int *w,
    int *h, const char **why)
{
	const unsigned char *p = data;

	*kind = IMAGE_NONE;
	*w = *h = 0;
	*why = NULL;
	if (n >= 8 && memcmp(p, png_sig, 8) == 0) {
		*kind = IMAGE_PNG;
		/* the size as IHDR declares it, to say what is wrong with it */
		if (n >= 24 && memcmp(p + 12, "IHDR", 4) == 0) {
			uint32_t dw = be32(p + 16), dh = be32(p + 20);

			if (dw == 0 || dh == 0) {
				*why = why_empty;
				return -1;
			}
			if (dw > IMAGE_MAX_SIDE || dh > IMAGE_MAX_SIDE) {
				*why = why_large;
				return -1;
			}
		}
		return png_check(p, n, w, h, why);
	}
	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff) {
		*kind = IMAGE_JPEG;
		return jpeg_check(p, n, w, h, why);
	}
	*why = "仅支持 PNG 或 JPEG 图片";
	return -1;
}
