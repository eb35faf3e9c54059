/*
 * launcher.h - starting an MPI program through Open MPI's mpiexec and
 * keeping it on a leash: in its own process group, with folders of its
 * own for its session files and shared-memory segments (both named after
 * the runner and removed however the run ends), its standard input a
 * socket (writing to a launcher that died is an error, not SIGPIPE), its
 * standard output read line by line, and a FIFO on which the ranks on this
 * machine report progress records (proto.h).  Every wait has a deadline;
 * ending it is SIGTERM to the group, then SIGKILL.  What the lines and
 * records mean is the mpi-shm strategy's business.
 */
#ifndef SPREADBENCH_LAUNCHER_H
#define SPREADBENCH_LAUNCHER_H

#include "proto.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Seconds the launcher may take to end after SIGTERM before SIGKILL. */
#define LAUNCHER_TERM_WAIT_S 5.0

struct launcher {
	pid_t pid;
	int to, from;                    /* mpiexec's stdin (a socket), stdout (read end) */
	int progress, progress_keep;     /* the FIFO's read end, and a write end that keeps it open */
	bool reaped;
	int status;                      /* its wait status, once reaped */
	char tmpdir[PATH_MAX];           /* its session folder, or "" */
	char shmdir[PATH_MAX];           /* its shared-memory folder under /dev/shm, or "" */
	char fifo[PATH_MAX + 16];        /* the progress FIFO, to pass to the program */
	char line[4096];                 /* output not yet split into lines */
	size_t nline;
};

/* The launcher ($SPREADBENCH_MPIEXEC, else the one found at build time). */
const char *launcher_mpiexec_path(void);
/* The MPI program, next to the worker program. */
void launcher_program_path(const char *worker_path, char *out, size_t len);
/* Refuses to start `ranks` ranks under an open-file limit that would
 * wedge mpiexec: 0, or -EMFILE with what to do in err. */
int launcher_check_files(int ranks, char *err, size_t len);

/* Stands in prog_argv for the FIFO's path, which exists only once
 * launcher_start made its folder (compared as a pointer). */
extern const char LAUNCHER_FIFO[];

/* Makes the folders and the FIFO (shmdir only when local), then starts
 * mpiexec with its options, ranks, the program and prog_argv (NULL-ended;
 * LAUNCHER_FIFO replaced by the FIFO's path) in a new process group.  The runner becomes the subreaper of ranks
 * whose launcher ended.  0, or a negative errno with err. */
int launcher_start(struct launcher *l, int ranks, const char *hostfile, const char *program,
		   const char *const *prog_argv, char *err, size_t len);
/* Takes the next whole line of the program's output into out: 1, or 0
 * when none is there yet. */
int launcher_take_line(struct launcher *l, char *out, size_t len);
/* Waits for output or progress until deadline (CLOCK_MONOTONIC seconds;
 * < 0 none): 0 with *progress when records wait; -EPIPE when its output
 * ended; -ETIMEDOUT; -EINTR after a signal of the runner's. */
int launcher_wait(struct launcher *l, double deadline, bool *progress);
/* Reads one progress record: 1, or 0 when none waits. */
int launcher_record(struct launcher *l, struct proto_mpi_progress *r);
/* Sends text to its standard input: 0 or -EPIPE. */
int launcher_send(struct launcher *l, const char *text);
/* Waits up to wait_s for it to end: 0 reaped, -ETIMEDOUT. */
int launcher_reap(struct launcher *l, double wait_s);
/* Ends its process group (SIGTERM, then SIGKILL) and reaps it. */
void launcher_stop(struct launcher *l);
/* Reaps ranks it left behind (bounded), closes everything and removes
 * its folders; safe twice. */
void launcher_release(struct launcher *l);
/* "exited with status 3", "was killed by signal 9 (Killed)". */
void launcher_describe(int status, char *buf, size_t len);

#endif
