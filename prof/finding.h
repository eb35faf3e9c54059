/*
 * finding.h - a documented finding as one entry: its id and claim, the
 * points its experiment adds to a sweep, and the judge that turns a
 * results folder into a verdict.  `sweep --preset findings` and `report`
 * both read the entries, so a finding is added in one place (its file:
 * findings_wildfire.c or findings_other.c) and in the documentation.
 *
 * Adding a finding:
 *   1. write its points function (none when the strategy x cores x ratios
 *      grid answers it) and its judge next to it, and add its entry to the
 *      table at the end of that file, in id order;
 *   2. give it known-answer cases in tests/test_findings.c (a judge that
 *      always says "holds" must fail them);
 *   3. describe it in the README's findings tables.
 *
 * A judge finds the points it needs by parameters (judge_point, then
 * judge_find), measures each effect with an interval (judge_ratio,
 * judge_median, ...) against the claim's threshold, and combines the
 * parts with verdict_and / verdict_or.  It writes its numbers to j->out,
 * which is NULL when the report judges bootstrap resamples of the folder
 * to see how stable the verdict is; every judge must give the same
 * verdict for the same numbers whether it writes or not.
 */
#ifndef SPREADBENCH_FINDING_H
#define SPREADBENCH_FINDING_H

#include "groups.h"
#include "point.h"
#include "verdict.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* What a finding's experiment is planned around. */
struct finding_plan {
	int w;                           /* the machine's cores: where strategies are compared */
	struct strategy_params base;     /* the sweep's scenario, seed, mix, dtype; workers and jobs unset */
	const long *cores;               /* the grid's worker counts */
	int ncores;
	const long *ratios;              /* and jobs per worker */
	int nratios;
	uint64_t memory_bytes;           /* physical memory, for ballast sizes */
};

/* Adds one point to the sweep; 0 or a negative errno. */
typedef int (*finding_add_fn)(void *arg, const struct point *pt);

/* A point of strategy at workers and jobs with the plan's base
 * parameters; its strategy is NULL when this build lacks it (such a point
 * is skipped, not added). */
struct point finding_plan_point(const struct finding_plan *plan, const char *strategy, int workers, int jobs);
/* add(arg, pt) when pt's strategy is built; 0 otherwise. */
int finding_add(finding_add_fn add, void *arg, const struct point *pt);

#define JUDGE_MAX_PARTS 8

/* One effect a judge measured, for the forest plot. */
struct judge_part {
	char name[64];
	struct judged j;
	const char *unit;                /* of a shift: "s", "MiB" */
	double reference;                /* a shift's reference median, to draw it as a ratio */
};

struct judge {
	const struct groups *gs;
	json_t *ctx;                     /* context.json, or an empty object */
	int cores;                       /* the machine's cores, from the context */
	int w;                           /* where strategies are compared */
	FILE *out;                       /* the report's text; NULL when judging silently */
	double conf;                     /* of every interval: 0.95 */
	struct point base;               /* the folder's scenario, seed and mix */
	char base_scenario[64];
	char base_workload[160], base_options[160]; /* the folder's most common (as long as a key's cell) */
	struct judge_part parts[JUDGE_MAX_PARTS];
	int nparts;
	char conclusion[400];            /* the verdict's sentence, from judge_conclude */
};

struct finding {
	const char *id;
	const char *claim;
	const char *experiment;
	bool grid;                       /* the grid answers it (perhaps with points of its own) */
	/* A claim of the wildfire study about the fire model: not applicable
	 * to a folder of another workload, and no points of it are planned. */
	bool fire_only;
	int (*points)(const struct finding_plan *plan, finding_add_fn add, void *arg);
	enum verdict (*judge)(struct judge *j);
};

extern const struct finding findings_wildfire[];
extern const int findings_wildfire_count;
extern const struct finding findings_other[];
extern const int findings_other_count;

/* Every finding in id order of the documentation: F, S, T, X, B. */
int finding_count(void);
const struct finding *finding_at(int i);
const struct finding *finding_find(const char *id);

/* Judges f over the judge j (judge_init): its verdict, or not applicable
 * for a finding about the fire model in a folder of another workload. */
enum verdict finding_judge(const struct finding *f, struct judge *j);

/* ---- for judges ---------------------------------------------------- */

/* Sets up j over gs: the machine's cores from ctx, where to compare, and
 * the folder's base point (its most common scenario, seed and mix). */
void judge_init(struct judge *j, const struct groups *gs, json_t *ctx, FILE *out);

/* A point of strategy at workers and jobs with the folder's base
 * parameters and every other setting at its default; the caller changes
 * what its experiment varies, then looks it up with judge_find. */
struct point judge_point(const struct judge *j, const char *strategy, int workers, int jobs);
/* The group that measured pt, or NULL (also for a strategy not built). */
const struct group *judge_find(const struct judge *j, const struct point *pt);
/* The group of strategy at workers with the most jobs that serial also
 * ran (the grid's), else with the most jobs; workers 0: the most workers. */
const struct group *judge_pick(const struct judge *j, const char *strategy, int workers);
/* The same batch (workers, jobs and base) for another strategy. */
const struct group *judge_peer(const struct judge *j, const char *strategy, const struct group *g);
/* Serial's group of the same batch. */
const struct group *judge_serial(const struct judge *j, int jobs);

/* "4 KiB pages", "2 MiB pages": the page size a group's shared inputs
 * got (its most common), or "" where the folder does not say; into buf. */
const char *judge_pages(const struct group *g, char *buf, size_t len);

/* printf to j->out, if any. */
void judge_printf(struct judge *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "**Not measured in this folder**: what." */
enum verdict judge_missing(struct judge *j, const char *what);

/* Effects, each recorded as a part and judged against its claim.  The
 * ratio of metric m of x to y (x / y, from their repetitions), times
 * scale; the shift x - y in the metric's unit; the median of one group's
 * metric, or of the per-row ratio of two of its metrics (den G_NMETRIC:
 * none), times scale.  A shift is scaled into unit (threshold in it). */
enum verdict judge_ratio(struct judge *j, const char *name, const struct group *x, const struct group *y,
			 enum group_metric m, double scale, enum claim_kind kind, double threshold);
enum verdict judge_shift(struct judge *j, const char *name, const struct group *x, const struct group *y,
			 enum group_metric m, double scale, const char *unit, enum claim_kind kind,
			 double threshold);
enum verdict judge_median(struct judge *j, const char *name, const struct group *g, enum group_metric num,
			  enum group_metric den, double scale, enum claim_kind kind, double threshold);
/* The last part recorded (for its numbers in the text). */
const struct judged *judge_last(const struct judge *j);
/* Ends a judgement: lists every part (its effect, interval, claim and
 * verdict, and for an inconclusive one what would settle it) and keeps
 * the sentence that goes with the verdict for the report to print.
 * Returns v. */
enum verdict judge_conclude(struct judge *j, enum verdict v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
