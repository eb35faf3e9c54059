/*
 * pool_copy.c - a fixed pool of worker processes, each building its own
 * private copy of the inputs when it starts (inside setup), as a process
 * pool does when its inputs are sent to every worker.  The runner holds no
 * copy.  Memory grows with the number of workers; that is the point.
 */
#include "pool.h"

/* Every worker holds its own copy for the whole run. */
static void pool_copy_footprint(const struct strategy_params *p, struct strategy_footprint *out)
{
	out->input_copies = out->states = p->workers > 1 ? p->workers : 1;
}

static int pool_copy_setup(struct strategy_run *run)
{
	struct pool_config cfg = { .inputs = WORKER_INPUTS_BUILD };
	struct pool *p;
	int rc = pool_start(run, &cfg, &p);
	run->priv = p;
	return rc;
}

static int pool_copy_execute(struct strategy_run *run)
{
	return pool_execute(run->priv);
}

static void pool_copy_teardown(struct strategy_run *run)
{
	pool_stop(run->priv);
	run->priv = NULL;
}

const struct strategy strategy_pool_copy = {
	.name = "pool-copy",
	.summary = "fixed process pool, each worker with its own copy of the inputs",
	.flags = STRATEGY_PROCESSES | STRATEGY_SCHEDULES | STRATEGY_JOB_THREADS | STRATEGY_STOPS_JOBS,
	.setup = pool_copy_setup,
	.execute = pool_copy_execute,
	.teardown = pool_copy_teardown,
	.footprint = pool_copy_footprint,
};
