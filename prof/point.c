/*
 * point.c - see point.h.  The key of a point comes from the row writer
 * itself (runner_row_cells), not from a second list of formats that could
 * drift from it.
 */
#include "point.h"
#include "runner.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const point_key_columns[POINT_NKEY] = {
	"strategy", "start", "workers", "jobs", "schedule", "chunksize", "attach", "scenario", "seed", "mix",
	"dtype", "mode", "fire_threads", "pin", "allocator", "parent_rss_bytes", "nice", "load", "order",
	"virtual_nodes", "label", "workload", "workload_options", "shm_pages",
};

int point_key_index(const char *column)
{
	for (int k = 0; k < POINT_NKEY; k++)
		if (strcmp(point_key_columns[k], column) == 0)
			return k;
	return -1;
}

int point_key(const struct point *pt, struct point_key *out)
{
	int rc = -ENOMEM;
	struct runner_row row = { .strategy = pt->strategy->name, .p = pt->p, .status = "ok",
				  .parent_rss_bytes = pt->parent_rss, .load = pt->load };
	char (*buf)[512] = calloc((size_t)runner_ncolumns, sizeof *buf);
	const char **cells = calloc((size_t)runner_ncolumns, sizeof *cells);
	memset(out, 0, sizeof *out);
	if (!buf || !cells)
		goto out;
	runner_row_cells(&row, buf, cells);
	for (int k = 0; k < POINT_NKEY; k++)
		for (int c = 0; c < runner_ncolumns; c++)
			if (strcmp(runner_columns[c], point_key_columns[k]) == 0)
				snprintf(out->cell[k], sizeof out->cell[k], "%s", cells[c]);
	rc = 0;
out:
	free(buf);
	free(cells);
	return rc;
}
