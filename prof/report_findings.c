/*
 * report_findings.c - the findings part of `spreadbench report`: every
 * finding judged from the folder's numbers (finding.h), each verdict's
 * stability under bootstrap resamples of the repetitions, a verdict
 * table, a forest plot of every effect against its claim, and a section
 * per finding with its numbers.
 *
 * Stability: the rows of every point are drawn again with replacement
 * (seeded, so a report is reproducible), every judge runs on each such
 * resample, and the share of resamples that give the verdict the folder
 * gave is its stability.  A verdict of holds or does not hold that flips
 * in more than REPORT_FLIP_LIMIT of them is reported as inconclusive: it
 * rests on one or two repetitions.
 */
#include "report.h"
#include "cli.h"
#include "finding.h"
#include "outfile.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REPORT_RESAMPLES 200
#define REPORT_FLIP_LIMIT 0.20
#define REPORT_SEED 0x5eed5eed5eedull

struct outcome {
	enum verdict v, judged;          /* final, and as the judge gave it */
	int agree;                       /* resamples with the judged verdict */
	char *text;
	struct judge j;                  /* its parts and conclusion */
};

static void judge_all(const struct groups *gs, json_t *ctx, struct outcome *o, int n)
{
	for (int i = 0; i < n; i++) {
		size_t len = 0;
		FILE *m = open_memstream(&o[i].text, &len);
		judge_init(&o[i].j, gs, ctx, m);
		o[i].judged = o[i].v = finding_judge(finding_at(i), &o[i].j);
		o[i].j.out = NULL;
		if (m)
			fclose(m);
	}
}

static bool decided(enum verdict v)
{
	return v == VERDICT_HOLDS || v == VERDICT_DOES_NOT_HOLD || v == VERDICT_INCONCLUSIVE;
}

static int stability(const struct groups *gs, json_t *ctx, struct outcome *o, int n)
{
	uint64_t rng = REPORT_SEED;
	for (int b = 0; b < REPORT_RESAMPLES; b++) {
		struct groups rs;
		int rc = groups_resample(gs, &rng, &rs);
		if (rc)
			return rc;
		for (int i = 0; i < n; i++) {
			if (!decided(o[i].judged))
				continue;
			struct judge j;
			judge_init(&j, &rs, ctx, NULL);
			o[i].agree += finding_judge(finding_at(i), &j) == o[i].judged;
		}
		groups_release(&rs);
	}
	for (int i = 0; i < n; i++)
		if ((o[i].judged == VERDICT_HOLDS || o[i].judged == VERDICT_DOES_NOT_HOLD) &&
		    o[i].agree < (1 - REPORT_FLIP_LIMIT) * REPORT_RESAMPLES)
			o[i].v = VERDICT_INCONCLUSIVE;
	return 0;
}

/* A part's position on the plot's ratio axis: shifts become the ratio
 * they are to their reference median. */
static double as_ratio(const struct judge_part *p, double x)
{
	if (p->j.ratio)
		return x;
	return p->reference > 0 ? 1 + x / p->reference : NAN;
}

#define FOREST_MIN 0.2
#define FOREST_MAX 10.0

static double clamp(double x)
{
	return isnan(x) ? NAN : x < FOREST_MIN ? FOREST_MIN : x > FOREST_MAX ? FOREST_MAX : x;
}

/* The forest plot's data: block 0 the regions where each claim holds,
 * block 1 each effect with its interval, coloured by its verdict.  Returns
 * the number of rows. */
static int write_forest(const struct outcome *o, int n, const char *path)
{
	struct outfile out;
	int rc = outfile_open(&out, path);
	if (rc)
		return rc;
	FILE *f = out.f;
	int rows = 0;
	fprintf(f, "# x_low x_high y: regions where a claim holds\n");
	for (int pass = 0; pass < 2; pass++) {
		int y = 0;
		if (pass)
			fprintf(f, "\n\n# y label estimate low high colour\n");
		for (int i = 0; i < n; i++) {
			if (!decided(o[i].judged))
				continue;
			for (int k = 0; k < o[i].j.nparts; k++) {
				const struct judge_part *p = &o[i].j.parts[k];
				double t = as_ratio(p, p->j.threshold), lo = FOREST_MIN, hi = FOREST_MAX;
				y++;
				if (!pass) {
					if (p->j.kind == CLAIM_ABOVE)
						lo = t;
					else if (p->j.kind == CLAIM_BELOW)
						hi = t;
					else if (p->j.ratio)
						lo = 1 / p->j.threshold, hi = p->j.threshold;
					else
						lo = as_ratio(p, -p->j.threshold), hi = t;
					if (p->j.kind == CLAIM_OUTSIDE) {
						fprintf(f, "%g %g %d\n", FOREST_MIN, clamp(lo), y);
						fprintf(f, "%g %g %d\n", clamp(hi), FOREST_MAX, y);
					} else {
						fprintf(f, "%g %g %d\n", clamp(lo), clamp(hi), y);
					}
					continue;
				}
				static const unsigned colour[] = { 0x1a9641, 0xd7191c, 0x888888 };
				double e = clamp(as_ratio(p, p->j.e.estimate));
				fprintf(f, "%d \"%s %s\" %g %g %g %u\n", y, finding_at(i)->id, p->name, isnan(e) ? 1 : e,
					clamp(as_ratio(p, p->j.e.lo)), clamp(as_ratio(p, p->j.e.hi)),
					colour[p->j.v < 3 ? p->j.v : 2]);
				rows++;
			}
		}
	}
	rc = outfile_commit(&out);
	return rc ? rc : rows;
}

static int draw_forest(const char *dir, const struct outcome *o, int n)
{
	char pdir[4200], dat[4300], vars[200];
	snprintf(pdir, sizeof pdir, "%s/plots", dir);
	if (mkdir(pdir, 0755) && errno != EEXIST)
		return -errno;
	snprintf(dat, sizeof dat, "%s/forest.dat", pdir);
	int rows = write_forest(o, n, dat);
	if (rows <= 0)
		return rows;
	snprintf(vars, sizeof vars, "rows=%d; xmin=%g; xmax=%g", rows, FOREST_MIN, FOREST_MAX);
	int rc = plot_draw(pdir, "forest", dat, vars);
	return rc ? rc : rows;
}

int report_findings(const struct groups *gs, json_t *ctx, const char *dir, FILE *f, int counts[VERDICT_N])
{
	int n = finding_count(), rc = 0;
	struct outcome *o = calloc((size_t)n, sizeof *o);
	if (!o)
		return -ENOMEM;
	judge_all(gs, ctx, o, n);
	if ((rc = stability(gs, ctx, o, n)))
		goto out;
	fprintf(f, "Each claim is an effect with a 95 %% interval (Hodges-Lehmann ratio of two points' repetitions, or "
		   "the median of one, from order statistics); it **holds** when the whole interval lies where the claim "
		   "needs it, **does not hold** when none of it does, and is **inconclusive** otherwise. A verdict that "
		   "changes in more than %.0f %% of %d bootstrap resamples of the repetitions is reported as "
		   "inconclusive.\n\n",
		   REPORT_FLIP_LIMIT * 100, REPORT_RESAMPLES);
	fprintf(f, "| id | claim | verdict here | first effect [95 %% interval] | same verdict in resamples |\n"
		   "|---|---|---|---|---:|\n");
	for (int i = 0; i < n; i++) {
		const struct finding *fd = finding_at(i);
		char effect[200] = "-", share[32] = "-";
		if (decided(o[i].judged) && o[i].j.nparts)
			verdict_effect_text(&o[i].j.parts[0].j, o[i].j.parts[0].unit, effect, sizeof effect);
		if (decided(o[i].judged))
			snprintf(share, sizeof share, "%.0f %%", 100.0 * o[i].agree / REPORT_RESAMPLES);
		fprintf(f, "| [%s](#%s) | %s | %s | %s | %s |\n", fd->id, fd->id, fd->claim, verdict_word(o[i].v), effect,
			share);
		counts[o[i].v]++;
	}
	int rows = draw_forest(dir, o, n);
	if (rows < 0) {
		cli_error("cannot draw the forest plot: %s", plot_strerror(rows));
		rc = rows;
		goto out;
	}
	if (rows > 0)
		fprintf(f, "\n![findings: effects and intervals](plots/forest.png)\n\nEach row is one effect, its 95 %% "
			   "interval (bar) and estimate (point; green: that part holds, red: it does not, grey: "
			   "inconclusive); the shaded region is where the claim needs the whole interval to lie. Shifts "
			   "in seconds or MiB are drawn as the ratio they make to their reference.\n");
	fprintf(f, "\n");
	for (int i = 0; i < n; i++) {
		const struct finding *fd = finding_at(i);
		fprintf(f, "### <a id=\"%s\"></a>%s: %s\n\nExperiment: %s.\n\n%s", fd->id, fd->id, fd->claim,
			fd->experiment, o[i].text ? o[i].text : "");
		fprintf(f, "\n**%s**: %s.", verdict_title(o[i].v), o[i].j.conclusion);
		if (decided(o[i].judged))
			fprintf(f, " The same verdict in %.0f %% of %d resamples%s.", 100.0 * o[i].agree / REPORT_RESAMPLES,
				REPORT_RESAMPLES,
				o[i].v != o[i].judged ? ": it rests on too few repetitions to call, so it is reported "
							"as inconclusive"
						      : "");
		fprintf(f, "\n\n");
	}
out:
	for (int i = 0; i < n; i++)
		free(o[i].text);
	free(o);
	return rc;
}
