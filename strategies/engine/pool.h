/*
 * pool.h - the runner's side of the process strategies: start workers by
 * fork or posix_spawn, deal jobs to them by the run's schedule, collect
 * results, notice a dead or overdue worker at once, replace it and go on.
 * fork-per-job, pool-copy, pool-shm and pool-cow are this engine with
 * different settings.
 */
#ifndef SPREADBENCH_POOL_H
#define SPREADBENCH_POOL_H

#include "inputs.h"
#include "strategy.h"
#include "worker.h"

#include <stdbool.h>

struct pool_config {
	bool one_shot;                   /* a fresh process for every job */
	/* BUILD: each worker builds its own; SHM: the memfd in held (forked
	 * workers attached per worker inherit its mapping); INHERITED: the
	 * private inputs in held, shared copy-on-write by fork alone. */
	enum worker_inputs inputs;
	const struct inputs *held;       /* the runner's inputs, for SHM and INHERITED */
};

struct pool;

/* Start the workers and wait until each has its inputs (none for one_shot). */
int pool_start(struct strategy_run *run, const struct pool_config *cfg, struct pool **out);
int pool_execute(struct pool *p);
/* Ask workers to quit, reap them (killing any that linger), free; NULL-safe. */
void pool_stop(struct pool *p);

/* A pool over inputs the runner holds for the whole run (pool-shm's
 * memfd, pool-cow's private copy): the strategy's setup builds in->in
 * and starts the pool; these are the rest of it. */
struct pool_held {
	struct inputs in;
	struct pool *pool;
};
/* A new, empty one as run->priv: 0 or -ENOMEM. */
int pool_held_new(struct strategy_run *run, struct pool_held **out);
int pool_held_execute(struct strategy_run *run);
/* Stops the pool, then releases the inputs; safe after a failed setup. */
void pool_held_teardown(struct strategy_run *run);
/* One copy of the inputs, a job state per worker. */
void pool_held_footprint(const struct strategy_params *p, struct strategy_footprint *out);

#endif
