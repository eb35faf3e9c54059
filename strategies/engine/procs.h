/*
 * procs.h - this process's children as /proc lists them: its own, and the
 * orphans reparented to it as a subreaper, which no waitpid can name
 * before they end.  The MPI launcher reaps the ranks mpiexec leaves
 * behind with it, and `spreadbench exec` what a command leaves.
 */
#ifndef SPREADBENCH_PROCS_H
#define SPREADBENCH_PROCS_H

#include <stddef.h>
#include <sys/types.h>

/* Calls fn(pid, comm, arg) for each process whose parent is this one;
 * comm is its command name (/proc/PID/stat's, which may hold spaces and
 * parentheses).  Returns how many there were. */
int procs_children(void (*fn)(pid_t pid, const char *comm, void *arg), void *arg);

#endif
