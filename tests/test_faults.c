/*
 * test_faults.c - a worker that crashes, aborts, exits or hangs mid-batch
 * is noticed, its job is reported failed (or timed out) with the cause,
 * the worker is replaced and every other job still finishes with the
 * serial answer; nothing is left running afterwards.  A worker stopped or
 * stuck while putting its inputs in place is killed at the setup limit
 * and the run says timeout; one that dies there is replaced, counted and
 * named in the notes.  mpi-shm (when built) ends the MPI job when a rank
 * hangs on a job or stops while setting up.  The limits a sweep sets for
 * every strategy and the memory check before a point are checked too.
 */
#include "check.h"
#include "testwl.h"
#include "measure.h"
#include "runner.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define JOBS 6

/* The fire model, opened once for every run (testwl.h). */
static struct runner_options fire;
static char fire_options[256];

static const char *worker_path;
static struct runner_reference ref;

static void fault_case(const char *strategy, enum strategy_start start, enum strategy_schedule sched,
		       int chunksize, enum strategy_fault fault, int job, double timeout,
		       const char *status, const char *cause)
{
	struct strategy_params p = {
		.workload = "fire", .options = "", .scenario = "tiny", .seed = 3, .mix = WORKLOAD_JOBS_MIXED, .jobs = JOBS, .workers = 2,
		.chunksize = chunksize, .schedule = sched, .start = start, .fault = fault, .fault_job = job,
		.job_timeout_s = timeout, .worker_path = worker_path,
	};
	struct runner_options o = { .strategy = strategy_find(strategy)->strategy, .p = p,
				    .sample_interval_s = 0.01 };
	o.wl = fire.wl;
	o.ws = fire.ws;
	struct runner_row row;
	char ctx[128];
	snprintf(ctx, sizeof ctx, "%s %s %s@%d: ", strategy, strategy_start_name(start),
		 strategy_fault_name(fault), job);
	check_context = ctx;
	CHECK_EQ(runner_measure(&o, &ref, 0, &row), 0);
	CHECK(strcmp(row.status, status) == 0);
	CHECK(!row.valid);
	CHECK_EQ(row.jobs_failed, 1);
	CHECK_EQ(row.jobs_ok, JOBS - 1);
	CHECK_EQ(row.jobs_invalid, 0);   /* the others still match serial */
	CHECK(strstr(row.error, cause) != NULL);
	char job_text[32];
	snprintf(job_text, sizeof job_text, "job %d", job);
	CHECK(strstr(row.error, job_text) != NULL);
	if (strcmp(strategy, "fork-per-job") != 0)
		CHECK(row.workers_replaced >= 1);
	struct measure_tree t;
	CHECK_EQ(measure_tree_now(getpid(), &t), 0);
	CHECK_EQ(t.procs, 1);
	if (!strstr(row.error, cause))
		fprintf(stderr, "%serror was: %s\n", ctx, row.error);
	check_context = "";
}

static int children_left(void)
{
	struct measure_tree t;
	if (measure_tree_now(getpid(), &t))
		return -1;
	return t.procs - 1;
}

/* One run with a fault while the inputs are put in place. */
static void setup_case(const char *strategy, enum strategy_start start, int workers, enum strategy_fault fault,
		       double setup_timeout, double job_timeout, struct runner_row *row)
{
	const struct strategy_entry *e = strategy_find(strategy);
	struct strategy_params p = {
		.workload = "fire", .options = "", .scenario = "tiny", .seed = 3, .mix = WORKLOAD_JOBS_MIXED, .jobs = JOBS, .workers = workers,
		.chunksize = 1, .start = start, .fault = fault, .fault_job = STRATEGY_FAULT_AT_SETUP,
		.setup_timeout_s = setup_timeout, .job_timeout_s = job_timeout, .worker_path = worker_path,
	};
	struct runner_options o = { .strategy = e->strategy, .p = p, .sample_interval_s = 0.01 };
	o.wl = fire.wl;
	o.ws = fire.ws;
	CHECK_EQ(runner_measure(&o, &ref, 0, row), 0);
	CHECK_EQ(children_left(), 0);
	if (row->error[0] || row->notes[0])
		fprintf(stderr, "%s%s: %s error: %s; notes: %s\n", check_context, strategy, row->status, row->error,
			row->notes);
}

/* Stopped or stuck while putting the inputs in place: never a hang. */
static void setup_faults(void)
{
	struct runner_row row;
	check_context = "pool-copy stop@setup: ";
	setup_case("pool-copy", STRATEGY_START_FORK, 2, STRATEGY_FAULT_STOP, 2.0, 0, &row);
	CHECK(strcmp(row.status, "timeout") == 0);
	CHECK(!row.valid);
	CHECK(strstr(row.error, "worker 0") && strstr(row.error, "setup time limit"));
	check_context = "pool-shm spawn hang@setup: ";
	setup_case("pool-shm", STRATEGY_START_SPAWN, 2, STRATEGY_FAULT_HANG, 2.0, 0, &row);
	CHECK(strcmp(row.status, "timeout") == 0);
	CHECK(strstr(row.error, "setup time limit") != NULL);
	/* A one-shot process late in setup: its job times out, the rest run. */
	check_context = "fork-per-job stop@setup: ";
	setup_case("fork-per-job", STRATEGY_START_FORK, 1, STRATEGY_FAULT_STOP, 2.0, 0, &row);
	CHECK(strcmp(row.status, "timeout") == 0);
	CHECK_EQ(row.jobs_failed, 1);
	CHECK_EQ(row.jobs_ok, JOBS - 1);
	CHECK_EQ(row.jobs_invalid, 0);
	CHECK(strstr(row.error, "job 0 not run") && strstr(row.error, "setup time limit"));
	CHECK_EQ(row.workers_replaced, 1);
	/* Killed while building its inputs: replaced, the row stays ok but
	 * counts and names the replacement. */
	const char *pools[] = { "pool-copy", "pool-shm", "fork-per-job" };
	for (int i = 0; i < 3; i++)
		for (int st = 0; st < 2; st++) {
			char ctx[64];
			snprintf(ctx, sizeof ctx, "%s %s segv@setup: ", pools[i], strategy_start_name(st));
			check_context = ctx;
			setup_case(pools[i], st, 2, STRATEGY_FAULT_SEGV, 0, 0, &row);
			CHECK(strcmp(row.status, "ok") == 0);
			CHECK(row.valid);
			CHECK_EQ(row.workers_replaced, 1);
			CHECK(strstr(row.notes, "worker 0 replaced") && strstr(row.notes, "signal 11") &&
			      strstr(row.notes, "inputs"));
		}
	check_context = "";
}

/* mpi-shm holds each job, and the launch, to its limit. */
static void mpi_faults(void)
{
	const struct strategy_entry *e = strategy_find("mpi-shm");
	if (!e || !e->strategy) {
		printf("skip: mpi-shm is not built\n");
		return;
	}
	struct runner_row row;
	struct strategy_params p = {
		.workload = "fire", .options = "", .scenario = "tiny", .seed = 3, .mix = WORKLOAD_JOBS_MIXED, .jobs = JOBS, .workers = 2, .chunksize = 1,
		.fault = STRATEGY_FAULT_HANG, .fault_job = 1, .job_timeout_s = 3.0, .worker_path = worker_path,
	};
	struct runner_options o = { .strategy = e->strategy, .p = p, .sample_interval_s = 0.01 };
	o.wl = fire.wl;
	o.ws = fire.ws;
	check_context = "mpi-shm hang@1: ";
	CHECK_EQ(runner_measure(&o, &ref, 0, &row), 0);
	CHECK(strcmp(row.status, "timeout") == 0);
	CHECK(!row.valid);
	CHECK(strstr(row.error, "job 1 passed its time limit on rank") != NULL);
	CHECK(row.jobs_failed >= 1 && row.jobs_invalid == 0);
	CHECK_EQ(children_left(), 0);
	if (!strstr(row.error, "job 1 passed"))
		fprintf(stderr, "%serror was: %s\n", check_context, row.error);
	check_context = "mpi-shm stop@setup: ";
	setup_case("mpi-shm", STRATEGY_START_FORK, 2, STRATEGY_FAULT_STOP, 3.0, 0, &row);
	CHECK(strcmp(row.status, "timeout") == 0);
	CHECK(strstr(row.error, "setup time limit") != NULL);
	check_context = "";
}

/* What a sweep calls before each point. */
static void limits(void)
{
	struct runner_options o = { .p = { .workload = "fire", .options = "", .scenario = "tiny", .seed = 3, .jobs = JOBS, .workers = 2 } };
	o.wl = fire.wl;
	o.ws = fire.ws;
	struct runner_reference r = { .seconds = 2, .build_s = 0.5, .state_bytes = 1 << 20 };
	o.strategy = strategy_find("pthreads")->strategy;
	runner_bound_waits(&o, &r);
	CHECK(o.run_timeout_s >= 120 && o.p.job_timeout_s == 0 && o.p.setup_timeout_s == 0);
	o = (struct runner_options){ .p = o.p, .strategy = strategy_find("pool-copy")->strategy };
	o.wl = fire.wl;
	o.ws = fire.ws;
	o.p.job_timeout_s = 0;
	o.p.setup_timeout_s = 7;
	runner_bound_waits(&o, &r);
	CHECK(o.run_timeout_s == 0 && o.p.job_timeout_s >= 60 && o.p.setup_timeout_s == 7);
	o.p.job_timeout_s = o.p.setup_timeout_s = 0;
	runner_bound_waits(&o, NULL);
	CHECK(o.p.job_timeout_s > 0 && o.p.setup_timeout_s == 0);
	CHECK(runner_setup_timeout_default(&r, &o.p) >= 120);

	/* pool-copy holds a copy per worker, pool-shm one. */
	struct runner_memory m;
	o.p.workers = 8;
	CHECK_EQ(runner_memory_check(&o, &r, 1 << 20, &m), -ENOMEM);
	CHECK(strstr(m.why, "8 copies") && strstr(m.why, "8 job states"));
	struct runner_memory shm;
	o.strategy = strategy_find("pool-shm")->strategy;
	CHECK_EQ(runner_memory_check(&o, &r, UINT64_C(1) << 40, &shm), 0);
	CHECK(shm.need_bytes < m.need_bytes && strstr(shm.why, "1 copy "));
	o.parent_rss_bytes = UINT64_C(1) << 50;
	CHECK_EQ(runner_memory_check(&o, NULL, 0, &m), -ENOMEM);
	CHECK(strstr(m.why, "at least") && strstr(m.why, "ballast"));
}

int main(int argc, char **argv)
{
	char err[256] = "";
	if (argc != 2)
		return 2;
	worker_path = argv[1];
	struct strategy_params p = { .workload = "fire", .options = "", .scenario = "tiny", .seed = 3, .mix = WORKLOAD_JOBS_MIXED, .jobs = JOBS,
				     .workers = 1, .chunksize = 1, .fault_job = -1 };
	fire.p = p;
	CHECK_EQ(testwl_open(&fire, fire_options, sizeof fire_options), 0);
	CHECK_EQ(runner_reference_compute(&fire, &ref, err, sizeof err), 0);

	fault_case("pool-copy", STRATEGY_START_FORK, STRATEGY_SCHEDULE_BLOCK, 1, STRATEGY_FAULT_SEGV, 1, 0,
		   "failed", "signal 11");
	fault_case("pool-shm", STRATEGY_START_SPAWN, STRATEGY_SCHEDULE_SNAKE, 1, STRATEGY_FAULT_ABORT, 0, 0,
		   "failed", "signal 6");
	fault_case("fork-per-job", STRATEGY_START_SPAWN, STRATEGY_SCHEDULE_BLOCK, 1, STRATEGY_FAULT_EXIT, 4, 0,
		   "failed", "exited with status 3");
	fault_case("fork-per-job", STRATEGY_START_FORK, STRATEGY_SCHEDULE_DYNAMIC, 1, STRATEGY_FAULT_SEGV, 2, 0,
		   "failed", "signal 11");
	/* A crash in the middle of a chunk: the rest of the chunk is requeued. */
	fault_case("pool-shm", STRATEGY_START_FORK, STRATEGY_SCHEDULE_DYNAMIC, 3, STRATEGY_FAULT_SEGV, 0, 0,
		   "failed", "signal 11");
	fault_case("pool-copy", STRATEGY_START_SPAWN, STRATEGY_SCHEDULE_BLOCK, 2, STRATEGY_FAULT_HANG, 3, 1.0,
		   "timeout", "time limit");
	setup_faults();
	mpi_faults();
	limits();
	runner_reference_release(&ref);
	return check_result("test_faults");
}
