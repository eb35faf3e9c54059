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
};

struct runner_row {
	const char *strategy;
	struct strategy_params p;
	int rep;
	const char *status;              /* ok, failed, timeout */
	bool valid;
	double setup_s, compute_s, teardown_s, wall_s, user_s, sys_s;
	uint64_t peak_pss_bytes, peak_rss_sum_bytes, max_worker_hwm_bytes;
	double start_latency_s;
	double jobs_per_s, burned_cells_per_s, mha_per_cpu_hr;
	char error[480];
	/* Columns after the documented core set. */
	uint64_t input_bytes;
	long burned_cells;
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

/* Computes the serial answer of every job in a child process, so the
 * runner itself never holds the inputs while it measures. */
int runner_reference_compute(const struct strategy_params *p, struct runner_reference *out,
			     char *err, size_t errlen);
void runner_reference_release(struct runner_reference *ref);

struct runner_options {
	const struct strategy *strategy;
	struct strategy_params p;
	double sample_interval_s;
	uint64_t parent_rss_bytes;
	/* CPU-bound processes that spin beside each measured run, at the
	 * runner's own priority, left out of its figures (0: none). */
	int load;
};

/* One measured run.  Returns 0 when the row is complete (ok or not);
 * -EINTR when a signal stopped it (no row). */
int runner_measure(const struct runner_options *o, const struct runner_reference *ref, int rep,
		   struct runner_row *row);

#endif
