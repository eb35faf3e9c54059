/*
 * check.h - the few assertions spreadbench's C tests use.  A failed check
 * prints where and why and marks the test failed; the test keeps going so
 * that one run shows every mismatch.  main() returns check_result().
 */
#ifndef SPREADBENCH_CHECK_H
#define SPREADBENCH_CHECK_H

#include <math.h>
#include <stdio.h>

static int check_failures;
static int check_count;
/* Printed before a failure, e.g. the case being checked; tests may set it. */
static const char *check_context = "";

#define CHECK(cond)                                                                     \
	do {                                                                            \
		check_count++;                                                          \
		if (!(cond)) {                                                          \
			check_failures++;                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                       \
	} while (0)

/* |got - want| <= rel * |want| (or <= rel when want is 0). */
#define CHECK_REL(got, want, rel)                                                       \
	do {                                                                            \
		double g_ = (double)(got), w_ = (double)(want), r_ = (double)(rel);     \
		double tol_ = fabs(w_) > 0 ? r_ * fabs(w_) : r_;                        \
		check_count++;                                                          \
		if (!(fabs(g_ - w_) <= tol_) && !(isinf(g_) && isinf(w_) && (g_ > 0) == (w_ > 0))) { \
			check_failures++;                                               \
			fprintf(stderr, "%s:%d: %s = %.9g, want %.9g (rel tol %g)\n",   \
				__FILE__, __LINE__, #got, g_, w_, r_);                  \
		}                                                                       \
	} while (0)

/* |got - want| <= rel * |want| + abs: for values that may be zero or tiny
 * (vector components such as 6e-17 that float32 cannot reproduce). */
#define CHECK_CLOSE(got, want, rel, abs_)                                               \
	do {                                                                            \
		double g_ = (double)(got), w_ = (double)(want);                         \
		double tol_ = (double)(rel) * fabs(w_) + (double)(abs_);                \
		check_count++;                                                          \
		if (!(fabs(g_ - w_) <= tol_) && !(isinf(g_) && isinf(w_) && (g_ > 0) == (w_ > 0))) { \
			check_failures++;                                               \
			fprintf(stderr, "%s:%d: %s%s = %.9g, want %.9g (tol %g)\n",     \
				__FILE__, __LINE__, check_context, #got, g_, w_, tol_);                \
		}                                                                       \
	} while (0)

#define CHECK_EQ(got, want)                                                             \
	do {                                                                            \
		long long g_ = (long long)(got), w_ = (long long)(want);                \
		check_count++;                                                          \
		if (g_ != w_) {                                                         \
			check_failures++;                                               \
			fprintf(stderr, "%s:%d: %s%s = %lld, want %lld\n", __FILE__, __LINE__, \
				check_context, #got, g_, w_);                                          \
		}                                                                       \
	} while (0)

static inline int check_result(const char *name)
{
	if (check_failures) {
		fprintf(stderr, "%s: %d of %d checks failed\n", name, check_failures, check_count);
		return 1;
	}
	printf("%s: all %d checks passed\n", name, check_count);
	return 0;
}

#endif
