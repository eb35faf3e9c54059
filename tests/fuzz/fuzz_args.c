/*
 * fuzz_args.c - the parsers of option values (prof/util.c: parse_int,
 * parse_u64, parse_double, parse_size, and the comma lists the sweep's
 * options use) and the strict field conversions of csvio, on arbitrary
 * strings.  The first byte picks the range parse_int is given.
 * Properties: what parses is what the text says (in range, finite, no
 * sign on an unsigned value), and a list that parses has no empty item
 * and joins back into the text it came from.
 */
#include "fuzz.h"
#include "cli.h"
#include "csvio.h"

#include <errno.h>
#include <math.h>
#include <string.h>

/* parse_int_list's items go to a list of at most this many. */
enum { MAX_ITEMS = 32 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	static const long ranges[][2] = { { 1, 4096 }, { 0, 100 }, { -20, 19 }, { 1, 1000000000 } };
	const long *range = ranges[data[0] % 4];
	char *s = malloc(size), *copy = malloc(size);
	FUZZ_ASSERT(s && copy);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0'; /* text up to the first NUL */

	long l;
	if (parse_int(s, range[0], range[1], &l) == 0)
		FUZZ_ASSERT(l >= range[0] && l <= range[1]);
	uint64_t u;
	if (parse_u64(s, &u) == 0)
		FUZZ_ASSERT(s[0] != '-' && s[0] != ' ');
	double d;
	if (parse_double(s, &d) == 0)
		FUZZ_ASSERT(isfinite(d));
	if (parse_size(s, &u) == 0)
		FUZZ_ASSERT(u <= 9000000000000000000ull);
	if (csvio_parse_double(s, &d) == 0)
		FUZZ_ASSERT(!isnan(d) || strpbrk(s, "nN"));
	(void)csvio_parse_long(s, &l);

	const char *names[MAX_ITEMS];
	int n = -1;
	strcpy(copy, s);
	if (parse_name_list(copy, names, MAX_ITEMS, &n) == 0) {
		FUZZ_ASSERT(n >= 1 && n <= MAX_ITEMS);
		size_t len = 0;
		for (int i = 0; i < n; i++) {
			FUZZ_ASSERT(names[i][0] && !strchr(names[i], ','));
			FUZZ_ASSERT(strncmp(s + len, names[i], strlen(names[i])) == 0);
			len += strlen(names[i]) + (i + 1 < n);
		}
		FUZZ_ASSERT(len == strlen(s));
	} else {
		FUZZ_ASSERT(!s[0] || strstr(s, ",,") || s[0] == ',' || s[strlen(s) - 1] == ',' || n == MAX_ITEMS);
	}
	long v[MAX_ITEMS];
	if (parse_int_list(s, range[0], range[1], v, MAX_ITEMS, &n) == 0) {
		FUZZ_ASSERT(n >= 1 && n <= MAX_ITEMS);
		for (int i = 0; i < n; i++)
			FUZZ_ASSERT(v[i] >= range[0] && v[i] <= range[1]);
	}
	free(s);
	free(copy);
	return 0;
}
