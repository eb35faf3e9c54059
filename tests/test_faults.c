/*
 * test_faults.c - a worker that crashes, aborts, exits or hangs mid-batch
 * is noticed, its job is reported failed (or timed out) with the cause,
 * the worker is replaced and every other job still finishes with the
 * serial answer; nothing is left running afterwards.
 */
#include "check.h"
#include "measure.h"
#include "runner.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define JOBS 6

static const char *worker_path;
static struct runner_reference ref;

static void fault_case(const char *strategy, enum strategy_start start, enum strategy_schedule sched,
		       int chunksize, enum strategy_fault fault, int job, double timeout,
		       const char *status, const char *cause)
{
	struct strategy_params p = {
		.scenario = "tiny", .seed = 3, .mix = KERNEL_JOBS_MIXED, .jobs = JOBS, .workers = 2,
		.chunksize = chunksize, .schedule = sched, .start = start, .fault = fault, .fault_job = job,
		.job_timeout_s = timeout, .worker_path = worker_path,
	};
	struct runner_options o = { .strategy = strategy_find(strategy)->strategy, .p = p,
				    .sample_interval_s = 0.01 };
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

int main(int argc, char **argv)
{
	char err[256] = "";
	if (argc != 2)
		return 2;
	worker_path = argv[1];
	struct strategy_params p = { .scenario = "tiny", .seed = 3, .mix = KERNEL_JOBS_MIXED, .jobs = JOBS,
				     .workers = 1, .chunksize = 1, .fault_job = -1 };
	CHECK_EQ(runner_reference_compute(&p, &ref, err, sizeof err), 0);

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
	runner_reference_release(&ref);
	return check_result("test_faults");
}
