/*
 * groups.c - see groups.h.
 */
#include "groups.h"
#include "cli.h"
#include "csvio.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const metric_columns[G_NMETRIC] = {
	[G_WALL] = "wall_s",           [G_PSS] = "peak_pss_bytes",   [G_RSS] = "peak_rss_sum_bytes",
	[G_MHA] = "mha_per_cpu_hr",    [G_JPS] = "jobs_per_s",       [G_SETUP] = "setup_s",
	[G_COMPUTE] = "compute_s",     [G_LATENCY] = "start_latency_s", [G_INPUT] = "input_bytes",
	[G_TAIL] = "tail_idle_s",      [G_BUSY] = "busy_fraction",   [G_SETUP_PEAK] = "setup_peak_pss_bytes",
	[G_PARENT] = "parent_rss_bytes", [G_SAMPLER] = "sampler_cpu_fraction", [G_LOAD] = "load",
};
#define G_REQUIRED G_BUSY               /* the metrics every results file has */

static const char *col(const struct csvio_table *t, size_t r, const char *name)
{
	int c = csvio_column(t, name);
	return c < 0 ? "" : csvio_cell(t, r, c);
}

static void variant(const struct csvio_table *t, size_t r, bool both_mixes, char *out, size_t len)
{
	const char *start = col(t, r, "start"), *sched = col(t, r, "schedule"), *chunk = col(t, r, "chunksize");
	const char *mode = col(t, r, "mode"), *ft = col(t, r, "fire_threads"), *vn = col(t, r, "virtual_nodes");
	const char *attach = col(t, r, "attach"), *pin = col(t, r, "pin"), *alloc = col(t, r, "allocator");
	const char *dtype = col(t, r, "dtype"), *nice = col(t, r, "nice"), *load = col(t, r, "load");
	double parent = 0;
	csvio_parse_double(col(t, r, "parent_rss_bytes"), &parent);
	size_t l = (size_t)snprintf(out, len, "%s", col(t, r, "strategy"));
#define ADD(cond, ...)                                                             \
	if ((cond) && l < len)                                                     \
		l += (size_t)snprintf(out + l, len - l, __VA_ARGS__);
	ADD(strcmp(start, "spawn") == 0, " spawn");
	ADD(sched[0] && strcmp(sched, "-") && strcmp(sched, "block"), " %s", sched);
	ADD(chunk[0] && strcmp(chunk, "1"), " chunk %s", chunk);
	ADD(strcmp(mode, "single") == 0, " single");
	ADD(ft[0] && strcmp(ft, "1") && strcmp(mode, "single"), " x%s threads", ft);
	ADD(vn[0] && strcmp(vn, "0") && strcmp(vn, "1"), " %s vnodes", vn);
	ADD(strcmp(attach, "job") == 0, " attach per job");
	ADD(strcmp(pin, "true") == 0, " pinned");
	ADD(strcmp(alloc, "jemalloc") == 0, " jemalloc");
	ADD(strcmp(dtype, "f64") == 0, " f64");
	ADD(parent >= 1 << 30, " parent %g GiB", parent / (1 << 30));
	ADD(parent > 0 && parent < 1 << 30, " parent %g MiB", parent / (1 << 20));
	ADD(nice[0] && strcmp(nice, "0") && strcmp(nice, "-"), " nice %s", nice);
	ADD(load[0] && strcmp(load, "0"), " load %s", load);
	ADD(both_mixes && strcmp(col(t, r, "mix"), "mixed") == 0, " mixed jobs");
#undef ADD
}

static struct group *group_of(struct groups *gs, const char *label, const char *strategy, int workers, int jobs)
{
	for (size_t i = 0; i < gs->n; i++)
		if (gs->g[i].workers == workers && gs->g[i].jobs == jobs && strcmp(gs->g[i].label, label) == 0)
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
	snprintf(g->label, sizeof g->label, "%s", label);
	snprintf(g->strategy, sizeof g->strategy, "%s", strategy);
	g->workers = workers;
	g->jobs = jobs;
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

int groups_load(const char *path, struct groups *gs)
{
	memset(gs, 0, sizeof *gs);
	struct csvio_table t;
	char err[512] = "";
	int rc = csvio_read(path, &t, err, sizeof err);
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
		if (csvio_column(&t, metric_columns[k]) < 0) {
			cli_error("'%s' has no column '%s': is it a sweep's results?", path, metric_columns[k]);
			rc = -EINVAL;
			goto out;
		}
	bool mixes[2] = { false, false };
	for (size_t r = 0; r < t.nrows; r++)
		mixes[strcmp(col(&t, r, "mix"), "mixed") == 0] = true;
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
			if (k < G_REQUIRED || csvio_column(&t, metric_columns[k]) >= 0)
				bad = csvio_parse_double(col(&t, r, metric_columns[k]), &v[k]) != 0;
		}
		if (bad) {
			cli_error("'%s': row %zu has a field that is not a number", path, r + 1);
			rc = -EINVAL;
			goto out;
		}
		char label[96];
		variant(&t, r, mixes[0] && mixes[1], label, sizeof label);
		struct group *g = group_of(gs, label, col(&t, r, "strategy"), (int)w, (int)j);
		if (!g || append(g, v)) {
			rc = -ENOMEM;
			cli_error("out of memory");
			goto out;
		}
		if (strcmp(label, "serial") && w > gs->max_workers)
			gs->max_workers = (int)w;
		if (!gs->used++)
			snprintf(gs->scenario, sizeof gs->scenario, "%s", col(&t, r, "scenario"));
	}
	if (!gs->used) {
		cli_error("'%s' has no valid row", path);
		rc = -EINVAL;
	}
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

const struct group *groups_find(const struct groups *gs, const char *label, int workers, int jobs)
{
	for (size_t i = 0; i < gs->n; i++) {
		const struct group *g = &gs->g[i];
		if (strcmp(g->label, label) == 0 && (!workers || g->workers == workers) && (!jobs || g->jobs == jobs))
			return g;
	}
	return NULL;
}
