/*
 * cmd_compare.c - `spreadbench compare BASE NEW`: did NEW get slower or
 * fatter than BASE?  Each side is a results CSV or a folder of them.  Rows
 * are grouped into points by their parameters (the columns that say what
 * was run); for every point in both and every metric (wall time,
 * throughput, peak PSS) the change is an effect with an interval: the
 * Hodges-Lehmann ratio NEW / BASE of the repetitions with its 1 - alpha
 * interval (stats.h).  It is worse (or better) only when the whole
 * interval lies beyond --factor in that direction, no change when the
 * whole interval lies within [1/factor, factor], and inconclusive
 * otherwise, with what would settle it; Mann-Whitney's p is reported for
 * information.  When the two sides' calibration probes (context.h) differ
 * by more than 10 %, the machines (or moments) differ and it says so.
 *
 * --normalize serial divides each row's metrics by the median of the
 * serial runs of the same batch (scenario, seed, mix, dtype, jobs) in the
 * same file, so that a baseline from one machine can guard another.
 *
 * Rows of `spreadbench exec` are points like any other, told apart by
 * their label; a metric that is 0 in every row of a point on both sides
 * (a command burns no cells) is not compared, and --normalize serial
 * leaves them out (a command has no serial run).
 *
 * Exit status: 0 no regression, 1 a regression (or a failed or invalid
 * row in NEW), 2 bad input.
 */
#include "cli.h"
#include "csvio.h"
#include "outfile.h"
#include "rowcheck.h"
#include "stats.h"
#include "verdict.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Columns that name what was run; those present in both files form the key. */
static const char *const param_columns[] = {
	"strategy", "start", "workers", "jobs", "schedule", "chunksize", "attach", "scenario",
	"seed", "mix", "dtype", "mode", "fire_threads", "pin", "allocator", "parent_rss_bytes",
	"job_timeout_s", "fault", "workload", "workload_options", "shm_pages",
	/* Last, because a command's label may hold spaces: see tokens(). */
	"label",
};
#define NPARAM (int)(sizeof param_columns / sizeof param_columns[0])
/* The batch a serial run normalises: these must match. */
static const char *const batch_columns[] = { "scenario", "seed", "mix", "dtype", "jobs" };
#define NBATCH (int)(sizeof batch_columns / sizeof batch_columns[0])

struct metric {
	const char *column, *label, *unit;
	bool higher_is_better;
};
static const struct metric metrics[] = {
	{ "wall_s", "wall", "s", false },
	{ "work_units_per_s", "throughput", "units/s", true },
	{ "peak_pss_bytes", "peak PSS", "bytes", false },
};
#define NMETRIC (int)(sizeof metrics / sizeof metrics[0])

/* The column of metric m in t: files from before the workload interface
 * have the fire model's burned cells per second for the throughput,
 * which is the same figure. */
static const char *metric_column(const struct csvio_table *t, int m)
{
	if (strcmp(metrics[m].column, "work_units_per_s") == 0 && csvio_column(t, metrics[m].column) < 0)
		return "burned_cells_per_s";
	return metrics[m].column;
}

/* One side: rows of one or more files, with each row's file index. */
struct side {
	const char *arg;
	struct csvio_table *t;
	int ntables;
	int invalid_rows;                /* status not ok or valid not true */
	char first_invalid[256];
	int unnormalized;                /* --normalize serial: commands' rows left out */
};

struct point {
	char *key;                       /* "strategy=pool-shm workers=2 ..." */
	char *name;                      /* the key without what all points share */
	bool serial;
	double *v[2][NMETRIC];           /* [side][metric] values */
	size_t n[2];
	size_t cap[2];
};

struct compare {
	struct side s[2];
	const char *keys[NPARAM];        /* columns in the key, in order */
	int nkeys;
	bool normalize;
	double factor, alpha;
	struct point *pts;
	size_t npts, cappts;
};

static bool has_csv_suffix(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && strcmp(name + n - 4, ".csv") == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_file(struct side *s, const char *path)
{
	char err[512] = "";
	struct csvio_table *t = realloc(s->t, (size_t)(s->ntables + 1) * sizeof *t);
	if (!t)
		return -ENOMEM;
	s->t = t;
	int rc = csvio_read(path, &s->t[s->ntables], err, sizeof err);
	if (rc) {
		cli_error("%s", err[0] ? err : strerror(-rc));
		return rc;
	}
	struct csvio_table *n = &s->t[s->ntables++];
	static const char *const need[] = { "strategy", "status", "valid", "wall_s" };
	for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
		if (csvio_column(n, need[i]) < 0) {
			cli_error("'%s' has no column '%s': is it a file of 'spreadbench run'?", path, need[i]);
			return -EINVAL;
		}
	/* The same check as show's, so that neither accepts what the other
	 * refuses. */
	if ((rc = rowcheck_table(n, path, err, sizeof err)))
		cli_error("%s", err);
	return rc;
}

/* A CSV file, or every *.csv file directly inside a folder. */
static int load_side(struct side *s)
{
	struct stat st;
	if (stat(s->arg, &st) != 0) {
		cli_error("cannot read '%s': %s", s->arg, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode))
		return load_file(s, s->arg);
	DIR *d = opendir(s->arg);
	if (!d) {
		cli_error("cannot read folder '%s': %s", s->arg, strerror(errno));
		return -errno;
	}
	char **names = NULL;
	size_t n = 0;
	int rc = 0;
	for (struct dirent *e; (e = readdir(d));) {
		if (!has_csv_suffix(e->d_name))
			continue;
		char **nn = realloc(names, (n + 1) * sizeof *nn);
		if (!nn || !(nn[n] = strdup(e->d_name))) {
			names = nn ? nn : names;
			rc = -ENOMEM;
			break;
		}
		names = nn;
		n++;
	}
	closedir(d);
	if (!rc && n == 0) {
		cli_error("folder '%s' holds no .csv file", s->arg);
		rc = -ENOENT;
	}
	if (!rc)
		qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", s->arg, names[i]);
		if (!rc)
			rc = load_file(s, path);
		free(names[i]);
	}
	free(names);
	return rc;
}

/* A figure from the context lines of a side's first file, or NAN. */
static double context_figure(const struct side *s, const char *key)
{
	size_t k = strlen(key);
	if (s->ntables < 1)
		return NAN;
	const struct csvio_table *t = &s->t[0];
	for (size_t i = 0; i < t->ncomments; i++) {
		double v;
		if (strncmp(t->comments[i], key, k) == 0 && strncmp(t->comments[i] + k, ": ", 2) == 0 &&
		    csvio_parse_double(t->comments[i] + k + 2, &v) == 0)
			return v;
	}
	return NAN;
}

/* Warns when the calibration probes of the two sides differ by more than
 * a tenth: the machines, or the moments, were not alike, and a ratio of
 * raw times then measures them as much as the change. */
static void check_probes(const struct compare *c)
{
	static const char *const keys[] = { "probe_cpu_s", "probe_latency_ns" };
	static const char *const what[] = { "CPU loop", "random read" };
	for (int k = 0; k < 2; k++) {
		double a = context_figure(&c->s[0], keys[k]), b = context_figure(&c->s[1], keys[k]);
		if (a > 0 && b > 0 && fabs(b / a - 1) > 0.10)
			fprintf(stderr,
				"spreadbench: warning: the two sides' calibration probes differ by %+.0f %% (%s: %.4g in "
				"BASE, %.4g in NEW): they ran on different machines or under different load%s\n",
				(b / a - 1) * 100, what[k], a, b,
				c->normalize ? "" : "; --normalize serial compares each relative to its own serial run");
	}
}

static const char *cell(const struct csvio_table *t, size_t r, const char *col)
{
	int c = csvio_column(t, col);
	return c < 0 ? "" : csvio_cell(t, r, c);
}

static bool row_ok(const struct csvio_table *t, size_t r)
{
	return strcmp(cell(t, r, "status"), "ok") == 0 && strcmp(cell(t, r, "valid"), "true") == 0;
}

static char *row_key(const struct compare *c, const struct csvio_table *t, size_t r)
{
	size_t len = 1;
	for (int k = 0; k < c->nkeys; k++)
		len += strlen(c->keys[k]) + strlen(cell(t, r, c->keys[k])) + 2;
	char *key = malloc(len);
	if (!key)
		return NULL;
	key[0] = '\0';
	for (int k = 0; k < c->nkeys; k++) {
		if (k)
			strcat(key, " ");
		strcat(key, c->keys[k]);
		strcat(key, "=");
		strcat(key, cell(t, r, c->keys[k]));
	}
	return key;
}

static bool same_batch(const struct csvio_table *t, size_t a, size_t b)
{
	for (int i = 0; i < NBATCH; i++)
		if (strcmp(cell(t, a, batch_columns[i]), cell(t, b, batch_columns[i])))
			return false;
	return true;
}

/* Median of a metric over the valid serial rows of row r's batch in t. */
static int serial_median(const struct csvio_table *t, size_t r, const char *col, double *out)
{
	double *v = malloc(t->nrows * sizeof *v);
	size_t n = 0;
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < t->nrows; i++) {
		double x;
		if (strcmp(cell(t, i, "strategy"), "serial") || !row_ok(t, i) || !same_batch(t, r, i))
			continue;
		if (csvio_parse_double(cell(t, i, col), &x) == 0)
			v[n++] = x;
	}
	*out = stats_median(v, n);
	free(v);
	return n ? 0 : -ENOENT;
}

static struct point *point_for(struct compare *c, char *key, bool serial)
{
	for (size_t i = 0; i < c->npts; i++)
		if (strcmp(c->pts[i].key, key) == 0) {
			free(key);
			return &c->pts[i];
		}
	if (c->npts == c->cappts) {
		size_t cap = c->cappts ? 2 * c->cappts : 16;
		struct point *p = realloc(c->pts, cap * sizeof *p);
		if (!p)
			return NULL;
		c->pts = p;
		c->cappts = cap;
	}
	struct point *p = &c->pts[c->npts++];
	memset(p, 0, sizeof *p);
	p->key = key;
	p->serial = serial;
	return p;
}

static int add_value(struct point *p, int side, const double *vals)
{
	if (p->n[side] == p->cap[side]) {
		size_t cap = p->cap[side] ? 2 * p->cap[side] : 8;
		for (int m = 0; m < NMETRIC; m++) {
			double *v = realloc(p->v[side][m], cap * sizeof *v);
			if (!v)
				return -ENOMEM;
			p->v[side][m] = v;
		}
		p->cap[side] = cap;
	}
	for (int m = 0; m < NMETRIC; m++)
		p->v[side][m][p->n[side]] = vals[m];
	p->n[side]++;
	return 0;
}

static int collect(struct compare *c, int side)
{
	struct side *s = &c->s[side];
	for (int f = 0; f < s->ntables; f++) {
		const struct csvio_table *t = &s->t[f];
		for (size_t r = 0; r < t->nrows; r++) {
			if (!row_ok(t, r)) {
				if (s->invalid_rows++ == 0)
					snprintf(s->first_invalid, sizeof s->first_invalid, "%s (%s, valid %s): %s",
						 cell(t, r, "strategy"), cell(t, r, "status"), cell(t, r, "valid"),
						 cell(t, r, "error"));
				continue;
			}
			bool serial = strcmp(cell(t, r, "strategy"), "serial") == 0;
			if (c->normalize && serial)
				continue;
			/* A command (spreadbench exec) ran no batch of serial's. */
			if (c->normalize && strcmp(cell(t, r, "strategy"), "exec") == 0) {
				s->unnormalized++;
				continue;
			}
			double vals[NMETRIC];
			for (int m = 0; m < NMETRIC; m++) {
				const char *col = metric_column(t, m), *txt = cell(t, r, col);
				/* Empty: a figure the workload does not have (0: not compared). */
				if (!txt[0]) {
					vals[m] = 0;
					continue;
				}
				if (csvio_parse_double(txt, &vals[m])) {
					cli_error("'%s': row %zu has '%s' for %s, not a number", s->arg, r + 1, txt, col);
					return -EINVAL;
				}
				if (c->normalize) {
					double ref;
					if (serial_median(t, r, col, &ref) || !(ref > 0)) {
						cli_error("--normalize serial: '%s' has no valid serial run for the batch "
							  "of %s (scenario %s, seed %s, mix %s, dtype %s, jobs %s)",
							  s->arg, cell(t, r, "strategy"), cell(t, r, "scenario"),
							  cell(t, r, "seed"), cell(t, r, "mix"), cell(t, r, "dtype"),
							  cell(t, r, "jobs"));
						return -EINVAL;
					}
					vals[m] /= ref;
				}
			}
			char *key = row_key(c, t, r);
			struct point *p = key ? point_for(c, key, serial) : NULL;
			if (!p) {
				free(key);
				return -ENOMEM;
			}
			if (add_value(p, side, vals))
				return -ENOMEM;
		}
	}
	return 0;
}

/* The key: parameter columns that every file of both sides has. */
static void choose_keys(struct compare *c)
{
	c->nkeys = 0;
	for (int k = 0; k < NPARAM; k++) {
		bool all = true;
		for (int side = 0; side < 2; side++)
			for (int f = 0; f < c->s[side].ntables; f++)
				all = all && csvio_column(&c->s[side].t[f], param_columns[k]) >= 0;
		if (all)
			c->keys[c->nkeys++] = param_columns[k];
	}
}

/* Splits a key into its space-separated tokens (at most NPARAM); the
 * last of the key's nkeys columns (label, when both sides have it) takes
 * the rest, spaces and all. */
static int tokens(const char *key, int nkeys, char tok[][128])
{
	int n = 0;
	const char *p = key;
	while (*p && n < NPARAM) {
		const char *e = n + 1 < nkeys ? strchr(p, ' ') : NULL;
		size_t len = e ? (size_t)(e - p) : strlen(p);
		snprintf(tok[n++], 128, "%.*s", (int)len, p);
		p = e ? e + 1 : p + len;
	}
	return n;
}

/* Names points by what sets them apart; returns what they all share. */
static char *name_points(struct compare *c)
{
	char first[NPARAM][128], tok[NPARAM][128];
	bool common[NPARAM];
	int n = c->npts ? tokens(c->pts[0].key, c->nkeys, first) : 0;
	for (int k = 0; k < n; k++)
		common[k] = strncmp(first[k], "strategy=", 9) != 0;
	for (size_t i = 1; i < c->npts; i++) {
		tokens(c->pts[i].key, c->nkeys, tok);
		for (int k = 0; k < n; k++)
			common[k] = common[k] && strcmp(tok[k], first[k]) == 0;
	}
	char *shared = calloc((size_t)NPARAM, 130);
	for (size_t i = 0; i < c->npts; i++) {
		tokens(c->pts[i].key, c->nkeys, tok);
		c->pts[i].name = calloc((size_t)NPARAM, 130);
		if (!c->pts[i].name)
			continue;
		for (int k = 0; k < n; k++) {
			size_t len = strlen(tok[k]);
			if (common[k] || (len > 2 && strcmp(tok[k] + len - 2, "=-") == 0))
				continue;       /* shared, or does not apply to this point */
			if (c->pts[i].name[0])
				strcat(c->pts[i].name, " ");
			strcat(c->pts[i].name, strncmp(tok[k], "strategy=", 9) == 0 ? tok[k] + 9
					       : strncmp(tok[k], "label=", 6) == 0  ? tok[k] + 6
										 : tok[k]);
		}
	}
	for (int k = 0; shared && k < n; k++)
		if (common[k]) {
			if (shared[0])
				strcat(shared, " ");
			strcat(shared, first[k]);
		}
	return shared;
}

static const char *point_name(const struct point *p)
{
	return p->name ? p->name : p->key;
}

struct result {
	const struct point *p;
	int metric;
	double base, new;
	struct stats_effect e;           /* NEW / BASE with its interval */
	struct stats_u u;
	enum verdict_change v;
	long reps_needed;                /* inconclusive: about this many a side would settle it */
};

static bool all_zero(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] != 0)
			return false;
	return true;
}

/* From the interval, by the rules every comparison shares (verdict.h). */
static enum verdict_change judge(const struct compare *c, const struct metric *m, struct result *r)
{
	return verdict_change_judge(&r->e, c->factor, m->higher_is_better, &r->reps_needed);
}

static void interval(const struct result *r, char *buf, size_t len)
{
	if (r->e.bounded)
		snprintf(buf, len, "%.3f [%.3f, %.3f]", r->e.estimate, r->e.lo, r->e.hi);
	else
		snprintf(buf, len, "%.3f [unbounded]", r->e.estimate);
}

static void print_text(const struct compare *c, const struct result *r, size_t n)
{
	printf("%-40s %-10s %12s %12s %-24s  %s\n", "point", "metric", "base", "new", "ratio [interval]", "verdict");
	for (size_t i = 0; i < n; i++) {
		char iv[64];
		interval(&r[i], iv, sizeof iv);
		printf("%-40s %-10s %12.5g %12.5g %-24s  %s (n=%zu/%zu", point_name(r[i].p), metrics[r[i].metric].label,
		       r[i].base, r[i].new, iv, verdict_change_word(r[i].v), r[i].p->n[0], r[i].p->n[1]);
		if ((r[i].v == CHANGE_UNDECIDED || r[i].v == CHANGE_TOO_FEW) && r[i].reps_needed > 0)
			printf("; about %ld a side would settle it", r[i].reps_needed);
		printf(")\n");
	}
	(void)c;
}

static void print_md(FILE *out, const struct compare *c, const struct result *r, size_t n, int worse)
{
	fprintf(out, "### spreadbench compare: %s\n\n", worse ? "regression" : "no regression");
	fprintf(out, "Each ratio NEW / BASE with its %.0f %% interval; a change counts when the whole interval lies "
		     "beyond %.2f (or below 1/%.2f), no change when it lies within them%s.\n\n",
		(1 - c->alpha) * 100, c->factor, c->factor,
		c->normalize ? " (metrics relative to serial in the same file)" : "");
	fprintf(out, "| point | metric | base | new | ratio [interval] | verdict |\n|---|---|---:|---:|---|---|\n");
	for (size_t i = 0; i < n; i++) {
		char iv[64];
		interval(&r[i], iv, sizeof iv);
		fprintf(out, "| %s | %s | %.5g | %.5g | %s | %s |\n", point_name(r[i].p), metrics[r[i].metric].label,
			r[i].base, r[i].new, iv, r[i].v == CHANGE_WORSE ? "**worse**" : verdict_change_word(r[i].v));
	}
}

static json_t *to_json(const struct compare *c, const struct result *r, size_t n, int worse)
{
	json_t *o = json_object(), *a = json_array();
	json_object_set_new(o, "factor", json_real(c->factor));
	json_object_set_new(o, "alpha", json_real(c->alpha));
	json_object_set_new(o, "normalize", json_string(c->normalize ? "serial" : "none"));
	json_object_set_new(o, "regressions", json_integer(worse));
	json_object_set_new(o, "invalid_rows_new", json_integer(c->s[1].invalid_rows));
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_object();
		json_object_set_new(e, "point", json_string(r[i].p->key));
		json_object_set_new(e, "name", json_string(point_name(r[i].p)));
		json_object_set_new(e, "metric", json_string(metrics[r[i].metric].column));
		json_object_set_new(e, "base_median", json_real(r[i].base));
		json_object_set_new(e, "new_median", json_real(r[i].new));
		json_object_set_new(e, "ratio", json_real(r[i].e.estimate));
		json_object_set_new(e, "ratio_of_medians", json_real(r[i].base != 0 ? r[i].new / r[i].base : NAN));
		json_object_set_new(e, "interval_bounded", json_boolean(r[i].e.bounded));
		if (r[i].e.bounded) {
			json_object_set_new(e, "interval_low", json_real(r[i].e.lo));
			json_object_set_new(e, "interval_high", json_real(r[i].e.hi));
		}
		json_object_set_new(e, "confidence", json_real(1 - c->alpha));
		if (r[i].v == CHANGE_UNDECIDED || r[i].v == CHANGE_TOO_FEW)
			json_object_set_new(e, "reps_needed", json_integer(r[i].reps_needed));
		json_object_set_new(e, "u", json_real(r[i].u.u));
		json_object_set_new(e, "p", json_real(r[i].u.p));
		json_object_set_new(e, "exact", json_boolean(r[i].u.exact));
		json_object_set_new(e, "n_base", json_integer((json_int_t)r[i].p->n[0]));
		json_object_set_new(e, "n_new", json_integer((json_int_t)r[i].p->n[1]));
		json_object_set_new(e, "verdict", json_string(verdict_change_word(r[i].v)));
		json_array_append_new(a, e);
	}
	json_object_set_new(o, "points", a);
	return o;
}

/* NEW's medians in the shape CI benchmark actions read (smaller is
 * better: wall time and peak PSS). */
static int export_bench(const char *path, const struct result *r, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct metric *m = &metrics[r[i].metric];
		if (m->higher_is_better)
			continue;
		const double *v = r[i].p->v[1][r[i].metric];
		double lo = v[0], hi = v[0];
		for (size_t k = 1; k < r[i].p->n[1]; k++) {
			lo = fmin(lo, v[k]);
			hi = fmax(hi, v[k]);
		}
		char name[512], range[64];
		snprintf(name, sizeof name, "%s %s", point_name(r[i].p), m->label);
		snprintf(range, sizeof range, "± %.4g", (hi - lo) / 2);
		json_t *e = json_object();
		json_object_set_new(e, "name", json_string(name));
		json_object_set_new(e, "unit", json_string(m->unit));
		json_object_set_new(e, "value", json_real(r[i].new));
		json_object_set_new(e, "range", json_string(range));
		json_array_append_new(a, e);
	}
	int rc = outfile_write_json(path, a, JSON_INDENT(2));
	json_decref(a);
	if (rc)
		cli_error("cannot write '%s': %s", path, strerror(-rc));
	return rc;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: spreadbench compare BASE NEW [options]\n"
		"  BASE, NEW            results CSV files, or folders of them\n"
		"  --factor F           a change counts when the ratio's interval lies wholly beyond F\n"
		"                       (default 1.10); no change when wholly within [1/F, F]\n"
		"  --alpha A            the intervals' error rate: 1 - A confidence (default 0.05)\n"
		"  --normalize serial   compare each strategy relative to serial in the same file\n"
		"  --format text|md|json  (default text)\n"
		"  --export-json FILE   NEW's medians for CI benchmark actions (name, unit, value, range)\n"
		"  --summary FILE       append the Markdown table to FILE (e.g. $GITHUB_STEP_SUMMARY)\n"
		"exit status: 0 no regression, 1 regression or invalid rows in NEW, 2 bad input\n");
}

static void release(struct compare *c)
{
	for (int side = 0; side < 2; side++) {
		for (int f = 0; f < c->s[side].ntables; f++)
			csvio_table_release(&c->s[side].t[f]);
		free(c->s[side].t);
	}
	for (size_t i = 0; i < c->npts; i++) {
		free(c->pts[i].key);
		free(c->pts[i].name);
		for (int side = 0; side < 2; side++)
			for (int m = 0; m < NMETRIC; m++)
				free(c->pts[i].v[side][m]);
	}
	free(c->pts);
}

/* What goes where besides the verdicts' exit status. */
struct outputs {
	const char *format;              /* text, md or json, on standard output */
	const char *export, *summary;    /* files, or NULL */
};

/* 0 to go on, 1 after --help, -EINVAL after a message. */
static int parse_args(int argc, char **argv, struct compare *c, struct outputs *outs)
{
	static const struct option opts[] = {
		{ "factor", required_argument, NULL, 'f' }, { "alpha", required_argument, NULL, 'a' },
		{ "normalize", required_argument, NULL, 'n' }, { "format", required_argument, NULL, 'F' },
		{ "export-json", required_argument, NULL, 'e' }, { "summary", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' }, { 0 },
	};
	int ch, li = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, &li)) != -1) {
		switch (ch) {
		case 'f':
			if (parse_double(optarg, &c->factor) || !(c->factor >= 1.0 && c->factor < 100))
				goto bad;
			break;
		case 'a':
			if (parse_double(optarg, &c->alpha) || !(c->alpha > 0 && c->alpha < 1))
				goto bad;
			break;
		case 'n':
			if (strcmp(optarg, "serial") == 0)
				c->normalize = true;
			else if (strcmp(optarg, "none"))
				goto bad;
			break;
		case 'F':
			if (strcmp(optarg, "text") && strcmp(optarg, "md") && strcmp(optarg, "json"))
				goto bad;
			outs->format = optarg;
			break;
		case 'e':
			outs->export = optarg;
			break;
		case 's':
			outs->summary = optarg;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (argc - optind != 2) {
		cli_error("compare needs two results: BASE NEW (CSV files or folders)");
		usage(stderr);
		return -EINVAL;
	}
	c->s[0].arg = argv[optind];
	c->s[1].arg = argv[optind + 1];
	return 0;
bad:
	cli_error("invalid value '%s' for --%s", optarg, opts[li].name);
	return -EINVAL;
}

/* Metric m of point p, NEW against BASE, into r: the medians, the ratio
 * with its interval, Mann-Whitney's U and the verdict.  0, or -EINVAL
 * after a message. */
static int compare_metric(const struct compare *c, const struct point *p, int m, struct result *r)
{
	r->p = p;
	r->metric = m;
	r->base = stats_median(p->v[0][m], p->n[0]);
	r->new = stats_median(p->v[1][m], p->n[1]);
	if (stats_mann_whitney(p->v[1][m], p->n[1], p->v[0][m], p->n[0], &r->u)) {
		cli_error("cannot test %s of %s", metrics[m].column, p->key);
		return -EINVAL;
	}
	int erc = stats_ratio_ci(p->v[0][m], p->n[0], p->v[1][m], p->n[1], 1 - c->alpha, &r->e);
	if (erc == -EDOM) {
		/* A zero (or negative) value has no ratio: the change of a
		 * metric that is 0 on one side is no number of repetitions'
		 * business. */
		r->e = (struct stats_effect){ .estimate = r->base != 0 ? r->new / r->base : 1.0, .lo = 0,
					      .hi = INFINITY };
	} else if (erc) {
		cli_error("cannot compare %s of %s", metrics[m].column, p->key);
		return -EINVAL;
	}
	r->v = judge(c, &metrics[m], r);
	return 0;
}

/* Every metric of every point both sides have, into res (*nres of them),
 * counting the regressions and the comparisons that have too few
 * repetitions to bound their interval.  0, or -EINVAL after a message. */
static int compare_points(const struct compare *c, struct result *res, size_t *nres, int *worse, int *undecided)
{
	for (size_t i = 0; i < c->npts; i++) {
		const struct point *p = &c->pts[i];
		if (!p->n[0] || !p->n[1]) {
			fprintf(stderr, "spreadbench: warning: only in %s: %s\n", p->n[0] ? "BASE" : "NEW", p->key);
			continue;
		}
		for (int m = 0; m < NMETRIC; m++) {
			/* A metric 0 in every row of both sides was not measured
			 * there (a command burns no cells): nothing to compare. */
			if (all_zero(p->v[0][m], p->n[0]) && all_zero(p->v[1][m], p->n[1]))
				continue;
			struct result *r = &res[(*nres)++];
			if (compare_metric(c, p, m, r))
				return -EINVAL;
			*worse += r->v == CHANGE_WORSE;
			*undecided += r->v == CHANGE_TOO_FEW;
		}
	}
	return 0;
}

/* Warnings about what the comparison left out or could not settle. */
static void warn_gaps(const struct compare *c, int undecided)
{
	if (undecided)
		fprintf(stderr,
			"spreadbench: warning: %d comparisons have too few repetitions to bound a %.0f %% interval "
			"(at least %zu a side; run more --reps)\n", undecided, (1 - c->alpha) * 100,
			stats_min_reps_two(1 - c->alpha));
	if (c->s[0].unnormalized || c->s[1].unnormalized)
		fprintf(stderr, "spreadbench: warning: --normalize serial leaves out %d rows of commands (exec): they "
			"ran no batch of serial's\n", c->s[0].unnormalized + c->s[1].unnormalized);
	if (c->s[1].invalid_rows)
		fprintf(stderr, "spreadbench: NEW has %d failed or invalid rows, first: %s\n", c->s[1].invalid_rows,
			c->s[1].first_invalid);
	if (c->s[0].invalid_rows)
		fprintf(stderr, "spreadbench: warning: BASE has %d failed or invalid rows, left out\n",
			c->s[0].invalid_rows);
}

/* The verdicts on standard output, as text, Markdown or JSON; shared is
 * what every point has in common, which text names once. */
static void print_results(const struct compare *c, const char *format, const char *shared, const struct result *res,
			  size_t nres, int worse)
{
	if (strcmp(format, "json") == 0) {
		json_t *o = to_json(c, res, nres, worse);
		char *s = json_dumps(o, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
		if (s)
			puts(s);
		free(s);
		json_decref(o);
	} else if (strcmp(format, "md") == 0) {
		print_md(stdout, c, res, nres, worse);
	} else {
		if (shared && shared[0])
			printf("every point: %s\n", shared);
		print_text(c, res, nres);
		printf("%d regression%s, %zu comparisons; factor %.2f, alpha %g%s\n", worse, worse == 1 ? "" : "s",
		       nres, c->factor, c->alpha, c->normalize ? ", relative to serial" : "");
	}
}

/* The Markdown table appended to path whole or not at all: a failed
 * write cuts the file back to what it held.  0, or nonzero after a
 * message. */
static int append_summary(const char *path, const struct compare *c, const struct result *res, size_t nres,
			  int worse)
{
	struct outfile o;
	int orc = outfile_open_append(&o, path);
	if (!orc) {
		print_md(o.f, c, res, nres, worse);
		orc = outfile_commit(&o);
	}
	if (orc)
		cli_error("cannot write '%s': %s", path, strerror(-orc));
	return orc;
}

int cmd_compare(int argc, char **argv)
{
	struct compare c = { .factor = 1.10, .alpha = 0.05 };
	struct outputs outs = { .format = "text" };
	int rc = parse_args(argc, argv, &c, &outs);
	if (rc)
		return rc > 0 ? 0 : 2;
	int status = 2;
	struct result *res = NULL;
	char *shared = NULL;
	if (load_side(&c.s[0]) || load_side(&c.s[1]))
		goto out;
	check_probes(&c);
	choose_keys(&c);
	if (c.nkeys == 0) {
		cli_error("'%s' and '%s' share no parameter column", c.s[0].arg, c.s[1].arg);
		goto out;
	}
	if (collect(&c, 0) || collect(&c, 1))
		goto out;
	shared = name_points(&c);
	res = calloc(c.npts * NMETRIC + 1, sizeof *res);
	if (!res)
		goto out;
	size_t nres = 0;
	int worse = 0, undecided = 0;
	if (compare_points(&c, res, &nres, &worse, &undecided))
		goto out;
	if (nres == 0) {
		cli_error("'%s' and '%s' have no valid point in common", c.s[0].arg, c.s[1].arg);
		goto out;
	}
	warn_gaps(&c, undecided);
	print_results(&c, outs.format, shared, res, nres, worse);
	if (outs.summary && append_summary(outs.summary, &c, res, nres, worse)) {
		status = 1;
		goto out;
	}
	if (outs.export && export_bench(outs.export, res, nres)) {
		status = 1;
		goto out;
	}
	status = worse || c.s[1].invalid_rows ? 1 : 0;
out:
	free(shared);
	free(res);
	release(&c);
	return status;
}
