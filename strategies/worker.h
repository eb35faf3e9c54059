/*
 * worker.h - the worker side of the process strategies.  One loop serves
 * forked children (which call worker_run directly) and the exec'd
 * spreadbench-worker (which fills the config from its command line).
 */
#ifndef SPREADBENCH_WORKER_H
#define SPREADBENCH_WORKER_H

#include "strategy.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum worker_inputs {
	WORKER_INPUTS_BUILD,             /* build a private copy */
	WORKER_INPUTS_SHM,               /* map the shared memfd shm_fd */
	WORKER_INPUTS_INHERITED,         /* use the mapping inherited through fork */
};

struct worker_config {
	int fd;                          /* socket to the runner */
	pid_t parent;
	double t_start;                  /* CLOCK_MONOTONIC when the worker began */
	const char *scenario;
	uint64_t seed;
	enum kernel_job_mix mix;
	enum strategy_order order;       /* the batch: its size and order */
	int jobs;
	enum kernel_dtype dtype;
	enum worker_inputs inputs;
	int shm_fd;
	enum strategy_attach attach;
	const struct kernel_landscape *inherited;
	void *drop_addr;                 /* an inherited mapping to unmap first */
	size_t drop_bytes;
	bool one_shot;                   /* exit after the first RUN */
	int fault_job;
	enum strategy_fault fault;
	int fire_threads;                /* threads inside each fire: 0 or 1 one, N, -1 OpenMP's default */
	int nice;                        /* set for itself first (0: left alone) */
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
