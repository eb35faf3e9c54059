/*
 * findings_other.c - the findings of a physics-run pipeline (S01-S05,
 * runs of unequal size), a fusion-data search tool (T01-T03), a modelling
 * framework (X01), and those none of them measured (B01-B04), each with
 * the points its experiment adds to a sweep and its judge (finding.h).
 */
#include "finding.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1.0 / 1048576.0)

/* S01 --------------------------------------------------------------- */

/* Unequal jobs sorted by cost, largest first, as a naive split of a
 * sorted list deals them: contiguous blocks are then as unequal as they
 * can be, which is what serpentine dealing is meant to repair. */
static struct point s01_point(struct point pt, int k)
{
	pt.p.mix = WORKLOAD_JOBS_MIXED;
	pt.p.order = STRATEGY_ORDER_COST;
	pt.p.schedule = (enum strategy_schedule)k;
	return pt;
}

static int s01_points(const struct finding_plan *plan, finding_add_fn add, void *arg)
{
	int rc = 0;
	for (int k = 0; k < 3 && !rc; k++) {
		struct point pt = s01_point(finding_plan_point(plan, "pool-copy", plan->w, 4 * plan->w), k);
		rc = finding_add(add, arg, &pt);
	}
	return rc;
}

static enum verdict s01(struct judge *j)
{
	static const char *const name[] = { "block", "snake", "dynamic" };
	const struct group *g[3];
	double over[3];
	for (int k = 0; k < 3; k++) {
		struct point pt = s01_point(judge_point(j, "pool-copy", j->w, 4 * j->w), k);
		if (!(g[k] = judge_find(j, &pt)))
			return judge_missing(j, "needs pool-copy with unequal jobs sorted by cost, dealt block, snake and "
					     "dynamic (preset findings)");
		over[k] = 1 / group_median(g[k], G_BUSY) - 1;
	}
	judge_printf(j, "Unequal jobs sorted by cost, %d workers, %d jobs: makespan (compute phase) %.3f s %s, "
		     "%.3f s %s, %.3f s %s; over the ideal (the jobs' total time / workers) by %.1f %%, %.1f %%, "
		     "%.1f %%. ![makespan](plots/makespan.png)\n",
		     g[0]->workers, g[0]->jobs, group_median(g[0], G_COMPUTE), name[0], group_median(g[1], G_COMPUTE),
		     name[1], group_median(g[2], G_COMPUTE), name[2], over[0] * 100, over[1] * 100, over[2] * 100);
	enum verdict v = judge_ratio(j, "makespan, snake / block", g[1], g[0], G_COMPUTE, 1, CLAIM_BELOW, 0.95);
	return judge_conclude(j, v, "serpentine dealing takes %.2fx the makespan of contiguous blocks (balancing "
			      "means below 0.95x)", j->parts[0].j.e.estimate);
}

/* S02 --------------------------------------------------------------- */

static int s02_points(const struct finding_plan *plan, finding_add_fn add, void *arg)
{
	struct point pt = finding_plan_point(plan, "pool-copy", plan->w, 2 * plan->w + 1);
	return finding_add(add, arg, &pt);
}

static enum verdict s02(struct judge *j)
{
	struct point pe = judge_point(j, "pool-copy", j->w, 2 * j->w), po = judge_point(j, "pool-copy", j->w, 2 * j->w + 1);
	const struct group *even = judge_find(j, &pe), *odd = judge_find(j, &po);
	if (!even || !odd)
		return judge_missing(j, "needs pool-copy with 2 x workers and 2 x workers + 1 jobs (preset findings)");
	if (j->w < 2)
		return judge_conclude(j, VERDICT_NOT_APPLICABLE, "one worker never waits for another");
	double job = group_median(even, G_COMPUTE) / 2;
	judge_printf(j, "%d workers: tail idle time (the first worker idle to the end) %.3f s at %d jobs, %.3f s at %d "
		     "jobs; a job takes about %.3f s.\n",
		     j->w, group_median(even, G_TAIL), even->jobs, group_median(odd, G_TAIL), odd->jobs, job);
	enum verdict v = judge_shift(j, "tail idle time, one job more", odd, even, G_TAIL, 1, "s", CLAIM_ABOVE, 0.5 * job);
	return judge_conclude(j, v, "one job past a multiple of the workers leaves the others idle %+.3f s longer "
			      "(it counts from half a job, %.3f s)", j->parts[0].j.e.estimate, 0.5 * job);
}

/* S03 --------------------------------------------------------------- */

static enum verdict s03(struct judge *j)
{
	int c = j->cores;
	static const char *const pools[] = { "pool-shm", "pool-copy" };
	const struct group *at[3] = { NULL, NULL, NULL };
	const char *label = NULL;
	for (int i = 0; i < 2 && !label; i++) {
		for (int k = 0; k < 3; k++)
			at[k] = c >= 2 ? judge_pick(j, pools[i], c - 1 + k) : NULL;
		if (at[0] && at[1] && at[2])
			label = pools[i];
	}
	if (!label)
		return judge_missing(j, "needs one pool at cores - 1, cores and cores + 1 workers (the full preset)");
	double e[3];
	for (int k = 0; k < 3; k++) {
		const struct group *s = judge_serial(j, at[k]->jobs);
		e[k] = s ? group_median(s, G_WALL) / group_median(at[k], G_WALL) / at[k]->workers : NAN;
	}
	judge_printf(j, "%s efficiency at %d, %d, %d workers: %.2f, %.2f, %.2f.\n", label, c - 1, c, c + 1, e[0], e[1], e[2]);
	if (isnan(e[0]) || isnan(e[1]))
		return judge_missing(j, "needs serial on the same batches");
	/* Efficiency is serial time / (wall x workers); with the serial
	 * medians as constants the ratio of two efficiencies is a ratio of
	 * walls times k. */
	double k = (e[1] * group_median(at[1], G_WALL)) / (e[0] * group_median(at[0], G_WALL));
	enum verdict v = judge_ratio(j, "efficiency, every core / one core left free", at[0], at[1], G_WALL, k,
				     CLAIM_BELOW, 0.9);
	return judge_conclude(j, v, "using every core gives %.2fx the efficiency of leaving one free (the claim needs "
			      "below 0.9x)", j->parts[0].j.e.estimate);
}

/* S04 --------------------------------------------------------------- */

static enum verdict s04(struct judge *j)
{
	const char *kinds = json_string_value(json_object_get(j->ctx, "cpu_kinds"));
	if (kinds && strncmp(kinds, "1 kind", 6) == 0)
		return judge_conclude(j, VERDICT_NOT_APPLICABLE, "hwloc reports one kind of CPU (%s), no "
				      "performance/efficiency split", kinds);
	return judge_missing(j, "a hybrid CPU (or an unknown one), but no P-core-only run in this folder");
}

/* S05 --------------------------------------------------------------- */

static enum verdict s05(struct judge *j)
{
	const struct group *shm = judge_pick(j, "pool-shm", j->w);
	if (!shm || isnan(group_median(shm, G_SETUP_PEAK)))
		return judge_missing(j, "needs pool-shm rows with setup_peak_pss_bytes");
	double in = group_median(shm, G_INPUT);
	if (in < 64 * 1048576.0)
		return judge_conclude(j, VERDICT_NOT_APPLICABLE, "the %s inputs (%.1f MiB) are too small against the "
				      "processes' own memory for the ratio to say anything; run it on prof",
				      j->gs->scenario, in * MIB);
	char pages[32];
	judge_printf(j, "pool-shm at %d workers (%s): the peak PSS up to the end of setup (shared inputs built, "
		     "workers attached) is %.2f x the inputs (%.0f MiB).\n",
		     shm->workers, judge_pages(shm, pages, sizeof pages)[0] ? pages : "pages not recorded",
		     group_median(shm, G_SETUP_PEAK) / in, in * MIB);
	const struct group *cow = judge_peer(j, "pool-cow", shm);
	if (cow && !isnan(group_median(cow, G_SETUP_PEAK)))
		judge_printf(j, "pool-cow (built once in private memory, %s, then forked): %.2f x the inputs.\n",
			     judge_pages(cow, pages, sizeof pages)[0] ? pages : "pages not recorded",
			     group_median(cow, G_SETUP_PEAK) / in);
	enum verdict v = judge_median(j, "peak PSS during setup / inputs", shm, G_SETUP_PEAK, G_INPUT, 1, CLAIM_ABOVE, 1.8);
	return judge_conclude(j, v, "loading needs %.2fx the inputs' size (twice means above 1.8x)",
			      j->parts[0].j.e.estimate);
}

/* T01 --------------------------------------------------------------- */

static enum verdict t01(struct judge *j)
{
	static const char *const pools[] = { "pool-shm", "pool-copy", "fork-per-job" };
	const struct group *pool = NULL, *mpi = NULL;
	for (int i = 0; i < 3; i++) {
		const struct group *g = judge_pick(j, pools[i], j->w), *m = judge_peer(j, "mpi-shm", g);
		if (g && m && (!pool || group_median(g, G_WALL) < group_median(pool, G_WALL))) {
			pool = g;
			mpi = m;
		}
	}
	if (!pool)
		return judge_missing(j, "needs a process pool and mpi-shm on the same batch");
	judge_printf(j, "At %d workers, %d jobs: the best pool, %s, %.3f s; mpi-shm %.3f s (the claim: 6.65x against "
		     "3.9x speedup on 8 cores).\n",
		     pool->workers, pool->jobs, pool->label, group_median(pool, G_WALL), group_median(mpi, G_WALL));
	enum verdict v = judge_ratio(j, "speedup, best pool / mpi-shm", mpi, pool, G_WALL, 1, CLAIM_ABOVE, 1.0);
	return judge_conclude(j, v, "the pool's speedup is %.2fx mpi-shm's", j->parts[0].j.e.estimate);
}

/* T02 --------------------------------------------------------------- */

static int t02_points(const struct finding_plan *plan, finding_add_fn add, void *arg)
{
	struct point pt = finding_plan_point(plan, "pool-copy", plan->w, 2 * plan->w);
	pt.p.job_threads = -1;
	return finding_add(add, arg, &pt);
}

static enum verdict t02(struct judge *j)
{
	struct point po = judge_point(j, "pool-copy", j->w, 2 * j->w);
	const struct group *one = judge_find(j, &po), *nested = NULL;
	/* OpenMP's default team was resolved on the measuring machine: any
	 * other count than one, with every other setting the default. */
	for (size_t i = 0; one && i < j->gs->n && !nested; i++) {
		const struct group *g = &j->gs->g[i];
		int ft = atoi(group_cell(g, "fire_threads"));
		struct point pn = po;
		pn.p.job_threads = ft;
		if (g->workers == j->w && g->jobs == 2 * j->w && ft > 1 && judge_find(j, &pn) == g)
			nested = g;
	}
	if (!one || !nested)
		return judge_missing(j, "needs pool-copy with --fire-threads auto and 1 at the same point, on more than "
				     "one core (preset findings)");
	judge_printf(j, "At %d workers, %d jobs: every worker's fire on %s OpenMP threads %.3f s, on one %.3f s.\n",
		     one->workers, one->jobs, group_cell(nested, "fire_threads"), group_median(nested, G_WALL),
		     group_median(one, G_WALL));
	enum verdict v = judge_ratio(j, "wall, OpenMP's default team / 1 thread", nested, one, G_WALL, 1, CLAIM_ABOVE, 1.1);
	return judge_conclude(j, v, "nested parallelism takes %.2fx as long (oversubscribed means above 1.1x)",
			      j->parts[0].j.e.estimate);
}

/* T03 --------------------------------------------------------------- */

static int t03_points(const struct finding_plan *plan, finding_add_fn add, void *arg)
{
	int rc = 0;
	for (int k = 0; k < 2 && !rc; k++) {
		struct point pt = finding_plan_point(plan, "pool-copy", plan->w, 4 * plan->w);
		pt.p.schedule = k ? STRATEGY_SCHEDULE_DYNAMIC : STRATEGY_SCHEDULE_BLOCK;
		rc = finding_add(add, arg, &pt);
	}
	return rc;
}

static enum verdict t03(struct judge *j)
{
	struct point pb = judge_point(j, "pool-copy", j->w, 4 * j->w), pd = pb;
	pd.p.schedule = STRATEGY_SCHEDULE_DYNAMIC;
	const struct group *block = judge_find(j, &pb), *dyn = judge_find(j, &pd);
	if (!block || !dyn)
		return judge_missing(j, "needs pool-copy with identical jobs, block and dynamic (preset findings)");
	judge_printf(j, "Identical jobs, %d workers, %d jobs: block %.3f s, dynamic %.3f s.\n", block->workers,
		     block->jobs, group_median(block, G_WALL), group_median(dyn, G_WALL));
	enum verdict v = judge_ratio(j, "wall, dynamic / block", dyn, block, G_WALL, 1, CLAIM_WITHIN, 1.05);
	return judge_conclude(j, v, "dynamic hand-out takes %.3fx the time of equal chunks (the same means within 5 %%)",
			      j->parts[0].j.e.estimate);
}

/* X01 --------------------------------------------------------------- */

static int x01_points(const struct finding_plan *plan, finding_add_fn add, void *arg)
{
	int rc = 0;
	for (int c = 0; c < plan->ncores && !rc; c++)
		for (int r = 0; r < plan->nratios && !rc; r++) {
			struct point pt = finding_plan_point(plan, "openmp", (int)plan->cores[c],
							     (int)(plan->cores[c] * plan->ratios[r]));
			pt.p.mode = STRATEGY_MODE_SINGLE;
			rc = finding_add(add, arg, &pt);
		}
	return rc;
}

static enum verdict x01(struct judge *j)
{
	const struct group *batch = judge_pick(j, "openmp", j->w), *single = NULL;
	if (batch) {
		struct point ps = judge_point(j, "openmp", batch->workers, batch->jobs);
		ps.p.mode = STRATEGY_MODE_SINGLE;
		single = judge_find(j, &ps);
	}
	if (!single)
		return judge_missing(j, "needs openmp --mode single and batch at the same point (preset findings, or "
				     "`sweep --strategies openmp --modes batch,single`)");
	judge_printf(j, "At %d threads, %d jobs: one fire at a time split across the team %.3f s, one fire per thread "
		     "%.3f s.\n",
		     single->workers, single->jobs, group_median(single, G_WALL), group_median(batch, G_WALL));
	enum verdict v = judge_ratio(j, "efficiency, inside one fire / across jobs", batch, single, G_WALL, 1,
				     CLAIM_BELOW, 1.0);
	return judge_conclude(j, v, "parallelism inside one fire is %.2fx as efficient as across a batch",
			      j->parts[0].j.e.estimate);
}

/* B01 --------------------------------------------------------------- */

static const uint64_t b01_sizes[] = { 0, 256ull << 20, 1ull << 30, 4ull << 30 };
#define B01_NSIZES (int)(sizeof b01_sizes / sizeof b01_sizes[0])

static struct point b01_point(struct point pt, bool spawn, int k)
{
	pt.p.start = spawn ? STRATEGY_START_SPAWN : STRATEGY_START_FORK;
	pt.parent_rss = b01_sizes[k];
	return pt;
}

static int b01_points(const struct finding_plan *plan, finding_add_fn add, void *arg)
{
	int rc = 0;
	for (int k = 0; k < B01_NSIZES && !rc; k++)
		for (int s = 0; s < 2 && !rc; s++) {
			/* a quarter of the memory at most */
			if (plan->memory_bytes && b01_sizes[k] > plan->memory_bytes / 4)
				continue;
			struct point pt = b01_point(finding_plan_point(plan, "fork-per-job", plan->w, plan->w), s, k);
			rc = finding_add(add, arg, &pt);
		}
	return rc;
}

static enum verdict b01(struct judge *j)
{
	const struct group *g[2][B01_NSIZES];
	int top = -1;
	judge_printf(j, "Worker start latency (median, ms) of fork-per-job at %d workers by the runner's resident "
		     "memory:\n\n| parent | fork | spawn |\n|---|---:|---:|\n", j->w);
	for (int k = 0; k < B01_NSIZES; k++) {
		for (int s = 0; s < 2; s++) {
			struct point pt = b01_point(judge_point(j, "fork-per-job", j->w, j->w), s, k);
			g[s][k] = judge_find(j, &pt);
		}
		if (g[0][k] && g[1][k])
			top = k;
		char size[32];
		snprintf(size, sizeof size, "%.0f %s", b01_sizes[k] >= 1ull << 30 ? b01_sizes[k] / 1073741824.0 : b01_sizes[k] * MIB,
			 b01_sizes[k] >= 1ull << 30 ? "GiB" : "MiB");
		judge_printf(j, "| %s | %.3f | %.3f |\n", k ? size : "0", g[0][k] ? group_median(g[0][k], G_LATENCY) * 1e3 : NAN,
			     g[1][k] ? group_median(g[1][k], G_LATENCY) * 1e3 : NAN);
	}
	judge_printf(j, "\n");
	if (top < 1 || !g[0][0] || !g[1][0])
		return judge_missing(j, "needs fork-per-job at fork and spawn with --parent-rss 0 and more (preset "
				     "findings)");
	enum verdict grows = judge_ratio(j, "fork's latency, largest parent / none", g[0][top], g[0][0], G_LATENCY, 1,
					 CLAIM_ABOVE, 2.0);
	enum verdict flat = judge_ratio(j, "spawn's latency, largest parent / none", g[1][top], g[1][0], G_LATENCY, 1,
					CLAIM_BELOW, 1.5);
	return judge_conclude(j, verdict_and(grows, flat), "from no memory to %.0f MiB, fork's latency grows %.1fx "
			      "(growing means above 2x), spawn's %.1fx (flat means below 1.5x). "
			      "![latency](plots/latency.png)",
			      b01_sizes[top] * MIB, j->parts[0].j.e.estimate, j->parts[1].j.e.estimate);
}

/* B02 --------------------------------------------------------------- */

static enum verdict b02(struct judge *j)
{
	const struct group *shm = judge_pick(j, "pool-shm", j->w), *pc = judge_peer(j, "pool-copy", shm);
	if (!shm)
		return judge_missing(j, "no pool-shm rows");
	judge_printf(j, "At %d workers: summed RSS / PSS is %.2f for pool-shm, %.2f for pool-copy.\n", shm->workers,
		     group_median(shm, G_RSS) / group_median(shm, G_PSS),
		     pc ? group_median(pc, G_RSS) / group_median(pc, G_PSS) : NAN);
	enum verdict v = judge_median(j, "pool-shm's summed RSS / PSS", shm, G_RSS, G_PSS, 1, CLAIM_ABOVE, 1.1);
	if (pc)
		v = verdict_and(v, judge_median(j, "pool-copy's summed RSS / PSS", pc, G_RSS, G_PSS, 1, CLAIM_BELOW, 1.05));
	/* Pages shared copy-on-write count in every process's RSS as well. */
	const struct group *cow = judge_peer(j, "pool-cow", shm);
	if (cow) {
		judge_printf(j, "pool-cow (one copy shared by fork): summed RSS / PSS %.2f.\n",
			     group_median(cow, G_RSS) / group_median(cow, G_PSS));
		v = verdict_and(v, judge_median(j, "pool-cow's summed RSS / PSS", cow, G_RSS, G_PSS, 1, CLAIM_ABOVE, 1.1));
	}
	return judge_conclude(j, v, "summed RSS overstates pool-shm's memory %.2fx", j->parts[0].j.e.estimate);
}

/* B03 --------------------------------------------------------------- */

static int b03_points(const struct finding_plan *plan, finding_add_fn add, void *arg)
{
	struct point pt = finding_plan_point(plan, "pthreads", plan->w, 2 * plan->w);
	pt.p.pin = true;
	return finding_add(add, arg, &pt);
}

static double spread(const struct group *g)
{
	return (group_max(g, G_WALL) - group_min(g, G_WALL)) / group_median(g, G_WALL);
}

static enum verdict b03(struct judge *j)
{
	struct point pf = judge_point(j, "pthreads", j->w, 2 * j->w), pp = pf;
	pp.p.pin = true;
	const struct group *pin = judge_find(j, &pp), *free_ = judge_find(j, &pf);
	if (!pin || !free_)
		return judge_missing(j, "needs pthreads with and without --pin at the same point (preset findings)");
	judge_printf(j, "At %d threads, %d jobs: pinned %.3f s, free %.3f s; spread (max - min) / median %.1f %% "
		     "pinned, %.1f %% free.\n",
		     pin->workers, pin->jobs, group_median(pin, G_WALL), group_median(free_, G_WALL), spread(pin) * 100,
		     spread(free_) * 100);
	enum verdict v = judge_ratio(j, "wall, pinned / free", pin, free_, G_WALL, 1, CLAIM_OUTSIDE, 1.02);
	return judge_conclude(j, v, "pinned threads take %.3fx the time of free ones (a change counts beyond 2 %%)",
			      j->parts[0].j.e.estimate);
}

/* B04 --------------------------------------------------------------- */

static int b04_points(const struct finding_plan *plan, finding_add_fn add, void *arg)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	(void)plan, (void)add, (void)arg;
	fprintf(stderr, "sweep: B04 left out: jemalloc cannot be preloaded into a sanitized build\n");
	return 0;
#else
	struct point pt = finding_plan_point(plan, "pthreads", plan->w, 2 * plan->w);
	pt.p.allocator = STRATEGY_ALLOC_JEMALLOC;
	return finding_add(add, arg, &pt);
#endif
}

static enum verdict b04(struct judge *j)
{
	struct point pg = judge_point(j, "pthreads", j->w, 2 * j->w), pj = pg;
	pj.p.allocator = STRATEGY_ALLOC_JEMALLOC;
	const struct group *je = judge_find(j, &pj), *gl = judge_find(j, &pg);
	if (!je || !gl)
		return judge_missing(j, "needs pthreads with --allocator jemalloc and glibc at the same point (preset "
				     "findings)");
	judge_printf(j, "At %d threads, %d jobs: jemalloc %.3f s and %.0f MiB, glibc %.3f s and %.0f MiB.\n",
		     je->workers, je->jobs, group_median(je, G_WALL), group_median(je, G_PSS) * MIB,
		     group_median(gl, G_WALL), group_median(gl, G_PSS) * MIB);
	enum verdict t = judge_ratio(j, "wall, jemalloc / glibc", je, gl, G_WALL, 1, CLAIM_OUTSIDE, 1.02);
	enum verdict m = judge_ratio(j, "peak PSS, jemalloc / glibc", je, gl, G_PSS, 1, CLAIM_OUTSIDE, 1.05);
	return judge_conclude(j, verdict_or(t, m), "jemalloc takes %.3fx the time and %.3fx the memory of glibc (a "
			      "change counts beyond 2 %% of the time or 5 %% of the memory)",
			      j->parts[0].j.e.estimate, j->parts[1].j.e.estimate);
}

const struct finding findings_other[] = {
	{ .id = "S01", .claim = "serpentine dealing after sorting balances load",
	  .experiment = "unequal jobs sorted by cost: snake vs block vs dynamic", .points = s01_points, .judge = s01 },
	{ .id = "S02", .claim = "jobs should be a multiple of workers",
	  .experiment = "jobs = k workers vs k workers + 1: tail idle time", .points = s02_points, .judge = s02 },
	{ .id = "S03", .claim = "N workers need N+1 cores",
	  .experiment = "efficiency at workers = cores - 1, cores, cores + 1", .grid = true, .judge = s03 },
	{ .id = "S04", .claim = "use performance cores only on hybrid CPUs", .experiment = "hwloc CPU kinds",
	  .judge = s04 },
	{ .id = "S05", .claim = "loading a large shared input needs twice its size for a while",
	  .experiment = "peak PSS during pool-shm (and pool-cow) setup / inputs", .grid = true, .judge = s05 },
	{ .id = "T01", .claim = "the built-in process pool beats the distributed engines on one node",
	  .experiment = "speedup: best pool vs mpi-shm", .grid = true, .judge = t01 },
	{ .id = "T02", .claim = "nested parallelism oversubscribes unless math threads are 1 per process",
	  .experiment = "pool with --fire-threads auto vs 1", .points = t02_points, .judge = t02 },
	{ .id = "T03", .claim = "equal chunks, one per worker, are enough",
	  .experiment = "identical jobs: block vs dynamic", .points = t03_points, .judge = t03 },
	{ .id = "X01", .claim = "parallelism inside one simulation gains less than a batch",
	  .experiment = "openmp single vs batch efficiency", .grid = true, .points = x01_points, .judge = x01 },
	{ .id = "B01", .claim = "fork() cost grows with the parent's memory; posix_spawn's does not",
	  .experiment = "start latency vs --parent-rss", .points = b01_points, .judge = b01 },
	{ .id = "B02", .claim = "summed RSS overstates shared-memory strategies; PSS does not",
	  .experiment = "summed RSS / PSS of pool-shm, pool-cow and pool-copy", .grid = true, .judge = b02 },
	{ .id = "B03", .claim = "pinning changes throughput and variance", .experiment = "pin on vs off",
	  .points = b03_points, .judge = b03 },
	{ .id = "B04", .claim = "the allocator matters for threaded job state",
	  .experiment = "pthreads glibc vs jemalloc", .points = b04_points, .judge = b04 },
};
const int findings_other_count = (int)(sizeof findings_other / sizeof findings_other[0]);
