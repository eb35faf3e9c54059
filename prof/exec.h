/*
 * exec.h - measuring any command the way the runner measures a strategy:
 * one run of a command line under a small measuring child of this
 * process, with the wall time of the command's main process, the CPU
 * time and largest high-water mark of its whole tree, the peak PSS and
 * summed RSS of that tree from the memory sampler (measure.h), the noise
 * sensors (noise.h), and how it ended; or the same run untimed, for the
 * commands that prepare and clean up around a measured one.  The command
 * runs in a process group of its own, which a timeout or a signal ends
 * whole; nothing it started outlives its run.  It leaves out shells (a
 * command line that needs one names /bin/sh itself), the command's
 * output (discarded unless asked for) and any notion of jobs or
 * validation beyond the exit status.
 */
#ifndef SPREADBENCH_EXEC_H
#define SPREADBENCH_EXEC_H

#include "measure.h"
#include "runner.h"

#include <stdbool.h>
#include <stdint.h>

struct exec_command {
	char **argv;                     /* NULL-terminated; argv[0] is looked up in PATH */
	const char *text;                /* the command line as shown in rows and messages */
	bool show_output;                /* keep stdout and stderr; else /dev/null (stdin always is) */
	double timeout_s;                /* end the process group after this long; 0: never */
};

/* How one run went. */
struct exec_outcome {
	int exec_errno;                  /* the command could not be started: why; 0 when it ran */
	int wait_status;                 /* of its main process, as waitpid gives it */
	bool timed_out;                  /* ended at timeout_s */
	double t_start, t_exec, t_end;   /* CLOCK_MONOTONIC: fork, exec done, main process reaped */
	double user_s, sys_s;            /* CPU time of every process of the tree */
	uint64_t max_hwm_bytes;          /* the largest high-water mark of one process of it */
	struct measure_peak peak;        /* the sampler's figures; zero when not sampled */
};

/* Runs c once and waits for it (and for every process it started); with
 * sample_interval_s > 0 the sampler watches its tree meanwhile.  0 when
 * the command ran or could not be started (out says which and how it
 * ended); -EINTR when SIGINT or SIGTERM arrived (runner_signals_install),
 * after its process group was ended; another negative errno when the
 * measuring child could not be set up. */
int exec_run(const struct exec_command *c, double sample_interval_s, struct exec_outcome *out);

/* What a command's rows say about it besides the measurements. */
struct exec_point {
	const char *label;               /* the point's name: a key column */
	int workers;                     /* the parallelism it was told to use */
	int jobs;                        /* the jobs one run does (throughput) */
	double sample_interval_s;
};

/* One measured run as a row of the runner's columns (strategy "exec"):
 * status ok and valid when the command exited 0, failed (with its exit
 * status or signal in error) or timeout otherwise.  0 with a row;
 * -EINTR (no row) when a signal stopped it; another negative errno. */
int exec_measure(const struct exec_command *c, const struct exec_point *pt, int rep, struct runner_row *row);

/* The outcome in words for a row's error column or a message ("exited
 * with status 3", "killed by signal 11 (Segmentation fault)", ...); empty
 * when the command exited 0.  Returns the exit status a shell would give
 * (the exit code, 128 + the signal, 127 when it could not be started). */
int exec_describe(const struct exec_command *c, const struct exec_outcome *o, char *buf, size_t len);

#endif
