#include <stdio.h>
#include <string.h>
#include "unit.h"

int unit_failed_checks;

extern const struct unit_case *const __start_unit_cases[];
extern const struct unit_case *const __stop_unit_cases[];

int
main(int argc, char *argv[])
{
	const struct unit_case *const *c;
	int passed = 0, failed = 0, n = 0;

	for (c = __start_unit_cases; c < __stop_unit_cases; c++) {
		int before = unit_failed_checks;

		if (argc > 1 && strstr((*c)->name, argv[1]) == NULL)
			continue;
		(*c)->fn();
		n++;
		if (unit_failed_checks == before) {
			passed++;
			printf("ok %d %s\n", n, (*c)->name);
		} else {
			failed++;
			printf("not ok %d %s\n", n, (*c)->name);
		}
		fflush(stdout);
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
