/*
 * strategy.h - how spreadbench runs a batch of fires: the interface every
 * parallel strategy implements, and the parameters and results of one run.
 *
 * A strategy is a static description (name, flags, three functions); a
 * struct strategy_run is one measured run of it.  The runner times the
 * three phases apart: setup (pools, shared inputs), execute (all jobs) and
 * teardown.  Strategies know nothing about CSV, plots or memory sampling;
 * they fill in per-job results and the few figures only they can see
 * (worker start latency, each worker's own peak RSS).
 *
 * Adding a strategy:
 *   1. write strategies/<name>.c defining `const struct strategy
 *      strategy_<name>` with designated initialisers, everything else static;
 *      give it a footprint when it holds more than one copy of the inputs
 *      or one fire (the memory check reads it), and STRATEGY_STOPS_JOBS
 *      only if it ends a late job or worker without ending the runner;
 *   2. add its line to the table in strategies/registry.c (and, for an
 *      optional backend, the "not built" line with how to enable it);
 *   3. add the source to spreadbench_strategies in CMakeLists.txt;
 *   4. the conformance test (tests/test_conformance.c) picks it up from
 *      the registry and compares every job with serial.
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

#include "kernel.h"

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum strategy_start { STRATEGY_START_FORK, STRATEGY_START_SPAWN };
enum strategy_schedule { STRATEGY_SCHEDULE_BLOCK, STRATEGY_SCHEDULE_SNAKE, STRATEGY_SCHEDULE_DYNAMIC };
enum strategy_attach { STRATEGY_ATTACH_WORKER, STRATEGY_ATTACH_JOB };
/* openmp: parallel across jobs, or inside one fire with jobs in turn. */
enum strategy_mode { STRATEGY_MODE_BATCH, STRATEGY_MODE_SINGLE };
enum strategy_allocator { STRATEGY_ALLOC_GLIBC, STRATEGY_ALLOC_JEMALLOC };
/* The order of a batch's jobs: as the scenario's list draws them, or by
 * expected cost, largest first, as a naive split of a sorted list deals
 * them (contiguous blocks then get very unequal work). */
enum strategy_order { STRATEGY_ORDER_DRAWN, STRATEGY_ORDER_COST };

/* Faults a worker can be told to commit on one job, to test recovery. */
enum strategy_fault {
	STRATEGY_FAULT_NONE,
	STRATEGY_FAULT_SEGV,             /* raise(SIGSEGV) */
	STRATEGY_FAULT_ABORT,            /* abort() */
	STRATEGY_FAULT_EXIT,             /* _exit(3) */
	STRATEGY_FAULT_HANG,             /* sleep until killed: needs a job timeout */
	STRATEGY_FAULT_STOP,             /* raise(SIGSTOP): stopped until killed, as `kill -STOP` leaves it */
};
/* fault_job for a fault committed while putting the inputs in place, by
 * the first worker the run starts (mpi-shm: rank 0 after MPI_Init). */
#define STRATEGY_FAULT_AT_SETUP (-2)

#define STRATEGY_PROCESSES 0x1u          /* runs jobs in child processes: --start */
#define STRATEGY_ATTACHES 0x2u           /* honours --attach */
#define STRATEGY_SCHEDULES 0x4u          /* honours --schedule and --chunksize */
#define STRATEGY_THREADS 0x8u            /* runs jobs on threads of the runner: --pin */
#define STRATEGY_MODES 0x10u             /* honours --mode */
#define STRATEGY_FIRE_THREADS 0x20u      /* workers can split each fire: --fire-threads */
#define STRATEGY_MPI 0x40u               /* MPI ranks: --virtual-nodes, --hostfile */
/* Runs jobs in processes it can end one at a time: honours --job-timeout,
 * --setup-timeout and --fault.  Without it a late job can only be ended
 * with the whole process (see runner_options.run_timeout_s). */
#define STRATEGY_STOPS_JOBS 0x80u

struct strategy_params {
	const char *scenario;
	uint64_t seed;
	enum kernel_job_mix mix;
	enum kernel_dtype dtype;
	int workers;
	int jobs;
	enum strategy_schedule schedule;
	int chunksize;
	enum strategy_start start;
	enum strategy_attach attach;
	double job_timeout_s;            /* 0: none */
	double setup_timeout_s;          /* 0: none; a worker (mpi-shm: the launch) that has not put
					  * its inputs in place this long after it started is killed */
	int fault_job;                   /* -1: none */
	enum strategy_fault fault;
	const char *worker_path;         /* the exec'd worker, for --start spawn */
	bool pin;                        /* bind each thread to its own core */
	enum strategy_mode mode;
	int fire_threads;                /* threads inside each fire: 0 or 1 one, N, -1 OpenMP's default */
	enum strategy_allocator allocator; /* recorded: the runner arranges it before running */
	int virtual_nodes;               /* mpi-shm: windows per node (0 or 1: one) */
	const char *hostfile;            /* mpi-shm: hosts for the launcher, or NULL */
	int nice;                        /* process strategies: workers' nice value (0: left alone) */
	enum strategy_order order;       /* the batch's job order */
};

enum strategy_job_status { STRATEGY_JOB_PENDING, STRATEGY_JOB_OK, STRATEGY_JOB_FAILED, STRATEGY_JOB_TIMEOUT };

struct strategy_job_result {
	enum strategy_job_status status;
	int worker;                      /* slot that ran it */
	long burned_cells, crowned_cells;
	int steps;
	float stop_time;
	uint64_t checksum;
	double begin_s, end_s;           /* seconds since execute began */
	char error[256];
};

struct strategy;

struct strategy_run {
	const struct strategy *strategy;
	struct strategy_params p;
	struct kernel_scenario sc;
	struct kernel_job *jobs;         /* p.jobs entries: job i is the scenario's job i */
	struct strategy_job_result *results;
	/* Filled in by the strategy. */
	double start_latency_s;          /* mean over started workers; 0 when none */
	int workers_started;
	double setup_latency_s;          /* mean time a worker took to put its inputs in place */
	uint64_t max_worker_hwm_bytes;   /* largest VmHWM a worker reported */
	int workers_replaced;            /* workers that died and were replaced */
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
	int fires;                       /* fires, each with its working state, held at once */
};

struct strategy {
	const char *name;
	const char *summary;
	unsigned flags;
	int (*setup)(struct strategy_run *run);
	int (*execute)(struct strategy_run *run);
	void (*teardown)(struct strategy_run *run);
	/* Optional.  The copies of the inputs and the fires a run with these
	 * parameters holds at once; NULL means one of each. */
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

const char *strategy_start_name(enum strategy_start s);
const char *strategy_schedule_name(enum strategy_schedule s);
const char *strategy_attach_name(enum strategy_attach a);
const char *strategy_fault_name(enum strategy_fault f);
const char *strategy_job_status_name(enum strategy_job_status s);
const char *strategy_mode_name(enum strategy_mode m);
const char *strategy_allocator_name(enum strategy_allocator a);
int strategy_mode_parse(const char *s, enum strategy_mode *out);
const char *strategy_order_name(enum strategy_order o);
int strategy_order_parse(const char *s, enum strategy_order *out);
int strategy_allocator_parse(const char *s, enum strategy_allocator *out);

/* The MPI launcher mpi-shm uses ($SPREADBENCH_MPIEXEC, else the one found
 * at build time); only in builds with MPI. */
const char *strategy_mpiexec_path(void);

/* Job i (0 <= i < n) of a batch of n jobs of the scenario's list: job i
 * itself, or with STRATEGY_ORDER_COST the i-th most expensive of jobs
 * 0..n-1 (ties in list order).  Every process of a run computes the same
 * batch from the same parameters. */
int strategy_batch_job(const struct kernel_scenario *sc, enum kernel_job_mix mix, enum strategy_order order,
		       int n, int i, struct kernel_job *out);

/* Runs job i on fire f and fills run->results[i]; t0 is when execute began.
 * Safe from several threads at once for different jobs. */
void strategy_run_job(struct strategy_run *run, struct kernel_fire *f, int i, int worker, double t0);
int strategy_start_parse(const char *s, enum strategy_start *out);
int strategy_schedule_parse(const char *s, enum strategy_schedule *out);
int strategy_attach_parse(const char *s, enum strategy_attach *out);
int strategy_fault_parse(const char *s, enum strategy_fault *out);

/* Job order of a schedule: for block and snake, the jobs each worker runs
 * (assign[i] = worker of job i, order[] = job indexes in the order a worker
 * meets them); dynamic hands out order[] from one queue. */
int strategy_plan(const struct strategy_run *run, int *order, int *assign);

#endif
