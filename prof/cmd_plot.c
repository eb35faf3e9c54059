/*
 * cmd_plot.c - `spreadbench plot DIR`: the plots of a sweep folder.  The
 * valid rows of DIR/results.csv are grouped by strategy variant, workers
 * and jobs; for each group the median and the extremes of the
 * repetitions go to .dat files in DIR/plots, and gnuplot draws each figure from
 * its script in the plots folder as PNG and SVG:
 *   speedup     serial wall (same batch) / wall, against workers, with ideal;
 *   efficiency  speedup / workers;
 *   memory      peak PSS of the tree (and summed RSS, dashed) against workers;
 *   throughput  Mha per CPU-hour against jobs per core, at the most workers.
 * A variant is the strategy plus whatever of start, schedule, chunksize,
 * mode and threads per fire sets its rows apart from the defaults.
 */
#include "cli.h"
#include "csvio.h"
#include "stats.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct group {
	char label[96];
	int workers, jobs;
	size_t n, cap;
	double *wall, *pss, *rss, *mha;
};

struct groups {
	struct group *g;
	size_t n, cap;
};

static const char *col(const struct csvio_table *t, size_t r, const char *name)
{
	int c = csvio_column(t, name);
	return c < 0 ? "" : csvio_cell(t, r, c);
}

static void variant(const struct csvio_table *t, size_t r, char *out, size_t len)
{
	const char *start = col(t, r, "start"), *sched = col(t, r, "schedule"), *chunk = col(t, r, "chunksize");
	const char *mode = col(t, r, "mode"), *ft = col(t, r, "fire_threads"), *vn = col(t, r, "virtual_nodes");
	snprintf(out, len, "%s", col(t, r, "strategy"));
#define ADD(cond, ...)                                                   \
	if (cond) {                                                      \
		size_t l_ = strlen(out);                                 \
		snprintf(out + l_, len - l_, __VA_ARGS__);               \
	}
	ADD(strcmp(start, "spawn") == 0, " spawn");
	ADD(sched[0] && strcmp(sched, "-") && strcmp(sched, "block"), " %s", sched);
	ADD(chunk[0] && strcmp(chunk, "1"), " chunk %s", chunk);
	ADD(strcmp(mode, "single") == 0, " single");
	ADD(ft[0] && strcmp(ft, "1") && strcmp(mode, "single"), " x%s threads", ft);
	ADD(vn[0] && strcmp(vn, "0") && strcmp(vn, "1"), " %s vnodes", vn);
#undef ADD
}

static int add_row(struct groups *gs, const char *label, int workers, int jobs, const double m[4])
{
	struct group *g = NULL;
	for (size_t i = 0; i < gs->n && !g; i++)
		if (gs->g[i].workers == workers && gs->g[i].jobs == jobs && strcmp(gs->g[i].label, label) == 0)
			g = &gs->g[i];
	if (!g) {
		if (gs->n == gs->cap) {
			size_t c = gs->cap ? 2 * gs->cap : 16;
			struct group *p = realloc(gs->g, c * sizeof *p);
			if (!p)
				return -ENOMEM;
			gs->g = p;
			gs->cap = c;
		}
		g = &gs->g[gs->n++];
		memset(g, 0, sizeof *g);
		snprintf(g->label, sizeof g->label, "%s", label);
		g->workers = workers;
		g->jobs = jobs;
	}
	if (g->n == g->cap) {
		size_t c = g->cap ? 2 * g->cap : 8;
		double **arr[4] = { &g->wall, &g->pss, &g->rss, &g->mha };
		for (int k = 0; k < 4; k++) {
			double *p = realloc(*arr[k], c * sizeof *p);
			if (!p)
				return -ENOMEM;
			*arr[k] = p;
		}
		g->cap = c;
	}
	g->wall[g->n] = m[0];
	g->pss[g->n] = m[1];
	g->rss[g->n] = m[2];
	g->mha[g->n] = m[3];
	g->n++;
	return 0;
}

static double vmin(const double *v, size_t n)
{
	double m = v[0];
	for (size_t i = 1; i < n; i++)
		m = v[i] < m ? v[i] : m;
	return m;
}

static double vmax(const double *v, size_t n)
{
	double m = v[0];
	for (size_t i = 1; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

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

static int write_dat(const struct groups *gs, enum which w, const char *path, int max_workers)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	const char *open_label = NULL;
	int blocks = 0;
	for (size_t i = 0; i < gs->n; i++) {
		const struct group *g = &gs->g[i];
		bool serial = strcmp(g->label, "serial") == 0;
		double row[5];
		int ncol = 4;
		if (w == SPEEDUP || w == EFFICIENCY) {
			const struct group *s = serial_for(gs, g->jobs);
			/* one line per label and ratio: label the ratio when several */
			if (serial || !s || g->jobs % g->workers)
				continue;
			double sm = stats_median(s->wall, s->n), div = w == EFFICIENCY ? g->workers : 1;
			row[0] = g->workers;
			row[1] = sm / stats_median(g->wall, g->n) / div;
			row[2] = sm / vmax(g->wall, g->n) / div;
			row[3] = sm / vmin(g->wall, g->n) / div;
		} else if (w == MEMORY) {
			row[0] = g->workers;
			row[1] = stats_median(g->pss, g->n) / 1048576.0;
			row[2] = vmin(g->pss, g->n) / 1048576.0;
			row[3] = vmax(g->pss, g->n) / 1048576.0;
			row[4] = stats_median(g->rss, g->n) / 1048576.0;
			ncol = 5;
		} else {
			if (g->workers != max_workers && !serial)
				continue;
			row[0] = (double)g->jobs / g->workers;
			row[1] = stats_median(g->mha, g->n);
			row[2] = vmin(g->mha, g->n);
			row[3] = vmax(g->mha, g->n);
		}
		char title[128];
		int ratio = g->workers ? g->jobs / g->workers : 0;
		if ((w == SPEEDUP || w == EFFICIENCY || w == MEMORY) && !serial)
			snprintf(title, sizeof title, "%s, %d job%s/core", g->label, ratio, ratio == 1 ? "" : "s");
		else
			snprintf(title, sizeof title, "%s", g->label);
		if (!open_label || strcmp(open_label, title)) {
			/* A label already written earlier would make a second block:
			 * groups are sorted, so that happens only across ratios. */
			if (open_label)
				fprintf(f, "\n\n");
			fprintf(f, "\"%s\" x x x%s\n", title, ncol == 5 ? " x" : "");
			blocks++;
			static char keep[128];
			snprintf(keep, sizeof keep, "%s", title);
			open_label = keep;
		}
		for (int c = 0; c < ncol; c++)
			fprintf(f, "%.6g%c", row[c], c + 1 < ncol ? ' ' : '\n');
	}
	if (fclose(f))
		return -errno;
	return blocks;
}

/* Sorts for the speedup-type files: by label, ratio, then workers. */
static int by_label_ratio(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	int c = strcmp(x->label, y->label);
	if (c)
		return c;
	int rx = x->workers ? x->jobs / x->workers : 0, ry = y->workers ? y->jobs / y->workers : 0;
	if (rx != ry)
		return rx - ry;
	return x->workers - y->workers;
}

static int draw(const char *dir, const char *name, const char *dat, const char *subtitle)
{
	for (int k = 0; k < 2; k++) {
		const char *fmt = k ? "svg" : "png";
		char script[600], expr[16384], out[4400];
		snprintf(script, sizeof script, "%s/%s.gp", plots_dir(), name);
		snprintf(out, sizeof out, "%s/%s", dir, name);
		snprintf(expr, sizeof expr, "dir='%s'; dat='%s'; out='%s'; fmt='%s'; subtitle='%s'", plots_dir(), dat,
			 out, fmt, subtitle);
		int rc = run_gnuplot(script, expr);
		if (rc)
			return rc;
		char path[4500];
		struct stat st;
		snprintf(path, sizeof path, "%s.%s", out, fmt);
		if (stat(path, &st) || st.st_size == 0)
			return -EIO;
	}
	return 0;
}

int cmd_plot(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		bool help = argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
		fprintf(help ? stdout : stderr, "usage: spreadbench plot DIR   (a sweep's results folder)\n");
		return help ? 0 : 2;
	}
	const char *dir = argv[1];
	char path[4200], pdir[4200], err[512] = "";
	snprintf(path, sizeof path, "%s/results.csv", dir);
	struct csvio_table t;
	int rc = csvio_read(path, &t, err, sizeof err);
	if (rc) {
		cli_error("%s", err[0] ? err : strerror(-rc));
		return 2;
	}
	static const char *const need[] = { "strategy", "workers", "jobs", "status", "valid", "wall_s",
					    "peak_pss_bytes", "peak_rss_sum_bytes", "mha_per_cpu_hr", "scenario" };
	for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
		if (csvio_column(&t, need[i]) < 0) {
			cli_error("'%s' has no column '%s': is it a sweep's results?", path, need[i]);
			csvio_table_release(&t);
			return 2;
		}
	struct groups gs = { 0 };
	int status = 1, max_workers = 0;
	size_t used = 0;
	for (size_t r = 0; r < t.nrows; r++) {
		if (strcmp(col(&t, r, "status"), "ok") || strcmp(col(&t, r, "valid"), "true"))
			continue;
		long w, j;
		double m[4];
		if (csvio_parse_long(col(&t, r, "workers"), &w) || csvio_parse_long(col(&t, r, "jobs"), &j) ||
		    csvio_parse_double(col(&t, r, "wall_s"), &m[0]) ||
		    csvio_parse_double(col(&t, r, "peak_pss_bytes"), &m[1]) ||
		    csvio_parse_double(col(&t, r, "peak_rss_sum_bytes"), &m[2]) ||
		    csvio_parse_double(col(&t, r, "mha_per_cpu_hr"), &m[3]) || w < 1 || j < 1) {
			cli_error("'%s': row %zu has a field that is not a number", path, r + 1);
			status = 2;
			goto out;
		}
		char label[96];
		variant(&t, r, label, sizeof label);
		if (add_row(&gs, label, (int)w, (int)j, m)) {
			cli_error("out of memory");
			goto out;
		}
		if (strcmp(label, "serial") && w > max_workers)
			max_workers = (int)w;
		used++;
	}
	if (!used) {
		cli_error("'%s' has no valid row to plot", path);
		status = 2;
		goto out;
	}
	snprintf(pdir, sizeof pdir, "%s/plots", dir);
	if (mkdir(pdir, 0755) && errno != EEXIST) {
		cli_error("cannot create '%s': %s", pdir, strerror(errno));
		goto out;
	}
	char subtitle[160];
	snprintf(subtitle, sizeof subtitle, "%s scenario, %zu runs", t.nrows ? col(&t, 0, "scenario") : "?", used);
	static const char *const names[] = { "speedup", "efficiency", "memory", "throughput" };
	for (int k = 0; k < 4; k++) {
		char dat[4300];
		qsort(gs.g, gs.n, sizeof *gs.g, k == MEMORY || k == THROUGHPUT ? by_label_workers : by_label_ratio);
		snprintf(dat, sizeof dat, "%s/%s.dat", pdir, names[k]);
		int blocks = write_dat(&gs, (enum which)k, dat, max_workers);
		if (blocks < 0) {
			cli_error("cannot write '%s': %s", dat, strerror(-blocks));
			goto out;
		}
		if (blocks == 0) {
			printf("plot: %s: nothing to draw (no serial run of the same batch?)\n", names[k]);
			continue;
		}
		if ((rc = draw(pdir, names[k], dat, subtitle))) {
			cli_error("gnuplot failed on %s: %s", names[k], strerror(-rc));
			goto out;
		}
		printf("plot: %s/%s.png and .svg\n", pdir, names[k]);
	}
	status = 0;
out:
	for (size_t i = 0; i < gs.n; i++) {
		free(gs.g[i].wall);
		free(gs.g[i].pss);
		free(gs.g[i].rss);
		free(gs.g[i].mha);
	}
	free(gs.g);
	csvio_table_release(&t);
	return status;
}
