/*
 * jobs.c - running one job of a batch in the runner's own process (serial
 * and the thread strategies), filling in its result slot.  Each job has
 * its own slot, so threads running different jobs share nothing here.
 */
#include "strategy.h"
#include "worker.h"

#include <stdio.h>
#include <string.h>

void strategy_run_job(struct strategy_run *run, struct kernel_fire *f, int i, int worker, double t0)
{
	struct strategy_job_result *r = &run->results[i];
	struct kernel_fire_result res;
	r->worker = worker;
	r->begin_s = worker_clock() - t0;
	int rc = kernel_fire_run(f, &run->jobs[i], &res);
	r->end_s = worker_clock() - t0;
	if (rc) {
		r->status = STRATEGY_JOB_FAILED;
		snprintf(r->error, sizeof r->error, "job %d: %s", i, strerror(-rc));
		return;
	}
	r->burned_cells = res.burned_cells;
	r->crowned_cells = res.crowned_cells;
	r->steps = res.steps;
	r->stop_time = res.stop_time;
	r->checksum = res.checksum;
	r->status = STRATEGY_JOB_OK;
}
