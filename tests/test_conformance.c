/*
 * test_conformance.c - every built strategy, with every start method,
 * schedule, attach mode, thread mode and pinning it honours, runs a batch of unequal fires on
 * the tiny scenario and must give each job exactly the serial answer
 * (burned cells, crowned cells, steps, time-of-arrival checksum).  Rows
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

#include <dirent.h>
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

static void check_point(const struct strategy *s, struct strategy_params p, const struct runner_reference *ref)
{
	struct runner_options o = { .strategy = s, .p = p, .sample_interval_s = 0.01 };
	struct runner_row row;
	char ctx[256];
	snprintf(ctx, sizeof ctx, "%s start=%s schedule=%s chunk=%d attach=%s workers=%d mode=%s pin=%d fire_threads=%d vnodes=%d: ",
		 s->name, strategy_start_name(p.start), strategy_schedule_name(p.schedule), p.chunksize,
		 strategy_attach_name(p.attach), p.workers, strategy_mode_name(p.mode), p.pin, p.fire_threads, p.virtual_nodes);
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

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_conformance PATH-TO-spreadbench-worker\n");
		return 2;
	}
	char dir[] = "/tmp/spreadbench-conf-XXXXXX", path[64], err[256] = "";
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/rows.csv", dir);
	CHECK_EQ(count_own("/dev/shm"), 0);

	struct strategy_params p = {
		.scenario = "tiny", .seed = 3, .mix = KERNEL_JOBS_MIXED, .jobs = JOBS, .workers = 2,
		.chunksize = 1, .fault_job = -1, .worker_path = argv[1],
	};
	struct runner_reference ref;
	CHECK_EQ(runner_reference_compute(&p, &ref, err, sizeof err), 0);
	CHECK_EQ(csvio_writer_open(path, runner_columns, runner_ncolumns, NULL, 0, &csv, err, sizeof err), 0);

	/* The jobs must differ, or the comparison would prove little. */
	int distinct = 0;
	for (int i = 0; i < JOBS; i++) {
		int seen = 0;
		for (int k = 0; k < i; k++)
			seen |= ref.r[k].checksum == ref.r[i].checksum;
		distinct += !seen;
	}
	CHECK(distinct >= 4);

	for (int i = 0; i < strategy_registry_count; i++) {
		const struct strategy *s = strategy_registry[i].strategy;
		if (!s)
			continue;
		struct strategy_params q = p;
		if (s->flags & STRATEGY_THREADS) {
			/* Every schedule, pinned or not; openmp also inside each fire. */
			for (int sc = 0; sc < 3; sc++)
				for (int pin = 0; pin < 2; pin++) {
					q.schedule = sc;
					q.pin = pin;
					q.chunksize = sc == STRATEGY_SCHEDULE_DYNAMIC ? 2 : 1;
					check_point(s, q, &ref);
				}
			if (s->flags & STRATEGY_MODES) {
				q = p;
				q.mode = STRATEGY_MODE_SINGLE;
				for (int w = 2; w <= 3; w++) {
					q.workers = w;
					check_point(s, q, &ref);
				}
			}
			q = p;
			q.workers = JOBS + 2;
			check_point(s, q, &ref);
			continue;
		}
		if (s->flags & STRATEGY_MPI) {
			/* 1, 2 and 3 ranks, static and dynamic, one or two windows. */
			for (int ranks = 1; ranks <= 3; ranks++)
				for (int sc = 0; sc < 3; sc += 2)
					for (int vn = 1; vn <= (ranks > 1 ? 2 : 1); vn++) {
						q = p;
						q.workers = ranks;
						q.schedule = sc;
						q.chunksize = sc == STRATEGY_SCHEDULE_DYNAMIC ? 2 : 1;
						q.virtual_nodes = vn;
						check_point(s, q, &ref);
					}
			q = p;
			q.workers = 2;
			q.schedule = STRATEGY_SCHEDULE_SNAKE;
			check_point(s, q, &ref);
			continue;
		}
		if (!(s->flags & STRATEGY_PROCESSES)) {
			q.workers = 1;
			check_point(s, q, &ref);
			continue;
		}
		for (int st = 0; st < 2; st++) {
			for (int sc = 0; sc < 3; sc++) {
				for (int at = 0; at < ((s->flags & STRATEGY_ATTACHES) ? 2 : 1); at++) {
					q.start = st;
					q.schedule = sc;
					q.attach = at;
					q.chunksize = sc == STRATEGY_SCHEDULE_DYNAMIC ? 2 : 1;
					check_point(s, q, &ref);
				}
			}
		}
		/* Workers that split each fire across threads (nested). */
		if ((s->flags & STRATEGY_FIRE_THREADS) && kernel_has_openmp()) {
			q = p;
			q.fire_threads = 2;
			check_point(s, q, &ref);
			q.start = STRATEGY_START_SPAWN;
			check_point(s, q, &ref);
		}
		/* More workers than jobs, and a single worker. */
		q = p;
		q.workers = JOBS + 2;
		check_point(s, q, &ref);
		q.workers = 1;
		q.schedule = STRATEGY_SCHEDULE_SNAKE;
		check_point(s, q, &ref);
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
	runner_reference_release(&ref);

	CHECK_EQ(children_left(), 0);
	CHECK_EQ(count_own("/dev/shm"), 0);
	CHECK_EQ(count_own(tmpdir()), 0);
	unlink(path);
	rmdir(dir);
	return check_result("test_conformance");
}
