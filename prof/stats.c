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
