/*
 * proto.h - the messages between the runner and its worker processes.
 * They travel over a SOCK_SEQPACKET socketpair, one fixed-size struct per
 * message, so a read is always a whole message and a worker's death shows
 * as end-of-file at once.  Forked and exec'd workers speak the same
 * protocol; both sides are one build, so no versioning.
 */
#ifndef SPREADBENCH_PROTO_H
#define SPREADBENCH_PROTO_H

#include "strategy.h"

#include <stdint.h>
#include <sys/types.h>

#define PROTO_CHUNK 32                   /* job indexes per RUN message */

enum proto_type {
	PROTO_HELLO = 1,                 /* worker -> runner: started (t = its clock) */
	PROTO_READY,                     /* worker -> runner: inputs in place (t = seconds it took) */
	PROTO_FATAL,                     /* worker -> runner: cannot go on (error) */
	PROTO_RESULT,                    /* worker -> runner: one job done */
	PROTO_RUN,                       /* runner -> worker: run these jobs, in order */
	PROTO_QUIT,                      /* runner -> worker: exit */
};

struct proto_msg {
	int type;
	int n;                           /* RUN: number of jobs */
	int jobs[PROTO_CHUNK];           /* RUN: job indexes */
	pid_t pid;
	double t;
	uint64_t hwm_bytes;              /* RESULT: the worker's VmHWM so far */
	int job;                         /* RESULT */
	long burned_cells, crowned_cells;
	int steps;
	float stop_time;
	uint64_t checksum;
	double runtime_s;
	char error[112];                 /* FATAL, or RESULT of a job that failed */
};

#endif
