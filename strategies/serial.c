/*
 * serial.c - the reference: one process, the jobs one after another in
 * batch order, over a private copy of the inputs.  Every other strategy's
 * answers are checked against what this one computes.
 */
#include "inputs.h"
#include "jobs.h"
#include "strategy.h"
#include "worker.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct serial {
	struct inputs in;
	struct workload_state *st;
};

static int serial_setup(struct strategy_run *run)
{
	struct serial *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	inputs_init(&s->in);
	run->priv = s;
	int rc = inputs_build_private(&s->in, run->wl, run->ws, 0);
	if (!rc)
		rc = run->wl->job_new(s->in.view, &s->st);
	if (rc)
		snprintf(run->error, sizeof run->error, "cannot build the inputs: %s", strerror(-rc));
	return rc;
}

static int serial_execute(struct strategy_run *run)
{
	struct serial *s = run->priv;
	double t0 = worker_clock();
	for (int i = 0; i < run->p.jobs && !strategy_interrupted; i++)
		jobs_run(run, s->st, i, 0, t0);
	run->max_worker_hwm_bytes = worker_self_hwm();
	return strategy_interrupted ? -EINTR : 0;
}

static void serial_teardown(struct strategy_run *run)
{
	struct serial *s = run->priv;
	if (!s)
		return;
	if (s->st)
		run->wl->job_free(s->st);
	inputs_release(&s->in, true);
	free(s);
	run->priv = NULL;
}

const struct strategy strategy_serial = {
	.name = "serial",
	.summary = "one process, jobs in order over a private copy of the inputs (the reference answer)",
	.flags = 0,
	.setup = serial_setup,
	.execute = serial_execute,
	.teardown = serial_teardown,
};
