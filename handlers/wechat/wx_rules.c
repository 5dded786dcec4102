/* Pure rules of WeChat's mini-program and JS-SDK APIs: see wx_rules.h. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "wx_rules.h"

int
wx_appid_ok(const char *s)
{
	return s != NULL && strlen(s) == 18 && strncmp(s, "wx", 2) == 0 &&
	    strspn(s + 2, "0123456789abcdef") == 16;
}

static int
span_ok(const char *s, const char *set, size_t min, size_t max)
{
	size_t n;

	if (s == NULL)
		return 0;
	n = strlen(s);
	return n >= min && n <= max && strspn(s, set) == n;
}

#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

int
wx_secret_ok(const char *s)
{
	return span_ok(s, ALNUM, 16, 64);
}

int
wx_code_ok(const char *s)
{
	return span_ok(s, ALNUM "_-", 1, 128);
}

enum wx_fault
wx_errcode_fault(int64_t e)
{
	switch (e) {
	case 0:
		return WX_FAULT_NONE;
	case 40029:	/* invalid code */
	case 40163:	/* code been used */
		return WX_FAULT_CODE;
	case 45009:	/* reach max api daily quota limit */
	case 45011:	/* api minute-quota reach limit */
	case 45033:
		return WX_FAULT_RATE;
	case 40001:	/* invalid credential */
	case 40014:	/* invalid access_token */
	case 42001:	/* access_token expired */
		return WX_FAULT_TOKEN;
	case 40013:	/* invalid appid */
	case 40125:	/* invalid appsecret */
	case 40164:	/* ip not in whitelist */
	case 41002:	/* appid missing */
	case 41004:	/* appsecret missing */
	case 48001:	/* api unauthorized */
		return WX_FAULT_CONFIG;
	default:
		return WX_FAULT_BUSY;
	}
}

int
wx_url_unfragment(const char *url, char *out, size_t outsz)
{
	size_t n = strcspn(url, "#");

	if (n + 1 > outsz)
		return -1;
	memcpy(out, url, n);
	out[n] = '\0';
	return 0;
}

/* Length of "scheme://authority" of u, 0 when u has none. */
static size_t
origin_len(const char *u)
{
	const char *p = strstr(u, "://");

	if (p == NULL || p == u)
		return 0;
	p += 3;
	p += strcspn(p, "/?#");
	return (size_t)(p - u);
}

int
wx_url_on_site(const char *url, const char *site)
{
	size_t ou = origin_len(url), os = origin_len(site), pl;
	const char *path;

	if (ou == 0 || os == 0 || ou != os || strncasecmp(url, site, os) != 0)
		return 0;
	if (strncasecmp(url, "http://", 7) != 0 &&
	    strncasecmp(url, "https://", 8) != 0)
		return 0;
	if (strpbrk(url, " \t\r\n\"<>\\") != NULL)
		return 0;
	/* userinfo would make the host something else than it reads */
	if (memchr(url, '@', ou) != NULL)
		return 0;
	path = site + os;
	pl = strlen(path);
	while (pl > 0 && path[pl - 1] == '/')
		pl--;
	if (pl == 0)
		return 1;
	return strncmp(url + ou, path, pl) == 0 &&
	    (url[ou + pl] == '\0' || strchr("/?#", url[ou + pl]) != NULL);
}

int
wx_jssdk_sign(const char *ticket, const char *noncestr, int64_t ts,
    const char *url, char out[41])
{
	char s[4096], u[2048];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	int n;

	if (wx_url_unfragment(url, u, sizeof(u)) == -1)
		return -1;
	n = snprintf(s, sizeof(s), "jsapi_ticket=%s&noncestr=%s&timestamp=%lld"
	    "&url=%s", ticket, noncestr, (long long)ts, u);
	if (n < 0 || (size_t)n >= sizeof(s))
		return -1;
	if (EVP_Digest(s, (size_t)n, md, &mdlen, EVP_sha1(), NULL) != 1 ||
	    mdlen != 20)
		return -1;
	for (i = 0; i < mdlen; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}
