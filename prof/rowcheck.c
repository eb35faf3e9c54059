/*
 * rowcheck.c - see rowcheck.h.  The column kinds follow what columns.c
 * prints for each column; a value the runner could not have printed
 * (nan, inf, a negative size, a fraction of a worker) means the file was
 * edited or damaged, and is refused rather than shown as a number.
 */
#include "rowcheck.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kind {
	POSITIVE,        /* a whole number >= 1 */
	COUNT,           /* a whole number >= 0 */
	U64,             /* a whole number >= 0, up to 2^64 - 1 */
	U64_OR_DASH,     /* the same, or "-" where it does not apply */
	NONNEG,          /* a finite number >= 0 */
	INT_OR_DASH,     /* a whole number, or "-" where it does not apply */
	BOOL,            /* true or false */
	BOOL_OR_DASH,
	TEXT,            /* anything but empty */
};

struct rule {
	const char *column;
	enum kind kind;
	bool may_be_empty;
};

static const struct rule rules[] = {
	{ "strategy", TEXT, false },           { "workers", POSITIVE, false },
	{ "jobs", POSITIVE, false },           { "chunksize", COUNT, false },
	{ "rep", COUNT, false },               { "status", TEXT, false },
	{ "valid", BOOL, false },              { "setup_s", NONNEG, false },
	{ "compute_s", NONNEG, false },        { "teardown_s", NONNEG, false },
	{ "wall_s", NONNEG, false },           { "user_s", NONNEG, false },
	{ "sys_s", NONNEG, false },            { "peak_pss_bytes", U64, false },
	{ "peak_rss_sum_bytes", U64, false },  { "max_worker_hwm_bytes", U64, false },
	{ "start_latency_s", NONNEG, false },  { "jobs_per_s", NONNEG, false },
	{ "burned_cells_per_s", NONNEG, true }, { "mha_per_cpu_hr", NONNEG, true },
	{ "seed", U64_OR_DASH, false },        { "input_bytes", U64, false },
	{ "burned_cells", COUNT, true },       { "jobs_ok", COUNT, false },
	{ "jobs_failed", COUNT, false },       { "jobs_invalid", COUNT, false },
	{ "workers_started", COUNT, false },   { "workers_replaced", COUNT, false },
	{ "worker_setup_s", NONNEG, false },   { "busy_fraction", NONNEG, false },
	{ "tail_idle_s", NONNEG, false },      { "max_procs", COUNT, false },
	{ "sample_interval_s", NONNEG, false }, { "sampler_cpu_fraction", NONNEG, false },
	{ "cgroup_peak_bytes", U64, true },    { "parent_rss_bytes", U64, false },
	{ "job_timeout_s", NONNEG, false },    { "fire_threads", COUNT, false },
	{ "pin", BOOL_OR_DASH, false },        { "virtual_nodes", COUNT, false },
	{ "nice", INT_OR_DASH, false },        { "load", COUNT, false },
	{ "setup_peak_pss_bytes", U64, false }, { "order", TEXT, false },
	{ "steal_fraction", NONNEG, true },    { "involuntary_switches", COUNT, false },
	{ "runnable_before", COUNT, true },    { "cpu_mhz", NONNEG, true },
	{ "workload", TEXT, false },           { "work_units", NONNEG, false },
	{ "work_units_per_s", NONNEG, false }, { "mean_job_s", NONNEG, false },
	{ "shm_page_bytes", U64, false },
	{ "label", TEXT, false },              { "exit_status", INT_OR_DASH, false },
};
#define NRULES (sizeof rules / sizeof rules[0])

static const char *const wanted[] = {
	[POSITIVE] = "a whole number >= 1",
	[COUNT] = "a whole number >= 0",
	[U64] = "a whole number >= 0 that fits 64 bits",
	[U64_OR_DASH] = "a whole number >= 0 that fits 64 bits, or '-'",
	[NONNEG] = "a finite number >= 0",
	[INT_OR_DASH] = "a whole number or '-'",
	[BOOL] = "true or false",
	[BOOL_OR_DASH] = "true, false or '-'",
	[TEXT] = "not empty",
};

static bool digits_only(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static bool fits(const char *s, enum kind kind)
{
	long l;
	double d;
	switch (kind) {
	case POSITIVE:
		return csvio_parse_long(s, &l) == 0 && l >= 1;
	case COUNT:
		return csvio_parse_long(s, &l) == 0 && l >= 0;
	case U64_OR_DASH:
		if (strcmp(s, "-") == 0)
			return true;
		/* fall through */
	case U64: {
		/* strtoull would take "-1" and wrap it round. */
		if (!digits_only(s))
			return false;
		errno = 0;
		unsigned long long v = strtoull(s, NULL, 10);
		(void)v;
		return errno == 0;
	}
	case NONNEG:
		return csvio_parse_double(s, &d) == 0 && isfinite(d) && d >= 0;
	case INT_OR_DASH:
		return strcmp(s, "-") == 0 || csvio_parse_long(s, &l) == 0;
	case BOOL:
		return strcmp(s, "true") == 0 || strcmp(s, "false") == 0;
	case BOOL_OR_DASH:
		return strcmp(s, "true") == 0 || strcmp(s, "false") == 0 || strcmp(s, "-") == 0;
	case TEXT:
		return *s != '\0';
	}
	return false;
}

/* Row r against the rules, with each rule's column in col[] (-1: absent). */
static int check_row(const struct csvio_table *t, size_t r, const int *col, const char *path, char *err,
		     size_t errlen)
{
	for (size_t i = 0; i < NRULES; i++) {
		const char *v = csvio_cell(t, r, col[i]);
		if (!v || (!*v && rules[i].may_be_empty) || fits(v, rules[i].kind))
			continue;
		size_t line = t->row_lines ? t->row_lines[r] : 0;
		if (err && errlen)
			snprintf(err, errlen, "'%s' line %zu: %s is '%.40s%s', not %s", path, line, rules[i].column,
				 v, strlen(v) > 40 ? "..." : "", wanted[rules[i].kind]);
		return -EINVAL;
	}
	return 0;
}

static void find_columns(const struct csvio_table *t, int *col)
{
	for (size_t i = 0; i < NRULES; i++)
		col[i] = csvio_column(t, rules[i].column);
}

int rowcheck_row(const struct csvio_table *t, size_t r, const char *path, char *err, size_t errlen)
{
	int col[NRULES];
	find_columns(t, col);
	return check_row(t, r, col, path, err, errlen);
}

int rowcheck_table(const struct csvio_table *t, const char *path, char *err, size_t errlen)
{
	int col[NRULES];
	find_columns(t, col);
	for (size_t r = 0; r < t->nrows; r++) {
		int rc = check_row(t, r, col, path, err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}
