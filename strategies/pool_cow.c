/*
 * pool_cow.c - a fixed pool of worker processes that share the runner's
 * one private copy of the inputs copy-on-write.  The runner builds the
 * inputs once, with several threads, in private memory (transparent huge
 * pages where the system gives them), makes them read-only with mprotect,
 * and then forks the pool: every worker maps the same physical pages,
 * nothing is copied and nothing is filled twice, and since no one can
 * write them no copy is ever made.  PSS divides those pages among the
 * processes that map them, so the tree holds one copy.
 *
 * This is safe in C because reading memory never writes it.  In CPython
 * it is not: every object carries a reference count in its own header,
 * and merely touching an object (a loop over a list, an attribute lookup)
 * writes that count, so a forked worker dirties, and copies, each page of
 * the inputs it reads.
 *
 * Workers start by fork alone (a spawned program inherits no memory); a
 * worker that dies is replaced by another fork of the runner, which still
 * holds the pages.
 */
#include "pool.h"

#include <stdio.h>
#include <string.h>

static int pool_cow_setup(struct strategy_run *run)
{
	struct pool_held *h;
	int rc = pool_held_new(run, &h);
	if (!rc)
		rc = inputs_build_private(&h->in, run->wl, run->ws, 0);
	if (!rc)
		rc = inputs_protect(&h->in);
	if (rc) {
		snprintf(run->error, sizeof run->error, "cannot build the inputs: %s", strerror(-rc));
		return rc;
	}
	run->page_bytes = h->in.page_bytes;
	struct pool_config cfg = { .inputs = WORKER_INPUTS_INHERITED, .held = &h->in };
	return pool_start(run, &cfg, &h->pool);
}

const struct strategy strategy_pool_cow = {
	.name = "pool-cow",
	.summary = "fixed process pool forked over one read-only private copy of the inputs, shared copy-on-write",
	.flags = STRATEGY_PROCESSES | STRATEGY_SCHEDULES | STRATEGY_JOB_THREADS | STRATEGY_STOPS_JOBS |
		 STRATEGY_FORK_ONLY,
	.setup = pool_cow_setup,
	.execute = pool_held_execute,
	.teardown = pool_held_teardown,
	.footprint = pool_held_footprint,
};
