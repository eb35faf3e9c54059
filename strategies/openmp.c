/*
 * openmp.c - one process, OpenMP threads sharing one private read-only
 * copy of the inputs, in one of two modes:
 *   batch   the team runs the jobs, one job per thread at a time:
 *           block is OpenMP's schedule(static), dynamic is
 *           schedule(dynamic, chunksize), snake deals the jobs by cost;
 *   single  the jobs run one after another, each split across the team
 *           (the workload's set_threads; the same answer as serial).
 * setup builds the inputs and starts the team (OpenMP keeps its threads
 * between parallel regions, so later regions reuse them), giving each
 * thread its job state and, with --pin, its core.
 */
#include "inputs.h"
#include "jobs.h"
#include "pin.h"
#include "strategy.h"
#include "worker.h"

#include <errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct omp_team {
	struct inputs in;
	int n;
	struct workload_state **st;      /* batch: one per thread; single: st[0] */
	int *order, *assign;
	int *rc;
	double *entered;
};

/* One copy in the process; a job state per thread, or one split across the
 * team in single mode. */
static void omp_footprint(const struct strategy_params *p, struct strategy_footprint *out)
{
	out->input_copies = 1;
	out->states = p->mode == STRATEGY_MODE_SINGLE || p->workers < 1 ? 1 : p->workers;
}

static int omp_setup(struct strategy_run *run)
{
	struct omp_team *o = calloc(1, sizeof *o);
	if (!o)
		return -ENOMEM;
	run->priv = o;
	inputs_init(&o->in);
	o->n = run->p.workers;
	o->st = calloc((size_t)o->n, sizeof *o->st);
	o->rc = calloc((size_t)o->n, sizeof *o->rc);
	o->entered = calloc((size_t)o->n, sizeof *o->entered);
	o->order = calloc((size_t)run->p.jobs + 1, sizeof *o->order);
	o->assign = calloc((size_t)run->p.jobs + 1, sizeof *o->assign);
	if (!o->st || !o->rc || !o->entered || !o->order || !o->assign)
		return -ENOMEM;
	int rc = jobs_plan(run, o->order, o->assign);
	if (!rc)
		rc = inputs_build_private(&o->in, run->wl, run->ws, 0);
	if (rc) {
		snprintf(run->error, sizeof run->error, "cannot build the inputs: %s", strerror(-rc));
		return rc;
	}
	bool single = run->p.mode == STRATEGY_MODE_SINGLE;
	int started = 0;
	double t_start = worker_clock();
#pragma omp parallel num_threads(o->n)
	{
		int k = omp_get_thread_num();
		o->entered[k] = worker_clock();
		if (run->p.pin)
			o->rc[k] = pin_thread_to_core(k);
		if (!o->rc[k] && (!single || k == 0))
			o->rc[k] = run->wl->job_new(o->in.view, &o->st[k]);
		if (k == 0)
			started = omp_get_num_threads();
	}
	double latency = 0;
	for (int k = 0; k < started; k++) {
		latency += o->entered[k] - t_start;
		if (o->rc[k] && !rc) {
			rc = o->rc[k];
			snprintf(run->error, sizeof run->error, "thread %d: cannot %s: %s", k,
				 run->p.pin ? "pin or set up its job state" : "set up its job state", strerror(-rc));
		}
	}
	if (!rc && started < o->n) {
		rc = -EAGAIN;
		snprintf(run->error, sizeof run->error, "OpenMP gave %d threads of %d", started, o->n);
	}
	if (!rc && single && (rc = run->wl->set_threads ? run->wl->set_threads(o->st[0], o->n) : -ENOTSUP))
		snprintf(run->error, sizeof run->error, "cannot split jobs over %d threads: %s", o->n,
			 strerror(-rc));
	run->workers_started = started;
	run->start_latency_s = started ? latency / started : 0;
	return rc;
}

static int omp_execute(struct strategy_run *run)
{
	struct omp_team *o = run->priv;
	int n = run->p.jobs, chunk = run->p.chunksize > 0 ? run->p.chunksize : 1;
	double t0 = worker_clock();
	if (run->p.mode == STRATEGY_MODE_SINGLE) {
		for (int i = 0; i < n && !strategy_interrupted; i++)
			jobs_run(run, o->st[0], i, 0, t0);
	} else {
		enum strategy_schedule sched = run->p.schedule;
#pragma omp parallel num_threads(o->n)
		{
			int k = omp_get_thread_num();
			struct workload_state *f = o->st[k];
			if (sched == STRATEGY_SCHEDULE_BLOCK) {
#pragma omp for schedule(static)
				for (int i = 0; i < n; i++)
					if (!strategy_interrupted)
						jobs_run(run, f, i, k, t0);
			} else if (sched == STRATEGY_SCHEDULE_DYNAMIC) {
#pragma omp for schedule(dynamic, chunk)
				for (int i = 0; i < n; i++)
					if (!strategy_interrupted)
						jobs_run(run, f, o->order[i], k, t0);
			} else {
				for (int i = 0; i < n && !strategy_interrupted; i++)
					if (o->assign[o->order[i]] == k)
						jobs_run(run, f, o->order[i], k, t0);
			}
		}
	}
	run->max_worker_hwm_bytes = worker_self_hwm();
	return strategy_interrupted ? -EINTR : 0;
}

static void omp_teardown(struct strategy_run *run)
{
	struct omp_team *o = run->priv;
	if (!o)
		return;
	if (o->st)
		for (int k = 0; k < o->n; k++)
			if (o->st[k])
				run->wl->job_free(o->st[k]);
	inputs_release(&o->in, true);
	free(o->st);
	free(o->rc);
	free(o->entered);
	free(o->order);
	free(o->assign);
	free(o);
	run->priv = NULL;
}

const struct strategy strategy_openmp = {
	.name = "openmp",
	.summary = "one process, OpenMP threads over one read-only copy: across jobs (batch) or inside each job (single)",
	.flags = STRATEGY_SCHEDULES | STRATEGY_THREADS | STRATEGY_MODES,
	.setup = omp_setup,
	.execute = omp_execute,
	.teardown = omp_teardown,
	.footprint = omp_footprint,
};
