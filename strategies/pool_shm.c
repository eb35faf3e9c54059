/*
 * pool_shm.c - a fixed pool of worker processes over one read-only copy of
 * the inputs.  The runner builds the layers straight into a sealed memfd
 * (no second copy while loading); forked workers use the mapping they
 * inherit or map the memfd per job, spawned workers receive the descriptor
 * and map it.  The memfd has no name anywhere and is freed when the last
 * descriptor and mapping go, so no crash can leave it behind.
 */
#include "pool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pool_shm {
	struct inputs in;
	struct pool *pool;
};

/* One shared copy; a job state per worker. */
static void pool_shm_footprint(const struct strategy_params *p, struct strategy_footprint *out)
{
	out->input_copies = 1;
	out->states = p->workers > 1 ? p->workers : 1;
}

/* A page size asked for that this machine cannot give is refused before
 * anything starts. */
static int pool_shm_check(const struct strategy_params *p, char *err, size_t len)
{
	return inputs_pages_check(p->pages, err, len);
}

static int pool_shm_setup(struct strategy_run *run)
{
	struct pool_shm *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	inputs_init(&s->in);
	run->priv = s;
	char why[200];
	int rc = inputs_build_memfd(&s->in, run->wl, run->ws, run->p.pages, 0, why, sizeof why);
	if (rc) {
		snprintf(run->error, sizeof run->error, "cannot build the shared inputs: %s",
			 why[0] ? why : strerror(-rc));
		return rc;
	}
	run->page_bytes = s->in.page_bytes;
	struct pool_config cfg = { .inputs = WORKER_INPUTS_SHM, .held = &s->in };
	return pool_start(run, &cfg, &s->pool);
}

static int pool_shm_execute(struct strategy_run *run)
{
	struct pool_shm *s = run->priv;
	return pool_execute(s->pool);
}

static void pool_shm_teardown(struct strategy_run *run)
{
	struct pool_shm *s = run->priv;
	if (!s)
		return;
	pool_stop(s->pool);
	inputs_release(&s->in, true);
	free(s);
	run->priv = NULL;
}

const struct strategy strategy_pool_shm = {
	.name = "pool-shm",
	.summary = "fixed process pool sharing one sealed read-only memfd copy of the inputs",
	.flags = STRATEGY_PROCESSES | STRATEGY_ATTACHES | STRATEGY_SCHEDULES | STRATEGY_JOB_THREADS |
		 STRATEGY_STOPS_JOBS | STRATEGY_SHARES_MEMORY,
	.setup = pool_shm_setup,
	.execute = pool_shm_execute,
	.teardown = pool_shm_teardown,
	.footprint = pool_shm_footprint,
	.check = pool_shm_check,
};
