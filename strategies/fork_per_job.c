/*
 * fork_per_job.c - a fresh process for every job, at most `workers` at a
 * time, each building its own copy of the inputs before its one job: what
 * a shell loop over a single-job program does.  Nothing is shared and
 * nothing is set up in advance, so all of its cost lands in compute.
 */
#include "pool.h"

#include <stdlib.h>

/* Each process builds its own copy, at most `workers` at a time. */
static void fpj_footprint(const struct strategy_params *p, struct strategy_footprint *out)
{
	int at_once = p->workers < p->jobs ? p->workers : p->jobs;
	out->input_copies = out->states = at_once > 1 ? at_once : 1;
}

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
	.flags = STRATEGY_PROCESSES | STRATEGY_SCHEDULES | STRATEGY_JOB_THREADS | STRATEGY_STOPS_JOBS,
	.setup = fpj_setup,
	.execute = fpj_execute,
	.teardown = fpj_teardown,
	.footprint = fpj_footprint,
};
