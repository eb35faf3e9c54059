/*
 * test_conformance.c - every built strategy, with every start method,
 * schedule, attach mode, thread mode and pinning it honours (its flags
 * and the parameter table say which), runs a batch of unequal fires on
 * the tiny scenario and must give each job exactly the serial answer (its
 * summary: checksum and figures); the synthetic workload then runs on
 * each strategy with its defaults and with spawned workers.  With
 * --only-plugins, each plug-in named runs that way instead: the worker
 * and MPI programs load it themselves.  Rows
 * are written to a CSV and read back through the reader, and afterwards
 * no child process and none of this test's /dev/shm objects may remain.
 *
 * Other programs use /dev/shm at the same time (MPI jobs of other tests,
 * OpenMP runtimes), so the test counts only what is its own: every shared
 * object its runs create lives in folders named after this process
 * (spreadbench-mpi.<pid>.*: Open MPI's transport and window segments;
 * pool-shm's memfd has no name at all), in /dev/shm and in $TMPDIR.
 */
#include "check.h"
#include "csvio.h"
#include "measure.h"
#include "runner.h"
#include "testwl.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define JOBS 7

/* Entries of dir that belong to this process's runs. */
static int count_own(const char *dir)
{
	char prefix[64];
	DIR *d = opendir(dir);
	int n = 0;
	if (!d)
		return 0;
	snprintf(prefix, sizeof prefix, "spreadbench-mpi.%d.", (int)getpid());
	for (struct dirent *e; (e = readdir(d));)
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

static const char *tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	return t && t[0] ? t : "/tmp";
}

static int children_left(void)
{
	struct measure_tree t;
	if (measure_tree_now(getpid(), &t))
		return -1;
	return t.procs - 1;
}

static struct csvio_writer *csv;
static int rows_written;

static void check_point(const struct strategy *s, const struct runner_options *base, struct strategy_params p,
			const struct runner_reference *ref)
{
	struct runner_options o = *base;
	struct runner_row row;
	char ctx[320];
	o.strategy = s;
	o.p = p;
	snprintf(ctx, sizeof ctx, "%s %s start=%s schedule=%s chunk=%d attach=%s workers=%d mode=%s pin=%d "
		 "job_threads=%d vnodes=%d: ", o.wl->name, s->name, strategy_start_name(p.start),
		 strategy_schedule_name(p.schedule), p.chunksize, strategy_attach_name(p.attach), p.workers,
		 strategy_mode_name(p.mode), p.pin, p.job_threads, p.virtual_nodes);
	check_context = ctx;
	CHECK_EQ(runner_measure(&o, ref, 0, &row), 0);
	CHECK(row.valid);
	CHECK(strcmp(row.status, "ok") == 0);
	CHECK_EQ(row.jobs_ok, JOBS);
	CHECK_EQ(row.jobs_invalid, 0);
	CHECK(row.wall_s > 0 && row.compute_s > 0);
	CHECK(row.peak_pss_bytes > 0 && row.peak_rss_sum_bytes >= row.peak_pss_bytes);
	CHECK(row.max_worker_hwm_bytes > 0);
	if (s->flags & (STRATEGY_PROCESSES | STRATEGY_THREADS | STRATEGY_MPI)) {
		CHECK(row.workers_started >= 1);
		CHECK(row.start_latency_s > 0 && row.start_latency_s < 5);
	}
	/* Shared inputs say what pages they got. */
	if (s->flags & STRATEGY_SHARES_MEMORY)
		CHECK(row.shm_page_bytes >= 4096);
	if (row.error[0] || row.notes[0])
		fprintf(stderr, "%s%s %s\n", ctx, row.error, row.notes);
	CHECK(row.notes[0] == '\0');   /* a clean run says nothing happened */
	CHECK_EQ(children_left(), 0);
	CHECK_EQ(count_own("/dev/shm"), 0);
	CHECK_EQ(count_own(tmpdir()), 0);
	char buf[runner_ncolumns][512];
	const char *cells[runner_ncolumns];
	runner_row_cells(&row, buf, cells);
	CHECK_EQ(csvio_write_row(csv, cells), 0);
	rows_written++;
	check_context = "";
}

/* The run parameters whose values the test crosses, where a strategy
 * honours them (their values from the table). */
static const char *const crossed[] = { "start", "schedule", "attach", "mode", "pin" };
#define NCROSSED (int)(sizeof crossed / sizeof crossed[0])

/* Every combination of the crossed parameters the strategy honours. */
static void cross(const struct strategy *s, const struct runner_options *base, const struct runner_reference *ref)
{
	int n[NCROSSED], total = 1;
	const struct param *d[NCROSSED];
	for (int k = 0; k < NCROSSED; k++) {
		d[k] = param_find(crossed[k]);
		n[k] = d[k] && param_applies(d[k], s->flags) ? (d[k]->type == PARAM_FLAG ? 2 : d[k]->nnames) : 1;
		total *= n[k];
	}
	for (int c = 0; c < total; c++) {
		struct strategy_params q = base->p;
		bool skip = false;
		for (int k = 0, rest = c; k < NCROSSED; k++) {
			int v = rest % n[k];
			rest /= n[k];
			if (n[k] > 1)
				param_parse(d[k], d[k]->type == PARAM_FLAG ? (v ? "true" : "false") : d[k]->names[v], &q);
		}
		/* What run refuses is not crossed: spawned workers of a
		 * fork-only strategy, schedules of jobs run in order. */
		skip |= q.start == STRATEGY_START_SPAWN && (s->flags & STRATEGY_FORK_ONLY);
		skip |= q.mode == STRATEGY_MODE_SINGLE && q.schedule != STRATEGY_SCHEDULE_BLOCK;
		if (skip)
			continue;
		q.chunksize = q.schedule == STRATEGY_SCHEDULE_DYNAMIC ? 2 : 1;
		if (q.mode == STRATEGY_MODE_SINGLE)
			for (int w = 2; w <= 3; w++) {
				q.workers = w;
				check_point(s, base, q, ref);
			}
		else
			check_point(s, base, q, ref);
	}
}

/* Every built strategy on one workload: all the variants (full), or its
 * defaults and spawned workers (a quick pass over another workload). */
static void check_workload(struct runner_options *base, bool full)
{
	struct runner_reference ref;
	char err[256] = "";
	check_context = base->p.workload;
	CHECK_EQ(runner_reference_compute(base, &ref, err, sizeof err), 0);
	if (err[0])
		fprintf(stderr, "%s\n", err);
	/* The jobs must differ, or the comparison would prove little. */
	int distinct = 0;
	for (int i = 0; i < JOBS; i++) {
		int seen = 0;
		for (int k = 0; k < i; k++)
			seen |= ref.r[k].summary.checksum == ref.r[i].summary.checksum;
		distinct += !seen;
	}
	CHECK(distinct >= 4);
	for (int i = 0; i < strategy_registry_count; i++) {
		const struct strategy *s = strategy_registry[i].strategy;
		if (!s)
			continue;
		struct strategy_params q = base->p;
		bool parallel = s->flags & (STRATEGY_PROCESSES | STRATEGY_THREADS | STRATEGY_MPI);
		if (!parallel)
			q.workers = 1;
		if (!full) {
			check_point(s, base, q, &ref);
			if ((s->flags & STRATEGY_PROCESSES) && !(s->flags & STRATEGY_FORK_ONLY)) {
				q.start = STRATEGY_START_SPAWN;
				check_point(s, base, q, &ref);
			}
			continue;
		}
		if (!parallel) {
			check_point(s, base, q, &ref);
			continue;
		}
		cross(s, base, &ref);
		/* Workers that split each job across threads (nested). */
		if ((s->flags & STRATEGY_JOB_THREADS) && base->wl->set_threads) {
			q = base->p;
			q.job_threads = 2;
			check_point(s, base, q, &ref);
			if (!(s->flags & STRATEGY_FORK_ONLY)) {
				q.start = STRATEGY_START_SPAWN;
				check_point(s, base, q, &ref);
			}
		}
		/* 1 and 3 ranks, and two windows. */
		if (s->flags & STRATEGY_MPI)
			for (int ranks = 1; ranks <= 3; ranks += 2)
				for (int vn = 1; vn <= (ranks > 1 ? 2 : 1); vn++) {
					q = base->p;
					q.workers = ranks;
					q.virtual_nodes = vn;
					check_point(s, base, q, &ref);
				}
		/* More workers than jobs, and a single worker. */
		q = base->p;
		q.workers = JOBS + 2;
		check_point(s, base, q, &ref);
		q.workers = 1;
		q.schedule = STRATEGY_SCHEDULE_SNAKE;
		check_point(s, base, q, &ref);
	}
	runner_reference_release(&ref);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: test_conformance PATH-TO-spreadbench-worker [--only-plugins PLUG-IN.so#OPTIONS ...]\n");
		return 2;
	}
	char dir[] = "/tmp/spreadbench-conf-XXXXXX", path[64], err[256] = "", options[1024];
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/rows.csv", dir);
	CHECK_EQ(count_own("/dev/shm"), 0);
	CHECK_EQ(csvio_writer_open(path, runner_columns, runner_ncolumns, NULL, 0, &csv, err, sizeof err), 0);

	/* The fire model on its tiny scenario, every variant, and the
	 * synthetic stand-in; or (--only-plugins) each plug-in given as
	 * PATH#OPTIONS: the defaults and spawned workers of each strategy. */
	struct runner_options o = { .sample_interval_s = 0.01 };
	bool plugins = argc > 2 && strcmp(argv[2], "--only-plugins") == 0;
	for (int i = plugins ? 3 : 0; i < (plugins ? argc : 2); i++) {
		char spec[1024];
		params_defaults(&o.p);
		o.p.seed = 3;
		o.p.jobs = JOBS;
		o.p.workers = 2;
		o.p.worker_path = argv[1];
		if (plugins) {
			snprintf(spec, sizeof spec, "%s", argv[i]);
			char *hash = strchr(spec, '#');
			if (hash)
				*hash = '\0';
			o.p.workload = spec;
			o.p.options = hash ? hash + 1 : "";
		} else if (i == 0) {
			o.p.scenario = "tiny";
		} else {
			o.p.workload = "synthetic";
			o.p.options = "input_mb=8,job_ms=3,job_mb=1,cost_spread=3";
		}
		if (testwl_open(&o, options, sizeof options)) {
			CHECK(!"the workload opens");
			continue;
		}
		check_workload(&o, !plugins && i == 0);
		testwl_close(&o);
	}
	CHECK_EQ(csvio_writer_close(csv), 0);

	/* The CSV round-trips through the reader. */
	struct csvio_table t;
	CHECK_EQ(csvio_read(path, &t, err, sizeof err), 0);
	CHECK_EQ(t.ncol, runner_ncolumns);
	CHECK_EQ((long)t.nrows, rows_written);
	int valid = csvio_column(&t, "valid"), wall = csvio_column(&t, "wall_s");
	CHECK(valid >= 0 && wall >= 0);
	for (size_t r = 0; r < t.nrows; r++) {
		double w;
		CHECK(strcmp(csvio_cell(&t, r, valid), "true") == 0);
		CHECK_EQ(csvio_parse_double(csvio_cell(&t, r, wall), &w), 0);
		CHECK(w > 0);
	}
	csvio_table_release(&t);

	CHECK_EQ(children_left(), 0);
	CHECK_EQ(count_own("/dev/shm"), 0);
	CHECK_EQ(count_own(tmpdir()), 0);
	unlink(path);
	rmdir(dir);
	return check_result("test_conformance");
}
