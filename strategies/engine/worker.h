/*
 * worker.h - the worker side of the process strategies.  One loop serves
 * forked children (which call worker_run directly, with the workload the
 * runner opened) and the exec'd spreadbench-worker (which opens it again
 * from the parameters on its command line).
 */
#ifndef SPREADBENCH_WORKER_H
#define SPREADBENCH_WORKER_H

#include "inputs.h"
#include "strategy.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum worker_inputs {
	WORKER_INPUTS_BUILD,             /* build a private copy */
	WORKER_INPUTS_SHM,               /* map the shared memfd shm_fd */
	WORKER_INPUTS_INHERITED,         /* use the inputs inherited through fork */
};

struct worker_config {
	int fd;                          /* socket to the runner */
	pid_t parent;
	double t_start;                  /* CLOCK_MONOTONIC when the worker began */
	struct strategy_params p;        /* the run's: workload, scenario, batch, fault, nice ... */
	const struct workload *wl;       /* the workload and scenario, open */
	const struct workload_scenario *ws;
	enum worker_inputs inputs;
	int shm_fd;
	const struct inputs *inherited;  /* INHERITED: the runner's, mapped before the fork */
	void *drop_addr;                 /* an inherited mapping to unmap first */
	size_t drop_bytes;
	bool one_shot;                   /* exit after the first RUN */
};

/* Runs the worker loop; returns the process exit status. */
int worker_run(const struct worker_config *cfg);
double worker_clock(void);
/* VmHWM of the calling process, in bytes (0 if unreadable). */
uint64_t worker_self_hwm(void);
/* Commits a fault (--fault): crash, abort, exit, hang or stop; returns
 * only for none, and for stop once continued. */
void worker_commit_fault(enum strategy_fault f);

#endif
