/*
 * stats.h - the statistics behind `spreadbench compare`: medians and the
 * Mann-Whitney U test (two-sided), exact for small samples without ties,
 * normal approximation with tie and continuity corrections otherwise.
 */
#ifndef SPREADBENCH_STATS_H
#define SPREADBENCH_STATS_H

#include <stdbool.h>
#include <stddef.h>

/* Median of v[0..n) (sorts a copy); NAN when n == 0. */
double stats_median(const double *v, size_t n);

struct stats_u {
	double u;        /* U of the first sample: pairs (a, b) with a > b, ties count 1/2 */
	double p;        /* two-sided p-value */
	bool exact;      /* p from the exact distribution (small samples, no ties) */
	double p_min;    /* the smallest p these sample sizes can give */
};

/* Samples of at most STATS_EXACT_MAX each, without ties, get exact p. */
#define STATS_EXACT_MAX 50

/* Mann-Whitney U of a[0..na) against b[0..nb); -EINVAL when a sample is
 * empty or holds a NaN. */
int stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb, struct stats_u *out);

#endif
