/*
 * fork_per_job.c - a fresh process for every job, at most `workers` at a
 * time, each building its own copy of the inputs before its one fire: what
 * a shell loop over a single-fire program does.  Nothing is shared and
 * nothing is set up in advance, so all of its cost lands in compute.
 */
#include "pool.h"

#include <stdlib.h>

static int fpj_setup(struct strategy_run *run)
{
	struct pool_config cfg = { .one_shot = true, .inputs = WORKER_INPUTS_BUILD };
	struct pool *p;
	int rc = pool_start(run, &cfg, &p);
	run->priv = p;
	return rc;
}

static int fpj_execute(struct strategy_run *run)
{
	return pool_execute(run->priv);
}

static void fpj_teardown(struct strategy_run *run)
{
	pool_stop(run->priv);
	run->priv = NULL;
}

const struct strategy strategy_fork_per_job = {
	.name = "fork-per-job",
	.summary = "a fresh process per job that builds its own inputs, like a shell loop",
	.flags = STRATEGY_PROCESSES | STRATEGY_SCHEDULES | STRATEGY_FIRE_THREADS,
	.setup = fpj_setup,
	.execute = fpj_execute,
	.teardown = fpj_teardown,
};
