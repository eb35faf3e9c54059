/*
 * point.h - one configuration to measure: a strategy, its run parameters
 * and the conditions the runner sets around it (memory held by the runner,
 * a competing load).  A sweep measures points; a finding names the points
 * its experiment needs and finds them again in a results file by their
 * key: the cells of the key columns, derived from a point exactly as a
 * CSV row of it is written, so a point and its rows always agree.  Rows
 * of `spreadbench exec` have no point here; their label (a key column,
 * "-" in every strategy's row) and workers tell theirs apart.
 */
#ifndef SPREADBENCH_POINT_H
#define SPREADBENCH_POINT_H

#include "strategy.h"

#include <stdint.h>

/* The CSV columns that tell points apart, in this order. */
#define POINT_NKEY 24
extern const char *const point_key_columns[POINT_NKEY];

struct point {
	const struct strategy *strategy;
	struct strategy_params p;
	uint64_t parent_rss;             /* --parent-rss, bytes */
	int load;                        /* --load */
};

struct point_key {
	char cell[POINT_NKEY][160];     /* long enough for a plug-in's path or its options */
};

/* The key cells of a point, as a CSV row of it would have them; 0 or
 * -ENOMEM. */
int point_key(const struct point *pt, struct point_key *out);
/* The index of a key column, or -1. */
int point_key_index(const char *column);

#endif
