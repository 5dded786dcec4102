/*
 * QR codes with libqrencode: error-correction level M, a quiet zone of
 * four modules. For member codes, coupon codes and referral links alike.
 */
#ifndef QR_H
#define QR_H
#include <stddef.h>

struct req;

#define QR_QUIET	4	/* modules of white around the symbol */

/*
 * SVG: one <path> for the dark modules over a white background, sized in
 * modules by its viewBox. Text is encoded case-sensitively (the smallest
 * mode for each run). 0 with *out in the request's arena, or -1 (logged).
 */
int	 qr_svg(struct req *, const char *text, char **out, size_t *len);
/* PNG: 1-bit greyscale, a few pixels per module. Same convention. */
int	 qr_png(struct req *, const char *text, char **out, size_t *len);

#endif
