/*
 * runner.h - measuring one point: a strategy with its parameters, run
 * `reps` times after `warmup` untimed runs, each run timed by phase,
 * sampled for memory over the whole process tree and validated job by job
 * against the serial answer.  The runner owns signals (SIGINT/SIGTERM stop
 * the run, reap every child and keep finished rows) and the reference.
 */
#ifndef SPREADBENCH_RUNNER_H
#define SPREADBENCH_RUNNER_H

#include "strategy.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The serial answer for each job of a point. */
struct runner_reference {
	int jobs;
	struct strategy_job_result *r;
	double seconds;                  /* how long computing it took */
	double build_s;                  /* of which building the inputs (f32) */
	/* What one job state held beside the inputs, with the process around
	 * it: the reference's own peak RSS less its inputs. */
	uint64_t state_bytes;
};

struct runner_row {
	const char *strategy;
	struct strategy_params p;
	const struct workload *wl;       /* names the figures */
	int rep;
	const char *status;              /* ok, failed, timeout */
	bool valid;
	double setup_s, compute_s, teardown_s, wall_s, user_s, sys_s;
	uint64_t peak_pss_bytes, peak_rss_sum_bytes, max_worker_hwm_bytes;
	double start_latency_s;
	double jobs_per_s;
	char error[480];
	/* Columns after the documented core set. */
	uint64_t input_bytes;
	int jobs_ok, jobs_failed, jobs_invalid, workers_started, workers_replaced;
	double worker_setup_s, busy_fraction, tail_idle_s;
	double sample_interval_s, sampler_cpu_fraction;
	int max_procs;
	int64_t cgroup_peak_bytes;       /* -1: not available */
	uint64_t parent_rss_bytes;
	int load;                        /* competing processes that spun during the run */
	uint64_t setup_peak_pss_bytes;   /* peak PSS from the start to the end of setup */
	/* Noise sensors (noise.h): NAN or -1 where the machine does not say. */
	double steal_fraction;
	long involuntary_switches;
	int runnable_before;
	double cpu_mhz;
	double run_timeout_s;            /* the whole run's limit (runner_options), 0: none */
	char notes[400];                 /* what happened that did not fail the run */
	/* The workload's figures summed over the jobs that answered; figure 0
	 * is the work. */
	double figure_sum[WORKLOAD_FIGURES];
	double work_units, work_units_per_s;
	double job_seconds, mean_job_s;  /* time inside jobs, in all and per job */
	size_t shm_page_bytes;           /* the shared inputs' pages, 0 when not shared */
	/* Rows of `spreadbench exec` (strategy "exec"): the command's label,
	 * the command line run, and how its main process ended (its exit
	 * code, or 128 + the signal that ended it).  NULL label: a strategy's
	 * row, whose cells say "-". */
	const char *label;
	const char *command;
	int exit_status;
};

extern const char *const runner_columns[];
extern const int runner_ncolumns;
/* Formats a row's cells into buf (runner_ncolumns strings of up to 512). */
void runner_row_cells(const struct runner_row *row, char (*buf)[512], const char **cells);

/* Adds msg to the row's error text ("first; second"), cut to fit. */
void runner_append_error(struct runner_row *row, const char *msg);
struct noise_figures;
/* Copies the noise sensors' figures (noise.h) into the row. */
void runner_row_noise(struct runner_row *row, const struct noise_figures *nf);
/* Writes or reads all n bytes of buf, retrying after EINTR; 0, -EPIPE
 * for an early end of file, or a negative errno. */
int runner_write_all(int fd, const void *buf, size_t n);
int runner_read_all(int fd, void *buf, size_t n);

/* Installs the SIGINT/SIGTERM handlers; returns the signal that arrived
 * (0 if none) from runner_interrupted(). */
int runner_signals_install(void);
int runner_interrupted(void);

void runner_reference_release(struct runner_reference *ref);

struct runner_options {
	const struct strategy *strategy;
	struct strategy_params p;        /* p.options resolved (the workload's options()) */
	const struct workload *wl;       /* the workload and scenario, opened by the caller */
	const struct workload_scenario *ws;
	double sample_interval_s;
	uint64_t parent_rss_bytes;
	/* CPU-bound processes that spin beside each measured run, at the
	 * runner's own priority, left out of its figures (0: none). */
	int load;
	/*
	 * A limit on the whole run (setup, jobs, teardown) for strategies
	 * without STRATEGY_STOPS_JOBS, whose threads cannot be stopped
	 * (0: none).  When it passes, a watchdog thread fills a row (status
	 * timeout), hands it to on_overrun (from that thread, while the run's
	 * own thread is still stuck: write and close the CSV there) and ends
	 * the process with _exit(RUNNER_EXIT_OVERRUN); without on_overrun it
	 * prints the reason on stderr itself.
	 */
	double run_timeout_s;
	void (*on_overrun)(const struct runner_row *row, void *arg);
	void *overrun_arg;
};

/* Computes the serial answer of every job in a child process, so the
 * runner itself never holds the inputs while it measures.  SIGINT or
 * SIGTERM (runner_signals_install) ends the child at once: -EINTR.  A
 * child out of memory (ulimit -v, a cgroup limit) says so in err.  Where
 * o->p sets them, building the inputs is held to its setup_timeout_s and
 * each job to its job_timeout_s: -ETIMEDOUT, the child killed, err says
 * which.  A workload that crashes does so here, in the child, first. */
int runner_reference_compute(const struct runner_options *o, struct runner_reference *out, char *err,
			     size_t errlen);
void runner_reference_release(struct runner_reference *ref);

/* The exit status of a process ended by the watchdog. */
#define RUNNER_EXIT_OVERRUN 1

/*
 * Sets every time limit of a point that is still 0, so that no wait of its
 * runs is without bound: for strategies with STRATEGY_STOPS_JOBS the job
 * limit (60 s + 10 x the serial reference) and the setup limit
 * (runner_setup_timeout_default), for the others the whole run's limit
 * (120 s + 20 x the serial reference).  ref may be NULL (a point measured
 * by a child `run`, which derives its own setup limit): then 600 s per
 * job and 3600 s per run.
 */
void runner_bound_waits(struct runner_options *o, const struct runner_reference *ref);

/* The default setup limit: 120 s plus 10 x the time the reference took to
 * build the inputs, times how many workers share each CPU when they
 * outnumber them (each builds or maps its inputs at the same time). */
double runner_setup_timeout_default(const struct runner_reference *ref, const struct strategy_params *p);

/* A point's estimated peak memory against what the machine can give. */
struct runner_memory {
	uint64_t need_bytes;             /* estimated peak: copies, job states, ballast */
	uint64_t avail_bytes;            /* the budget, or what the machine or its cgroup can give */
	char why[400];                   /* both, in words */
};

/*
 * Estimates the peak of a point before it starts, from the strategy's
 * footprint (copies of the inputs and job states held at once), the state
 * size the reference measured (ref NULL: states not counted, a lower
 * bound) and
 * the runner's ballast (o->parent_rss_bytes), and compares it with
 * budget_bytes (0: measure_memory_available).  0 when it fits; -ENOMEM
 * when it does not, why giving the estimate and the limit; -ENOTSUP when
 * it is not checked (mpi-shm across machines); another negative errno
 * when the limit cannot be read.  A sweep skips the points that give
 * -ENOMEM.
 */
int runner_memory_check(const struct runner_options *o, const struct runner_reference *ref, uint64_t budget_bytes,
			struct runner_memory *m);

/* One measured run.  Returns 0 when the row is complete (ok or not);
 * -EINTR when a signal stopped it (no row). */
int runner_measure(const struct runner_options *o, const struct runner_reference *ref, int rep,
		   struct runner_row *row);

#endif
