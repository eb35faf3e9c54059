/*
 * cmd_plot.c - `spreadbench plot DIR`: the plots of a sweep folder.  The
 * valid rows of DIR/results.csv are grouped by strategy variant, workers
 * and jobs; for each group the median and the extremes of the
 * repetitions go to .dat files in DIR/plots, and gnuplot draws each figure from
 * its script in the plots folder as PNG and SVG:
 *   speedup     serial wall (same batch) / wall, against workers, with ideal;
 *   efficiency  speedup / workers;
 *   memory      peak PSS of the tree (and summed RSS, dashed) against workers;
 *   throughput  Mha per CPU-hour against jobs per core, at the most workers;
 *   latency     fork-per-job's worker start latency against the runner's
 *               resident memory, fork and spawn (findings B01);
 *   makespan    compute phase per schedule with unequal jobs, against the
 *               ideal total work / workers (findings S01).
 * A command measured with `spreadbench exec` has no serial run: its
 * speedup is relative to its own point at the fewest workers (same
 * jobs), taken as ideal there; it has no throughput in cells, and its
 * memory is drawn even when measured at one worker count only.
 * Variants are as groups.h defines them.  A variant measured at a single
 * point (the findings' one-off experiments) is left out of the line plots
 * when others make lines, so they stay readable; the report has them.
 * Every file (the .dat files and the pictures) is written through an
 * outfile: a full disk leaves the previous file whole, and is an error.
 */
#include "cli.h"
#include "groups.h"
#include "outfile.h"
#include "sidecar.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct group *serial_for(const struct groups *gs, int jobs)
{
	for (size_t i = 0; i < gs->n; i++)
		if (gs->g[i].jobs == jobs && strcmp(gs->g[i].label, "serial") == 0)
			return &gs->g[i];
	return NULL;
}

static int by_label_workers(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	int c = strcmp(x->label, y->label);
	if (c)
		return c;
	if (x->workers != y->workers)
		return x->workers - y->workers;
	return x->jobs - y->jobs;
}

/* One gnuplot data block per label (blocks apart by two blank lines,
 * each starting with its title line for columnheader). */
enum which { SPEEDUP, EFFICIENCY, MEMORY, THROUGHPUT };

/* How many rows of the plot a title gets: the first pass of write_dat. */
struct titles {
	char t[256][192];
	int rows[256], n;
	bool lines;                      /* some title has two rows or more */
};

static int write_dat_pass(const struct groups *gs, enum which w, FILE *f, int max_workers, struct titles *ts);

/* Throughput per core: the burned area (Mha per CPU-hour) where every
 * strategy's row has it (the fire model), else the workload's work units
 * per CPU-hour. */
static enum group_metric throughput_metric = G_MHA;

static void choose_throughput(const struct groups *gs)
{
	throughput_metric = G_MHA;
	for (size_t i = 0; i < gs->n; i++)
		if (!group_is_exec(&gs->g[i]) && isnan(group_median(&gs->g[i], G_MHA)))
			throughput_metric = G_WORK_CPU_HR;
}

static int write_dat(const struct groups *gs, enum which w, const char *path, int max_workers)
{
	static struct titles ts;
	memset(&ts, 0, sizeof ts);
	write_dat_pass(gs, w, NULL, max_workers, &ts);
	struct outfile o;
	int rc = outfile_open(&o, path);
	if (rc)
		return rc;
	int blocks = write_dat_pass(gs, w, o.f, max_workers, &ts);
	return (rc = outfile_commit(&o)) ? rc : blocks;
}

/* Counts rows per title into ts (f NULL), or writes the blocks worth
 * drawing to f. */
static int write_dat_pass(const struct groups *gs, enum which w, FILE *f, int max_workers, struct titles *ts)
{
	char open_label[192] = "";         /* title of the block being written */
	int blocks = 0;
	for (size_t i = 0; i < gs->n; i++) {
		const struct group *g = &gs->g[i];
		bool serial = strcmp(g->label, "serial") == 0, exec = group_is_exec(g);
		double row[5];
		int ncol = 4;
		if (w == SPEEDUP || w == EFFICIENCY) {
			/* A command's speedup is relative to its own run at the fewest
			 * workers, taken as ideal there (that many times one). */
			const struct group *s = exec ? groups_exec_base(gs, g) : serial_for(gs, g->jobs);
			/* one line per label and ratio: label the ratio when several */
			if (serial || !s || (!exec && g->jobs % g->workers))
				continue;
			double sm = group_median(s, G_WALL) * (exec ? s->workers : 1);
			double div = w == EFFICIENCY ? g->workers : 1;
			row[0] = g->workers;
			row[1] = sm / group_median(g, G_WALL) / div;
			row[2] = sm / group_max(g, G_WALL) / div;
			row[3] = sm / group_min(g, G_WALL) / div;
		} else if (w == MEMORY) {
			row[0] = g->workers;
			row[1] = group_median(g, G_PSS) / 1048576.0;
			row[2] = group_min(g, G_PSS) / 1048576.0;
			row[3] = group_max(g, G_PSS) / 1048576.0;
			row[4] = group_median(g, G_RSS) / 1048576.0;
			ncol = 5;
		} else {
			if ((g->workers != max_workers && !serial) || exec)
				continue;            /* a command burns no cells */
			row[0] = (double)g->jobs / g->workers;
			row[1] = group_median(g, throughput_metric);
			row[2] = group_min(g, throughput_metric);
			row[3] = group_max(g, throughput_metric);
		}
		char title[192];
		int ratio = g->workers ? g->jobs / g->workers : 0;
		if ((w == SPEEDUP || w == EFFICIENCY || w == MEMORY) && !serial && !exec)
			snprintf(title, sizeof title, "%s, %d job%s/core", g->label, ratio, ratio == 1 ? "" : "s");
		else
			snprintf(title, sizeof title, "%s", g->label);
		if (!f) {
			int k = 0;
			while (k < ts->n && strcmp(ts->t[k], title))
				k++;
			if (k == ts->n && ts->n < 256)
				snprintf(ts->t[ts->n++], sizeof ts->t[0], "%s", title);
			if (k < ts->n && ++ts->rows[k] > 1)
				ts->lines = true;
			continue;
		}
		bool lone = false;
		for (int k = 0; k < ts->n; k++)
			lone |= strcmp(ts->t[k], title) == 0 && ts->rows[k] < 2;
		/* A command measured at one worker count still shows its memory. */
		if (lone && ts->lines && !(exec && w == MEMORY))
			continue;
		if (strcmp(open_label, title)) {
			/* A label already written earlier would make a second block:
			 * groups are sorted, so that happens only across ratios. */
			if (open_label[0])
				fprintf(f, "\n\n");
			fprintf(f, "\"%s\" x x x%s\n", title, ncol == 5 ? " x" : "");
			blocks++;
			snprintf(open_label, sizeof open_label, "%s", title);
		}
		for (int c = 0; c < ncol; c++)
			fprintf(f, "%.6g%c", row[c], c + 1 < ncol ? ' ' : '\n');
	}
	return blocks;
}

/* Whether g is strategy's point at workers and jobs with every setting at
 * its default but those in `but` (key column names, space-separated). */
static bool default_but(const struct group *g, const char *strategy, int workers, int jobs, const char *but)
{
	static const struct {
		const char *column, *value;
	} defaults[] = { { "schedule", "block" }, { "chunksize", "1" }, { "attach", "worker" }, { "attach", "-" },
			 { "fire_threads", "1" }, { "pin", "false" }, { "pin", "-" }, { "allocator", "glibc" },
			 { "dtype", "f32" }, { "parent_rss_bytes", "0" }, { "nice", "0" }, { "nice", "-" },
			 { "load", "0" }, { "order", "drawn" }, { "start", "fork" } };
	if (strcmp(g->strategy, strategy) || g->workers != workers || g->jobs != jobs)
		return false;
	for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
		const char *c = defaults[i].column, *v = group_cell(g, c);
		size_t n = strlen(c);
		bool varied = false;
		for (const char *b = strstr(but, c); b && !varied; b = strstr(b + 1, c))
			varied = (b == but || b[-1] == ' ') && (b[n] == ' ' || !b[n]);
		if (varied || !v[0] || strcmp(v, defaults[i].value) == 0)
			continue;
		bool other_default = false;
		for (size_t k = 0; k < sizeof defaults / sizeof defaults[0]; k++)
			other_default |= strcmp(defaults[k].column, c) == 0 && strcmp(defaults[k].value, v) == 0;
		if (!other_default)
			return false;
	}
	return true;
}

static int by_parent(const void *a, const void *b)
{
	double x = group_median(*(const struct group *const *)a, G_PARENT);
	double y = group_median(*(const struct group *const *)b, G_PARENT);
	return (x > y) - (x < y);
}

/* B01: fork-per-job with one job per worker, by start method, in order
 * of the runner's memory. */
static int write_latency(const struct groups *gs, const char *path, int at)
{
	const struct group **sel = calloc(gs->n + 1, sizeof *sel);
	struct outfile o;
	if (!sel)
		return -ENOMEM;
	int blocks = 0, rc = outfile_open(&o, path);
	if (rc) {
		free(sel);
		return rc;
	}
	FILE *f = o.f;
	for (int spawn = 0; spawn < 2; spawn++) {
		size_t n = 0;
		for (size_t i = 0; i < gs->n; i++) {
			const struct group *g = &gs->g[i];
			if (!default_but(g, "fork-per-job", at, at, "start parent_rss_bytes") ||
			    strcmp(group_cell(g, "start"), spawn ? "spawn" : "fork") || isnan(group_median(g, G_PARENT)))
				continue;
			sel[n++] = g;
		}
		if (n < 2)
			continue; /* one parent size: no curve to draw */
		qsort(sel, n, sizeof *sel, by_parent);
		fprintf(f, "%s\"%s\" x x x\n", blocks++ ? "\n\n" : "", spawn ? "spawn" : "fork");
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%.6g %.6g %.6g %.6g\n", group_median(sel[i], G_PARENT) / 1048576.0,
				group_median(sel[i], G_LATENCY) * 1e3, group_min(sel[i], G_LATENCY) * 1e3,
				group_max(sel[i], G_LATENCY) * 1e3);
	}
	free(sel);
	if (blocks == 0) {
		outfile_abort(&o);
		return 0;
	}
	return (rc = outfile_commit(&o)) ? rc : blocks;
}

/* S01: pool-copy's unequal jobs sorted by cost, one bar per schedule, at
 * the most jobs measured so. */
static int write_makespan(const struct groups *gs, const char *path, int at)
{
	struct outfile o;
	int rc = outfile_open(&o, path);
	if (rc)
		return rc;
	FILE *f = o.f;
	static const char *const sched[] = { "block", "snake", "dynamic" };
	int bars = 0, jobs = 0;
	for (size_t i = 0; i < gs->n; i++)
		if (gs->g[i].workers == at && !strcmp(group_cell(&gs->g[i], "order"), "cost") && gs->g[i].jobs > jobs)
			jobs = gs->g[i].jobs;
	fprintf(f, "# schedule, compute median, min, max, ideal\n");
	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < gs->n; i++) {
			const struct group *g = &gs->g[i];
			if (!default_but(g, "pool-copy", at, jobs, "schedule order") ||
			    strcmp(group_cell(g, "schedule"), sched[k]) || strcmp(group_cell(g, "order"), "cost") ||
			    strcmp(group_cell(g, "mix"), "mixed"))
				continue;
			double c = group_median(g, G_COMPUTE);
			fprintf(f, "%s %.6g %.6g %.6g %.6g\n", sched[k], c, group_min(g, G_COMPUTE), group_max(g, G_COMPUTE),
				c * group_median(g, G_BUSY));
			bars++;
		}
	if (bars < 2) {
		outfile_abort(&o);
		return 0;
	}
	return (rc = outfile_commit(&o)) ? rc : 1;
}

/* Sorts for the speedup-type files: by label, ratio, then workers. */
static int by_label_ratio(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	int c = strcmp(x->label, y->label);
	if (c)
		return c;
	/* A command's line goes by workers alone: its jobs do not scale with them. */
	int rx = x->workers && !group_is_exec(x) ? x->jobs / x->workers : 0;
	int ry = y->workers && !group_is_exec(y) ? y->jobs / y->workers : 0;
	if (rx != ry)
		return rx - ry;
	return x->workers - y->workers;
}

int plot_draw(const char *dir, const char *name, const char *dat, const char *vars)
{
	for (int k = 0; k < 2; k++) {
		const char *fmt = k ? "svg" : "png";
		char script[600], expr[16384], path[4500];
		struct outfile o;
		snprintf(script, sizeof script, "%s/%s.gp", plots_dir(), name);
		snprintf(expr, sizeof expr, "dir='%s'; dat='%s'; fmt='%s'; %s", plots_dir(), dat, fmt, vars);
		snprintf(path, sizeof path, "%s/%s.%s", dir, name, fmt);
		int rc = outfile_open(&o, path);
		if (!rc && (rc = run_gnuplot(script, expr, o.f))) {
			if (rc == -EIO && o.err)
				rc = o.err;
			outfile_abort(&o);
		} else if (!rc) {
			rc = outfile_commit(&o);
		}
		if (rc) {
			cli_error("cannot draw '%s': %s", path, plot_strerror(rc));
			return rc;
		}
	}
	return 0;
}

static int draw(const char *dir, const char *name, const char *dat, const char *subtitle)
{
	char vars[400];
	snprintf(vars, sizeof vars, "subtitle='%s'; ylabel='%s'", subtitle,
		 throughput_metric == G_MHA ? "Mha per CPU-hour" : "work units per CPU-hour");
	return plot_draw(dir, name, dat, vars);
}

int cmd_plot(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		bool help = argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
		fprintf(help ? stdout : stderr, "usage: spreadbench plot DIR   (a sweep's results folder)\n");
		return help ? 0 : 2;
	}
	const char *dir = argv[1];
	char path[4200], pdir[4200];
	snprintf(path, sizeof path, "%s/results.csv", dir);
	struct groups gs;
	if (groups_load(path, &gs))
		return 2;
	int status = 1, rc;
	snprintf(pdir, sizeof pdir, "%s/plots", dir);
	if (mkdir(pdir, 0755) && errno != EEXIST) {
		cli_error("cannot create '%s': %s", pdir, strerror(errno));
		goto out;
	}
	/* Throughput against the ratio is drawn at the machine's core count
	 * (context.json) when measured there, else at the most workers. */
	int at = gs.max_workers;
	char cpath[4300], cerr[512];
	snprintf(cpath, sizeof cpath, "%s/context.json", dir);
	json_t *ctx = NULL;
	int crc = sidecar_load(cpath, &ctx, cerr, sizeof cerr);
	if (crc && crc != -ENOENT)
		fprintf(stderr, "spreadbench: warning: %s; throughput is drawn at the most workers\n", cerr);
	int cores = sidecar_cores(ctx);
	for (size_t i = 0; cores && i < gs.n; i++)
		if (gs.g[i].workers == cores && strcmp(gs.g[i].label, "serial") && !group_is_exec(&gs.g[i]))
			at = cores;
	json_decref(ctx);
	char subtitle[160];
	snprintf(subtitle, sizeof subtitle, "%s scenario, %zu runs", gs.scenario, gs.used);
	choose_throughput(&gs);
	static const char *const names[] = { "speedup", "efficiency", "memory", "throughput" };
	for (int k = 0; k < 4; k++) {
		char dat[4300];
		qsort(gs.g, gs.n, sizeof *gs.g, k == THROUGHPUT ? by_label_workers : by_label_ratio);
		snprintf(dat, sizeof dat, "%s/%s.dat", pdir, names[k]);
		int blocks = write_dat(&gs, (enum which)k, dat, at);
		if (blocks < 0) {
			cli_error("cannot write '%s': %s", dat, strerror(-blocks));
			goto out;
		}
		if (blocks == 0) {
			printf("plot: %s: nothing to draw (no serial run of the same batch?)\n", names[k]);
			continue;
		}
		if ((rc = draw(pdir, names[k], dat, subtitle)))
			goto out;
		printf("plot: %s/%s.png and .svg\n", pdir, names[k]);
	}
	static const char *const extra[] = { "latency", "makespan" };
	for (int k = 0; k < 2; k++) {
		char dat[4300];
		snprintf(dat, sizeof dat, "%s/%s.dat", pdir, extra[k]);
		int n = k ? write_makespan(&gs, dat, at) : write_latency(&gs, dat, at);
		if (n < 0) {
			cli_error("cannot write '%s': %s", dat, strerror(-n));
			goto out;
		}
		if (n == 0) {
			remove(dat); /* one of an earlier run */
			continue; /* not measured in this folder: the report says so */
		}
		if ((rc = draw(pdir, extra[k], dat, subtitle)))
			goto out;
		printf("plot: %s/%s.png and .svg\n", pdir, extra[k]);
	}
	status = 0;
out:
	groups_release(&gs);
	return status;
}
