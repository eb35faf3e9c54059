/*
 * stats.c - see stats.h.
 *
 * Exact p: the number of ways the ranks 1..n1+n2 split so that the first
 * sample's U equals u is counted by the recurrence
 *   c(n1, n2, u) = c(n1 - 1, n2, u - n2) + c(n1, n2 - 1, u)
 * (the largest rank belongs to the first sample, adding n2 to U, or to the
 * second).  p = 2 * min(P(U <= u), P(U >= u)), at most 1.  Counts are kept
 * as doubles: for 50 + 50 they reach about 1e29, far inside double range,
 * and the ratio needs no more than double precision.
 *
 * Approximation: z = (|U - n1 n2 / 2| - 1/2) / sigma with
 *   sigma^2 = n1 n2 / 12 * ((n + 1) - sum(t^3 - t) / (n (n - 1)))
 * over tie groups of size t, p = erfc(|z| / sqrt 2).
 */
#include "stats.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

double stats_median(const double *v, size_t n)
{
	if (n == 0)
		return NAN;
	double *c = malloc(n * sizeof *c);
	if (!c)
		return NAN;
	memcpy(c, v, n * sizeof *c);
	qsort(c, n, sizeof *c, cmp_double);
	double m = n % 2 ? c[n / 2] : 0.5 * (c[n / 2 - 1] + c[n / 2]);
	free(c);
	return m;
}

/* Distribution of U for sizes m, n: counts[u] for u = 0..m*n. */
static double *u_counts(int m, int n)
{
	/* c[i][j][u] built row by row over i (first sample size) for every j. */
	size_t width = (size_t)m * n + 1;
	double *prev = calloc((size_t)(n + 1) * width, sizeof *prev);
	double *cur = calloc((size_t)(n + 1) * width, sizeof *cur);
	if (!prev || !cur) {
		free(prev);
		free(cur);
		return NULL;
	}
	/* i = 0: only U = 0, one way, for every j. */
	for (int j = 0; j <= n; j++)
		prev[(size_t)j * width] = 1;
	for (int i = 1; i <= m; i++) {
		memset(cur, 0, (size_t)(n + 1) * width * sizeof *cur);
		cur[0] = 1; /* j = 0: U = 0 */
		for (int j = 1; j <= n; j++)
			for (size_t u = 0; u <= (size_t)i * j; u++) {
				double v = cur[(size_t)(j - 1) * width + u];
				if (u >= (size_t)j)
					v += prev[(size_t)j * width + u - (size_t)j];
				cur[(size_t)j * width + u] = v;
			}
		double *t = prev;
		prev = cur;
		cur = t;
	}
	double *out = malloc(width * sizeof *out);
	if (out)
		memcpy(out, prev + (size_t)n * width, width * sizeof *out);
	free(prev);
	free(cur);
	return out;
}

struct ranked {
	double v;
	int from_a;
};

static int cmp_ranked(const void *x, const void *y)
{
	return cmp_double(&((const struct ranked *)x)->v, &((const struct ranked *)y)->v);
}

int stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb, struct stats_u *out)
{
	memset(out, 0, sizeof *out);
	if (na == 0 || nb == 0)
		return -EINVAL;
	size_t n = na + nb;
	struct ranked *r = malloc(n * sizeof *r);
	if (!r)
		return -ENOMEM;
	for (size_t i = 0; i < na; i++) {
		if (isnan(a[i]))
			goto bad;
		r[i] = (struct ranked){ a[i], 1 };
	}
	for (size_t i = 0; i < nb; i++) {
		if (isnan(b[i]))
			goto bad;
		r[na + i] = (struct ranked){ b[i], 0 };
	}
	qsort(r, n, sizeof *r, cmp_ranked);
	/* Rank sum of the first sample, ties given their mean rank. */
	double rank_sum = 0, tie_term = 0;
	bool ties = false;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && r[j + 1].v == r[i].v)
			j++;
		double t = (double)(j - i + 1), mean_rank = (double)(i + j) / 2.0 + 1.0;
		if (t > 1) {
			ties = true;
			tie_term += t * t * t - t;
		}
		for (size_t k = i; k <= j; k++)
			if (r[k].from_a)
				rank_sum += mean_rank;
		i = j + 1;
	}
	free(r);
	double n1 = (double)na, n2 = (double)nb, nn = (double)n;
	out->u = rank_sum - n1 * (n1 + 1) / 2.0;

	if (!ties && na <= STATS_EXACT_MAX && nb <= STATS_EXACT_MAX) {
		double *c = u_counts((int)na, (int)nb);
		if (!c)
			return -ENOMEM;
		size_t top = na * nb, u = (size_t)llround(out->u);
		double total = 0, below = 0, above = 0;
		for (size_t k = 0; k <= top; k++) {
			total += c[k];
			if (k <= u)
				below += c[k];
			if (k >= u)
				above += c[k];
		}
		double p = 2.0 * fmin(below, above) / total;
		out->p = p > 1.0 ? 1.0 : p;
		out->p_min = 2.0 * c[0] / total;
		out->exact = true;
		free(c);
		return 0;
	}
	double mu = n1 * n2 / 2.0;
	double var = n1 * n2 / 12.0 * ((nn + 1) - tie_term / (nn * (nn - 1)));
	if (!(var > 0)) {
		out->p = 1.0; /* every value equal */
		out->p_min = 1.0;
		return 0;
	}
	double z = (fabs(out->u - mu) - 0.5) / sqrt(var);
	if (z < 0)
		z = 0;
	out->p = erfc(z / sqrt(2.0));
	double zmax = (mu - 0.5) / sqrt(var);
	out->p_min = erfc(zmax / sqrt(2.0));
	return 0;
bad:
	free(r);
	return -EINVAL;
}

/* ------------------------------------------------------------------ */
/* Confidence intervals from order statistics                          */
/* ------------------------------------------------------------------ */

/*
 * The Mann-Whitney distribution of sizes (m, n) as cumulative counts,
 * cached: a report asks for the same few sizes thousands of times (every
 * bootstrap resample of every finding), and one table costs O(m n mn).
 */
#define U_CACHE 16
static struct {
	int m, n;
	double *cum;                     /* cum[u] = ways with U <= u */
	double total;
} u_cache[U_CACHE];
static int u_cache_next;
static pthread_mutex_t u_cache_lock = PTHREAD_MUTEX_INITIALIZER;

/* P(U <= u) for sizes m, n (u may be negative: 0), or NAN without memory. */
static double u_cdf(int m, int n, long u)
{
	if (u < 0)
		return 0;
	if (m > n) {
		int t = m;
		m = n;
		n = t;
	}
	double p = NAN;
	pthread_mutex_lock(&u_cache_lock);
	int k = 0;
	while (k < U_CACHE && !(u_cache[k].cum && u_cache[k].m == m && u_cache[k].n == n))
		k++;
	if (k == U_CACHE) {
		double *c = u_counts(m, n);
		if (!c)
			goto out;
		size_t top = (size_t)m * n;
		for (size_t i = 1; i <= top; i++)
			c[i] += c[i - 1];
		k = u_cache_next;
		u_cache_next = (u_cache_next + 1) % U_CACHE;
		free(u_cache[k].cum);
		u_cache[k].m = m;
		u_cache[k].n = n;
		u_cache[k].cum = c;
		u_cache[k].total = c[top];
	}
	long top = (long)m * n;
	p = u >= top ? 1.0 : u_cache[k].cum[u] / u_cache[k].total;
out:
	pthread_mutex_unlock(&u_cache_lock);
	return p;
}

double stats_normal_quantile(double p)
{
	if (!(p > 0 && p < 1))
		return NAN;
	/* Bisection on the normal tail, which erfc gives to full precision:
	 * slow next to a rational approximation, but called a handful of
	 * times per comparison. */
	double lo = -40, hi = 40;
	for (int i = 0; i < 200 && hi - lo > 1e-13; i++) {
		double mid = 0.5 * (lo + hi);
		if (0.5 * erfc(-mid / sqrt(2.0)) < p)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

/* The largest k >= 1 with P(U <= k - 1) <= tail for sizes m, n, and the
 * coverage of [D(k), D(mn + 1 - k)]; 0 when there is none. */
static long pair_rank(size_t m, size_t n, double tail, double *coverage)
{
	long top = (long)(m * n);
	if (m <= STATS_EXACT_MAX && n <= STATS_EXACT_MAX) {
		long k = 0;
		double below = 0;
		for (long c = 1; c <= (top + 1) / 2; c++) {
			double p = u_cdf((int)m, (int)n, c - 1);
			if (isnan(p) || p > tail)
				break;
			k = c;
			below = p;
		}
		*coverage = k ? 1 - 2 * below : 0;
		return k;
	}
	/* Normal approximation (Hollander and Wolfe): rounded down, so the
	 * interval errs on the wide side. */
	double z = stats_normal_quantile(1 - tail);
	double sd = sqrt((double)m * n * ((double)m + n + 1) / 12.0);
	long k = (long)floor((double)top / 2.0 - z * sd);
	if (k < 1)
		return *coverage = 0, 0;
	*coverage = 1 - 2 * tail;
	return k;
}

/* The largest k >= 1 with P(X <= k - 1) <= tail for X ~ binomial(n, 1/2). */
static long median_rank(size_t n, double tail, double *coverage)
{
	long k = 0;
	double cum = 0, below = 0, lp = -(double)n * log(2.0);
	for (long c = 1; c <= (long)(n + 1) / 2; c++) {
		/* P(X = c - 1) from log-gamma: no overflow at any n. */
		double x = (double)(c - 1);
		cum += exp(lp + lgamma((double)n + 1) - lgamma(x + 1) - lgamma((double)n - x + 1));
		if (cum > tail)
			break;
		k = c;
		below = cum;
	}
	*coverage = k ? 1 - 2 * below : 0;
	return k;
}

static bool has_nan(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (isnan(v[i]))
			return true;
	return false;
}

static int pairwise_ci(const double *a, size_t na, const double *b, size_t nb, double conf, bool ratio,
		       struct stats_effect *out)
{
	memset(out, 0, sizeof *out);
	out->lo = ratio ? 0 : -INFINITY;
	out->hi = INFINITY;
	out->estimate = NAN;
	out->na = na;
	out->nb = nb;
	if (na == 0 || nb == 0 || !(conf > 0 && conf < 1) || has_nan(a, na) || has_nan(b, nb))
		return -EINVAL;
	if (na > SIZE_MAX / nb / sizeof(double))
		return -ENOMEM;
	size_t np = na * nb;
	double *d = malloc(np * sizeof *d);
	if (!d)
		return -ENOMEM;
	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++) {
			if (ratio && !(a[i] > 0 && b[j] > 0)) {
				free(d);
				return -EDOM;
			}
			/* Ratios on the log scale: their median and order
			 * statistics are those of the ratios themselves. */
			d[i * nb + j] = ratio ? log(b[j]) - log(a[i]) : b[j] - a[i];
		}
	qsort(d, np, sizeof *d, cmp_double);
	double mid = np % 2 ? d[np / 2] : 0.5 * (d[np / 2 - 1] + d[np / 2]);
	double cov;
	long k = pair_rank(na, nb, (1 - conf) / 2, &cov);
	out->estimate = ratio ? exp(mid) : mid;
	if (k >= 1) {
		out->bounded = true;
		out->coverage = cov;
		out->lo = ratio ? exp(d[k - 1]) : d[k - 1];
		out->hi = ratio ? exp(d[np - (size_t)k]) : d[np - (size_t)k];
	}
	free(d);
	return 0;
}

int stats_ratio_ci(const double *a, size_t na, const double *b, size_t nb, double conf,
		   struct stats_effect *out)
{
	return pairwise_ci(a, na, b, nb, conf, true, out);
}

int stats_shift_ci(const double *a, size_t na, const double *b, size_t nb, double conf,
		   struct stats_effect *out)
{
	return pairwise_ci(a, na, b, nb, conf, false, out);
}

int stats_median_ci(const double *v, size_t n, double conf, struct stats_effect *out)
{
	memset(out, 0, sizeof *out);
	out->lo = -INFINITY;
	out->hi = INFINITY;
	out->estimate = NAN;
	out->na = n;
	if (n == 0 || !(conf > 0 && conf < 1) || has_nan(v, n))
		return -EINVAL;
	double *c = malloc(n * sizeof *c);
	if (!c)
		return -ENOMEM;
	memcpy(c, v, n * sizeof *c);
	qsort(c, n, sizeof *c, cmp_double);
	out->estimate = n % 2 ? c[n / 2] : 0.5 * (c[n / 2 - 1] + c[n / 2]);
	double cov;
	long k = median_rank(n, (1 - conf) / 2, &cov);
	if (k >= 1) {
		out->bounded = true;
		out->coverage = cov;
		out->lo = c[k - 1];
		out->hi = c[n - (size_t)k];
	}
	free(c);
	return 0;
}

size_t stats_min_reps_two(double conf)
{
	double cov;
	for (size_t n = 1; n < 1000; n++)
		if (pair_rank(n, n, (1 - conf) / 2, &cov) >= 1)
			return n;
	return 1000;
}

size_t stats_min_reps_one(double conf)
{
	double cov;
	for (size_t n = 1; n < 1000; n++)
		if (median_rank(n, (1 - conf) / 2, &cov) >= 1)
			return n;
	return 1000;
}

bool stats_median_within(const double *v, size_t n, double conf, double precision)
{
	struct stats_effect e;
	if (stats_median_ci(v, n, conf, &e) || !e.bounded)
		return false;
	return e.estimate - e.lo <= precision * e.estimate && e.hi - e.estimate <= precision * e.estimate;
}
