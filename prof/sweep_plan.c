/*
 * sweep_plan.c - which points a sweep measures (sweep.h).
 *
 * Points are strategies x core counts x jobs-per-core ratios (jobs =
 * cores x ratio), and the optional axes (start methods, schedules,
 * chunksizes, attach, dtypes, openmp modes, pinning, allocators), each
 * applied to the strategies that honour it; serial once for every batch
 * size, as the speedup's denominator.  The findings preset adds, to that
 * grid, the points of every finding's experiment (finding.h), at the
 * machine's core count; a point two findings share is measured once.
 */
#include "sweep.h"
#include "cli.h"
#include "finding.h"
#include "workloads.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const struct sweep_preset presets[] = {
	{ .name = "quick", .summary = "the workload's default scenario, mixed jobs, cores 1, 2, 4 ... up to the "
				      "machine's, 2 jobs per core, 3 repetitions",
	  .mix = WORKLOAD_JOBS_MIXED, .ratios = { 1, { 2 } }, .reps = 3 },
	{ .name = "full", .summary = "the workload's benchmark scenario, identical jobs, the same core counts plus "
				     "one over, 1 and 2 jobs per core, 5 repetitions",
	  .benchmark = true, .mix = WORKLOAD_JOBS_IDENTICAL, .one_over = true, .ratios = { 2, { 1, 2 } }, .reps = 5 },
	{ .name = "findings", .summary = "full plus the experiments of every documented finding; at least 6 "
					 "repetitions, more (up to 12) until each point's median is known to 2 %",
	  .benchmark = true, .mix = WORKLOAD_JOBS_IDENTICAL, .one_over = true, .ratios = { 2, { 1, 2 } }, .reps = 6,
	  .precision = 0.02, .max_reps = 12, .findings = true },
};

const struct sweep_preset *sweep_preset_find(const char *name)
{
	for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
		if (strcmp(presets[i].name, name) == 0)
			return &presets[i];
	return NULL;
}

const char *sweep_preset_names(void)
{
	return "quick, full or findings";
}

static bool flag(const struct strategy *st, unsigned f)
{
	return (st->flags & f) != 0;
}

/* Adds a point unless the plan has it already.  A point is measured by a
 * child `spreadbench run` when the measuring process itself must differ:
 * another allocator, or a ballast of memory; and when its forked workers
 * run OpenMP inside their fires, since GNU OpenMP's thread pool does not
 * survive fork() and a worker forked from this process after an openmp
 * point ran here would wait for pool threads that were never copied. */
static int add_point(void *arg, const struct point *pt)
{
	struct sweep *s = arg;
	struct sweep_point np = { 0 };
	np.o = (struct runner_options){ .strategy = pt->strategy, .p = pt->p, .sample_interval_s = 0.02,
					.parent_rss_bytes = pt->parent_rss, .load = pt->load };
	np.o.p.worker_path = worker_program_path();
	int rc = point_key(pt, &np.key);
	if (rc)
		return rc;
	for (int i = 0; i < s->npts; i++)
		if (memcmp(&s->pts[i].key, &np.key, sizeof np.key) == 0)
			return 0;
	/* What the workload cannot do is not planned: f64 inputs, threads
	 * inside a job. */
	if ((pt->p.dtype == WORKLOAD_F64 && !s->has_f64) ||
	    ((pt->p.job_threads < 0 || pt->p.job_threads > 1) && !s->has_threads))
		return 0;
	bool omp_in_fork = flag(pt->strategy, STRATEGY_JOB_THREADS) && pt->p.start == STRATEGY_START_FORK &&
			   (pt->p.job_threads < 0 || pt->p.job_threads > 1);
	np.child = pt->p.allocator != STRATEGY_ALLOC_GLIBC || pt->parent_rss > 0 || omp_in_fork;
	struct sweep_point *n = realloc(s->pts, (size_t)(s->npts + 1) * sizeof *n);
	if (!n)
		return -ENOMEM;
	s->pts = n;
	s->pts[s->npts++] = np;
	return 0;
}

/* Every combination of the optional axes a strategy honours. */
static int grid_points(struct sweep *s, const struct strategy *st, struct strategy_params p)
{
	struct {
		int n;
		const int *v;
		int *field;
	} ax[] = {
		{ flag(st, STRATEGY_PROCESSES) ? s->nstarts : 1, s->starts, (int *)&p.start },
		{ flag(st, STRATEGY_SCHEDULES) ? s->nschedules : 1, s->schedules, (int *)&p.schedule },
		{ flag(st, STRATEGY_ATTACHES) ? s->nattaches : 1, s->attaches, (int *)&p.attach },
		{ flag(st, STRATEGY_MODES) ? s->nmodes : 1, s->modes, (int *)&p.mode },
		{ flag(st, STRATEGY_THREADS) ? s->npins : 1, s->pins, NULL },
		{ s->nallocators, s->allocators, (int *)&p.allocator },
		{ s->ndtypes, s->dtypes, (int *)&p.dtype },
	};
	int nax = (int)(sizeof ax / sizeof ax[0]), nch = flag(st, STRATEGY_SCHEDULES) ? s->chunks.n : 1;
	long total = nch;
	for (int a = 0; a < nax; a++)
		total *= ax[a].n;
	for (long k = 0; k < total; k++) {
		long rest = k;
		for (int a = 0; a < nax; a++) {
			int i = (int)(rest % ax[a].n);
			rest /= ax[a].n;
			if (ax[a].field)
				*ax[a].field = ax[a].v[i];
			else
				p.pin = ax[a].v[i] != 0;
		}
		p.chunksize = flag(st, STRATEGY_SCHEDULES) ? (int)s->chunks.v[rest] : 1;
		/* A strategy that starts workers by fork alone has no spawn point. */
		if (p.start == STRATEGY_START_SPAWN && flag(st, STRATEGY_FORK_ONLY))
			continue;
		struct point pt = { .strategy = st, .p = p };
		int rc = add_point(s, &pt);
		if (rc)
			return rc;
	}
	return 0;
}

/* The items of a comma list: the length of the one at s in *len, and
 * where the next begins. */
static const char *list_next(const char *s, size_t *len)
{
	*len = strcspn(s, ",");
	return s + *len + (s[*len] == ',');
}

bool sweep_wants(const struct sweep *s, const char *id)
{
	if (!s->experiments)
		return true;
	size_t len;
	for (const char *e = s->experiments, *next; *e; e = next) {
		next = list_next(e, &len);
		if (len == strlen(id) && strncasecmp(e, id, len) == 0)
			return true;
	}
	return false;
}

int sweep_check_experiments(const char *list)
{
	for (const char *e = list;; e++) {
		size_t len = strcspn(e, ",");
		const struct finding *f = NULL;
		for (int i = 0; i < finding_count() && !f; i++)
			if (strlen(finding_at(i)->id) == len && strncasecmp(finding_at(i)->id, e, len) == 0)
				f = finding_at(i);
		if (len == 0) {
			cli_error("--experiments: an empty item in '%s'", list);
			return -EINVAL;
		}
		if (!f || !(f->grid || f->points)) {
			char ids[256] = "";
			for (int i = 0; i < finding_count(); i++)
				if (finding_at(i)->grid || finding_at(i)->points)
					snprintf(ids + strlen(ids), sizeof ids - strlen(ids), "%s%s", ids[0] ? "," : "",
						 finding_at(i)->id);
			cli_error("--experiments: '%.*s' is not a finding with an experiment (%s)", (int)len, e, ids);
			return -EINVAL;
		}
		e += len;
		if (!*e)
			return 0;
	}
}

static int grid(struct sweep *s, struct strategy_params base)
{
	/* Serial, once per batch size. */
	long sizes[SWEEP_MAXLIST * SWEEP_MAXLIST];
	int nsizes = 0;
	for (int c = 0; c < s->cores.n; c++)
		for (int r = 0; r < s->ratios.n; r++) {
			long j = s->cores.v[c] * s->ratios.v[r];
			bool seen = false;
			for (int k = 0; k < nsizes; k++)
				seen |= sizes[k] == j;
			if (!seen)
				sizes[nsizes++] = j;
		}
	for (int i = 0; i < s->nstrategies; i++) {
		const struct strategy *st = cli_strategy_built(s->strategies[i]);
		if (!st)
			return -EINVAL;
		int rc = 0;
		if (!flag(st, STRATEGY_PROCESSES | STRATEGY_THREADS | STRATEGY_MPI)) {
			for (int k = 0; k < nsizes && !rc; k++)
				for (int d = 0; d < s->ndtypes && !rc; d++) {
					struct point pt = { .strategy = st, .p = base };
					pt.p.workers = 1;
					pt.p.jobs = (int)sizes[k];
					pt.p.dtype = s->dtypes[d];
					rc = add_point(s, &pt);
				}
		} else {
			for (int c = 0; c < s->cores.n && !rc; c++)
				for (int r = 0; r < s->ratios.n && !rc; r++) {
					struct strategy_params p = base;
					p.workers = (int)s->cores.v[c];
					p.jobs = (int)(s->cores.v[c] * s->ratios.v[r]);
					rc = grid_points(s, st, p);
				}
		}
		if (rc)
			return rc;
	}
	return 0;
}

int sweep_plan(struct sweep *s)
{
	struct strategy_params base;
	params_defaults(&base);
	base.workload = s->workload;
	base.options = s->options;
	base.scenario = s->scenario;
	base.seed = s->seed;
	base.mix = s->mix;
	bool findings = s->preset->findings;
	bool want_grid = !findings;
	bool fire = strcmp(s->workload, "fire") == 0;
	for (int i = 0; findings && i < finding_count(); i++)
		want_grid |= finding_at(i)->grid && (fire || !finding_at(i)->fire_only) &&
			     sweep_wants(s, finding_at(i)->id);
	int rc = want_grid ? grid(s, base) : 0;
	if (rc || !findings)
		return rc;
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
	struct finding_plan plan = {
		.w = s->ncores, .base = base, .cores = s->cores.v, .ncores = s->cores.n, .ratios = s->ratios.v,
		.nratios = s->ratios.n, .memory_bytes = pages > 0 && psz > 0 ? (uint64_t)pages * (uint64_t)psz : 0,
	};
	for (int i = 0; i < finding_count() && !rc; i++) {
		const struct finding *f = finding_at(i);
		if (f->points && sweep_wants(s, f->id) && (fire || !f->fire_only))
			rc = f->points(&plan, add_point, s);
	}
	return rc;
}

int sweep_point_open(struct sweep_point *pt)
{
	if (pt->o.wl)
		return 0;
	char err[512];
	struct workload_scenario *ws;
	int rc = workloads_open(&pt->o.p, &pt->o.wl, &ws, err, sizeof err);
	if (rc)
		cli_error("%s", err);
	else
		pt->o.ws = ws;
	return rc;
}

void sweep_release(struct sweep *s)
{
	for (int i = 0; i < s->npts; i++) {
		free(s->pts[i].walls);
		if (s->pts[i].o.wl)
			s->pts[i].o.wl->close((struct workload_scenario *)s->pts[i].o.ws);
	}
	free(s->pts);
	s->pts = NULL;
	s->npts = 0;
}
