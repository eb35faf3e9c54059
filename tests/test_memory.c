/*
 * test_memory.c - the memory figures mean what they claim.  With inputs of
 * tens of MB and 2 workers: pool-copy holds a copy per worker, so its tree
 * PSS exceeds pool-shm's by one copy of the inputs; pool-shm's counts the
 * shared copy once, and so does pool-cow's copy shared by fork.
 * Summed RSS counts pool-shm's shared pages once per process that touched
 * them and so overstates it; PSS does not.  At the end of setup the inputs
 * are already in place: once for pool-shm, once per worker for pool-copy.
 */
#include "check.h"
#include "testwl.h"
#include "runner.h"

#include <stdio.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED_BUILD 1
#endif

/* The fire model, opened once for every run (testwl.h). */
static struct runner_options fire;
static char fire_options[256];

static const char *worker_path;

static void measure(const char *strategy, enum strategy_start start, const struct runner_reference *ref,
		    struct runner_row *row)
{
	struct strategy_params p = {
		.workload = "fire", .options = "", .scenario = "demo", .seed = 1, .mix = WORKLOAD_JOBS_IDENTICAL, .dtype = WORKLOAD_F64, .jobs = 2,
		.workers = 2, .chunksize = 1, .start = start, .fault_job = -1, .worker_path = worker_path,
	};
	struct runner_options o = { .strategy = strategy_find(strategy)->strategy, .p = p,
				    .sample_interval_s = 0.005 };
	o.wl = fire.wl;
	o.ws = fire.ws;
	CHECK_EQ(runner_measure(&o, ref, 0, row), 0);
	CHECK(row->valid);
	printf("%-10s %-5s pss %6.1f MiB (setup %6.1f), rss sum %6.1f MiB, max hwm %6.1f MiB (inputs %.1f MiB)\n",
	       strategy, strategy_start_name(start), row->peak_pss_bytes / 1048576.0,
	       row->setup_peak_pss_bytes / 1048576.0, row->peak_rss_sum_bytes / 1048576.0,
	       row->max_worker_hwm_bytes / 1048576.0, row->input_bytes / 1048576.0);
}

int main(int argc, char **argv)
{
	char err[256] = "";
	if (argc != 2)
		return 2;
	worker_path = argv[1];
	struct strategy_params p = { .workload = "fire", .options = "", .scenario = "demo", .seed = 1, .mix = WORKLOAD_JOBS_IDENTICAL,
				     .dtype = WORKLOAD_F64, .jobs = 2, .workers = 1, .chunksize = 1,
				     .fault_job = -1 };
	struct runner_reference ref;
	fire.p = p;
	CHECK_EQ(testwl_open(&fire, fire_options, sizeof fire_options), 0);
	CHECK_EQ(runner_reference_compute(&fire, &ref, err, sizeof err), 0);
	for (int start = 0; start < 2; start++) {
		struct runner_row copy, shm;
		measure("pool-copy", start, &ref, &copy);
		measure("pool-shm", start, &ref, &shm);
		double in = (double)shm.input_bytes;
		CHECK(in > 10e6);
		/* Two private copies against one shared copy: the same processes
		 * and job state otherwise, so the trees differ by one copy of the
		 * inputs, and the part of each tree that is inputs doubles. */
		double extra = (double)copy.peak_pss_bytes - (double)shm.peak_pss_bytes;
		CHECK(extra > 0.8 * in && extra < 1.3 * in);
		CHECK(copy.peak_pss_bytes > 2 * in);
		/* Every page of the shared copy is counted once, not left out. */
		CHECK(shm.peak_pss_bytes > in);
#ifndef SANITIZED_BUILD
		/* Besides the inputs, the tree holds three processes and two fires'
		 * state: well under one more copy (a sanitizer's runtime adds to
		 * every process, so only without one). */
		CHECK(shm.peak_pss_bytes < 2 * in);
		CHECK((double)copy.peak_pss_bytes / (double)shm.peak_pss_bytes > 1.4);
#endif
		/* Setup's peak: the inputs are built (and, for pool-copy, every
		 * worker's copy) before setup ends; it is one of the run's samples. */
		CHECK(shm.setup_peak_pss_bytes >= in);
		CHECK(copy.setup_peak_pss_bytes > 2 * in);
		CHECK(shm.setup_peak_pss_bytes <= shm.peak_pss_bytes);
		CHECK(copy.setup_peak_pss_bytes <= copy.peak_pss_bytes);
		/* Each worker's own peak includes the whole inputs only with a copy. */
		CHECK(copy.max_worker_hwm_bytes > in);
		/* Summed RSS counts shared pages once per process. */
		CHECK(shm.peak_rss_sum_bytes > shm.peak_pss_bytes + 0.3 * in);
	}
	/* pool-cow: one private copy in the runner, shared copy-on-write by
	 * the forked workers, counted once, as pool-shm's memfd is. */
	{
		struct runner_row copy, cow;
		measure("pool-copy", STRATEGY_START_FORK, &ref, &copy);
		measure("pool-cow", STRATEGY_START_FORK, &ref, &cow);
		double in = (double)cow.input_bytes;
		double extra = (double)copy.peak_pss_bytes - (double)cow.peak_pss_bytes;
		CHECK(extra > 0.8 * in && extra < 1.3 * in);
		CHECK(cow.peak_pss_bytes > in);
		CHECK(cow.setup_peak_pss_bytes >= in);
#ifndef SANITIZED_BUILD
		CHECK(cow.peak_pss_bytes < 2 * in);
#endif
		/* Each worker maps all of it (its RSS) but holds a share (PSS). */
		CHECK(cow.max_worker_hwm_bytes > in);
		CHECK(cow.peak_rss_sum_bytes > cow.peak_pss_bytes + 0.3 * in);
	}
	/* mpi-shm: one shared window per (virtual) node, so two virtual nodes
	 * hold a second copy of the inputs.  Four jobs a rank, so that the
	 * jobs' own memory is there for several samples in both runs. */
	const struct strategy_entry *mpi = strategy_find("mpi-shm");
	if (mpi && mpi->strategy) {
		struct runner_row one, two;
		struct strategy_params q = { .workload = "fire", .options = "", .scenario = "demo", .seed = 1, .mix = WORKLOAD_JOBS_IDENTICAL,
					     .dtype = WORKLOAD_F64, .jobs = 8, .workers = 2, .chunksize = 1,
					     .fault_job = -1, .worker_path = worker_path, .virtual_nodes = 1 };
		struct runner_options o = { .strategy = mpi->strategy, .p = q, .sample_interval_s = 0.005 };
		o.wl = fire.wl;
		o.ws = fire.ws;
		struct runner_reference ref8;
		fire.p.jobs = q.jobs;
		CHECK_EQ(runner_reference_compute(&fire, &ref8, err, sizeof err), 0);
		CHECK_EQ(runner_measure(&o, &ref8, 0, &one), 0);
		o.p.virtual_nodes = 2;
		CHECK_EQ(runner_measure(&o, &ref8, 0, &two), 0);
		runner_reference_release(&ref8);
		CHECK(one.valid && two.valid);
		double in = (double)one.input_bytes, extra = (double)two.peak_pss_bytes - (double)one.peak_pss_bytes;
		printf("mpi-shm 1 window pss %6.1f MiB, 2 windows %6.1f MiB (inputs %.1f MiB)\n",
		       one.peak_pss_bytes / 1048576.0, two.peak_pss_bytes / 1048576.0, in / 1048576.0);
		CHECK(extra > 0.8 * in && extra < 1.3 * in);
	}
	runner_reference_release(&ref);
	return check_result("test_memory");
}
