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
	for (size_t i = 0; i < gs->n; i++) {
		const struct group *g = &gs->g[i];
		if (strcmp(g->label, label))
			continue;
		if (workers && g->workers != workers)
			continue;
		if (!best || g->workers > best->workers || (g->workers == best->workers && g->jobs > best->jobs))
			best = g;
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
	const struct group *top = best_parallel(r->gs, r->w, NULL, 0);
	const struct group *one = top ? pick(r->gs, top->label, 1) : NULL;
	if (!top || !one || top->workers == 1) {
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
	fprintf(f, "At %d workers, %d jobs: speedup pthreads %.2f, pool-shm %.2f; pthreads uses %.1f %% less memory (claim 5 %%).\n\n",
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
		return missing(f, "needs openmp --mode single and batch at the same point (`sweep --strategies openmp` with "
			   "a mode list is not there yet: use `spreadbench run --strategy openmp --mode single`)");
	}
	double a = speedup(r->gs, single) / single->workers, b = speedup(r->gs, batch) / batch->workers;
	fprintf(f, "At %d threads: efficiency inside one fire %.2f, across jobs %.2f.\n\n", single->workers, a, b);
	fprintf(f, "**%s**.\n", a < b ? "Holds" : "Does not hold");
	return said(a < b);
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

static const char *how_to(const char *id)
{
	static const struct {
		const char *id, *how;
	} t[] = {
		{ "F01", "`spreadbench run --dtype f64` against the same run with f32" },
		{ "F04", "`spreadbench sweep --starts fork,spawn --chunksizes 1,N`" },
		{ "F07", "`spreadbench run --strategy pool-shm --attach job` against `--attach worker`" },
		{ "F12", "`spreadbench sweep --strategies mpi-shm --schedules block,dynamic`" },
		{ "F13", "workers at nice 10 under a competing load (not in spreadbench yet)" },
		{ "S01", "`spreadbench sweep --mix mixed --schedules block,snake,dynamic` (makespan)" },
		{ "S02", "`spreadbench run` with jobs = k x workers and k x workers + 1 (tail_idle_s)" },
		{ "S05", "the runner's own peak during pool-shm setup (not recorded apart yet)" },
		{ "T02", "`spreadbench run --strategy pool-shm --fire-threads auto` against `--fire-threads 1`" },
		{ "T03", "`spreadbench sweep --mix identical --schedules block,dynamic`" },
		{ "B01", "`spreadbench run --parent-rss 0|256M|1G|4G --start fork|spawn` (start_latency_s)" },
		{ "B03", "`spreadbench run --strategy pthreads --pin` against no pin" },
		{ "B04", "`spreadbench run --strategy pthreads --allocator jemalloc` against glibc" },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(t[i].id, id) == 0)
			return t[i].how;
	return NULL;
}

static enum verdict judge(const struct rep *r, FILE *f, const char *id)
{
	static const struct {
		const char *id;
		judge_fn fn;
	} fns[] = { { "F02", f02 }, { "F03", f03 }, { "F05", f05 }, { "F06", f06 }, { "F08", f08 }, { "F10", f10 },
		    { "F11", f11 }, { "S03", s03 }, { "T01", t01 }, { "B02", b02 }, { "X01", x01 } };
	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
		if (strcmp(fns[i].id, id) == 0)
			return fns[i].fn(r, f);
	if (strcmp(id, "F09") == 0 || strcmp(id, "S04") == 0)
		return not_applicable(r, f, id);
	char what[256];
	snprintf(what, sizeof what, "the experiment is %s", how_to(id) ? how_to(id) : "not in this folder");
	return missing(f, what);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
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
	fprintf(f, "Speedup over serial on the same batch (median wall of serial / median wall), at the largest batch per worker count; efficiency in brackets.\n\n| strategy |");
	for (int k = 0; k < nw; k++)
		fprintf(f, " %d |", ws[k]);
	fprintf(f, "\n|---|");
	for (int k = 0; k < nw; k++)
		fprintf(f, "---:|");
	fprintf(f, "\n| serial (wall s at that batch) |");
	for (int k = 0; k < nw; k++) {
		const struct group *any = NULL;
		for (size_t i = 0; i < gs->n; i++)
			if (gs->g[i].workers == ws[k] && strcmp(gs->g[i].strategy, "serial") &&
			    (!any || gs->g[i].jobs > any->jobs))
				any = &gs->g[i];
		const struct group *s = any ? groups_find(gs, "serial", 1, any->jobs) : NULL;
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
		if (seen || nd == 64)
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
	json_error_t jerr;
	snprintf(path, sizeof path, "%s/context.json", dir);
	json_t *ctx = json_load_file(path, 0, &jerr);
	if (!ctx)
		ctx = json_object(); /* a folder without it still gets a report */
	struct rep r = { .gs = &gs, .ctx = ctx };
	json_t *cores = json_object_get(ctx, "cores");
	r.cores = json_is_integer(cores) ? (int)json_integer_value(cores) : cli_usable_cpus();
	/* Strategies are compared at the machine's core count when the folder
	 * has it (more would be oversubscribed), else at the most workers. */
	r.w = gs.max_workers;
	for (size_t i = 0; i < gs.n; i++)
		if (gs.g[i].workers == r.cores && strcmp(gs.g[i].strategy, "serial"))
			r.w = r.cores;
	snprintf(path, sizeof path, "%s/report.md", dir);
	FILE *f = fopen(path, "w");
	if (!f) {
		cli_error("cannot write '%s': %s", path, strerror(errno));
		json_decref(ctx);
		groups_release(&gs);
		return 1;
	}
	fprintf(f, "# spreadbench report\n\n%zu valid runs of the %s scenario (%zu rows left out as failed or invalid).\n\n",
		gs.used, gs.scenario, gs.invalid);
	fprintf(f, "## Machine\n\n| | |\n|---|---|\n");
	const char *key;
	json_t *v;
	json_object_foreach(ctx, key, v)
	{
		if (json_is_string(v))
			fprintf(f, "| %s | %s |\n", key, json_string_value(v));
		else if (json_is_integer(v))
			fprintf(f, "| %s | %lld |\n", key, (long long)json_integer_value(v));
	}
	fprintf(f, "\n## Speedup\n\n");
	fprintf(f, "Findings compare strategies at %d workers%s.\n\n", r.w,
		r.w == r.cores ? ", the machine's core count" : ", the most this folder has");
	speedup_table(&gs, f);
	fprintf(f, "\n![speedup](plots/speedup.png) ![efficiency](plots/efficiency.png)\n\n"
		   "![memory](plots/memory.png) ![throughput](plots/throughput.png)\n\n## Findings\n\n");
	int counts[4] = { 0 };
	for (int i = 0; i < NFINDINGS; i++) {
		fprintf(f, "### %s: %s\n\nExperiment: %s.\n\n", findings[i].id, findings[i].claim, findings[i].experiment);
		counts[judge(&r, f, findings[i].id)]++;
		fprintf(f, "\n");
	}
	int rc = fclose(f) ? -errno : 0;
	json_decref(ctx);
	groups_release(&gs);
	if (rc) {
		cli_error("cannot write '%s'", path);
		return 1;
	}
	printf("report: %s (%d hold, %d do not hold, %d not applicable, %d not measured in this folder)\n", path,
	       counts[0], counts[1], counts[2], counts[3]);
	return 0;
}
