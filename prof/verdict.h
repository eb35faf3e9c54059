/*
 * verdict.h - what a comparison may claim, given its interval.
 *
 * Every claim is an effect (a ratio, or a shift in seconds) judged against
 * a threshold by where its confidence interval lies:
 *
 *   claim        holds when the interval      does not hold when it        else
 *   above t      lies wholly above t          lies wholly at or below t    inconclusive
 *   below t      lies wholly below t          lies wholly at or above t    inconclusive
 *   within t     lies wholly inside the band  lies wholly outside it       inconclusive
 *   outside t    lies wholly outside the band lies wholly inside it        inconclusive
 *
 * where the band of `within` is [1/t, t] for a ratio and [-t, t] for a
 * shift: an equivalence test (TOST-like), so that "the same within noise"
 * holds only when the evidence shows it, never because a test failed to
 * find a difference; `outside` is a claim of a difference in either
 * direction.  An interval the repetitions are too few to bound is
 * always inconclusive.  An inconclusive verdict comes with about how many
 * repetitions a side would settle it at the noise seen.
 */
#ifndef SPREADBENCH_VERDICT_H
#define SPREADBENCH_VERDICT_H

#include "stats.h"

#include <stdbool.h>
#include <stdio.h>

enum verdict {
	VERDICT_HOLDS,
	VERDICT_DOES_NOT_HOLD,
	VERDICT_INCONCLUSIVE,
	VERDICT_NOT_MEASURED,
	VERDICT_NOT_APPLICABLE,
	VERDICT_N
};

/* "holds", "does not hold", "inconclusive", "not measured in this folder",
 * "not applicable here". */
const char *verdict_word(enum verdict v);
/* The same with a capital letter, for the start of a sentence. */
const char *verdict_title(enum verdict v);

enum claim_kind { CLAIM_ABOVE, CLAIM_BELOW, CLAIM_WITHIN, CLAIM_OUTSIDE };

/* An effect judged against a claim. */
struct judged {
	enum claim_kind kind;
	double threshold;
	bool ratio;                      /* the effect is a ratio, else a shift */
	struct stats_effect e;
	enum verdict v;
	long reps_needed;                /* inconclusive: about this many a side would
					    settle it; 0 when no number would (the
					    estimate sits on the threshold) */
};

/* Judges e (from stats_ratio_ci, stats_shift_ci or stats_median_ci). */
void verdict_judge(const struct stats_effect *e, enum claim_kind kind, double threshold, bool ratio,
		   struct judged *out);

/* Three-valued logic: all must hold; one that does not hold decides. */
enum verdict verdict_and(enum verdict a, enum verdict b);
/* One holding suffices; all must fail for "does not hold". */
enum verdict verdict_or(enum verdict a, enum verdict b);

/*
 * A change NEW / BASE (a ratio from stats_ratio_ci) judged as `compare`
 * judges it: worse (or better) only when the whole interval lies beyond
 * factor in that direction, no change when it lies wholly within
 * [1/factor, factor], inconclusive otherwise, and too few repetitions
 * when none bound an interval.  higher_is_better says which way is worse.
 * *reps_needed (may be NULL): about how many a side would settle it.
 */
enum verdict_change { CHANGE_SAME, CHANGE_WORSE, CHANGE_BETTER, CHANGE_UNDECIDED, CHANGE_TOO_FEW };
enum verdict_change verdict_change_judge(const struct stats_effect *e, double factor, bool higher_is_better,
					 long *reps_needed);
/* "no change", "worse", "better", "inconclusive", "too few repetitions". */
const char *verdict_change_word(enum verdict_change c);

/* "1.23x [1.10, 1.41]" for a ratio, "+0.250 s [+0.10, +0.41]" for a shift
 * in seconds (unit "s"), "[unbounded]" when too few repetitions. */
void verdict_effect_text(const struct judged *j, const char *unit, char *buf, size_t len);
/* A sentence on why it is inconclusive, with the interval's width and the
 * repetitions that would settle it; empty for a conclusive verdict. */
void verdict_why(const struct judged *j, char *buf, size_t len);

#endif
