/*
 * test_memory.c - the memory figures mean what they claim.  With inputs of
 * tens of MB and 2 workers: pool-copy holds a copy per worker, so its tree
 * PSS is about twice pool-shm's, which stays near one copy of the inputs.
 * Summed RSS counts pool-shm's shared pages once per process that touched
 * them and so overstates it; PSS does not.
 */
#include "check.h"
#include "runner.h"

#include <stdio.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED_BUILD 1
#endif

static const char *worker_path;

static void measure(const char *strategy, enum strategy_start start, const struct runner_reference *ref,
		    struct runner_row *row)
{
	struct strategy_params p = {
		.scenario = "demo", .seed = 1, .mix = KERNEL_JOBS_IDENTICAL, .dtype = KERNEL_F64, .jobs = 2,
		.workers = 2, .chunksize = 1, .start = start, .fault_job = -1, .worker_path = worker_path,
	};
	struct runner_options o = { .strategy = strategy_find(strategy)->strategy, .p = p,
				    .sample_interval_s = 0.005 };
	CHECK_EQ(runner_measure(&o, ref, 0, row), 0);
	CHECK(row->valid);
	printf("%-10s %-5s pss %6.1f MiB, rss sum %6.1f MiB, max hwm %6.1f MiB (inputs %.1f MiB)\n", strategy,
	       strategy_start_name(start), row->peak_pss_bytes / 1048576.0, row->peak_rss_sum_bytes / 1048576.0,
	       row->max_worker_hwm_bytes / 1048576.0, row->input_bytes / 1048576.0);
}

int main(int argc, char **argv)
{
	char err[256] = "";
	if (argc != 2)
		return 2;
	worker_path = argv[1];
	struct strategy_params p = { .scenario = "demo", .seed = 1, .mix = KERNEL_JOBS_IDENTICAL,
				     .dtype = KERNEL_F64, .jobs = 2, .workers = 1, .chunksize = 1,
				     .fault_job = -1 };
	struct runner_reference ref;
	CHECK_EQ(runner_reference_compute(&p, &ref, err, sizeof err), 0);
	for (int start = 0; start < 2; start++) {
		struct runner_row copy, shm;
		measure("pool-copy", start, &ref, &copy);
		measure("pool-shm", start, &ref, &shm);
		double in = (double)shm.input_bytes;
		CHECK(in > 10e6);
		/* Two private copies (each worker also builds its own, with the
		 * builder's scratch memory) against one shared copy. */
		double extra = (double)copy.peak_pss_bytes - (double)shm.peak_pss_bytes;
		CHECK(extra > 0.8 * in && extra < 2.0 * in);
		CHECK(copy.peak_pss_bytes > 2 * in);
		CHECK(shm.peak_pss_bytes > in);
#ifndef SANITIZED_BUILD
		/* A sanitizer's runtime adds memory to every process that is not
		 * the program's; these bounds hold only without one. */
		double ratio = (double)copy.peak_pss_bytes / (double)shm.peak_pss_bytes;
		CHECK(ratio > 1.7 && ratio < 3.0);
		CHECK(shm.peak_pss_bytes < 1.5 * in);
#endif
		/* Each worker's own peak includes the whole inputs only with a copy. */
		CHECK(copy.max_worker_hwm_bytes > in);
		/* Summed RSS counts shared pages once per process. */
		CHECK(shm.peak_rss_sum_bytes > shm.peak_pss_bytes + 0.3 * in);
	}
	runner_reference_release(&ref);
	return check_result("test_memory");
}
