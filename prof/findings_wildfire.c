/*
 * findings_wildfire.c - the findings of the wildfire ensemble study
 * (F01-F13: identical 12-hour fires on a 1.55 GB landscape), each with
 * the points its experiment adds to a sweep and its judge (finding.h).
 * A claim made of Python is measured in its C form; finding that it does
 * not carry over to C is a result.  Thresholds are the claims' own where
 * they give one, else what "noticeably" or "the same" must at least mean:
 * a difference counts from 2 % of the wall time (5 % where the claim
 * says noticeably), sameness is within 5 %.
 */
#include "finding.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MIB (1.0 / 1048576.0)

/* F01 --------------------------------------------------------------- */

static int f01_points(const struct finding_plan *plan, finding_add_fn add, void *arg)
{
	static const char *const s[] = { "pool-copy", "pool-shm" };
	int rc = 0;
	for (int i = 0; i < 2 && !rc; i++) {
		struct point pt = finding_plan_point(plan, s[i], plan->w, 2 * plan->w);
		pt.p.dtype = WORKLOAD_F64;
		rc = finding_add(add, arg, &pt);
	}
	return rc;
}

static enum verdict f01(struct judge *j)
{
	static const char *const s[] = { "pool-shm", "pool-copy" };
	for (int i = 0; i < 2; i++) {
		struct point p64 = judge_point(j, s[i], j->w, 2 * j->w), p32 = p64;
		p64.p.dtype = WORKLOAD_F64;
		const struct group *a = judge_find(j, &p64), *b = judge_find(j, &p32);
		if (!a || !b)
			continue;
		judge_printf(j, "%s at %d workers, %d jobs: float64 inputs are %.2fx the bytes; median peak PSS %.0f MiB "
			     "against %.0f MiB, wall %.3f s against %.3f s.\n",
			     s[i], a->workers, a->jobs, group_median(a, G_INPUT) / group_median(b, G_INPUT),
			     group_median(a, G_PSS) * MIB, group_median(b, G_PSS) * MIB, group_median(a, G_WALL),
			     group_median(b, G_WALL));
		enum verdict mem = judge_ratio(j, "peak PSS, f64 / f32", a, b, G_PSS, 1, CLAIM_ABOVE, 1.2);
		enum verdict time = judge_ratio(j, "wall, f64 / f32", a, b, G_WALL, 1, CLAIM_ABOVE, 1.02);
		return judge_conclude(j, verdict_and(mem, time), "float64 inputs change %s's peak PSS by %+.0f %% and its "
				      "wall time by %+.1f %%", s[i], (j->parts[0].j.e.estimate - 1) * 100,
				      (j->parts[1].j.e.estimate - 1) * 100);
	}
	return judge_missing(j, "needs pool-shm (or pool-copy) with --dtype f64 and f32 at the same point (preset "
			     "findings)");
}

/* F02 --------------------------------------------------------------- */

/* The fastest default variant of another strategy on g's batch. */
static const struct group *fastest_other(const struct judge *j, const struct group *g)
{
	const struct group *best = NULL;
	for (int i = 0; i < strategy_registry_count; i++) {
		const char *name = strategy_registry[i].name;
		if (!strategy_registry[i].strategy || !strcmp(name, "serial") || !strcmp(name, g->strategy))
			continue;
		const struct group *o = judge_peer(j, name, g);
		if (o && (!best || group_median(o, G_WALL) < group_median(best, G_WALL)))
			best = o;
	}
	return best;
}

static enum verdict f02(struct judge *j)
{
	const struct group *fpj = judge_pick(j, "fork-per-job", j->w), *o = fpj ? fastest_other(j, fpj) : NULL;
	if (!fpj || !o)
		return judge_missing(j, "needs fork-per-job and another strategy on the same batch");
	int copies = fpj->workers < fpj->jobs ? fpj->workers : fpj->jobs;
	judge_printf(j, "At %d workers, %d jobs: fork-per-job %.3f s, the fastest other (%s) %.3f s; fork-per-job's "
		     "peak PSS is %.2f x the inputs (%d processes at once).\n",
		     fpj->workers, fpj->jobs, group_median(fpj, G_WALL), o->label, group_median(o, G_WALL),
		     group_median(fpj, G_PSS) / group_median(fpj, G_INPUT), copies);
	enum verdict fast = judge_ratio(j, "wall of the fastest other / fork-per-job", o, fpj, G_WALL, 1, CLAIM_ABOVE, 1.0);
	enum verdict dup = judge_median(j, "peak PSS / inputs", fpj, G_PSS, G_INPUT, 1, CLAIM_ABOVE, 0.8 * copies);
	return judge_conclude(j, verdict_and(fast, dup), "fork-per-job against %s: %.2fx the wall time; %.2f copies "
			      "of the inputs", o->label, 1 / j->parts[0].j.e.estimate, j->parts[1].j.e.estimate);
}

/* F03 --------------------------------------------------------------- */

static enum verdict f03(struct judge *j)
{
	const struct group *pc = judge_pick(j, "pool-copy", j->w), *fpj = judge_peer(j, "fork-per-job", pc);
	if (!pc || !fpj)
		return judge_missing(j, "needs pool-copy and fork-per-job on the same batch");
	judge_printf(j, "At %d workers, %d jobs: pool-copy minus fork-per-job median wall %+.3f s (the claim: "
		     "+0.25 s); peak PSS %.0f MiB against %.0f MiB (the claim: the same).\n",
		     pc->workers, pc->jobs, group_median(pc, G_WALL) - group_median(fpj, G_WALL),
		     group_median(pc, G_PSS) * MIB, group_median(fpj, G_PSS) * MIB);
	enum verdict slower = judge_ratio(j, "wall, pool-copy / fork-per-job", pc, fpj, G_WALL, 1, CLAIM_ABOVE, 1.0);
	enum verdict same = judge_ratio(j, "peak PSS, pool-copy / fork-per-job", pc, fpj, G_PSS, 1, CLAIM_WITHIN, 1.15);
	return judge_conclude(j, verdict_and(slower, same), "the pool takes %.2fx the loop's time with %.2fx its "
			      "memory", j->parts[0].j.e.estimate, j->parts[1].j.e.estimate);
}

/* F04 --------------------------------------------------------------- */

static struct point f04_point(const struct finding_plan *plan, bool spawn, int chunk)
{
	struct point pt = finding_plan_point(plan, "pool-copy", plan->w, 4 * plan->w);
	pt.p.start = spawn ? STRATEGY_START_SPAWN : STRATEGY_START_FORK;
	pt.p.chunksize = chunk;
	return pt;
}

static int f04_points(const struct finding_plan *plan, finding_add_fn add, void *arg)
{
	int rc = 0;
	for (int k = 0; k < 4 && !rc; k++) {
		struct point pt = f04_point(plan, k / 2, k % 2 ? 4 : 1);
		rc = finding_add(add, arg, &pt);
	}
	return rc;
}

static enum verdict f04(struct judge *j)
{
	const struct group *g[4];
	for (int k = 0; k < 4; k++) {
		struct point pt = judge_point(j, "pool-copy", j->w, 4 * j->w);
		pt.p.start = k / 2 ? STRATEGY_START_SPAWN : STRATEGY_START_FORK;
		pt.p.chunksize = k % 2 ? 4 : 1;
		if (!(g[k] = judge_find(j, &pt)))
			return judge_missing(j, "needs pool-copy at fork and spawn x chunksize 1 and 4, 4 jobs per worker "
					     "(preset findings)");
	}
	judge_printf(j, "pool-copy, %d workers, %d jobs, median wall: fork %.3f s (chunksize 1), %.3f s (4); spawn "
		     "%.3f s, %.3f s.\n",
		     g[0]->workers, g[0]->jobs, group_median(g[0], G_WALL), group_median(g[1], G_WALL),
		     group_median(g[2], G_WALL), group_median(g[3], G_WALL));
	enum verdict v = judge_ratio(j, "wall, spawn chunksize 4 / fork chunksize 1", g[3], g[0], G_WALL, 1,
				     CLAIM_BELOW, 0.95);
	return judge_conclude(j, v, "spawn with a large chunksize takes %.2fx the time of fork with chunksize 1 "
			      "(noticeably faster means below 0.95x)", j->parts[0].j.e.estimate);
}

/* F05 --------------------------------------------------------------- */

static enum verdict f05(struct judge *j)
{
	/* The fastest default variant at the most workers, among those also
	 * run on one worker. */
	const struct group *top = NULL, *one = NULL;
	double best = 0;
	for (size_t i = 0; j->w > 1 && i < j->gs->n; i++) {
		const struct group *g = &j->gs->g[i], *s = judge_serial(j, g->jobs), *o;
		if (g->workers != j->w || !strcmp(g->strategy, "serial") || !s || judge_peer(j, g->strategy, g) != g)
			continue;
		double sp = group_median(s, G_WALL) / group_median(g, G_WALL);
		if (sp > best && (o = judge_pick(j, g->strategy, 1))) {
			best = sp;
			top = g;
			one = o;
		}
	}
	if (!top)
		return judge_missing(j, "needs one strategy at 1 worker and at several");
	judge_printf(j, "%s: %.1f Mha/(CPU h) at 1 worker, %.1f at %d workers.\n", top->label,
		     group_median(one, G_MHA), group_median(top, G_MHA), top->workers);
	enum verdict v = judge_ratio(j, "Mha/(CPU h) at the most workers / at 1", top, one, G_MHA, 1, CLAIM_BELOW, 0.95);
	return judge_conclude(j, v, "throughput per core at %d workers is %.2fx that at one (a fall counts below "
			      "0.95x)", top->workers, j->parts[0].j.e.estimate);
}

/* F06 --------------------------------------------------------------- */

/* pool-shm forced to 4 KiB pages beside its default, at the grid's
 * batches: the default may get huge pages, and the claim's pool had none. */
static int f06_points(const struct finding_plan *plan, finding_add_fn add, void *arg)
{
	int rc = 0;
	for (int r = 0; r < plan->nratios && !rc; r++) {
		struct point pt = finding_plan_point(plan, "pool-shm", plan->w, (int)(plan->w * plan->ratios[r]));
		pt.p.pages = STRATEGY_PAGES_4K;
		rc = finding_add(add, arg, &pt);
	}
	return rc;
}

/* The one-copy variants beside the judged pool-shm: forced 4 KiB pages and
 * pool-cow's copy shared by fork. */
static void f06_variants(struct judge *j, const struct group *shm, const struct group *pc)
{
	struct point p4 = judge_point(j, "pool-shm", shm->workers, shm->jobs);
	p4.p.pages = STRATEGY_PAGES_4K;
	const struct group *shm4 = judge_find(j, &p4), *cow = judge_peer(j, "pool-cow", shm);
	char pages[32];
	if (shm4 && shm4 != shm)
		judge_printf(j, "pool-shm at 4 KiB pages: %.0f MiB, %+.3f s against pool-copy.\n",
			     group_median(shm4, G_PSS) * MIB, group_median(shm4, G_WALL) - group_median(pc, G_WALL));
	if (cow)
		judge_printf(j, "pool-cow (one copy shared by fork, %s): %.0f MiB, %+.3f s against pool-copy.\n",
			     judge_pages(cow, pages, sizeof pages)[0] ? pages : "pages not recorded",
			     group_median(cow, G_PSS) * MIB, group_median(cow, G_WALL) - group_median(pc, G_WALL));
}

static enum verdict f06(struct judge *j)
{
	const struct group *shm = judge_pick(j, "pool-shm", j->w), *pc = judge_peer(j, "pool-copy", shm);
	char pages[32];
	if (!shm || !pc)
		return judge_missing(j, "needs pool-shm and pool-copy on the same batch");
	judge_pages(shm, pages, sizeof pages);
	judge_printf(j, "At %d workers, %d jobs: peak PSS pool-copy %.0f MiB, pool-shm %.0f MiB%s%s%s (the claim: about "
		     "5x less, which needs 5 workers); pool-shm minus pool-copy median wall %+.3f s (the claim: +0.75 s).\n",
		     shm->workers, shm->jobs, group_median(pc, G_PSS) * MIB, group_median(shm, G_PSS) * MIB,
		     pages[0] ? " (" : "", pages, pages[0] ? ")" : "",
		     group_median(shm, G_WALL) - group_median(pc, G_WALL));
	f06_variants(j, shm, pc);
	enum verdict cut = judge_ratio(j, "peak PSS, pool-copy / pool-shm", pc, shm, G_PSS, 1, CLAIM_ABOVE, 1.5);
	enum verdict cost = judge_ratio(j, "wall, pool-shm / pool-copy", shm, pc, G_WALL, 1, CLAIM_ABOVE, 1.0);
	return judge_conclude(j, verdict_and(cut, cost), "shared inputs%s%s cut the memory %.2fx for %.2fx the time",
			      pages[0] ? " in " : "", pages, j->parts[0].j.e.estimate, j->parts[1].j.e.estimate);
}

/* F07 --------------------------------------------------------------- */

static int f07_points(const struct finding_plan *plan, finding_add_fn add, void *arg)
{
	struct point pt = finding_plan_point(plan, "pool-shm", plan->w, 2 * plan->w);
	pt.p.attach = STRATEGY_ATTACH_JOB;
	return finding_add(add, arg, &pt);
}

static enum verdict f07(struct judge *j)
{
	struct point pw = judge_point(j, "pool-shm", j->w, 2 * j->w), pj = pw;
	pj.p.attach = STRATEGY_ATTACH_JOB;
	const struct group *job = judge_find(j, &pj), *worker = judge_find(j, &pw);
	if (!job || !worker)
		return judge_missing(j, "needs pool-shm --attach job and worker at the same point (preset findings)");
	judge_printf(j, "At %d workers, %d jobs: attach per job %.3f s, per worker %.3f s; peak PSS per job minus per "
		     "worker %+.0f MiB.\n",
		     job->workers, job->jobs, group_median(job, G_WALL), group_median(worker, G_WALL),
		     (group_median(job, G_PSS) - group_median(worker, G_PSS)) * MIB);
	enum verdict v = judge_ratio(j, "wall, attach per job / per worker", job, worker, G_WALL, 1, CLAIM_WITHIN, 1.05);
	return judge_conclude(j, v, "attaching per job takes %.3fx the time of attaching once per worker (the same "
			      "means within 5 %%)", j->parts[0].j.e.estimate);
}

/* F08 --------------------------------------------------------------- */

static enum verdict f08(struct judge *j)
{
	const struct group *th = judge_pick(j, "pthreads", j->w), *shm = judge_peer(j, "pool-shm", th);
	if (!th || !shm)
		return judge_missing(j, "needs pthreads and pool-shm on the same batch");
	judge_printf(j, "At %d workers, %d jobs: pthreads %.3f s, pool-shm %.3f s; pthreads' peak PSS is %.1f %% below "
		     "pool-shm's (the claim: 5 %%).\n",
		     th->workers, th->jobs, group_median(th, G_WALL), group_median(shm, G_WALL),
		     (1 - group_median(th, G_PSS) / group_median(shm, G_PSS)) * 100);
	/* Speedups on the same batch compare as the inverse of the walls. */
	enum verdict v = judge_ratio(j, "speedup, pthreads / pool-shm", shm, th, G_WALL, 1, CLAIM_BELOW, 0.9);
	return judge_conclude(j, v, "C has no interpreter lock: threads reach %.2fx pool-shm's speedup (under-use "
			      "means below 0.9x)", j->parts[0].j.e.estimate);
}

/* F09 --------------------------------------------------------------- */

static enum verdict f09(struct judge *j)
{
	return judge_conclude(j, VERDICT_NOT_APPLICABLE,
			      "spreadbench has no task-graph scheduler; the comparable C engines (process pools, threads, "
			      "MPI) are measured under F02-F11");
}

/* F10, F11 ------------------------------------------------------------ */

static enum verdict f10(struct judge *j)
{
	const struct group *mpi = judge_pick(j, "mpi-shm", j->w), *shm = judge_peer(j, "pool-shm", mpi);
	if (!mpi || !shm)
		return judge_missing(j, "needs mpi-shm and pool-shm on the same batch");
	char pm[32], ps[32];
	judge_printf(j, "At %d workers, %d jobs: mpi-shm %.3f s and %.0f MiB (%s), pool-shm %.3f s and %.0f MiB (%s).\n",
		     mpi->workers, mpi->jobs, group_median(mpi, G_WALL), group_median(mpi, G_PSS) * MIB,
		     judge_pages(mpi, pm, sizeof pm)[0] ? pm : "pages not recorded", group_median(shm, G_WALL),
		     group_median(shm, G_PSS) * MIB, judge_pages(shm, ps, sizeof ps)[0] ? ps : "pages not recorded");
	enum verdict t = judge_shift(j, "wall, mpi-shm - pool-shm", mpi, shm, G_WALL, 1, "s", CLAIM_ABOVE, 1.0);
	enum verdict m = judge_shift(j, "peak PSS, mpi-shm - pool-shm", mpi, shm, G_PSS, MIB, "MiB", CLAIM_ABOVE, 1024);
	return judge_conclude(j, verdict_and(t, m), "the engine costs %+.3f s and %+.0f MiB over the pool (the claim: "
			      "seconds and gigabytes)", j->parts[0].j.e.estimate, j->parts[1].j.e.estimate);
}

static enum verdict f11(struct judge *j)
{
	const struct group *mpi = judge_pick(j, "mpi-shm", j->w), *shm = judge_peer(j, "pool-shm", mpi);
	if (!mpi || !shm)
		return judge_missing(j, "needs mpi-shm and pool-shm on the same batch");
	char pm[32], ps[32];
	judge_printf(j, "At %d workers: mpi-shm's setup (launch and windows in %s) %.3f s = %.0f %% of its wall; "
		     "pool-shm's (its memfd in %s) %.3f s.\n",
		     mpi->workers, judge_pages(mpi, pm, sizeof pm)[0] ? pm : "pages not recorded",
		     group_median(mpi, G_SETUP), group_median(mpi, G_SETUP) / group_median(mpi, G_WALL) * 100,
		     judge_pages(shm, ps, sizeof ps)[0] ? ps : "pages not recorded", group_median(shm, G_SETUP));
	enum verdict v = judge_shift(j, "setup, mpi-shm - pool-shm", mpi, shm, G_SETUP, 1, "s", CLAIM_ABOVE, 0.5);
	return judge_conclude(j, v, "starting the engine costs %+.3f s over the pool (the claim: about 1 s; it "
			      "counts from 0.5 s)", j->parts[0].j.e.estimate);
}

/* F12 --------------------------------------------------------------- */

static int f12_points(const struct finding_plan *plan, finding_add_fn add, void *arg)
{
	struct point pt = finding_plan_point(plan, "mpi-shm", plan->w, 2 * plan->w);
	pt.p.schedule = STRATEGY_SCHEDULE_DYNAMIC;
	return finding_add(add, arg, &pt);
}

static enum verdict f12(struct judge *j)
{
	struct point ps = judge_point(j, "mpi-shm", j->w, 2 * j->w), pd = ps;
	pd.p.schedule = STRATEGY_SCHEDULE_DYNAMIC;
	const struct group *st = judge_find(j, &ps), *dyn = judge_find(j, &pd);
	if (!st || !dyn)
		return judge_missing(j, "needs mpi-shm with schedule block (a static plan) and dynamic (rank 0 hands out "
				     "jobs) at the same point (preset findings)");
	judge_printf(j, "At %d ranks, %d jobs: static %.3f s, dynamic %.3f s.\n", st->workers, st->jobs,
		     group_median(st, G_WALL), group_median(dyn, G_WALL));
	enum verdict v = judge_ratio(j, "wall, dynamic / static", dyn, st, G_WALL, 1, CLAIM_WITHIN, 1.05);
	return judge_conclude(j, v, "the dynamic distribution takes %.3fx the static one's time (the same means within "
			      "5 %%)", j->parts[0].j.e.estimate);
}

/* F13 --------------------------------------------------------------- */

static int f13_points(const struct finding_plan *plan, finding_add_fn add, void *arg)
{
	int rc = 0;
	for (int n = 0; n < 2 && !rc; n++) {
		struct point pt = finding_plan_point(plan, "pool-copy", plan->w, 2 * plan->w);
		pt.p.nice = n ? 10 : 0;
		pt.load = plan->w;
		rc = finding_add(add, arg, &pt);
	}
	return rc;
}

static enum verdict f13(struct judge *j)
{
	struct point p0 = judge_point(j, "pool-copy", j->w, 2 * j->w), p10 = p0, quiet = p0;
	p0.load = p10.load = j->w;
	p10.p.nice = 10;
	const struct group *a = judge_find(j, &p10), *b = judge_find(j, &p0), *q = judge_find(j, &quiet);
	if (!a || !b)
		return judge_missing(j, "needs pool-copy workers at nice 10 and nice 0 beside as many spinning processes "
				     "as cores (preset findings)");
	judge_printf(j, "At %d workers, %d jobs, beside %d spinning processes at nice 0: workers at nice 10 %.3f s, at "
		     "nice 0 %.3f s (without the load: %.3f s).\n",
		     a->workers, a->jobs, j->w, group_median(a, G_WALL), group_median(b, G_WALL),
		     q ? group_median(q, G_WALL) : NAN);
	enum verdict v = judge_ratio(j, "wall, nice 10 / nice 0, beside a load", a, b, G_WALL, 1, CLAIM_ABOVE, 1.2);
	return judge_conclude(j, v, "low-priority workers take %.2fx as long as workers at equal priority (pre-empted "
			      "means above 1.2x)", j->parts[0].j.e.estimate);
}

const struct finding findings_wildfire[] = {
	{ .id = "F01", .fire_only = true, .claim = "float32 inputs avoid copies; float64 costs memory and time",
	  .experiment = "dtype f32 vs f64, same strategy", .points = f01_points, .judge = f01 },
	{ .id = "F02", .fire_only = true, .claim = "one process per job is the fastest way, but duplicates all inputs",
	  .experiment = "fork-per-job vs the other strategies on the same batch", .grid = true, .judge = f02 },
	{ .id = "F03", .fire_only = true, .claim = "a pool with copied inputs is ~250 ms slower than the loop, same memory",
	  .experiment = "pool-copy vs fork-per-job", .grid = true, .judge = f03 },
	{ .id = "F04", .fire_only = true, .claim = "spawn with a large chunksize is noticeably faster",
	  .experiment = "start spawn vs fork x chunksize 1 vs 4, 4 jobs per worker", .points = f04_points,
	  .judge = f04 },
	{ .id = "F05", .fire_only = true, .claim = "throughput per core falls as more cores run at once",
	  .experiment = "Mha/(CPU h) at 1 worker vs the most", .grid = true, .judge = f05 },
	{ .id = "F06", .fire_only = true, .claim = "shared-memory inputs cut memory ~5x for ~750 ms more runtime",
	  .experiment = "pool-shm (its default pages and 4 KiB) and pool-cow vs pool-copy", .grid = true,
	  .points = f06_points, .judge = f06 },
	{ .id = "F07", .fire_only = true, .claim = "attaching shared inputs once per worker brings no gain",
	  .experiment = "pool-shm attach per job vs per worker", .points = f07_points, .judge = f07 },
	{ .id = "F08", .fire_only = true, .claim = "threads under-use the cores and save only ~5% memory vs shm processes",
	  .experiment = "pthreads vs pool-shm", .grid = true, .judge = f08 },
	{ .id = "F09", .fire_only = true, .claim = "a task-graph scheduler adds ~7% memory and ~20% time",
	  .experiment = "no task-graph engine in scope", .judge = f09 },
	{ .id = "F10", .fire_only = true, .claim = "a distributed engine on one node costs seconds and GBs more",
	  .experiment = "mpi-shm vs pool-shm, each with the pages it got", .grid = true, .judge = f10 },
	{ .id = "F11", .fire_only = true, .claim = "the engine must be started early or it costs ~1 s and GBs more",
	  .experiment = "mpi-shm setup vs pool-shm setup", .grid = true, .judge = f11 },
	{ .id = "F12", .fire_only = true, .claim = "two APIs of the same engine perform the same",
	  .experiment = "mpi-shm static vs dynamic", .points = f12_points, .judge = f12 },
	{ .id = "F13", .fire_only = true, .claim = "cluster workers at low priority get pre-empted",
	  .experiment = "workers at nice 10 under load vs nice 0", .points = f13_points, .judge = f13 },
};
const int findings_wildfire_count = (int)(sizeof findings_wildfire / sizeof findings_wildfire[0]);
