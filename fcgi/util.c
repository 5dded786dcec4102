/* Configuration, time and the few libsodium wrappers the app needs. */
#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "app.h"

#ifndef APP_VERSION
#define APP_VERSION "0.1.0"
#endif

struct config cfg;

static const char *
env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : def;
}

int
cfg_is_dev(void)
{
	return strcmp(cfg.env, "dev") == 0 || strcmp(cfg.env, "test") == 0;
}

/*
 * Read the environment. In prod the secret and the database settings must
 * be given; elsewhere a missing secret is derived from a fixed dev value so
 * tools like `app seed` work on a laptop. Returns 0 or -1 with a message.
 */
int
cfg_load(void)
{
	const char *s;
	long n;

	if (sodium_init() < 0) {
		fputs("libsodium failed to initialise\n", stderr);
		return -1;
	}
	cfg.env = env_or("APP_ENV", "dev");
	if (strcmp(cfg.env, "dev") && strcmp(cfg.env, "test") &&
	    strcmp(cfg.env, "prod")) {
		fprintf(stderr, "APP_ENV must be dev, test or prod\n");
		return -1;
	}
	cfg.root = env_or("APP_ROOT", ".");
	cfg.socket = env_or("APP_SOCKET", "var/run/app.sock");
	n = strtol(env_or("APP_WORKERS", "0"), NULL, 10);
	if (n <= 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);

		n = 2 * (cores > 0 ? cores : 1);
	}
	cfg.workers = (int)(n > 64 ? 64 : n);
	cfg.db_host = env_or("DB_HOST", NULL);
	cfg.db_socket = env_or("DB_SOCKET", NULL);
	cfg.db_port = (unsigned)strtoul(env_or("DB_PORT", "0"), NULL, 10);
	cfg.db_name = env_or("DB_NAME", "app");
	cfg.db_user = env_or("DB_USER", "app");
	cfg.db_pass = env_or("DB_PASSWORD", NULL);
	cfg.public_url = env_or("PUBLIC_URL", "http://127.0.0.1:8080");
	cfg.upload_dir = env_or("UPLOAD_DIR", "var/uploads");
	cfg.wx_api_base = env_or("WX_API_BASE", "https://api.weixin.qq.com");
	cfg.wxpay_api_base = env_or("WXPAY_API_BASE",
	    "https://api.mch.weixin.qq.com");
	cfg.member_code_ttl = (int)strtol(env_or("MEMBER_CODE_TTL", "60"),
	    NULL, 10);
	if (cfg.member_code_ttl <= 0 || cfg.member_code_ttl > 3600)
		cfg.member_code_ttl = 60;
	/*
	 * A request's deadline for its report statements (db.h), at most
	 * REPORT_DEADLINE_MAX: a clear margin below nginx's
	 * fastcgi_read_timeout (60 s, conf/nginx.conf.in), so that the app
	 * answers 503 before nginx gives up with a 504. REPORT_STATEMENT_MS
	 * is its older name.
	 */
	s = env_or("REPORT_DEADLINE_MS", env_or("REPORT_STATEMENT_MS", NULL));
	n = s != NULL ? strtol(s, NULL, 10) : REPORT_DEADLINE_DEFAULT;
	if (n < 1 || n > REPORT_DEADLINE_MAX) {
		fprintf(stderr, "REPORT_DEADLINE_MS must be 1 to %d (ms): "
		    "%d used\n", REPORT_DEADLINE_MAX, REPORT_DEADLINE_DEFAULT);
		n = REPORT_DEADLINE_DEFAULT;
	}
	cfg.report_ms = (int)n;
	/* test only: a pause after each page of a streamed export */
	n = strcmp(cfg.env, "test") == 0 ?
	    strtol(env_or("EXPORT_PAGE_PAUSE_MS", "0"), NULL, 10) : 0;
	cfg.export_pause_ms = n >= 0 && n <= 10000 ? (int)n : 0;
	cfg.version = APP_VERSION;
	s = env_or("APP_SECRET", NULL);
	if (s != NULL) {
		size_t bin_len = 0;

		if (strlen(s) != 64 || sodium_hex2bin(cfg.secret,
		    sizeof(cfg.secret), s, 64, NULL, &bin_len, NULL) != 0 ||
		    bin_len != 32) {
			fputs("APP_SECRET must be 64 hex characters\n", stderr);
			return -1;
		}
	} else if (strcmp(cfg.env, "prod") == 0) {
		fputs("APP_ENV=prod needs APP_SECRET (64 hex characters)\n",
		    stderr);
		return -1;
	} else
		crypto_generichash(cfg.secret, sizeof(cfg.secret),
		    (const unsigned char *)"dev-secret", 10, NULL, 0);
	if (strcmp(cfg.env, "prod") == 0 && (cfg.db_pass == NULL ||
	    (cfg.db_socket == NULL && cfg.db_host == NULL))) {
		fputs("APP_ENV=prod needs DB_PASSWORD and DB_SOCKET or "
		    "DB_HOST\n", stderr);
		return -1;
	}
	return 0;
}

char *
strdup_kept(const char *s, int *failed)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*failed = 1;
	return d;
}

int64_t
time_now(void)
{
	return (int64_t)time(NULL);
}

int64_t
time_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "+08:00" -> seconds east of UTC. */
static long
tz_offset(const char *tz)
{
	int h = 8, m = 0;
	char sign = '+';

	if (tz != NULL && sscanf(tz, "%c%2d:%2d", &sign, &h, &m) != 3)
		return 8 * 3600;
	return (sign == '-' ? -1 : 1) * (h * 3600L + m * 60L);
}

const char *
time_rfc3339_t(struct req *r, int64_t ts)
{
	const char *tz = r->m != NULL ? r->m->tz : "+08:00";
	time_t t = (time_t)(ts + tz_offset(tz));
	struct tm tm;
	char buf[40];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	return arena_printf(r->a, "%s%s", buf, tz ? tz : "+08:00");
}

const char *
time_rfc3339(struct req *r, const char *sql)
{
	struct tm tm;

	if (sql == NULL)
		return NULL;
	memset(&tm, 0, sizeof(tm));
	if (strptime(sql, "%Y-%m-%d %H:%M:%S", &tm) == NULL)
		return sql;
	return time_rfc3339_t(r, (int64_t)timegm(&tm));
}

void
rand_bytes(void *p, size_t n)
{
	randombytes_buf(p, n);
}

uint32_t
rand_uniform(uint32_t upper)
{
	return upper < 2 ? 0 : randombytes_uniform(upper);
}

char *
hex_encode(struct arena *a, const unsigned char *p, size_t n)
{
	char *s = arena_alloc(a, n * 2 + 1);

	sodium_bin2hex(s, n * 2 + 1, p, n);
	return s;
}

/* The key for purpose: keyed BLAKE2b of the label under the app secret. */
static void
seal_key(unsigned char key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES],
    const char *purpose)
{
	crypto_generichash(key, crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
	    (const unsigned char *)purpose, strlen(purpose), cfg.secret,
	    sizeof(cfg.secret));
}

#define SEAL_PREFIX	"v1:"
#define SEAL_NONCE	crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define SEAL_TAG	crypto_aead_xchacha20poly1305_ietf_ABYTES
#define SEAL_B64	sodium_base64_VARIANT_ORIGINAL

char *
secret_seal(struct arena *a, const char *purpose, const void *plain,
    size_t len)
{
	unsigned char key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	unsigned char *box = arena_alloc(a, SEAL_NONCE + len + SEAL_TAG);
	size_t b64 = sodium_base64_encoded_len(SEAL_NONCE + len + SEAL_TAG,
	    SEAL_B64);
	char *out = arena_alloc(a, sizeof(SEAL_PREFIX) - 1 + b64);
	unsigned long long clen;

	seal_key(key, purpose);
	randombytes_buf(box, SEAL_NONCE);
	crypto_aead_xchacha20poly1305_ietf_encrypt(box + SEAL_NONCE, &clen,
	    plain, len, (const unsigned char *)purpose, strlen(purpose), NULL,
	    box, key);
	sodium_memzero(key, sizeof(key));
	memcpy(out, SEAL_PREFIX, sizeof(SEAL_PREFIX) - 1);
	sodium_bin2base64(out + sizeof(SEAL_PREFIX) - 1, b64, box,
	    SEAL_NONCE + (size_t)clen, SEAL_B64);
	return out;
}

char *
secret_open(struct arena *a, const char *purpose, const char *sealed,
    size_t *len)
{
	unsigned char key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	size_t n, blen;
	unsigned char *box;
	char *plain;
	unsigned long long plen;
	int rc;

	if (sealed == NULL || strncmp(sealed, SEAL_PREFIX,
	    sizeof(SEAL_PREFIX) - 1) != 0)
		return NULL;
	sealed += sizeof(SEAL_PREFIX) - 1;
	n = strlen(sealed);
	box = arena_alloc(a, n);
	if (sodium_base642bin(box, n, sealed, n, NULL, &blen, NULL,
	    SEAL_B64) != 0 || blen < SEAL_NONCE + SEAL_TAG)
		return NULL;
	plain = arena_alloc(a, blen - SEAL_NONCE - SEAL_TAG + 1);
	seal_key(key, purpose);
	rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
	    (unsigned char *)plain, &plen, NULL, box + SEAL_NONCE,
	    blen - SEAL_NONCE, (const unsigned char *)purpose, strlen(purpose),
	    box, key);
	sodium_memzero(key, sizeof(key));
	if (rc != 0)
		return NULL;
	plain[plen] = '\0';
	if (len != NULL)
		*len = (size_t)plen;
	return plain;
}

char *
hash_hex(struct req *r, const char *data, size_t len)
{
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), (const unsigned char *)data, len,
	    cfg.secret, sizeof(cfg.secret));
	return hex_encode(r->a, h, sizeof(h));
}

/* Feed every regular file below dir, in name order, into the hash. */
static int
hash_tree(crypto_generichash_state *h, const char *dir)
{
	struct dirent **ents;
	int n, i, rc = 0;

	if ((n = scandir(dir, &ents, NULL, alphasort)) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		char path[4096];
		struct stat st;

		if (rc == 0 && name[0] != '.' &&
		    snprintf(path, sizeof(path), "%s/%s", dir, name) <
		    (int)sizeof(path) && stat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				rc = hash_tree(h, path);
			else if (S_ISREG(st.st_mode)) {
				FILE *f = fopen(path, "rb");
				unsigned char buf[8192];
				size_t k;

				crypto_generichash_update(h,
				    (const unsigned char *)path, strlen(path) + 1);
				if (f == NULL)
					rc = -1;
				else {
					while ((k = fread(buf, 1, sizeof(buf), f)) > 0)
						crypto_generichash_update(h, buf, k);
					fclose(f);
				}
			}
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

int
cfg_asset_version(void)
{
	static const char *const dirs[] = { "css", "js", "vendor" };
	crypto_generichash_state h;
	unsigned char out[8];
	char dir[4096];
	size_t i;

	crypto_generichash_init(&h, NULL, 0, sizeof(out));
	for (i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
		snprintf(dir, sizeof(dir), "%s/static/%s", cfg.root, dirs[i]);
		if (hash_tree(&h, dir) == -1) {
			log_err(NULL, "static: cannot read %s", dir);
			return -1;
		}
	}
	crypto_generichash_final(&h, out, sizeof(out));
	for (i = 0; i < sizeof(out); i++)
		snprintf(cfg.asset_v + 2 * i, 3, "%02x", out[i]);
	return 0;
}
