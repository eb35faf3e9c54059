/*
 * test_load.c - the competing load of a measured run (runner_options.load)
 * and the setup peak.  The load's processes are left out of the tree the
 * runner measures (max_procs counts the runner and its workers only), and
 * every one of them is killed and reaped before runner_measure returns,
 * after a complete run and after one stopped by a signal alike: this
 * process has no child left.  The setup peak is a real sample, no larger
 * than the run's peak.
 */
#include "check.h"
#include "testwl.h"
#include "runner.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#define JOBS 4

/* The fire model, opened once for every run (testwl.h). */
static struct runner_options fire;
static char fire_options[256];
#define LOAD 2

static const char *worker_path;
static struct runner_reference ref;

/* True when every child of this process has been reaped. */
static bool no_child_left(void)
{
	return waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD;
}

static void load_case(const char *strategy, int workers, bool interrupted)
{
	struct strategy_params p = {
		.workload = "fire", .options = "", .scenario = "tiny", .seed = 3, .mix = WORKLOAD_JOBS_MIXED, .jobs = JOBS, .workers = workers,
		.chunksize = 1, .fault_job = -1, .worker_path = worker_path,
	};
	struct runner_options o = { .strategy = strategy_find(strategy)->strategy, .p = p,
				    .sample_interval_s = 0.01, .load = LOAD };
	o.wl = fire.wl;
	o.ws = fire.ws;
	struct runner_row row;
	char ctx[96];
	snprintf(ctx, sizeof ctx, "%s%s: ", strategy, interrupted ? " interrupted" : "");
	check_context = ctx;
	/* As the signal handler would: the run stops at once, as after Ctrl-C. */
	strategy_interrupted = interrupted;
	int rc = runner_measure(&o, &ref, 0, &row);
	strategy_interrupted = 0;
	if (interrupted) {
		CHECK_EQ(rc, -EINTR);
	} else {
		CHECK_EQ(rc, 0);
		CHECK(row.valid);
		CHECK_EQ(row.load, LOAD);
		/* The runner and its workers (serial has none); not the load. */
		CHECK_EQ(row.max_procs, workers > 1 ? 1 + workers : 1);
		CHECK(row.setup_peak_pss_bytes > 0);
		CHECK(row.setup_peak_pss_bytes <= row.peak_pss_bytes);
	}
	CHECK(no_child_left());
	check_context = "";
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
	load_case("serial", 1, false);
	load_case("pool-copy", 2, false);
	load_case("pool-shm", 2, false);
	load_case("serial", 1, true);
	load_case("pool-shm", 2, true);
	runner_reference_release(&ref);
	return check_result("test_load");
}
