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
	struct workload_summary summary; /* RESULT: the job's answer */
	double runtime_s;
	char error[112];                 /* FATAL, or RESULT of a job that failed */
};

/*
 * mpi-shm's progress records: every rank that can open the runner's FIFO
 * (the ranks on the runner's machine) writes one record as it starts, as
 * each job begins and ends (with its answer) and when it has no job left.
 * A record is one write(2) of less than PIPE_BUF bytes, so records of
 * different ranks never interleave.  They let the runner hold each job to
 * its time limit and keep the answers of finished jobs when it has to end
 * the MPI job.
 */
enum proto_mpi_kind {
	PROTO_MPI_HELLO = 1,             /* this rank reports progress */
	PROTO_MPI_BEGIN,                 /* job begins */
	PROTO_MPI_END,                   /* job ended: its answer follows */
	PROTO_MPI_FINISHED,              /* no job left for this rank */
};

struct proto_mpi_progress {
	int32_t kind, rank, job, status; /* status: enum strategy_job_status */
	struct workload_summary summary;
	uint64_t hwm_bytes;
	double begin_s, end_s;           /* seconds since the batch began */
};

#endif
