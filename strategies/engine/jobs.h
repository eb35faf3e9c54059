/*
 * jobs.h - a run's batch of jobs and how a schedule deals them: the jobs
 * themselves (the workload's list, in the run's order), the plans of the
 * block and snake schedules, and running one job in the runner's own
 * process (serial and the thread strategies).  Every process of a run
 * computes the same batch from the same parameters.
 */
#ifndef SPREADBENCH_JOBS_H
#define SPREADBENCH_JOBS_H

#include "strategy.h"

/* Job i (0 <= i < p->jobs) of the batch: the workload's job i of the
 * p->mix list, or with STRATEGY_ORDER_COST the i-th most expensive of its
 * jobs 0..p->jobs-1 (ties in list order). */
int jobs_batch_one(const struct workload *wl, const struct workload_scenario *ws, const struct strategy_params *p,
		   int i, struct workload_job *out);
/* The whole batch into out[0..p->jobs). */
int jobs_batch(const struct workload *wl, const struct workload_scenario *ws, const struct strategy_params *p,
	       struct workload_job *out);

/* Job order of a schedule: for block and snake, the jobs each worker runs
 * (assign[i] = worker of job i, order[] = job indexes in the order a
 * worker meets them); dynamic hands out order[] from one queue. */
int jobs_plan(const struct strategy_run *run, int *order, int *assign);

/* Runs job i of the batch on state st in this process and fills
 * run->results[i]; t0 is when execute began.  Safe from several threads
 * at once for different jobs and states. */
void jobs_run(struct strategy_run *run, struct workload_state *st, int i, int worker, double t0);

/* Threads inside each job for p->job_threads: N as asked, 1 for 0, and
 * for -1 (auto) OpenMP's default team: $OMP_NUM_THREADS, else the CPUs
 * this process may use. */
int jobs_threads(const struct strategy_params *p);

/* The CPUs this process may run on (its affinity mask; else the online
 * CPUs; at least 1). */
int jobs_usable_cpus(void);

/* Whether two answers are the same (checksum and every figure). */
bool jobs_same_answer(const struct workload_summary *a, const struct workload_summary *b);

#endif
