/*
 * strategy.h - the contract of a parallel strategy: how spreadbench runs a
 * batch of jobs, one backend per file (strategies/<name>.c).
 *
 * A strategy is a static description (name, flags, three functions and
 * two optional ones); a struct strategy_run is one measured run of it.
 * The runner times the three phases apart: setup (pools, shared inputs),
 * execute (all jobs) and teardown.  Strategies know nothing about the
 * workload beyond workload.h, nor about CSV, plots or memory sampling;
 * they fill in per-job results and the few figures only they can see
 * (worker start latency, each worker's own peak RSS).  What backends
 * share lives in strategies/engine/: the run parameters (params.h), the
 * batch and its schedules (jobs.h), input blocks (inputs.h), the process
 * pool (pool.h) and the MPI launcher (launcher.h).
 *
 * Adding a strategy:
 *   1. write strategies/<name>.c defining `const struct strategy
 *      strategy_<name>` with designated initialisers, everything else
 *      static; its flags say which run parameters it honours (params.h
 *      reads them, and `run`, `list` and the sweep follow); give it a
 *      footprint when it holds more than one copy of the inputs or one job
 *      state (the memory check reads it), and STRATEGY_STOPS_JOBS only if
 *      it ends a late job or worker without ending the runner;
 *   2. add its line to the table in strategies/registry.c (and, for an
 *      optional backend, the "not built" line with how to enable it);
 *   3. add the source to spreadbench_strategies in CMakeLists.txt.
 * The conformance test, `run`, `list`, the sweep, the report's tables and
 * `recommend` pick it up from the registry.
 *
 * Contracts of the slots:
 *   setup     may be timed; on failure it leaves nothing that teardown
 *             cannot release.  No wait in it outlasts p.setup_timeout_s
 *             (when set) without ending what it waits for; -ETIMEDOUT
 *             then, with run->error saying who was late.
 *   execute   runs every job once and fills run->results; a job that fails
 *             (its worker died, it timed out) is reported with a status and
 *             an error, the other jobs still run.  Returns 0 when every job
 *             was attempted, or a negative errno when the run had to stop
 *             (-EINTR after SIGINT/SIGTERM: every child is reaped first).
 *             A strategy with STRATEGY_STOPS_JOBS never waits on a job
 *             longer than p.job_timeout_s (when set).
 *   teardown  releases everything: processes reaped, shared memory unmapped
 *             and closed, files removed; every wait in it is bounded.  Safe
 *             after a failed setup and safe twice.  What went wrong there
 *             sets run->failed.
 *   footprint, check  optional, pure: see their comments below.
 * All functions return 0 or a negative errno; only main() exits.
 */
#ifndef SPREADBENCH_STRATEGY_H
#define SPREADBENCH_STRATEGY_H

#include "params.h"
#include "workload.h"

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a strategy does, and so which run parameters it honours. */
#define STRATEGY_PROCESSES 0x1u          /* runs jobs in child processes: --start, --nice */
#define STRATEGY_ATTACHES 0x2u           /* honours --attach */
#define STRATEGY_SCHEDULES 0x4u          /* honours --schedule and --chunksize */
#define STRATEGY_THREADS 0x8u            /* runs jobs on threads of the runner: --pin */
#define STRATEGY_MODES 0x10u             /* honours --mode */
#define STRATEGY_JOB_THREADS 0x20u       /* workers can split each job: --job-threads */
#define STRATEGY_MPI 0x40u               /* MPI ranks: --virtual-nodes, --hostfile */
/* Runs jobs in processes it can end one at a time: honours --job-timeout,
 * --setup-timeout and --fault.  Without it a late job can only be ended
 * with the whole process (see runner_options.run_timeout_s). */
#define STRATEGY_STOPS_JOBS 0x80u
#define STRATEGY_SHARES_MEMORY 0x100u    /* shares its inputs in shared memory: --shm-pages */
#define STRATEGY_FORK_ONLY 0x200u        /* starts workers by fork alone: --start spawn is refused */

enum strategy_job_status { STRATEGY_JOB_PENDING, STRATEGY_JOB_OK, STRATEGY_JOB_FAILED, STRATEGY_JOB_TIMEOUT };
const char *strategy_job_status_name(enum strategy_job_status s);

struct strategy_job_result {
	enum strategy_job_status status;
	int worker;                      /* slot that ran it */
	struct workload_summary summary; /* the job's answer */
	double begin_s, end_s;           /* seconds since execute began */
	char error[256];
};

struct strategy;

struct strategy_run {
	const struct strategy *strategy;
	struct strategy_params p;
	const struct workload *wl;       /* the workload, opened by the runner */
	const struct workload_scenario *ws;
	struct workload_job *jobs;       /* p.jobs entries: the batch, in its order */
	struct strategy_job_result *results;
	/* Filled in by the strategy. */
	double start_latency_s;          /* mean over started workers; 0 when none */
	int workers_started;
	double setup_latency_s;          /* mean time a worker took to put its inputs in place */
	uint64_t max_worker_hwm_bytes;   /* largest VmHWM a worker reported */
	int workers_replaced;            /* workers that died and were replaced */
	size_t page_bytes;               /* the shared inputs' page size, 0 when none are shared */
	char error[256];                 /* why setup or execute failed */
	/* Set by any phase, teardown included, when the run went wrong
	 * although every job may have answered (a launcher that exited
	 * non-zero): the row is failed and error says why. */
	bool failed;
	/* What happened that did not make the run fail, for the row's notes:
	 * each worker replaced, which slot and why (strategy_note). */
	char notes[400];
	void *priv;
};

/* What a run holds at its peak, for the memory check before it starts. */
struct strategy_footprint {
	int input_copies;                /* copies of the inputs held at once */
	int states;                      /* job states held at once (a worker's or thread's each) */
};

struct strategy {
	const char *name;
	const char *summary;
	unsigned flags;
	int (*setup)(struct strategy_run *run);
	int (*execute)(struct strategy_run *run);
	void (*teardown)(struct strategy_run *run);
	/* Optional.  The copies of the inputs and the job states a run with
	 * these parameters holds at once; NULL means one of each. */
	void (*footprint)(const struct strategy_params *p, struct strategy_footprint *out);
	/* Optional.  Refuses parameters this machine cannot run, before
	 * anything starts: 0, or a negative errno with err saying why. */
	int (*check)(const struct strategy_params *p, char *err, size_t len);
};

/* The slots above through their NULL defaults. */
void strategy_footprint(const struct strategy *s, const struct strategy_params *p, struct strategy_footprint *out);
int strategy_check(const struct strategy *s, const struct strategy_params *p, char *err, size_t len);
/* Appends one sentence to run->notes ("; " between them); what does not
 * fit is cut, never overflows. */
void strategy_note(struct strategy_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The registry: every strategy spreadbench knows, built or not. */
struct strategy_entry {
	const char *name;
	const struct strategy *strategy; /* NULL when not built */
	const char *enable;              /* how to build it, when not built */
};
extern const struct strategy_entry strategy_registry[];
extern const int strategy_registry_count;
/* The entry called name, or NULL. */
const struct strategy_entry *strategy_find(const char *name);

/* Set by the runner's SIGINT/SIGTERM handler; strategies stop at once. */
extern volatile sig_atomic_t strategy_interrupted;
/* A descriptor that becomes readable when strategy_interrupted is set
 * (the write end of a self-pipe belongs to the signal handler); -1 if none. */
extern int strategy_interrupt_fd;

#endif
