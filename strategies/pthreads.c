/*
 * pthreads.c - one process, a team of POSIX threads sharing one private
 * read-only copy of the inputs.  Each thread owns its job state (allocated
 * by whatever malloc the process runs with) and runs the jobs the schedule
 * gives it: a fixed list for block and snake, chunks taken from one atomic
 * counter for dynamic.
 *
 * setup builds the inputs, starts the threads and waits until each has
 * its job state (and its core, with --pin); execute releases them and
 * waits for the last job; teardown joins them.  Threads block SIGINT and
 * SIGTERM, which the runner's main thread handles; after one they finish
 * their current job and stop taking jobs.
 */
#include "inputs.h"
#include "jobs.h"
#include "pin.h"
#include "strategy.h"
#include "worker.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct team;

struct member {
	struct team *team;
	int k;
	pthread_t th;
	bool started;
	struct workload_state *st;
	double t_create, t_entered;
	int rc;                          /* setting up: 0 or a negative errno */
};

struct team {
	struct strategy_run *run;
	struct inputs in;
	struct member *m;
	int n, started;
	int *order, *assign;
	atomic_int next;                 /* dynamic: next index into order */
	double t0;
	/* go: 0 setting up, 1 run the jobs, 2 leave */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int go, ready, done;
};

static void wait_go(struct team *t, int at_least)
{
	pthread_mutex_lock(&t->lock);
	while (t->go < at_least)
		pthread_cond_wait(&t->cond, &t->lock);
	pthread_mutex_unlock(&t->lock);
}

static void report(struct team *t, int *counter)
{
	pthread_mutex_lock(&t->lock);
	(*counter)++;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
}

static void run_jobs(struct member *me)
{
	struct team *t = me->team;
	struct strategy_run *run = t->run;
	int n = run->p.jobs, chunk = run->p.chunksize > 0 ? run->p.chunksize : 1;
	if (run->p.schedule == STRATEGY_SCHEDULE_DYNAMIC) {
		for (;;) {
			int at = atomic_fetch_add(&t->next, chunk);
			if (at >= n)
				return;
			for (int i = at; i < at + chunk && i < n; i++) {
				if (strategy_interrupted)
					return;
				jobs_run(run, me->st, t->order[i], me->k, t->t0);
			}
		}
	}
	for (int i = 0; i < n && !strategy_interrupted; i++)
		if (t->assign[t->order[i]] == me->k)
			jobs_run(run, me->st, t->order[i], me->k, t->t0);
}

static void *member_main(void *arg)
{
	struct member *me = arg;
	struct team *t = me->team;
	me->t_entered = worker_clock();
	if (t->run->p.pin)
		me->rc = pin_thread_to_core(me->k);
	if (!me->rc)
		me->rc = t->run->wl->job_new(t->in.view, &me->st);
	report(t, &t->ready);
	wait_go(t, 1);
	if (t->go == 1 && !me->rc)
		run_jobs(me);
	report(t, &t->done);
	return NULL;
}

static void set_go(struct team *t, int go)
{
	pthread_mutex_lock(&t->lock);
	t->go = go;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
}

static void wait_count(struct team *t, int *counter, int n)
{
	pthread_mutex_lock(&t->lock);
	while (*counter < n)
		pthread_cond_wait(&t->cond, &t->lock);
	pthread_mutex_unlock(&t->lock);
}

/* One copy in the process; a job state per thread. */
static void team_footprint(const struct strategy_params *p, struct strategy_footprint *out)
{
	out->input_copies = 1;
	out->states = p->workers > 1 ? p->workers : 1;
}

static int team_setup(struct strategy_run *run)
{
	struct team *t = calloc(1, sizeof *t);
	if (!t)
		return -ENOMEM;
	run->priv = t;
	t->run = run;
	t->n = run->p.workers;
	inputs_init(&t->in);
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cond, NULL);
	t->m = calloc((size_t)t->n, sizeof *t->m);
	t->order = calloc((size_t)run->p.jobs + 1, sizeof *t->order);
	t->assign = calloc((size_t)run->p.jobs + 1, sizeof *t->assign);
	if (!t->m || !t->order || !t->assign)
		return -ENOMEM;
	int rc = jobs_plan(run, t->order, t->assign);
	if (!rc)
		rc = inputs_build_private(&t->in, run->wl, run->ws, 0);
	if (rc) {
		snprintf(run->error, sizeof run->error, "cannot build the inputs: %s", strerror(-rc));
		return rc;
	}
	/* The runner's main thread takes the signals. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	double latency = 0;
	for (int k = 0; k < t->n; k++) {
		struct member *me = &t->m[k];
		me->team = t;
		me->k = k;
		me->t_create = worker_clock();
		rc = -pthread_create(&me->th, NULL, member_main, me);
		if (rc)
			break;
		me->started = true;
		t->started++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	wait_count(t, &t->ready, t->started);
	if (rc) {
		snprintf(run->error, sizeof run->error, "cannot start thread %d: %s", t->started,
			 strerror(-rc));
		return rc;
	}
	for (int k = 0; k < t->n; k++) {
		latency += t->m[k].t_entered - t->m[k].t_create;
		if (t->m[k].rc && !rc) {
			rc = t->m[k].rc;
			snprintf(run->error, sizeof run->error, "thread %d: %s %s", k,
				 run->p.pin ? "cannot pin or set up its job state:" : "cannot set up its job state:",
				 strerror(-rc));
		}
	}
	run->workers_started = t->started;
	run->start_latency_s = t->started ? latency / t->started : 0;
	return rc;
}

static int team_execute(struct strategy_run *run)
{
	struct team *t = run->priv;
	t->t0 = worker_clock();
	atomic_store(&t->next, 0);
	set_go(t, 1);
	wait_count(t, &t->done, t->started);
	run->max_worker_hwm_bytes = worker_self_hwm();
	for (int i = 0; i < run->p.jobs; i++)
		if (run->results[i].status == STRATEGY_JOB_PENDING && !strategy_interrupted) {
			run->results[i].status = STRATEGY_JOB_FAILED;
			snprintf(run->results[i].error, sizeof run->results[i].error, "job %d: not run", i);
		}
	return strategy_interrupted ? -EINTR : 0;
}

static void team_teardown(struct strategy_run *run)
{
	struct team *t = run->priv;
	if (!t)
		return;
	if (t->m) {
		set_go(t, 2);
		for (int k = 0; k < t->n; k++)
			if (t->m[k].started)
				pthread_join(t->m[k].th, NULL);
		for (int k = 0; k < t->n; k++)
			if (t->m[k].st)
				run->wl->job_free(t->m[k].st);
	}
	inputs_release(&t->in, true);
	pthread_cond_destroy(&t->cond);
	pthread_mutex_destroy(&t->lock);
	free(t->m);
	free(t->order);
	free(t->assign);
	free(t);
	run->priv = NULL;
}

const struct strategy strategy_pthreads = {
	.name = "pthreads",
	.summary = "one process, a team of POSIX threads sharing one read-only copy of the inputs",
	.flags = STRATEGY_SCHEDULES | STRATEGY_THREADS,
	.setup = team_setup,
	.execute = team_execute,
	.teardown = team_teardown,
	.footprint = team_footprint,
};
