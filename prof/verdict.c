/*
 * verdict.c - see verdict.h.  The repetitions that would settle an
 * inconclusive verdict are estimated from how an interval narrows, as the
 * inverse square root of the repetitions: with half-width h around the
 * estimate and distance d from the estimate to the nearest edge of the
 * claim, about n (h / d)^2 a side bring the interval off the edge.  It is
 * a rough guide at the noise seen, not a promise.
 */
#include "verdict.h"

#include <math.h>
#include <stdio.h>

static const char *const words[VERDICT_N] = {
	"holds", "does not hold", "inconclusive", "not measured in this folder", "not applicable here",
};
static const char *const titles[VERDICT_N] = {
	"Holds", "Does not hold", "Inconclusive", "Not measured in this folder", "Not applicable here",
};

const char *verdict_word(enum verdict v)
{
	return (unsigned)v < VERDICT_N ? words[v] : "?";
}

const char *verdict_title(enum verdict v)
{
	return (unsigned)v < VERDICT_N ? titles[v] : "?";
}

/* The scale on which intervals narrow evenly: log for ratios. */
static double scale(double x, bool ratio)
{
	return ratio ? log(x) : x;
}

void verdict_judge(const struct stats_effect *e, enum claim_kind kind, double t, bool ratio, struct judged *out)
{
	*out = (struct judged){ .kind = kind, .threshold = t, .ratio = ratio, .e = *e,
				.v = VERDICT_INCONCLUSIVE, .reps_needed = -1 };
	double lo = e->lo, hi = e->hi, edge[2];
	int nedge = 1;
	edge[0] = t;
	if (kind == CLAIM_WITHIN || kind == CLAIM_OUTSIDE) {
		edge[0] = ratio ? 1 / t : -t;
		edge[1] = t;
		nedge = 2;
	}
	if (e->bounded) {
		switch (kind) {
		case CLAIM_ABOVE:
			out->v = lo > t ? VERDICT_HOLDS : hi <= t ? VERDICT_DOES_NOT_HOLD : VERDICT_INCONCLUSIVE;
			break;
		case CLAIM_BELOW:
			out->v = hi < t ? VERDICT_HOLDS : lo >= t ? VERDICT_DOES_NOT_HOLD : VERDICT_INCONCLUSIVE;
			break;
		case CLAIM_WITHIN:
		case CLAIM_OUTSIDE: {
			bool inside = lo >= edge[0] && hi <= edge[1], outside = hi < edge[0] || lo > edge[1];
			bool yes = kind == CLAIM_WITHIN ? inside : outside, no = kind == CLAIM_WITHIN ? outside : inside;
			out->v = yes ? VERDICT_HOLDS : no ? VERDICT_DOES_NOT_HOLD : VERDICT_INCONCLUSIVE;
			break;
		}
		}
	}
	if (out->v != VERDICT_INCONCLUSIVE)
		return;
	size_t n = e->nb ? (e->na < e->nb ? e->na : e->nb) : e->na;
	size_t floor_n = e->nb ? stats_min_reps_two(0.95) : stats_min_reps_one(0.95);
	if (!e->bounded || isnan(e->estimate)) {
		out->reps_needed = (long)(n * 2 > floor_n ? n * 2 : floor_n);
		return;
	}
	double c = scale(e->estimate, ratio), h = (scale(hi, ratio) - scale(lo, ratio)) / 2, d = INFINITY;
	for (int k = 0; k < nedge; k++)
		d = fmin(d, fabs(c - scale(edge[k], ratio)));
	if (!(d > 1e-12) || !isfinite(h)) {
		out->reps_needed = 0;
		return;
	}
	double need = ceil((double)n * (h / d) * (h / d) * 1.1);
	out->reps_needed = need > 1e6 ? 0 : (long)fmax(need, (double)n + 1);
}

enum verdict verdict_and(enum verdict a, enum verdict b)
{
	if (a == VERDICT_NOT_MEASURED || b == VERDICT_NOT_MEASURED)
		return VERDICT_NOT_MEASURED;
	if (a == VERDICT_DOES_NOT_HOLD || b == VERDICT_DOES_NOT_HOLD)
		return VERDICT_DOES_NOT_HOLD;
	if (a == VERDICT_INCONCLUSIVE || b == VERDICT_INCONCLUSIVE)
		return VERDICT_INCONCLUSIVE;
	return a == VERDICT_HOLDS && b == VERDICT_HOLDS ? VERDICT_HOLDS : VERDICT_NOT_APPLICABLE;
}

enum verdict verdict_or(enum verdict a, enum verdict b)
{
	if (a == VERDICT_NOT_MEASURED || b == VERDICT_NOT_MEASURED)
		return VERDICT_NOT_MEASURED;
	if (a == VERDICT_HOLDS || b == VERDICT_HOLDS)
		return VERDICT_HOLDS;
	if (a == VERDICT_INCONCLUSIVE || b == VERDICT_INCONCLUSIVE)
		return VERDICT_INCONCLUSIVE;
	return a == VERDICT_DOES_NOT_HOLD && b == VERDICT_DOES_NOT_HOLD ? VERDICT_DOES_NOT_HOLD
									 : VERDICT_NOT_APPLICABLE;
}

enum verdict_change verdict_change_judge(const struct stats_effect *e, double factor, bool higher_is_better,
					 long *reps_needed)
{
	struct judged same;
	verdict_judge(e, CLAIM_WITHIN, factor, true, &same);
	if (reps_needed)
		*reps_needed = same.reps_needed;
	if (!e->bounded)
		return CHANGE_TOO_FEW;
	bool above = e->lo > factor, below = e->hi < 1.0 / factor;
	if (above || below)
		return above != higher_is_better ? CHANGE_WORSE : CHANGE_BETTER;
	return same.v == VERDICT_HOLDS ? CHANGE_SAME : CHANGE_UNDECIDED;
}

const char *verdict_change_word(enum verdict_change c)
{
	static const char *const names[] = { [CHANGE_SAME] = "no change", [CHANGE_WORSE] = "worse",
					      [CHANGE_BETTER] = "better", [CHANGE_UNDECIDED] = "inconclusive",
					      [CHANGE_TOO_FEW] = "too few repetitions" };
	return (unsigned)c < sizeof names / sizeof names[0] ? names[c] : "?";
}

void verdict_effect_text(const struct judged *j, const char *unit, char *buf, size_t len)
{
	const struct stats_effect *e = &j->e;
	if (j->ratio) {
		if (e->bounded)
			snprintf(buf, len, "%.3gx [%.3g, %.3g]", e->estimate, e->lo, e->hi);
		else
			snprintf(buf, len, "%.3gx [interval unbounded: too few repetitions]", e->estimate);
	} else {
		if (e->bounded)
			snprintf(buf, len, "%+.3g %s [%+.3g, %+.3g]", e->estimate, unit, e->lo, e->hi);
		else
			snprintf(buf, len, "%+.3g %s [interval unbounded: too few repetitions]", e->estimate, unit);
	}
}

void verdict_why(const struct judged *j, char *buf, size_t len)
{
	buf[0] = '\0';
	if (j->v != VERDICT_INCONCLUSIVE)
		return;
	const struct stats_effect *e = &j->e;
	const char *side = e->nb ? " a side" : "";
	if (!e->bounded) {
		snprintf(buf, len, "%zu repetitions%s cannot bound a 95 %% interval; about %ld%s would", e->nb ? e->na : e->na,
			 side, j->reps_needed, side);
		return;
	}
	char width[64];
	if (j->ratio)
		snprintf(width, sizeof width, "%.1f %% wide", (e->hi / e->lo - 1) * 100);
	else
		snprintf(width, sizeof width, "%.3g wide", e->hi - e->lo);
	if (j->reps_needed > 0)
		snprintf(buf, len, "the interval is %s and straddles the threshold; about %ld repetitions%s would "
			 "settle it at the noise seen", width, j->reps_needed, side);
	else
		snprintf(buf, len, "the interval is %s and the estimate sits on the threshold: no number of repetitions "
			 "would settle it", width);
}
