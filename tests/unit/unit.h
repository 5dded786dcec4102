/*
 * A small unit-test harness: TEST() registers a case, EXPECT*() record
 * failures with file and line; tests/unit/main.c runs every case and
 * prints one "ok"/"not ok" line each, then "unit: P passed, F failed".
 */
#ifndef UNIT_H
#define UNIT_H
#include <stdio.h>
#include <string.h>
#include <stdint.h>

struct unit_case {
	const char	*name;
	void		(*fn)(void);
};

extern int unit_failed_checks;

#define TEST(fname) \
	static void fname(void); \
	static const struct unit_case fname##_case = { #fname, fname }; \
	static const struct unit_case *const fname##_reg \
	    __attribute__((used, section("unit_cases"))) = &fname##_case; \
	static void fname(void)

#define EXPECT(cond) do { if (!(cond)) { unit_failed_checks++; \
	fprintf(stderr, "  %s:%d: expected %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define EXPECT_INT(a, b) do { long long _a = (long long)(a), _b = (long long)(b); \
	if (_a != _b) { unit_failed_checks++; fprintf(stderr, \
	"  %s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, _a, _b); } } while (0)
#define EXPECT_STR(a, b) do { const char *_a = (a), *_b = (b); \
	if (_a == NULL || _b == NULL ? _a != _b : strcmp(_a, _b) != 0) { unit_failed_checks++; \
	fprintf(stderr, "  %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, \
	#a, _a ? _a : "(null)", _b ? _b : "(null)"); } } while (0)

#endif
