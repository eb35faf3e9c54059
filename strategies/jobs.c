/*
 * jobs.c - running one job of a batch in the runner's own process (serial
 * and the thread strategies), filling in its result slot.  Each job has
 * its own slot, so threads running different jobs share nothing here.
 */
#include "strategy.h"
#include "worker.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Most expensive first; ties keep list order, so every process that
 * computes the batch gets the same one. */
static int by_cost(const void *a, const void *b)
{
	const struct kernel_job *x = a, *y = b;
	if (x->expected_cost != y->expected_cost)
		return x->expected_cost > y->expected_cost ? -1 : 1;
	return x->id - y->id;
}

int strategy_batch_job(const struct kernel_scenario *sc, enum kernel_job_mix mix, enum strategy_order order,
		       int n, int i, struct kernel_job *out)
{
	if (i < 0 || (order == STRATEGY_ORDER_COST && i >= n))
		return -EINVAL;
	if (order == STRATEGY_ORDER_DRAWN)
		return kernel_scenario_job(sc, mix, i, out);
	/* The whole batch is drawn again for each job: n is small against
	 * the cost of one fire, and no process needs to keep a list. */
	struct kernel_job *all = calloc((size_t)n, sizeof *all);
	if (!all)
		return -ENOMEM;
	int rc = 0;
	for (int k = 0; k < n && !rc; k++)
		rc = kernel_scenario_job(sc, mix, k, &all[k]);
	if (!rc) {
		qsort(all, (size_t)n, sizeof *all, by_cost);
		*out = all[i];
	}
	free(all);
	return rc;
}
