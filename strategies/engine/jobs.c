/*
 * jobs.c - see jobs.h.  Each job has its own result slot, so threads
 * running different jobs share nothing here.
 */
#include "jobs.h"
#include "worker.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const status_names[] = { "pending", "ok", "failed", "timeout" };

const char *strategy_job_status_name(enum strategy_job_status s)
{
	return (unsigned)s < sizeof status_names / sizeof status_names[0] ? status_names[s] : "?";
}

/* Most expensive first; ties keep list order, so every process that
 * computes the batch gets the same one. */
static int by_cost(const void *a, const void *b)
{
	const struct workload_job *x = a, *y = b;
	if (x->expected_cost != y->expected_cost)
		return x->expected_cost > y->expected_cost ? -1 : 1;
	return x->n - y->n;
}

int jobs_batch(const struct workload *wl, const struct workload_scenario *ws, const struct strategy_params *p,
	       struct workload_job *out)
{
	for (int k = 0; k < p->jobs; k++) {
		int rc = wl->job(ws, p->mix, k, &out[k]);
		if (rc)
			return rc;
	}
	if (p->order == STRATEGY_ORDER_COST)
		qsort(out, (size_t)p->jobs, sizeof *out, by_cost);
	return 0;
}

int jobs_batch_one(const struct workload *wl, const struct workload_scenario *ws, const struct strategy_params *p,
		   int i, struct workload_job *out)
{
	if (i < 0 || i >= p->jobs)
		return -EINVAL;
	if (p->order == STRATEGY_ORDER_DRAWN)
		return wl->job(ws, p->mix, i, out);
	/* The whole batch is drawn again for each job: it is small against
	 * the cost of one job, and no process needs to keep a list. */
	struct workload_job *all = calloc((size_t)p->jobs, sizeof *all);
	if (!all)
		return -ENOMEM;
	int rc = jobs_batch(wl, ws, p, all);
	if (!rc)
		*out = all[i];
	free(all);
	return rc;
}

static const struct strategy_run *sort_run;

/* Most expensive first; ties keep job order so plans are reproducible. */
static int by_cost_desc(const void *a, const void *b)
{
	int i = *(const int *)a, j = *(const int *)b;
	double ci = sort_run->jobs[i].expected_cost, cj = sort_run->jobs[j].expected_cost;
	if (ci != cj)
		return ci > cj ? -1 : 1;
	return i - j;
}

int jobs_plan(const struct strategy_run *run, int *order, int *assign)
{
	int n = run->p.jobs, w = run->p.workers;
	if (n < 0 || w < 1)
		return -EINVAL;
	for (int i = 0; i < n; i++)
		order[i] = i;
	switch (run->p.schedule) {
	case STRATEGY_SCHEDULE_BLOCK:
		/* Contiguous blocks whose sizes differ by at most one. */
		for (int k = 0; k < w; k++)
			for (long i = (long)k * n / w; i < (long)(k + 1) * n / w; i++)
				assign[i] = k;
		return 0;
	case STRATEGY_SCHEDULE_SNAKE:
		/* Sort by expected cost, then deal 0,1,..,w-1,w-1,..,1,0,0,1,..
		 * so each worker gets a similar share of big and small jobs. */
		sort_run = run;
		qsort(order, (size_t)n, sizeof *order, by_cost_desc);
		sort_run = NULL;
		for (int k = 0; k < n; k++) {
			int round = k / w, pos = k % w;
			assign[order[k]] = round % 2 == 0 ? pos : w - 1 - pos;
		}
		return 0;
	case STRATEGY_SCHEDULE_DYNAMIC:
		for (int i = 0; i < n; i++)
			assign[i] = -1;
		return 0;
	}
	return -EINVAL;
}

void jobs_run(struct strategy_run *run, struct workload_state *st, int i, int worker, double t0)
{
	struct strategy_job_result *r = &run->results[i];
	r->worker = worker;
	r->begin_s = worker_clock() - t0;
	int rc = run->wl->run_job(st, &run->jobs[i], &r->summary);
	r->end_s = worker_clock() - t0;
	if (rc) {
		r->status = STRATEGY_JOB_FAILED;
		snprintf(r->error, sizeof r->error, "job %d: %s", i, strerror(-rc));
		return;
	}
	r->status = STRATEGY_JOB_OK;
}

bool jobs_same_answer(const struct workload_summary *a, const struct workload_summary *b)
{
	if (a->checksum != b->checksum)
		return false;
	for (int k = 0; k < WORKLOAD_FIGURES; k++)
		if (memcmp(&a->figure[k], &b->figure[k], sizeof a->figure[k]) != 0)
			return false;
	return true;
}

int jobs_threads(const struct strategy_params *p)
{
	if (p->job_threads > 0)
		return p->job_threads;
	if (p->job_threads == 0)
		return 1;
	const char *env = getenv("OMP_NUM_THREADS");
	char *end;
	long n = env ? strtol(env, &end, 10) : 0;
	if (env && end != env && (*end == '\0' || *end == ',') && n > 0 && n <= 256)
		return (int)n;
	int cpus = jobs_usable_cpus();
	return cpus < 256 ? cpus : 256;
}

int jobs_usable_cpus(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}
