/*
 * cmd_report.c - `spreadbench report DIR`: DIR/report.md from a sweep's
 * folder.  It gives the machine (context.json), a speedup table (serial
 * and every strategy at each worker count), and for every documented
 * finding id its experiment, the numbers this folder holds and a verdict:
 * holds, does not hold (by how much), not applicable here (why), or not
 * measured in this folder (and what would measure it).  A verdict is only
 * ever computed from medians of valid rows; nothing is assumed.
 */
#include "cli.h"
#include "groups.h"
#include "outfile.h"
#include "sidecar.h"
#include "stats.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1.0 / 1048576.0)

struct finding {
	const char *id, *claim, *experiment;
};

static const struct finding findings[] = {
	{ "F01", "float32 inputs avoid copies; float64 costs memory and time", "dtype f32 vs f64, same strategy" },
	{ "F02", "one process per job is the fastest way, but duplicates all inputs", "fork-per-job vs the pools and serial" },
	{ "F03", "a pool with copied inputs is ~250 ms slower than the loop, same memory", "pool-copy vs fork-per-job" },
	{ "F04", "spawn with a large chunksize is noticeably faster", "start spawn vs fork x chunksize 1 vs jobs/workers" },
	{ "F05", "throughput per core falls as more cores run at once", "Mha/(CPU h) at 1 worker vs the most" },
	{ "F06", "shared-memory inputs cut memory ~5x for ~750 ms more runtime", "pool-shm vs pool-copy" },
	{ "F07", "attaching shared inputs once per worker brings no gain", "pool-shm attach per job vs per worker" },
	{ "F08", "threads under-use the cores and save only ~5% memory vs shm processes", "pthreads vs pool-shm" },
	{ "F09", "a task-graph scheduler adds ~7% memory and ~20% time", "no task-graph engine in scope" },
	{ "F10", "a distributed engine on one node costs seconds and GBs more", "mpi-shm vs pool-shm" },
	{ "F11", "the engine must be started early or it costs ~1 s and GBs more", "mpi-shm setup vs pool-shm setup" },
	{ "F12", "two APIs of the same engine perform the same", "mpi-shm static vs dynamic" },
	{ "F13", "cluster workers at low priority get pre-empted", "workers at nice 10 under load vs nice 0" },
	{ "S01", "serpentine dealing after sorting balances load", "unequal jobs: snake vs block vs dynamic" },
	{ "S02", "jobs should be a multiple of workers", "jobs = k workers vs k workers + 1: tail idle time" },
	{ "S03", "N workers need N+1 cores", "efficiency at workers = cores - 1, cores, cores + 1" },
	{ "S04", "use performance cores only on hybrid CPUs", "hwloc CPU kinds" },
	{ "S05", "loading a large shared input needs twice its size for a while", "peak PSS during pool-shm setup / inputs" },
	{ "T01", "the built-in process pool beats the distributed engines on one node", "speedup: best pool vs mpi-shm" },
	{ "T02", "nested parallelism oversubscribes unless math threads are 1 per process", "pool with --fire-threads auto vs 1" },
	{ "T03", "equal chunks, one per worker, are enough", "identical jobs: block vs dynamic" },
	{ "X01", "parallelism inside one simulation gains less than a batch", "openmp single vs batch efficiency" },
	{ "B01", "fork() cost grows with the parent's memory; posix_spawn's does not", "start latency vs --parent-rss" },
	{ "B02", "summed RSS overstates shared-memory strategies; PSS does not", "summed RSS / PSS per strategy" },
	{ "B03", "pinning changes throughput and variance", "pin on vs off" },
	{ "B04", "the allocator matters for threaded job state", "pthreads glibc vs jemalloc" },
};
#define NFINDINGS (int)(sizeof findings / sizeof findings[0])

struct rep {
	const struct groups *gs;
	json_t *ctx;
	int cores;                       /* from the context */
	int w;                           /* where strategies are compared: the cores, if measured */
};

/* The group of a label at a worker count with the most jobs (workers 0:
 * the most workers the label has). */
static const struct group *pick(const struct groups *gs, const char *label, int workers)
{
	const struct group *best = NULL;
	bool best_ref = false;
	for (size_t i = 0; i < gs->n; i++) {
		const struct group *g = &gs->g[i];
		if (strcmp(g->label, label))
			continue;
		if (workers && g->workers != workers)
			continue;
		/* Batches serial also ran (the grid's) before one-off experiments. */
		bool ref = groups_find(gs, "serial", 1, g->jobs) != NULL;
		if (!best || (ref && !best_ref) ||
		    (ref == best_ref &&
		     (g->workers > best->workers || (g->workers == best->workers && g->jobs > best->jobs)))) {
			best = g;
			best_ref = ref;
		}
	}
	return best;
}

/* The same batch for another label: same workers and jobs. */
static const struct group *peer(const struct groups *gs, const char *label, const struct group *g)
{
	return g ? groups_find(gs, label, g->workers, g->jobs) : NULL;
}

static double speedup(const struct groups *gs, const struct group *g)
{
	const struct group *s = g ? groups_find(gs, "serial", 1, g->jobs) : NULL;
	return s ? group_median(s, G_WALL) / group_median(g, G_WALL) : NAN;
}

enum verdict { HOLDS, DOES_NOT_HOLD, NOT_APPLICABLE, NOT_MEASURED };
typedef enum verdict (*judge_fn)(const struct rep *r, FILE *f);

static enum verdict missing(FILE *f, const char *what)
{
	fprintf(f, "**Not measured in this folder**: %s.\n", what);
	return NOT_MEASURED;
}

static enum verdict said(bool holds)
{
	return holds ? HOLDS : DOES_NOT_HOLD;
}

static enum verdict f02(const struct rep *r, FILE *f)
{
	const struct group *fpj = pick(r->gs, "fork-per-job", r->w);
	if (!fpj) {
		return missing(f, "no fork-per-job rows");
	}
	static const char *const others[] = { "pool-copy", "pool-shm", "pthreads", "openmp", "mpi-shm" };
	double w = group_median(fpj, G_WALL), best = INFINITY;
	const char *who = NULL;
	for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
		const struct group *o = peer(r->gs, others[i], fpj);
		if (o && group_median(o, G_WALL) < best) {
			best = group_median(o, G_WALL);
			who = others[i];
		}
	}
	double copies = group_median(fpj, G_PSS) / group_median(fpj, G_INPUT);
	fprintf(f, "At %d workers, %d jobs: fork-per-job %.3f s, fastest other %s %.3f s; its peak PSS is %.2f x the inputs.\n\n",
		fpj->workers, fpj->jobs, w, who ? who : "-", best, copies);
	bool fastest = !who || w <= best;
	bool dup = copies >= 0.8 * (fpj->workers < fpj->jobs ? fpj->workers : fpj->jobs);
	fprintf(f, "**%s**: %s the fastest (%+.1f %% against %s); %s the inputs (%.2f copies).\n",
		fastest && dup ? "Holds" : "Does not hold", fastest ? "it is" : "it is not",
		who ? (w / best - 1) * 100 : 0.0, who ? who : "-", dup ? "it duplicates" : "it does not duplicate",
		copies);
	return said(fastest && dup);
}

static enum verdict f03(const struct rep *r, FILE *f)
{
	const struct group *pc = pick(r->gs, "pool-copy", r->w), *fpj = peer(r->gs, "fork-per-job", pc);
	if (!pc || !fpj) {
		return missing(f, "needs pool-copy and fork-per-job at the same point");
	}
	double dw = group_median(pc, G_WALL) - group_median(fpj, G_WALL);
	double ratio = group_median(pc, G_PSS) / group_median(fpj, G_PSS);
	fprintf(f, "At %d workers, %d jobs: pool-copy minus fork-per-job wall %+.3f s (claim +0.25 s); PSS ratio %.2f (claim about 1).\n\n",
		pc->workers, pc->jobs, dw, ratio);
	bool holds = dw > 0 && fabs(ratio - 1) < 0.15;
	fprintf(f, "**%s**: the pool is %.0f ms %s; memory %s.\n", holds ? "Holds" : "Does not hold", fabs(dw) * 1e3,
		dw > 0 ? "slower" : "faster", fabs(ratio - 1) < 0.15 ? "the same within 15 %" : "differs");
	return said(holds);
}

/* The parallel label with the best speedup at the most workers. */
static const struct group *best_parallel(const struct groups *gs, int workers, const char *const *only, int nonly)
{
	const struct group *best = NULL;
	double bs = 0;
	for (size_t i = 0; i < gs->n; i++) {
		const struct group *g = &gs->g[i];
		if (strcmp(g->strategy, "serial") == 0 || g->workers != workers)
			continue;
		bool ok = nonly == 0;
		for (int k = 0; k < nonly; k++)
			ok |= strcmp(g->label, only[k]) == 0;
		double s = speedup(gs, g);
		if (ok && s > bs) {
			bs = s;
			best = g;
		}
	}
	return best;
}

static enum verdict f05(const struct rep *r, FILE *f)
{
	/* The fastest strategy at the most workers among those also run on one. */
	const struct group *top = NULL, *one = NULL;
	double best = 0;
	for (size_t i = 0; i < r->gs->n; i++) {
		const struct group *g = &r->gs->g[i], *o;
		double s = speedup(r->gs, g);
		if (g->workers == r->w && r->w > 1 && strcmp(g->strategy, "serial") && s > best &&
		    (o = pick(r->gs, g->label, 1))) {
			best = s;
			top = g;
			one = o;
		}
	}
	if (!top || !one) {
		return missing(f, "needs one strategy at 1 worker and at several");
	}
	double a = group_median(one, G_MHA), b = group_median(top, G_MHA);
	fprintf(f, "%s: %.1f Mha/(CPU h) at 1 worker, %.1f at %d workers (%+.1f %%).\n\n", top->label, a, b,
		top->workers, (b / a - 1) * 100);
	fprintf(f, "**%s**: throughput per core %s by %.1f %% (a fall of more than 5 %% counts).\n",
		b < 0.95 * a ? "Holds" : "Does not hold", b < a ? "falls" : "rises", fabs(b / a - 1) * 100);
	return said(b < 0.95 * a);
}

static enum verdict f06(const struct rep *r, FILE *f)
{
	const struct group *shm = pick(r->gs, "pool-shm", r->w), *pc = peer(r->gs, "pool-copy", shm);
	if (!shm || !pc) {
		return missing(f, "needs pool-shm and pool-copy at the same point");
	}
	double ratio = group_median(pc, G_PSS) / group_median(shm, G_PSS);
	double dw = group_median(shm, G_WALL) - group_median(pc, G_WALL);
	fprintf(f, "At %d workers, %d jobs: pool-copy / pool-shm peak PSS %.2f (claim about 5); pool-shm minus pool-copy wall %+.3f s (claim +0.75 s).\n\n",
		shm->workers, shm->jobs, ratio, dw);
	bool holds = ratio >= 1.5 && dw > 0;
	fprintf(f, "**%s**: memory cut %.2fx (a cut of n copies to one needs n workers: at %d workers at most %dx), time %+.0f ms.\n",
		holds ? "Holds" : "Does not hold", ratio, shm->workers, shm->workers, dw * 1e3);
	return said(holds);
}

static enum verdict f08(const struct rep *r, FILE *f)
{
	const struct group *th = pick(r->gs, "pthreads", r->w), *shm = peer(r->gs, "pool-shm", th);
	if (!th || !shm) {
		return missing(f, "needs pthreads and pool-shm at the same point");
	}
	double st = speedup(r->gs, th), ss = speedup(r->gs, shm);
	double mem = (1 - group_median(th, G_PSS) / group_median(shm, G_PSS)) * 100;
	fprintf(f, "At %d workers, %d jobs: speedup pthreads %.2f, pool-shm %.2f; pthreads' peak PSS is %.1f %% below "
		   "pool-shm's (claim 5 %%).\n\n",
		th->workers, th->jobs, st, ss, mem);
	bool holds = st < 0.9 * ss;
	fprintf(f, "**%s**: in C there is no interpreter lock; threads reach %.0f %% of pool-shm's speedup.\n",
		holds ? "Holds" : "Does not hold", st / ss * 100);
	return said(holds);
}

static enum verdict f10(const struct rep *r, FILE *f)
{
	const struct group *mpi = pick(r->gs, "mpi-shm", r->w), *shm = peer(r->gs, "pool-shm", mpi);
	if (!mpi || !shm) {
		return missing(f, "needs mpi-shm and pool-shm at the same point");
	}
	double dw = group_median(mpi, G_WALL) - group_median(shm, G_WALL);
	double dm = (group_median(mpi, G_PSS) - group_median(shm, G_PSS)) * MIB;
	fprintf(f, "At %d workers, %d jobs: mpi-shm minus pool-shm wall %+.3f s, peak PSS %+.0f MiB.\n\n", mpi->workers,
		mpi->jobs, dw, dm);
	bool holds = dw >= 1.0 && dm >= 1024;
	fprintf(f, "**%s**: %s.\n", holds ? "Holds" : "Does not hold",
		holds ? "seconds and gigabytes more" : "the difference is well under seconds and gigabytes");
	return said(holds);
}

static enum verdict f11(const struct rep *r, FILE *f)
{
	const struct group *mpi = pick(r->gs, "mpi-shm", r->w), *shm = peer(r->gs, "pool-shm", mpi);
	if (!mpi || !shm) {
		return missing(f, "needs mpi-shm and pool-shm at the same point");
	}
	double ms = group_median(mpi, G_SETUP), ps = group_median(shm, G_SETUP);
	fprintf(f, "At %d workers: mpi-shm setup (launch and windows) %.3f s = %.0f %% of its wall; pool-shm setup %.3f s.\n\n",
		mpi->workers, ms, ms / group_median(mpi, G_WALL) * 100, ps);
	fprintf(f, "**%s**: starting the engine costs %+.3f s over the pool.\n", ms - ps >= 0.5 ? "Holds" : "Does not hold",
		ms - ps);
	return said(ms - ps >= 0.5);
}

static enum verdict s03(const struct rep *r, FILE *f)
{
	int c = r->cores;
	const struct group *top = best_parallel(r->gs, r->w, (const char *const[]){ "pool-shm", "pool-copy" }, 2);
	const char *label = top ? top->label : "pool-shm";
	const struct group *at[3] = { pick(r->gs, label, c - 1), pick(r->gs, label, c), pick(r->gs, label, c + 1) };
	if (c < 2 || !at[0] || !at[1] || !at[2]) {
		return missing(f, "needs one pool at cores - 1, cores and cores + 1 workers (the full preset)");
	}
	double e[3];
	for (int i = 0; i < 3; i++)
		e[i] = speedup(r->gs, at[i]) / at[i]->workers;
	fprintf(f, "%s efficiency at %d, %d, %d workers: %.2f, %.2f, %.2f.\n\n", label, c - 1, c, c + 1, e[0], e[1], e[2]);
	bool holds = e[1] < 0.9 * e[0];
	fprintf(f, "**%s**: using every core %s (%+.0f %% efficiency against one core left free).\n",
		holds ? "Holds" : "Does not hold", holds ? "costs efficiency" : "does not cost efficiency",
		(e[1] / e[0] - 1) * 100);
	return said(holds);
}

static enum verdict t01(const struct rep *r, FILE *f)
{
	static const char *const pools[] = { "pool-shm", "pool-copy", "fork-per-job" };
	const struct group *pool = best_parallel(r->gs, r->w, pools, 3);
	const struct group *mpi = peer(r->gs, "mpi-shm", pool);
	if (!pool || !mpi) {
		return missing(f, "needs a process pool and mpi-shm at the same point");
	}
	double a = speedup(r->gs, pool), b = speedup(r->gs, mpi);
	fprintf(f, "At %d workers, %d jobs: best pool %s %.2fx, mpi-shm %.2fx (claim 6.65x vs 3.9x on 8 cores).\n\n",
		pool->workers, pool->jobs, pool->label, a, b);
	fprintf(f, "**%s**: the pool is %.0f %% %s.\n", a > b ? "Holds" : "Does not hold", fabs(a / b - 1) * 100,
		a > b ? "faster" : "slower");
	return said(a > b);
}

static enum verdict b02(const struct rep *r, FILE *f)
{
	const struct group *shm = pick(r->gs, "pool-shm", r->w), *pc = peer(r->gs, "pool-copy", shm);
	if (!shm) {
		return missing(f, "no pool-shm rows");
	}
	double a = group_median(shm, G_RSS) / group_median(shm, G_PSS);
	double b = pc ? group_median(pc, G_RSS) / group_median(pc, G_PSS) : NAN;
	fprintf(f, "At %d workers: summed RSS / PSS is %.2f for pool-shm, %.2f for pool-copy.\n\n", shm->workers, a, b);
	bool holds = a >= 1.1 && (isnan(b) || b < 1.05);
	fprintf(f, "**%s**: summed RSS overstates pool-shm by %.0f %%.\n", holds ? "Holds" : "Does not hold", (a - 1) * 100);
	return said(holds);
}

static enum verdict x01(const struct rep *r, FILE *f)
{
	const struct group *single = pick(r->gs, "openmp single", r->w), *batch = peer(r->gs, "openmp", single);
	if (!single || !batch) {
		return missing(f, "needs openmp --mode single and batch at the same point (preset findings, or "
			   "`sweep --strategies openmp --modes batch,single`)");
	}
	double a = speedup(r->gs, single) / single->workers, b = speedup(r->gs, batch) / batch->workers;
	fprintf(f, "At %d threads: efficiency inside one fire %.2f, across jobs %.2f.\n\n", single->workers, a, b);
	fprintf(f, "**%s**.\n", a < b ? "Holds" : "Does not hold");
	return said(a < b);
}

/* The Mann-Whitney p of two groups' wall times (1 when either has a
 * single repetition); *p_min the smallest p their sizes allow. */
static double wall_p2(const struct group *a, const struct group *b, double *p_min)
{
	struct stats_u u;
	*p_min = 1;
	if (a->n < 2 || b->n < 2 || stats_mann_whitney(a->v[G_WALL], a->n, b->v[G_WALL], b->n, &u))
		return 1;
	*p_min = u.p_min;
	return u.p;
}

static double wall_p(const struct group *a, const struct group *b)
{
	double p_min;
	return wall_p2(a, b, &p_min);
}

/* Differ: by more than 2 % of the wall with p < 0.05; with too few
 * repetitions for p to get there (3 give at best 0.1), by more than 10 %. */
static bool differ(const struct group *a, const struct group *b)
{
	double r = group_median(a, G_WALL) / group_median(b, G_WALL), p_min, p = wall_p2(a, b, &p_min);
	return p_min < 0.05 ? fabs(r - 1) > 0.02 && p < 0.05 : fabs(r - 1) > 0.10;
}

static void wall_line(FILE *f, const struct group *a, const struct group *b)
{
	fprintf(f, "%s %.3f s against %s %.3f s (%+.1f %%, Mann-Whitney p = %.3g, %zu and %zu runs)", a->label,
		group_median(a, G_WALL), b->label, group_median(b, G_WALL),
		(group_median(a, G_WALL) / group_median(b, G_WALL) - 1) * 100, wall_p(a, b), a->n, b->n);
}

/* The findings preset's points are at the machine's cores with 2 (or 4)
 * jobs per worker; these find them by label. */
static const struct group *at(const struct rep *r, const char *label, int jobs_per_worker)
{
	return groups_find(r->gs, label, r->w, r->w * jobs_per_worker);
}

static enum verdict f01(const struct rep *r, FILE *f)
{
	static const char *const s[] = { "pool-shm", "pool-copy" };
	for (int i = 0; i < 2; i++) {
		char l64[64];
		snprintf(l64, sizeof l64, "%s f64", s[i]);
		const struct group *a = at(r, l64, 2), *b = at(r, s[i], 2);
		if (!a || !b)
			continue;
		double in = group_median(a, G_INPUT) / group_median(b, G_INPUT);
		double pss = group_median(a, G_PSS) / group_median(b, G_PSS);
		fprintf(f, "%s at %d workers, %d jobs: float64 inputs %.2fx the bytes, peak PSS %.2fx; ", s[i], a->workers,
			a->jobs, in, pss);
		wall_line(f, a, b);
		bool holds = pss > 1.2 && group_median(a, G_WALL) > group_median(b, G_WALL) && differ(a, b);
		fprintf(f, ".\n\n**%s**: float64 changes the peak PSS by %+.0f %% and costs %s.\n",
			holds ? "Holds" : "Does not hold", (pss - 1) * 100,
			differ(a, b) ? (group_median(a, G_WALL) > group_median(b, G_WALL) ? "measurably more time"
											   : "measurably less time")
				     : "no time beyond noise");
		return said(holds);
	}
	return missing(f, "needs pool-shm (or pool-copy) with --dtype f64 and f32 at the same point (preset findings)");
}

static enum verdict f04(const struct rep *r, FILE *f)
{
	static const char *const l[] = { "pool-copy", "pool-copy chunk 4", "pool-copy spawn", "pool-copy spawn chunk 4" };
	const struct group *g[4];
	for (int i = 0; i < 4; i++)
		if (!(g[i] = at(r, l[i], 4)))
			return missing(f, "needs pool-copy at fork and spawn x chunksize 1 and 4, 4 jobs per worker "
					  "(preset findings)");
	fprintf(f, "pool-copy, %d workers, %d jobs, median wall: fork %.3f s (chunk 1), %.3f s (chunk 4); spawn %.3f s, %.3f s.\n\n",
		g[0]->workers, g[0]->jobs, group_median(g[0], G_WALL), group_median(g[1], G_WALL),
		group_median(g[2], G_WALL), group_median(g[3], G_WALL));
	bool faster = group_median(g[3], G_WALL) < 0.95 * group_median(g[0], G_WALL) && differ(g[3], g[0]);
	fprintf(f, "**%s**: ", faster ? "Holds" : "Does not hold");
	wall_line(f, g[3], g[0]);
	fprintf(f, "; noticeably faster means 5 %% and p < 0.05.\n");
	return said(faster);
}

/* A claim that a takes longer than b: holds at min times b's median wall
 * and a real difference. */
static enum verdict slower(FILE *f, const struct group *a, const struct group *b, double min, const char *who,
			   const char *than)
{
	wall_line(f, a, b);
	double ratio = group_median(a, G_WALL) / group_median(b, G_WALL);
	bool holds = ratio >= min && differ(a, b);
	fprintf(f, ".\n\n**%s**: %s %.2fx %s.\n", holds ? "Holds" : "Does not hold", who, ratio, than);
	return said(holds);
}

/* A claim of no difference: holds unless the two differ (2 %, p < 0.05). */
static enum verdict same(FILE *f, const struct group *a, const struct group *b, const char *what)
{
	bool d = differ(a, b);
	wall_line(f, a, b);
	fprintf(f, ".\n\n**%s**: %s %s (a difference counts at 2 %% with p < 0.05, or at 10 %% when the "
		   "repetitions are too few for that p).\n", d ? "Does not hold" : "Holds",
		what, d ? "differ" : "are the same within noise");
	return said(!d);
}

static enum verdict f07(const struct rep *r, FILE *f)
{
	const struct group *job = at(r, "pool-shm attach per job", 2), *worker = at(r, "pool-shm", 2);
	if (!job || !worker)
		return missing(f, "needs pool-shm --attach job and worker at the same point (preset findings)");
	double dm = (group_median(job, G_PSS) - group_median(worker, G_PSS)) * MIB;
	fprintf(f, "At %d workers, %d jobs, peak PSS per job minus per worker %+.0f MiB; ", job->workers, job->jobs, dm);
	return same(f, job, worker, "attaching per job and per worker");
}

static enum verdict f12(const struct rep *r, FILE *f)
{
	const struct group *dyn = at(r, "mpi-shm dynamic", 2), *st = at(r, "mpi-shm", 2);
	if (!dyn || !st)
		return missing(f, "needs mpi-shm with schedule block (static plan) and dynamic (rank 0 hands out jobs) at "
			   "the same point (preset findings)");
	fprintf(f, "At %d ranks, %d jobs: ", st->workers, st->jobs);
	return same(f, dyn, st, "the static and the dynamic distribution");
}

static enum verdict f13(const struct rep *r, FILE *f)
{
	char l0[64], l10[64];
	snprintf(l0, sizeof l0, "pool-copy load %d", r->w);
	snprintf(l10, sizeof l10, "pool-copy nice 10 load %d", r->w);
	const struct group *a = at(r, l10, 2), *b = at(r, l0, 2), *quiet = at(r, "pool-copy", 2);
	if (!a || !b)
		return missing(f, "needs pool-copy workers at nice 10 and nice 0 beside as many spinning processes as "
			   "cores (preset findings)");
	fprintf(f, "At %d workers, %d jobs, beside %d spinning processes at nice 0 (without them: %.3f s): ", a->workers,
		a->jobs, r->w, quiet ? group_median(quiet, G_WALL) : NAN);
	return slower(f, a, b, 1.2, "low-priority workers take", "as long as workers at equal priority");
}

static enum verdict s01(const struct rep *r, FILE *f)
{
	static const char *const l[] = { "pool-copy mixed jobs", "pool-copy snake mixed jobs",
					 "pool-copy dynamic mixed jobs" };
	const struct group *g[3];
	double over[3];
	for (int i = 0; i < 3; i++) {
		if (!(g[i] = at(r, l[i], 4)))
			return missing(f, "needs pool-copy with unequal jobs dealt block, snake and dynamic (preset findings)");
		over[i] = 1 / group_median(g[i], G_BUSY) - 1;
	}
	fprintf(f, "Unequal jobs, %d workers, %d jobs: makespan (compute phase) %.3f s block, %.3f s snake, %.3f s dynamic; "
		   "over the ideal (the jobs' total time / workers) by %.1f %%, %.1f %%, %.1f %%.\n\n",
		g[0]->workers, g[0]->jobs, group_median(g[0], G_COMPUTE), group_median(g[1], G_COMPUTE),
		group_median(g[2], G_COMPUTE), over[0] * 100, over[1] * 100, over[2] * 100);
	bool holds = over[1] < over[0] && group_median(g[1], G_COMPUTE) < group_median(g[0], G_COMPUTE);
	fprintf(f, "**%s**: snake dealing is %.1f %% over the ideal against block's %.1f %% (dynamic: %.1f %%). "
		   "![makespan](plots/makespan.png)\n",
		holds ? "Holds" : "Does not hold", over[1] * 100, over[0] * 100, over[2] * 100);
	return said(holds);
}

static enum verdict s02(const struct rep *r, FILE *f)
{
	const struct group *even = at(r, "pool-copy", 2);
	const struct group *odd = groups_find(r->gs, "pool-copy", r->w, 2 * r->w + 1);
	if (!even || !odd)
		return missing(f, "needs pool-copy with 2 x workers and 2 x workers + 1 jobs (preset findings)");
	double job = group_median(even, G_COMPUTE) / 2, te = group_median(even, G_TAIL), to = group_median(odd, G_TAIL);
	fprintf(f, "%d workers: tail idle time (first worker idle to the end) %.3f s at %d jobs, %.3f s at %d jobs; "
		   "a job takes about %.3f s; wall per job %.3f s and %.3f s.\n\n",
		r->w, te, even->jobs, to, odd->jobs, job, group_median(even, G_WALL) / even->jobs,
		group_median(odd, G_WALL) / odd->jobs);
	bool holds = r->w > 1 && to - te > 0.5 * job;
	fprintf(f, "**%s**: one job more leaves the other workers idle for %.3f s more.\n", holds ? "Holds" : "Does not hold",
		to - te);
	return said(holds);
}

static enum verdict s05(const struct rep *r, FILE *f)
{
	const struct group *shm = pick(r->gs, "pool-shm", r->w);
	if (!shm || isnan(group_median(shm, G_SETUP_PEAK)))
		return missing(f, "needs pool-shm rows with setup_peak_pss_bytes");
	double ratio = group_median(shm, G_SETUP_PEAK) / group_median(shm, G_INPUT);
	if (group_median(shm, G_INPUT) < 64 * 1048576.0) {
		fprintf(f, "**Not applicable here**: the %s inputs (%.1f MiB) are too small against the processes' own "
			   "memory for the ratio (%.2f) to say anything; run it on prof.\n",
			r->gs->scenario, group_median(shm, G_INPUT) * MIB, ratio);
		return NOT_APPLICABLE;
	}
	fprintf(f, "pool-shm at %d workers: the peak PSS up to the end of setup (shared inputs built, workers attached) "
		   "is %.2f x the inputs (%.0f MiB).\n\n",
		shm->workers, ratio, group_median(shm, G_INPUT) * MIB);
	bool holds = ratio >= 1.8;
	fprintf(f, "**%s**: loading needs %.2f x its size (the inputs are built once, in the shared memory itself).\n",
		holds ? "Holds" : "Does not hold", ratio);
	return said(holds);
}

static enum verdict t02(const struct rep *r, FILE *f)
{
	const struct group *one = at(r, "pool-copy", 2), *nested = NULL;
	for (size_t i = 0; i < r->gs->n; i++) {
		const struct group *g = &r->gs->g[i];
		if (strncmp(g->label, "pool-copy x", 11) || g->workers != r->w || g->jobs != 2 * r->w)
			continue;
		const char *rest = strchr(g->label + 11, ' ');
		if (rest && strcmp(rest, " threads") == 0)
			nested = g;
	}
	if (!one || !nested)
		return missing(f, "needs pool-copy with --fire-threads auto and 1 at the same point, on more than one core "
			   "(preset findings)");
	fprintf(f, "At %d workers, %d jobs: ", one->workers, one->jobs);
	return slower(f, nested, one, 1.1, "OpenMP's default team in every worker makes the batch", "as long");
}

static enum verdict t03(const struct rep *r, FILE *f)
{
	const struct group *dyn = at(r, "pool-copy dynamic", 4), *block = at(r, "pool-copy", 4);
	if (!dyn || !block)
		return missing(f, "needs pool-copy with identical jobs, block and dynamic (preset findings)");
	fprintf(f, "Identical jobs, %d workers, %d jobs: ", block->workers, block->jobs);
	return same(f, block, dyn, "equal chunks and dynamic hand-out");
}

static enum verdict b01(const struct rep *r, FILE *f)
{
	static const char *const sizes[] = { "", " parent 256 MiB", " parent 1 GiB", " parent 4 GiB" };
	double lat[2][4];
	int top = -1;
	fprintf(f, "Worker start latency (median, ms) of fork-per-job at %d workers by the runner's resident memory:\n\n"
		   "| parent | fork | spawn |\n|---|---:|---:|\n", r->w);
	for (int k = 0; k < 4; k++) {
		for (int s = 0; s < 2; s++) {
			char l[64];
			snprintf(l, sizeof l, "fork-per-job%s%s", s ? " spawn" : "", sizes[k]);
			const struct group *g = at(r, l, 1);
			lat[s][k] = g ? group_median(g, G_LATENCY) : NAN;
		}
		if (!isnan(lat[0][k]) && !isnan(lat[1][k]))
			top = k;
		fprintf(f, "| %s | %.3f | %.3f |\n", k ? sizes[k] + 8 : "0", lat[0][k] * 1e3, lat[1][k] * 1e3);
	}
	fprintf(f, "\n");
	if (top < 1 || isnan(lat[0][0]) || isnan(lat[1][0]))
		return missing(f, "needs fork-per-job at fork and spawn with --parent-rss 0 and more (preset findings)");
	double gf = lat[0][top] / lat[0][0], gs = lat[1][top] / lat[1][0];
	bool grows = gf >= 2, flat = lat[1][top] < 1.5 * lat[1][0] + 2e-4;
	fprintf(f, "**%s**: from 0 to%s fork's latency grows %.1fx (%s: 2x counts), spawn's %.1fx (%s: flat means "
		   "under 1.5x + 0.2 ms). ![latency](plots/latency.png)\n",
		grows && flat ? "Holds" : "Does not hold", sizes[top] + 7, gf, grows ? "grows" : "does not grow", gs,
		flat ? "flat" : "not flat");
	bool holds = grows && flat;
	return said(holds);
}

static double spread(const struct group *g)
{
	return (group_max(g, G_WALL) - group_min(g, G_WALL)) / group_median(g, G_WALL);
}

static enum verdict b03(const struct rep *r, FILE *f)
{
	const struct group *pin = at(r, "pthreads pinned", 2), *free_ = at(r, "pthreads", 2);
	if (!pin || !free_)
		return missing(f, "needs pthreads with and without --pin at the same point (preset findings)");
	fprintf(f, "At %d threads, %d jobs: ", pin->workers, pin->jobs);
	wall_line(f, pin, free_);
	double sp = spread(pin), sf = spread(free_);
	bool d = differ(pin, free_), v = pin->n >= 5 && free_->n >= 5 && (sp > 2 * sf + 0.01 || sf > 2 * sp + 0.01);
	fprintf(f, "; spread (max - min) / median %.1f %% pinned, %.1f %% free.\n\n**%s**: pinning %s the throughput and %s "
		   "the variance.\n",
		sp * 100, sf * 100, d || v ? "Holds" : "Does not hold", d ? "changes" : "does not change",
		v ? "changes" : "does not change");
	return said(d || v);
}

static enum verdict b04(const struct rep *r, FILE *f)
{
	const struct group *je = at(r, "pthreads jemalloc", 2), *gl = at(r, "pthreads", 2);
	if (!je || !gl)
		return missing(f, "needs pthreads with --allocator jemalloc and glibc at the same point (preset findings)");
	double dm = (group_median(je, G_PSS) - group_median(gl, G_PSS)) * MIB;
	fprintf(f, "At %d threads, %d jobs, peak PSS jemalloc minus glibc %+.0f MiB; ", je->workers, je->jobs, dm);
	wall_line(f, je, gl);
	bool d = differ(je, gl) || fabs(dm) > 0.05 * group_median(gl, G_PSS) * MIB;
	fprintf(f, ".\n\n**%s**: the allocator %s (2 %% of the wall with p < 0.05, or 5 %% of the memory, counts).\n",
		d ? "Holds" : "Does not hold", d ? "matters" : "does not matter here");
	return said(d);
}

static enum verdict not_applicable(const struct rep *r, FILE *f, const char *id)
{
	if (strcmp(id, "F09") == 0) {
		fprintf(f, "**Not applicable here**: spreadbench has no task-graph scheduler; the comparable C engines "
			   "(process pools, threads, MPI) are measured under F02-F11.\n");
		return NOT_APPLICABLE;
	}
	/* S04 */
	const char *kinds = json_string_value(json_object_get(r->ctx, "cpu_kinds"));
	if (kinds && strncmp(kinds, "1 kind", 6) == 0) {
		fprintf(f, "**Not applicable here**: hwloc reports one kind of CPU (%s), no performance/efficiency split.\n",
			kinds);
		return NOT_APPLICABLE;
	}
	return missing(f, "hybrid CPU present, but no P-core-only run in this folder");
}

static enum verdict judge(const struct rep *r, FILE *f, const char *id)
{
	static const struct {
		const char *id;
		judge_fn fn;
	} fns[] = { { "F01", f01 }, { "F02", f02 }, { "F03", f03 }, { "F04", f04 }, { "F05", f05 }, { "F06", f06 },
		    { "F07", f07 }, { "F08", f08 }, { "F10", f10 }, { "F11", f11 }, { "F12", f12 }, { "F13", f13 },
		    { "S01", s01 }, { "S02", s02 }, { "S03", s03 }, { "S05", s05 }, { "T01", t01 }, { "T02", t02 },
		    { "T03", t03 }, { "X01", x01 }, { "B01", b01 }, { "B02", b02 }, { "B03", b03 }, { "B04", b04 } };
	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
		if (strcmp(fns[i].id, id) == 0)
			return fns[i].fn(r, f);
	return not_applicable(r, f, id); /* F09, S04 */
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Whether a label was measured at more than one worker count: the
 * findings' one-off variants are not rows of the table (their sections
 * give their numbers). */
static bool several_workers(const struct groups *gs, const char *label)
{
	int w = 0;
	for (size_t i = 0; i < gs->n; i++)
		if (strcmp(gs->g[i].label, label) == 0) {
			if (w && gs->g[i].workers != w)
				return true;
			w = gs->g[i].workers;
		}
	return false;
}

static void speedup_table(const struct groups *gs, FILE *f)
{
	int ws[64], nw = 0;
	for (size_t i = 0; i < gs->n; i++) {
		bool seen = strcmp(gs->g[i].strategy, "serial") == 0;
		for (int k = 0; k < nw && !seen; k++)
			seen = ws[k] == gs->g[i].workers;
		if (!seen && nw < 64)
			ws[nw++] = gs->g[i].workers;
	}
	qsort(ws, (size_t)nw, sizeof *ws, cmp_int);
	fprintf(f, "Speedup over serial on the same batch (median wall of serial / median wall), at the largest "
		   "batch per worker count that serial also ran; efficiency in brackets. Variants measured at one "
		   "worker count only (the findings' experiments) are in their findings below.\n\n| strategy |");
	for (int k = 0; k < nw; k++)
		fprintf(f, " %d |", ws[k]);
	fprintf(f, "\n|---|");
	for (int k = 0; k < nw; k++)
		fprintf(f, "---:|");
	fprintf(f, "\n| serial (wall s at that batch) |");
	for (int k = 0; k < nw; k++) {
		/* The largest batch at this worker count that serial also ran. */
		const struct group *s = NULL;
		for (size_t i = 0; i < gs->n; i++) {
			const struct group *g = &gs->g[i], *sg;
			if (g->workers == ws[k] && strcmp(g->strategy, "serial") &&
			    (sg = groups_find(gs, "serial", 1, g->jobs)) && (!s || sg->jobs > s->jobs))
				s = sg;
		}
		if (s)
			fprintf(f, " %.3f (%d jobs) |", group_median(s, G_WALL), s->jobs);
		else
			fprintf(f, " - |");
	}
	fprintf(f, "\n");
	const char *done[64];
	int nd = 0;
	for (size_t i = 0; i < gs->n; i++) {
		const struct group *g = &gs->g[i];
		bool seen = strcmp(g->strategy, "serial") == 0;
		for (int k = 0; k < nd && !seen; k++)
			seen = strcmp(done[k], g->label) == 0;
		if (seen || nd == 64 || !several_workers(gs, g->label))
			continue;
		done[nd++] = g->label;
		fprintf(f, "| %s |", g->label);
		for (int k = 0; k < nw; k++) {
			const struct group *p = pick(gs, g->label, ws[k]);
			double s = speedup(gs, p);
			if (p && !isnan(s))
				fprintf(f, " %.2f (%.2f) |", s, s / ws[k]);
			else
				fprintf(f, " - |");
		}
		fprintf(f, "\n");
	}
}

int cmd_report(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		bool help = argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
		fprintf(help ? stdout : stderr, "usage: spreadbench report DIR   (writes DIR/report.md)\n");
		return help ? 0 : 2;
	}
	const char *dir = argv[1];
	char path[4200];
	snprintf(path, sizeof path, "%s/results.csv", dir);
	struct groups gs;
	if (groups_load(path, &gs))
		return 2;
	char cerr[512] = "";
	snprintf(path, sizeof path, "%s/context.json", dir);
	json_t *ctx = NULL;
	int crc = sidecar_load(path, &ctx, cerr, sizeof cerr);
	if (crc && crc != -ENOENT)
		fprintf(stderr, "spreadbench: warning: %s; the report describes no machine\n", cerr);
	if (!ctx)
		ctx = json_object(); /* a folder without it still gets a report */
	struct rep r = { .gs = &gs, .ctx = ctx };
	r.cores = sidecar_cores(ctx);
	if (!r.cores)
		r.cores = cli_usable_cpus();
	/* Strategies are compared at the machine's core count when the folder
	 * has it (more would be oversubscribed), else at the most workers. */
	r.w = gs.max_workers;
	for (size_t i = 0; i < gs.n; i++)
		if (gs.g[i].workers == r.cores && strcmp(gs.g[i].strategy, "serial"))
			r.w = r.cores;
	snprintf(path, sizeof path, "%s/report.md", dir);
	/* Written beside report.md and renamed over it only when whole: a
	 * full disk leaves the previous report as it was. */
	struct outfile out;
	int orc = outfile_open(&out, path);
	if (orc) {
		cli_error("cannot write '%s': %s", path, strerror(-orc));
		json_decref(ctx);
		groups_release(&gs);
		return 1;
	}
	FILE *f = out.f;
	fprintf(f, "# spreadbench report\n\n%zu valid runs of the %s scenario (%zu rows left out as failed or invalid).\n\n",
		gs.used, gs.scenario, gs.invalid);
	fprintf(f, "## Machine\n\n| | |\n|---|---|\n");
	sidecar_machine_table(ctx, f);
	fprintf(f, "\n## Speedup\n\n");
	fprintf(f, "Findings compare strategies at %d workers%s.\n\n", r.w,
		r.w == r.cores ? ", the machine's core count" : ", the most this folder has");
	speedup_table(&gs, f);
	/* The sampler's cost: its CPU time over all the runs' wall time. */
	double smax = 0, scpu = 0, swall = 0;
	for (size_t i = 0; i < gs.n; i++)
		for (size_t k = 0; k < gs.g[i].n; k++)
			if (!isnan(gs.g[i].v[G_SAMPLER][k])) {
				scpu += gs.g[i].v[G_SAMPLER][k] * gs.g[i].v[G_WALL][k];
				swall += gs.g[i].v[G_WALL][k];
				smax = fmax(smax, gs.g[i].v[G_SAMPLER][k]);
			}
	if (swall > 0)
		fprintf(f, "\nThe memory sampler used %.2f %% of a core over all the runs' wall time (%.1f %% in the "
			   "costliest run: its first and last samples are a fixed cost, large against a short run).\n",
			scpu / swall * 100, smax * 100);
	fprintf(f, "\n![speedup](plots/speedup.png) ![efficiency](plots/efficiency.png)\n\n"
		   "![memory](plots/memory.png) ![throughput](plots/throughput.png)\n\n## Findings\n\n");
	/* The verdicts first, as a table; each finding's numbers below it. */
	static const char *const word[] = { "holds", "does not hold", "not applicable here", "not measured in this folder" };
	int counts[4] = { 0 };
	char *body = NULL;
	size_t blen = 0;
	FILE *b = open_memstream(&body, &blen);
	if (!b) {
		outfile_abort(&out);
		json_decref(ctx);
		groups_release(&gs);
		cli_error("out of memory");
		return 1;
	}
	fprintf(f, "| id | claim | verdict here |\n|---|---|---|\n");
	for (int i = 0; i < NFINDINGS; i++) {
		fprintf(b, "### <a id=\"%s\"></a>%s: %s\n\nExperiment: %s.\n\n", findings[i].id, findings[i].id,
			findings[i].claim, findings[i].experiment);
		enum verdict vd = judge(&r, b, findings[i].id);
		counts[vd]++;
		fprintf(b, "\n");
		fprintf(f, "| [%s](#%s) | %s | %s |\n", findings[i].id, findings[i].id, findings[i].claim, word[vd]);
	}
	fclose(b);
	fprintf(f, "\n%s", body ? body : "");
	free(body);
	int rc = outfile_commit(&out);
	json_decref(ctx);
	groups_release(&gs);
	if (rc) {
		cli_error("cannot write '%s': %s", path, strerror(-rc));
		return 1;
	}
	printf("report: %s (%d hold, %d do not hold, %d not applicable, %d not measured in this folder)\n", path,
	       counts[0], counts[1], counts[2], counts[3]);
	return 0;
}
