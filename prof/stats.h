/*
 * stats.h - the statistics behind every comparison spreadbench prints:
 * medians; effects with distribution-free confidence intervals (the
 * Hodges-Lehmann ratio or shift of two samples, the median of one), read
 * off order statistics, so no seed and no distribution is assumed; and
 * the Mann-Whitney U test (two-sided), exact for small samples without
 * ties, normal approximation with tie and continuity corrections
 * otherwise.  Verdicts are made from the intervals (verdict.h); p-values
 * are reported for information only.
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

/*
 * An effect of sample b against sample a with its confidence interval.
 *
 * Two samples: the Hodges-Lehmann estimate, the median of all na x nb
 * pairwise ratios b_j / a_i (stats_ratio_ci) or differences b_j - a_i
 * (stats_shift_ci), and the interval between two order statistics of those
 * pairwise values, D(k) and D(na nb + 1 - k), with k the largest integer
 * such that P(U <= k - 1) <= (1 - conf) / 2 under the Mann-Whitney
 * distribution (exact up to STATS_EXACT_MAX a side, normal approximation
 * beyond).  It covers the true ratio (shift) with probability >= conf for
 * any continuous distribution whose samples differ by a scale factor
 * (location shift), and needs neither a seed nor normality.
 *
 * One sample (stats_median_ci): the median and the interval between the
 * order statistics x(k) and x(n + 1 - k), k from the binomial(n, 1/2).
 *
 * When the samples are too small for any interval at the level asked
 * (3 against 3 at 95 %), bounded is false and lo, hi are the widest values
 * possible (0 and +inf for a ratio, -inf and +inf otherwise).
 */
struct stats_effect {
	double estimate;
	double lo, hi;
	bool bounded;
	double coverage;      /* the interval's actual coverage, >= conf when bounded */
	size_t na, nb;        /* nb is 0 for one sample */
};

/* conf is the two-sided level, e.g. 0.95.  -EINVAL for an empty sample, a
 * NaN or conf outside (0, 1); -EDOM when a ratio meets a value <= 0;
 * -ENOMEM. */
int stats_ratio_ci(const double *a, size_t na, const double *b, size_t nb, double conf,
		   struct stats_effect *out);
int stats_shift_ci(const double *a, size_t na, const double *b, size_t nb, double conf,
		   struct stats_effect *out);
int stats_median_ci(const double *v, size_t n, double conf, struct stats_effect *out);

/* The smallest equal sample size a side (one sample: the size) whose
 * interval at conf is bounded: 4 for two samples at 95 %, 6 for one. */
size_t stats_min_reps_two(double conf);
size_t stats_min_reps_one(double conf);

/* Whether the median of v[0..n) is known to `precision` (a fraction of
 * it) on either side at level conf: the adaptive repetitions' rule. */
bool stats_median_within(const double *v, size_t n, double conf, double precision);

/* The standard normal quantile: P(Z <= z) = p, for 0 < p < 1. */
double stats_normal_quantile(double p);

#endif
