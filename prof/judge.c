/*
 * judge.c - what the findings' judges share: finding the points of an
 * experiment in a folder by their parameters, and measuring each effect
 * with its interval against a claim (finding.h).
 */
#include "finding.h"
#include "sidecar.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void judge_printf(struct judge *j, const char *fmt, ...)
{
	if (!j->out)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(j->out, fmt, ap);
	va_end(ap);
}

enum verdict judge_missing(struct judge *j, const char *what)
{
	snprintf(j->conclusion, sizeof j->conclusion, "%s", what);
	return VERDICT_NOT_MEASURED;
}

/* The value of a key column held by the most rows of the folder's
 * strategies (a command's rows measured no scenario of the kernel's). */
static void most_common(const struct groups *gs, const char *column, char *out, size_t len)
{
	size_t best = 0;
	out[0] = '\0';
	for (size_t i = 0; i < gs->n; i++) {
		if (group_is_exec(&gs->g[i]))
			continue;
		const char *v = group_cell(&gs->g[i], column);
		size_t rows = 0;
		for (size_t k = 0; k < gs->n; k++)
			if (!group_is_exec(&gs->g[k]) && strcmp(group_cell(&gs->g[k], column), v) == 0)
				rows += gs->g[k].n;
		if (rows > best) {
			best = rows;
			snprintf(out, len, "%s", v);
		}
	}
}

void judge_init(struct judge *j, const struct groups *gs, json_t *ctx, FILE *out)
{
	char seed[64] = "", mix[64] = "", *end;
	memset(j, 0, sizeof *j);
	j->gs = gs;
	j->ctx = ctx;
	j->out = out;
	j->conf = 0.95;
	j->cores = ctx ? sidecar_cores(ctx) : 0;
	if (!j->cores)
		j->cores = gs->max_workers;
	/* Strategies are compared at the machine's core count when the
	 * folder has it (more would be oversubscribed), else at the most
	 * workers it has. */
	j->w = gs->max_workers;
	for (size_t i = 0; i < gs->n; i++)
		if (gs->g[i].workers == j->cores && strcmp(gs->g[i].strategy, "serial") && !group_is_exec(&gs->g[i]))
			j->w = j->cores;
	most_common(gs, "scenario", j->base_scenario, sizeof j->base_scenario);
	most_common(gs, "seed", seed, sizeof seed);
	most_common(gs, "mix", mix, sizeof mix);
	j->base.p.scenario = j->base_scenario;
	unsigned long long s = strtoull(seed, &end, 10);
	if (seed[0] && !*end)
		j->base.p.seed = s;
	strategy_mix_parse(mix, &j->base.p.mix);
	/* Files from before the workload interface ran the fire model. */
	snprintf(j->base_workload, sizeof j->base_workload, "fire");
	if (gs->has[point_key_index("workload")])
		most_common(gs, "workload", j->base_workload, sizeof j->base_workload);
	most_common(gs, "workload_options", j->base_options, sizeof j->base_options);
	j->base.p.workload = j->base_workload;
	j->base.p.options = j->base_options;
}

struct point judge_point(const struct judge *j, const char *strategy, int workers, int jobs)
{
	const struct strategy_entry *e = strategy_find(strategy);
	struct point pt = { .strategy = e ? e->strategy : NULL };
	params_defaults(&pt.p);
	pt.p.workload = j->base.p.workload;
	pt.p.options = j->base.p.options;
	pt.p.scenario = j->base.p.scenario;
	pt.p.seed = j->base.p.seed;
	pt.p.mix = j->base.p.mix;
	pt.p.workers = workers;
	pt.p.jobs = jobs;
	return pt;
}

const struct group *judge_find(const struct judge *j, const struct point *pt)
{
	return pt->strategy ? groups_find_point(j->gs, pt) : NULL;
}

const struct group *judge_serial(const struct judge *j, int jobs)
{
	struct point pt = judge_point(j, "serial", 1, jobs);
	return judge_find(j, &pt);
}

const struct group *judge_peer(const struct judge *j, const char *strategy, const struct group *g)
{
	if (!g)
		return NULL;
	struct point pt = judge_point(j, strategy, g->workers, g->jobs);
	return judge_find(j, &pt);
}

const struct group *judge_pick(const struct judge *j, const char *strategy, int workers)
{
	const struct group *best = NULL;
	bool best_ref = false;
	for (size_t i = 0; i < j->gs->n; i++) {
		const struct group *g = &j->gs->g[i];
		if (strcmp(g->strategy, strategy) || (workers && g->workers != workers))
			continue;
		/* Only the strategy's default variant of this batch. */
		if (judge_peer(j, strategy, g) != g)
			continue;
		bool ref = judge_serial(j, g->jobs) != NULL;
		if (!best || (ref && !best_ref) ||
		    (ref == best_ref &&
		     (g->workers > best->workers || (g->workers == best->workers && g->jobs > best->jobs)))) {
			best = g;
			best_ref = ref;
		}
	}
	return best;
}

static enum verdict record(struct judge *j, const char *name, const struct stats_effect *e, int rc, bool ratio,
			   enum claim_kind kind, double threshold, const char *unit, double reference)
{
	struct stats_effect none = { .estimate = NAN, .lo = ratio ? 0 : -INFINITY, .hi = INFINITY };
	struct judged out;
	verdict_judge(rc ? &none : e, kind, threshold, ratio, &out);
	if (j->nparts < JUDGE_MAX_PARTS) {
		struct judge_part *p = &j->parts[j->nparts++];
		snprintf(p->name, sizeof p->name, "%s", name);
		p->j = out;
		p->unit = unit;
		p->reference = reference;
	}
	return out.v;
}

enum verdict judge_ratio(struct judge *j, const char *name, const struct group *x, const struct group *y,
			 enum group_metric m, double scale, enum claim_kind kind, double threshold)
{
	struct stats_effect e = { 0 };
	int rc = stats_ratio_ci(y->v[m], y->n, x->v[m], x->n, j->conf, &e);
	e.estimate *= scale;
	e.lo *= scale;
	e.hi *= scale;
	return record(j, name, &e, rc, true, kind, threshold, "", NAN);
}

enum verdict judge_shift(struct judge *j, const char *name, const struct group *x, const struct group *y,
			 enum group_metric m, double scale, const char *unit, enum claim_kind kind,
			 double threshold)
{
	struct stats_effect e = { 0 };
	int rc = stats_shift_ci(y->v[m], y->n, x->v[m], x->n, j->conf, &e);
	e.estimate *= scale;
	e.lo *= scale;
	e.hi *= scale;
	return record(j, name, &e, rc, false, kind, threshold, unit, group_median(y, m) * scale);
}

enum verdict judge_median(struct judge *j, const char *name, const struct group *g, enum group_metric num,
			  enum group_metric den, double scale, enum claim_kind kind, double threshold)
{
	struct stats_effect e = { 0 };
	double *v = calloc(g->n + 1, sizeof *v);
	bool positive = true;
	int rc = -ENOMEM;
	if (v) {
		for (size_t i = 0; i < g->n; i++) {
			v[i] = g->v[num][i] * scale / (den < G_NMETRIC ? g->v[den][i] : 1.0);
			positive = positive && v[i] > 0;
		}
		rc = stats_median_ci(v, g->n, j->conf, &e);
		free(v);
	}
	return record(j, name, &e, rc, positive, kind, threshold, "", NAN);
}

const struct judged *judge_last(const struct judge *j)
{
	return j->nparts ? &j->parts[j->nparts - 1].j : NULL;
}

static const char *claim_text(const struct judged *p, char *buf, size_t len)
{
	static const char *const what[] = { "above", "below", "within", "outside" };
	if ((p->kind == CLAIM_WITHIN || p->kind == CLAIM_OUTSIDE) && p->ratio)
		snprintf(buf, len, "%s [%.3g, %.3g]", what[p->kind], 1 / p->threshold, p->threshold);
	else if (p->kind == CLAIM_WITHIN || p->kind == CLAIM_OUTSIDE)
		snprintf(buf, len, "%s [%+.3g, %+.3g]", what[p->kind], -p->threshold, p->threshold);
	else
		snprintf(buf, len, "%s %.3g", what[p->kind], p->threshold);
	return buf;
}

enum verdict judge_conclude(struct judge *j, enum verdict v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(j->conclusion, sizeof j->conclusion, fmt, ap);
	va_end(ap);
	if (!j->out)
		return v;
	fprintf(j->out, "\n");
	for (int i = 0; i < j->nparts; i++) {
		const struct judged *p = &j->parts[i].j;
		char effect[160], claim[96], why[320];
		verdict_effect_text(p, j->parts[i].unit, effect, sizeof effect);
		verdict_why(p, why, sizeof why);
		fprintf(j->out, "- %s: %s; the claim needs it %s: %s%s%s\n", j->parts[i].name, effect,
			claim_text(p, claim, sizeof claim), verdict_word(p->v), why[0] ? ", " : "", why);
	}
	return v;
}

const char *judge_pages(const struct group *g, char *buf, size_t len)
{
	double b = g ? group_median(g, G_PAGE) : NAN;
	if (!(b > 0))
		snprintf(buf, len, "%s", "");
	else if (b >= 1 << 20)
		snprintf(buf, len, "%.0f MiB pages", b / 1048576.0);
	else
		snprintf(buf, len, "%.0f KiB pages", b / 1024.0);
	return buf;
}
