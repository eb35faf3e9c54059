/*
 * test_stats.c - the Mann-Whitney U test of `spreadbench compare`:
 * U and exact p-values against values found by enumerating every split of
 * the pooled samples; the normal approximation with ties against the
 * formula evaluated by hand; and its behaviour as a regression check:
 * identical distributions are flagged at about the rate alpha (A/A over
 * many seeds), a planted 30 % slowdown in otherwise identical noisy data
 * is flagged, and too few repetitions cannot reach significance.  The
 * confidence intervals: order statistics and coverages against values
 * worked out by hand, unbounded intervals where the sizes are too small,
 * and coverage of at least the level asked over many seeded samples.
 */
#include "check.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void known_values(void)
{
	struct stats_u r;
	/* Textbook example: U = 17 of 20, exact two-sided p = 1/9. */
	double a1[] = { 19, 22, 16, 29, 24 }, b1[] = { 20, 11, 17, 12 };
	CHECK_EQ(stats_mann_whitney(a1, N(a1), b1, N(b1), &r), 0);
	CHECK(r.exact);
	CHECK_CLOSE(r.u, 17.0, 0, 1e-12);
	CHECK_CLOSE(r.p, 0.1111111111111111, 0, 1e-12);
	/* Complete separation, 6 + 6: p = 2 / C(12, 6) = 1/462. */
	double a2[] = { 1.1, 2.2, 3.3, 4.4, 5.5, 6.6 }, b2[] = { 7.7, 8.8, 9.9, 10.1, 11.1, 12.1 };
	CHECK_EQ(stats_mann_whitney(a2, N(a2), b2, N(b2), &r), 0);
	CHECK_CLOSE(r.u, 0.0, 0, 1e-12);
	CHECK_CLOSE(r.p, 0.0021645021645021645, 0, 1e-12);
	CHECK_CLOSE(r.p_min, 0.0021645021645021645, 0, 1e-12);
	/* Overlapping samples of 7 and 8: U = 3, p = 0.0021756021756. */
	double a3[] = { 0.91, 0.87, 0.95, 1.02, 0.89, 0.93, 0.99 };
	double b3[] = { 1.04, 1.10, 0.97, 1.08, 1.15, 1.01, 1.12, 1.06 };
	CHECK_EQ(stats_mann_whitney(a3, N(a3), b3, N(b3), &r), 0);
	CHECK_CLOSE(r.u, 3.0, 0, 1e-12);
	CHECK_CLOSE(r.p, 0.0021756021756021756, 0, 1e-12);
	/* Swapping the samples gives U' = n1 n2 - U and the same p. */
	CHECK_EQ(stats_mann_whitney(b3, N(b3), a3, N(a3), &r), 0);
	CHECK_CLOSE(r.u, 53.0, 0, 1e-12);
	CHECK_CLOSE(r.p, 0.0021756021756021756, 0, 1e-12);
	/* Ties: normal approximation with tie and continuity corrections. */
	double a4[] = { 1, 2, 2, 3, 5 }, b4[] = { 2, 3, 4, 4, 6, 7 };
	CHECK_EQ(stats_mann_whitney(a4, N(a4), b4, N(b4), &r), 0);
	CHECK(!r.exact);
	CHECK_CLOSE(r.u, 6.5, 0, 1e-12);
	CHECK_CLOSE(r.p, 0.13862587987892772, 0, 1e-9);
	/* All equal: no evidence at all. */
	double a5[] = { 3, 3, 3 }, b5[] = { 3, 3 };
	CHECK_EQ(stats_mann_whitney(a5, N(a5), b5, N(b5), &r), 0);
	CHECK_CLOSE(r.p, 1.0, 0, 1e-12);
	/* Two against two cannot go below p = 1/3. */
	double a6[] = { 1, 2 }, b6[] = { 8, 9 };
	CHECK_EQ(stats_mann_whitney(a6, N(a6), b6, N(b6), &r), 0);
	CHECK_CLOSE(r.p_min, 1.0 / 3.0, 0, 1e-12);
	CHECK(r.p >= 0.01);
	/* Bad input. */
	double nan1[] = { 1, NAN };
	CHECK(stats_mann_whitney(nan1, 2, b6, 2, &r) < 0);
	CHECK(stats_mann_whitney(a6, 0, b6, 2, &r) < 0);
	double m[] = { 5, 1, 3, 2 };
	CHECK_CLOSE(stats_median(m, 4), 2.5, 0, 1e-12);
	CHECK_CLOSE(stats_median(m, 3), 3.0, 0, 1e-12);
	CHECK(isnan(stats_median(m, 0)));
}

/* A small deterministic generator: xorshift64*, and normal noise. */
static uint64_t rng = 88172645463325252ull;
static double uniform(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (double)((rng * 2685821657736338717ull) >> 11) * 0x1.0p-53;
}
static double normal(void)
{
	double u = uniform(), v = uniform();
	return sqrt(-2.0 * log(u > 0 ? u : 1e-300)) * cos(2 * M_PI * v);
}

/* Wall times of a noisy machine: 1 s scaled, 5 % noise, the odd outlier. */
static void sample(double *v, int n, double scale)
{
	for (int i = 0; i < n; i++) {
		double x = scale * (1.0 + 0.05 * normal());
		if (uniform() < 0.05)
			x *= 1.3;
		v[i] = x;
	}
}

static void behaviour(void)
{
	enum { TRIALS = 2000, REPS = 10 };
	double a[REPS], b[REPS];
	int flagged = 0;
	const double alpha = 0.05;
	for (int t = 0; t < TRIALS; t++) {
		struct stats_u r;
		sample(a, REPS, 1.0);
		sample(b, REPS, 1.0);
		CHECK_EQ(stats_mann_whitney(a, REPS, b, REPS, &r), 0);
		flagged += r.p < alpha;
	}
	double rate = (double)flagged / TRIALS;
	printf("test_stats: A/A false-positive rate %.4f at alpha %.2f\n", rate, alpha);
	/* The exact test is conservative, never liberal: 2000 trials put
	 * the rate within about 0.015 of its true value. */
	CHECK(rate > 0.02 && rate < alpha + 0.015);

	int caught = 0;
	for (int t = 0; t < 200; t++) {
		struct stats_u r;
		sample(a, REPS, 1.0);
		sample(b, REPS, 1.3);
		CHECK_EQ(stats_mann_whitney(a, REPS, b, REPS, &r), 0);
		double ratio = stats_median(b, REPS) / stats_median(a, REPS);
		caught += r.p < 0.01 && ratio > 1.10;
	}
	printf("test_stats: planted 30%% slowdown flagged in %d of 200\n", caught);
	CHECK(caught >= 195);
}

static void intervals(void)
{
	struct stats_effect e;
	/* 5 against 5 at 95 %: P(U <= 2) = 4/252 is the last tail <= 0.025,
	 * so the interval runs from the 3rd to the 23rd of 25 pairwise ratios. */
	double a[] = { 1, 2, 3, 4, 5 }, b[] = { 2, 4, 6, 8, 10 };
	CHECK_EQ(stats_ratio_ci(a, 5, b, 5, 0.95, &e), 0);
	CHECK(e.bounded);
	CHECK_CLOSE(e.estimate, 2.0, 1e-12, 0);
	CHECK_CLOSE(e.coverage, 1 - 8.0 / 252, 1e-12, 0);
	/* Pairwise ratios 2j/i sorted: 0.4, 0.5, 2/3, 0.8, 1, ... the 3rd is 2/3. */
	CHECK_CLOSE(e.lo, 2.0 / 3.0, 1e-12, 0);
	CHECK_CLOSE(e.hi, 6.0, 1e-12, 0);
	/* The shift of the same samples: differences 2j - i. */
	CHECK_EQ(stats_shift_ci(a, 5, b, 5, 0.95, &e), 0);
	CHECK_CLOSE(e.estimate, 3.0, 1e-12, 0);
	CHECK_CLOSE(e.lo, -1.0, 1e-12, 0);
	CHECK_CLOSE(e.hi, 7.0, 1e-12, 0);
	/* 3 against 3 cannot give a 95 % interval (P(U = 0) = 1/20). */
	CHECK_EQ(stats_ratio_ci(a, 3, b, 3, 0.95, &e), 0);
	CHECK(!e.bounded && e.lo == 0 && isinf(e.hi));
	CHECK_EQ(stats_min_reps_two(0.95), 4);
	/* One sample: 6 values give [x(1), x(6)] at 1 - 2/64; 5 give none. */
	double v[] = { 3, 1, 4, 1.5, 9, 2.6 };
	CHECK_EQ(stats_median_ci(v, 6, 0.95, &e), 0);
	CHECK(e.bounded);
	CHECK_CLOSE(e.lo, 1.0, 0, 1e-12);
	CHECK_CLOSE(e.hi, 9.0, 0, 1e-12);
	CHECK_CLOSE(e.estimate, 2.8, 1e-12, 0);
	CHECK_CLOSE(e.coverage, 1 - 2.0 / 64, 1e-12, 0);
	CHECK_EQ(stats_median_ci(v, 5, 0.95, &e), 0);
	CHECK(!e.bounded);
	CHECK_EQ(stats_min_reps_one(0.95), 6);
	/* 20 values: P(X <= 5) = 0.0207 is the last tail <= 0.025: x(6), x(15). */
	double w[20];
	for (int i = 0; i < 20; i++)
		w[i] = 20 - i;
	CHECK_EQ(stats_median_ci(w, 20, 0.95, &e), 0);
	CHECK_CLOSE(e.lo, 6.0, 0, 1e-12);
	CHECK_CLOSE(e.hi, 15.0, 0, 1e-12);
	/* Bad input. */
	double zero[] = { 0, 1 }, nan1[] = { 1, NAN };
	CHECK_EQ(stats_ratio_ci(zero, 2, b, 2, 0.95, &e), -EDOM);
	CHECK(stats_ratio_ci(nan1, 2, b, 2, 0.95, &e) < 0);
	CHECK(stats_median_ci(v, 0, 0.95, &e) < 0);
	CHECK(stats_ratio_ci(a, 5, b, 5, 1.5, &e) < 0);
	CHECK_CLOSE(stats_normal_quantile(0.975), 1.959963984540054, 0, 1e-9);

	/* Coverage: a true ratio of 1.2 under 5 % noise with outliers, 7 and
	 * 60 a side (exact and normal-approximation ranks), and the median of
	 * 9 values: each interval must hold the truth in at least 95 % of
	 * seeded trials, give or take the trials' own error. */
	enum { TRIALS = 1000 };
	static const size_t sizes[] = { 7, 60 };
	for (size_t s = 0; s < 2; s++) {
		double x[60], y[60];
		int hit = 0;
		for (int t = 0; t < TRIALS; t++) {
			for (size_t i = 0; i < sizes[s]; i++) {
				x[i] = exp(0.05 * normal());
				y[i] = 1.2 * exp(0.05 * normal());
			}
			CHECK_EQ(stats_ratio_ci(x, sizes[s], y, sizes[s], 0.95, &e), 0);
			hit += e.lo <= 1.2 && 1.2 <= e.hi;
		}
		printf("test_stats: ratio interval, %zu a side: coverage %.3f\n", sizes[s], (double)hit / TRIALS);
		CHECK(hit >= 0.935 * TRIALS);
	}
	int hit = 0;
	for (int t = 0; t < TRIALS; t++) {
		double x[9];
		for (int i = 0; i < 9; i++)
			x[i] = 2.0 + normal();
		CHECK_EQ(stats_median_ci(x, 9, 0.95, &e), 0);
		hit += e.lo <= 2.0 && 2.0 <= e.hi;
	}
	printf("test_stats: median interval, 9 values: coverage %.3f\n", (double)hit / TRIALS);
	CHECK(hit >= 0.935 * TRIALS);
}

/* compare's rule: worse when the whole interval of NEW / BASE lies above
 * the factor.  A/A trials must be flagged at most as often as the
 * interval's error allows on one side (2.5 %), and real slowdowns caught. */
static void interval_rule(void)
{
	enum { TRIALS = 2000, REPS = 10 };
	double a[REPS], b[REPS];
	struct stats_effect e;
	int aa = 0, caught10 = 0, caught10f = 0, caught30 = 0;
	for (int t = 0; t < TRIALS; t++) {
		sample(a, REPS, 1.0);
		sample(b, REPS, 1.0);
		CHECK_EQ(stats_ratio_ci(a, REPS, b, REPS, 0.95, &e), 0);
		aa += e.lo > 1.0;
	}
	for (int t = 0; t < 200; t++) {
		sample(a, REPS, 1.0);
		sample(b, REPS, 1.1);
		CHECK_EQ(stats_ratio_ci(a, REPS, b, REPS, 0.95, &e), 0);
		caught10 += e.lo > 1.0;
		caught10f += e.lo > 1.05;
		sample(b, REPS, 1.3);
		CHECK_EQ(stats_ratio_ci(a, REPS, b, REPS, 0.95, &e), 0);
		caught30 += e.lo > 1.10;
	}
	printf("test_stats: intervals, %d a side, 5 %% noise: A/A flagged slower %.4f; a planted 10 %% slowdown "
	       "caught in %d of 200 (factor 1.00), %d (factor 1.05); 30 %% in %d (factor 1.10)\n",
	       REPS, (double)aa / TRIALS, caught10, caught10f, caught30);
	CHECK(aa <= (0.025 + 0.015) * TRIALS);
	CHECK(caught10 >= 150);
	CHECK(caught30 >= 195);
}

int main(void)
{
	known_values();
	behaviour();
	intervals();
	interval_rule();
	return check_result("test_stats");
}
