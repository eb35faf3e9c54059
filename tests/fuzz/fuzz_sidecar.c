/*
 * fuzz_sidecar.c - what report and plot read from a results folder's
 * context.json (sidecar.h) on arbitrary bytes: parsing, the core count
 * and the report's machine table.  Properties: the core count is 0 or a
 * real one, and the table has one line per string or number entry,
 * each a row of exactly two cells.
 */
#include "fuzz.h"
#include "sidecar.h"

#include <errno.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *ctx = NULL;
	char err[512] = "", *table = NULL;
	size_t len = 0;
	int rc = sidecar_parse("context.json", data, size, &ctx, err, sizeof err);
	if (rc) {
		FUZZ_ASSERT(rc == -EINVAL && !ctx && strstr(err, "context.json"));
		return 0;
	}
	FUZZ_ASSERT(json_is_object(ctx));
	int cores = sidecar_cores(ctx);
	FUZZ_ASSERT(cores >= 0 && cores <= 65536);
	FILE *f = open_memstream(&table, &len);
	FUZZ_ASSERT(f);
	sidecar_machine_table(ctx, f);
	FUZZ_ASSERT(fclose(f) == 0);
	size_t want = 0, lines = 0;
	const char *key;
	json_t *v;
	json_object_foreach(ctx, key, v)
		want += json_is_string(v) || json_is_number(v);
	for (char *line = table; line && *line;) {
		char *end = strchr(line, '\n');
		FUZZ_ASSERT(end);
		/* "| key | value |": three bars, none from the values. */
		int bars = 0;
		for (char *p = line; p < end; p++)
			bars += *p == '|';
		FUZZ_ASSERT(bars == 3 && line[0] == '|' && end[-1] == '|');
		lines++;
		line = end + 1;
	}
	FUZZ_ASSERT(lines == want);
	free(table);
	json_decref(ctx);
	return 0;
}
