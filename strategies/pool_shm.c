/*
 * pool_shm.c - a fixed pool of worker processes over one read-only copy of
 * the inputs.  The runner builds the layers straight into a sealed memfd
 * (no second copy while loading); forked workers use the mapping they
 * inherit or map the memfd per job, spawned workers receive the descriptor
 * and map it.  The memfd has no name anywhere and is freed when the last
 * descriptor and mapping go, so no crash can leave it behind.
 */
#include "pool.h"

#include <stdio.h>
#include <string.h>

/* A page size asked for that this machine cannot give is refused before
 * anything starts. */
static int pool_shm_check(const struct strategy_params *p, char *err, size_t len)
{
	return inputs_pages_check(p->pages, err, len);
}

static int pool_shm_setup(struct strategy_run *run)
{
	struct pool_held *h;
	char why[200] = "";
	int rc = pool_held_new(run, &h);
	if (rc)
		return rc;
	rc = inputs_build_memfd(&h->in, run->wl, run->ws, run->p.pages, 0, why, sizeof why);
	if (rc) {
		snprintf(run->error, sizeof run->error, "cannot build the shared inputs: %s",
			 why[0] ? why : strerror(-rc));
		return rc;
	}
	run->page_bytes = h->in.page_bytes;
	struct pool_config cfg = { .inputs = WORKER_INPUTS_SHM, .held = &h->in };
	return pool_start(run, &cfg, &h->pool);
}

const struct strategy strategy_pool_shm = {
	.name = "pool-shm",
	.summary = "fixed process pool sharing one sealed read-only memfd copy of the inputs",
	.flags = STRATEGY_PROCESSES | STRATEGY_ATTACHES | STRATEGY_SCHEDULES | STRATEGY_JOB_THREADS |
		 STRATEGY_STOPS_JOBS | STRATEGY_SHARES_MEMORY,
	.setup = pool_shm_setup,
	.execute = pool_held_execute,
	.teardown = pool_held_teardown,
	.footprint = pool_held_footprint,
	.check = pool_shm_check,
};
