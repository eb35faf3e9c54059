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

#endif
