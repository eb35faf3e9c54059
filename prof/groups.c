/*
 * groups.c - see groups.h.
 */
#include "groups.h"
#include "cli.h"
#include "csvio.h"
#include "rowcheck.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const group_metric_columns[G_NMETRIC] = {
	[G_WALL] = "wall_s",           [G_PSS] = "peak_pss_bytes",   [G_RSS] = "peak_rss_sum_bytes",
	[G_MHA] = "mha_per_cpu_hr",    [G_JPS] = "jobs_per_s",       [G_SETUP] = "setup_s",
	[G_COMPUTE] = "compute_s",     [G_LATENCY] = "start_latency_s", [G_INPUT] = "input_bytes",
	[G_TAIL] = "tail_idle_s",      [G_BUSY] = "busy_fraction",   [G_SETUP_PEAK] = "setup_peak_pss_bytes",
	[G_PARENT] = "parent_rss_bytes", [G_SAMPLER] = "sampler_cpu_fraction", [G_LOAD] = "load",
	[G_STEAL] = "steal_fraction",  [G_IVCSW] = "involuntary_switches", [G_RUNNABLE] = "runnable_before",
	[G_MHZ] = "cpu_mhz",           [G_TEARDOWN] = "teardown_s",  [G_HWM] = "max_worker_hwm_bytes",
	[G_PROCS] = "max_procs",       [G_WORK] = "work_units_per_s", [G_WORK_CPU_HR] = "work_units_per_cpu_hr",
	[G_PAGE] = "shm_page_bytes",   [G_JOB] = "mean_job_s",
};

static const char *col(const struct csvio_table *t, size_t r, const char *name)
{
	int c = csvio_column(t, name);
	return c < 0 ? "" : csvio_cell(t, r, c);
}

const char *group_cell(const struct group *g, const char *column)
{
	int k = point_key_index(column);
	return k < 0 ? "" : g->key.cell[k];
}

bool group_is_exec(const struct group *g)
{
	return strcmp(g->strategy, "exec") == 0;
}

/* A label naming what sets a group apart from the defaults; a command's
 * is its own label. */
static void make_label(const struct group *g, bool both_mixes, char *out, size_t len)
{
	if (group_is_exec(g)) {
		snprintf(out, len, "exec %s", group_cell(g, "label"));
		return;
	}
#define C(name) group_cell(g, name)
	const char *start = C("start"), *sched = C("schedule"), *chunk = C("chunksize"), *mode = C("mode");
	const char *ft = C("fire_threads"), *vn = C("virtual_nodes"), *nice = C("nice"), *load = C("load");
	double parent = 0;
	csvio_parse_double(C("parent_rss_bytes"), &parent);
	size_t l = (size_t)snprintf(out, len, "%s", C("strategy"));
#define ADD(cond, ...)                                                             \
	if ((cond) && l < len)                                                     \
		l += (size_t)snprintf(out + l, len - l, __VA_ARGS__);
	ADD(strcmp(start, "spawn") == 0, " spawn");
	ADD(sched[0] && strcmp(sched, "-") && strcmp(sched, "block"), " %s", sched);
	ADD(chunk[0] && strcmp(chunk, "1"), " chunk %s", chunk);
	ADD(strcmp(mode, "single") == 0, " single");
	ADD(ft[0] && strcmp(ft, "1") && strcmp(mode, "single"), " x%s threads", ft);
	ADD(vn[0] && strcmp(vn, "0") && strcmp(vn, "1"), " %s vnodes", vn);
	ADD(strcmp(C("attach"), "job") == 0, " attach per job");
	ADD(strcmp(C("pin"), "true") == 0, " pinned");
	ADD(strcmp(C("allocator"), "jemalloc") == 0, " jemalloc");
	ADD(strcmp(C("dtype"), "f64") == 0, " f64");
	ADD(parent >= 1 << 30, " parent %g GiB", parent / (1 << 30));
	ADD(parent > 0 && parent < 1 << 30, " parent %g MiB", parent / (1 << 20));
	ADD(nice[0] && strcmp(nice, "0") && strcmp(nice, "-"), " nice %s", nice);
	ADD(load[0] && strcmp(load, "0"), " load %s", load);
	ADD(strcmp(C("order"), "cost") == 0, " by cost");
	ADD(both_mixes && strcmp(C("mix"), "mixed") == 0, " mixed jobs");
#undef ADD
#undef C
}

void groups_init(struct groups *gs)
{
	memset(gs, 0, sizeof *gs);
	for (int k = 0; k < POINT_NKEY; k++)
		gs->has[k] = true;
}

static bool same_key(const struct groups *gs, const struct point_key *a, const struct point_key *b)
{
	for (int k = 0; k < POINT_NKEY; k++)
		if (gs->has[k] && strcmp(a->cell[k], b->cell[k]))
			return false;
	return true;
}

static struct group *group_of(struct groups *gs, const struct point_key *key)
{
	for (size_t i = 0; i < gs->n; i++)
		if (same_key(gs, &gs->g[i].key, key))
			return &gs->g[i];
	if (gs->n == gs->cap) {
		size_t c = gs->cap ? 2 * gs->cap : 16;
		struct group *p = realloc(gs->g, c * sizeof *p);
		if (!p)
			return NULL;
		gs->g = p;
		gs->cap = c;
	}
	struct group *g = &gs->g[gs->n++];
	memset(g, 0, sizeof *g);
	g->key = *key;
	long w = 0, j = 0;
	csvio_parse_long(group_cell(g, "workers"), &w);
	csvio_parse_long(group_cell(g, "jobs"), &j);
	g->workers = (int)w;
	g->jobs = (int)j;
	snprintf(g->strategy, sizeof g->strategy, "%s", group_cell(g, "strategy"));
	return g;
}

static int append(struct group *g, const double *v)
{
	if (g->n == g->cap) {
		size_t c = g->cap ? 2 * g->cap : 8;
		for (int k = 0; k < G_NMETRIC; k++) {
			double *p = realloc(g->v[k], c * sizeof *p);
			if (!p)
				return -ENOMEM;
			g->v[k] = p;
		}
		g->cap = c;
	}
	for (int k = 0; k < G_NMETRIC; k++)
		g->v[k][g->n] = v[k];
	g->n++;
	return 0;
}

int groups_add(struct groups *gs, const struct point_key *key, const double *v)
{
	struct group *g = group_of(gs, key);
	if (!g || append(g, v))
		return -ENOMEM;
	/* Commands scan their own worker counts, and their scenario is not
	 * one of the kernel's: neither describes the strategies' sweep. */
	bool exec = group_is_exec(g);
	if (strcmp(g->strategy, "serial") && !exec && g->workers > gs->max_workers)
		gs->max_workers = g->workers;
	if (!gs->used++ || (!exec && !gs->scenario_of_strategy)) {
		snprintf(gs->scenario, sizeof gs->scenario, "%s", group_cell(g, "scenario"));
		gs->scenario_of_strategy = !exec;
	}
	return 0;
}

void groups_finish(struct groups *gs)
{
	bool mixes[2] = { false, false };
	for (size_t i = 0; i < gs->n; i++)
		if (!group_is_exec(&gs->g[i]))
			mixes[strcmp(group_cell(&gs->g[i], "mix"), "mixed") == 0] = true;
	for (size_t i = 0; i < gs->n; i++)
		make_label(&gs->g[i], mixes[0] && mixes[1], gs->g[i].label, sizeof gs->g[i].label);
}

int groups_load(const char *path, struct groups *gs)
{
	groups_init(gs);
	struct csvio_table t;
	char err[512] = "";
	int rc = csvio_read(path, &t, err, sizeof err);
	if (!rc && (rc = rowcheck_table(&t, path, err, sizeof err)))
		csvio_table_release(&t);
	if (rc) {
		cli_error("%s", err[0] ? err : strerror(-rc));
		return rc;
	}
	static const char *const need[] = { "strategy", "workers", "jobs", "status", "valid", "scenario" };
	for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
		if (csvio_column(&t, need[i]) < 0) {
			cli_error("'%s' has no column '%s': is it a sweep's results?", path, need[i]);
			rc = -EINVAL;
			goto out;
		}
	for (int k = 0; k < G_REQUIRED; k++)
		if (csvio_column(&t, group_metric_columns[k]) < 0) {
			cli_error("'%s' has no column '%s': is it a sweep's results?", path, group_metric_columns[k]);
			rc = -EINVAL;
			goto out;
		}
	for (int k = 0; k < POINT_NKEY; k++)
		gs->has[k] = csvio_column(&t, point_key_columns[k]) >= 0;
	for (size_t r = 0; r < t.nrows; r++) {
		if (strcmp(col(&t, r, "status"), "ok") || strcmp(col(&t, r, "valid"), "true")) {
			gs->invalid++;
			continue;
		}
		long w, j;
		double v[G_NMETRIC];
		bool bad = csvio_parse_long(col(&t, r, "workers"), &w) || csvio_parse_long(col(&t, r, "jobs"), &j) ||
			   w < 1 || j < 1;
		for (int k = 0; k < G_NMETRIC && !bad; k++) {
			v[k] = NAN;
			const char *name = group_metric_columns[k];
			if (k == G_WORK && csvio_column(&t, name) < 0)
				name = "burned_cells_per_s";
			if (k < G_REQUIRED || csvio_column(&t, name) >= 0) {
				const char *cell = col(&t, r, name);
				/* A sensor the machine lacks leaves its cell empty,
				 * as do a workload's columns it has no figure for. */
				bool may_be_empty = k >= G_REQUIRED || k == G_MHA;
				bad = !(may_be_empty && !cell[0]) && csvio_parse_double(cell, &v[k]) != 0;
			}
		}
		v[G_WORK_CPU_HR] = v[G_WORK] * 3600.0 / (double)w;
		if (bad) {
			cli_error("'%s': row %zu has a field that is not a number", path, r + 1);
			rc = -EINVAL;
			goto out;
		}
		struct point_key key;
		for (int k = 0; k < POINT_NKEY; k++)
			snprintf(key.cell[k], sizeof key.cell[k], "%s", col(&t, r, point_key_columns[k]));
		if (groups_add(gs, &key, v)) {
			rc = -ENOMEM;
			cli_error("out of memory");
			goto out;
		}
	}
	if (!gs->used) {
		cli_error("'%s' has no valid row", path);
		rc = -EINVAL;
	}
	groups_finish(gs);
out:
	csvio_table_release(&t);
	if (rc)
		groups_release(gs);
	return rc;
}

void groups_release(struct groups *gs)
{
	for (size_t i = 0; i < gs->n; i++)
		for (int k = 0; k < G_NMETRIC; k++)
			free(gs->g[i].v[k]);
	free(gs->g);
	memset(gs, 0, sizeof *gs);
}

const struct group *groups_exec_base(const struct groups *gs, const struct group *g)
{
	const struct group *best = NULL;
	for (size_t i = 0; i < gs->n; i++) {
		const struct group *o = &gs->g[i];
		if (o->jobs == g->jobs && strcmp(o->label, g->label) == 0 && (!best || o->workers < best->workers))
			best = o;
	}
	return best;
}

double group_median(const struct group *g, enum group_metric m)
{
	return stats_median(g->v[m], g->n);
}

double group_min(const struct group *g, enum group_metric m)
{
	double x = g->v[m][0];
	for (size_t i = 1; i < g->n; i++)
		x = g->v[m][i] < x ? g->v[m][i] : x;
	return x;
}

double group_max(const struct group *g, enum group_metric m)
{
	double x = g->v[m][0];
	for (size_t i = 1; i < g->n; i++)
		x = g->v[m][i] > x ? g->v[m][i] : x;
	return x;
}

const struct group *groups_find_point(const struct groups *gs, const struct point *pt)
{
	struct point_key key;
	if (point_key(pt, &key))
		return NULL;
	for (size_t i = 0; i < gs->n; i++)
		if (same_key(gs, &gs->g[i].key, &key))
			return &gs->g[i];
	return NULL;
}

const struct group *groups_find(const struct groups *gs, const char *label, int workers, int jobs)
{
	for (size_t i = 0; i < gs->n; i++) {
		const struct group *g = &gs->g[i];
		if (strcmp(g->label, label) == 0 && (!workers || g->workers == workers) && (!jobs || g->jobs == jobs))
			return g;
	}
	return NULL;
}

static uint64_t next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

int groups_resample(const struct groups *src, uint64_t *rng, struct groups *dst)
{
	*dst = *src;
	dst->g = calloc(src->n + 1, sizeof *dst->g);
	dst->cap = src->n + 1;
	if (!dst->g)
		return -ENOMEM;
	for (size_t i = 0; i < src->n; i++) {
		const struct group *s = &src->g[i];
		struct group *d = &dst->g[i];
		*d = *s;
		memset(d->v, 0, sizeof d->v);
		d->cap = s->n;
		for (int k = 0; k < G_NMETRIC; k++)
			if (!(d->v[k] = malloc((s->n + 1) * sizeof(double)))) {
				dst->n = i + 1;
				groups_release(dst);
				return -ENOMEM;
			}
		for (size_t r = 0; r < s->n; r++) {
			size_t from = (size_t)(next(rng) % s->n);
			for (int k = 0; k < G_NMETRIC; k++)
				d->v[k][r] = s->v[k][from];
		}
	}
	return 0;
}
