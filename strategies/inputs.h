/*
 * inputs.h - where a run keeps a scenario's input layers: a private block
 * (serial, pool-copy, fork-per-job) or one sealed memfd that processes map
 * read-only (pool-shm).  A memfd has no name in /dev/shm and disappears
 * with its last descriptor and mapping, so a crash cannot leak it.
 */
#ifndef SPREADBENCH_INPUTS_H
#define SPREADBENCH_INPUTS_H

#include "kernel.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct inputs {
	struct kernel_scenario sc;
	enum kernel_dtype dtype;
	size_t bytes;
	void *buf;                       /* NULL when not mapped */
	int fd;                          /* memfd, or -1 */
	bool shared;
	struct kernel_landscape ls;
};

void inputs_init(struct inputs *in);
/* Build the scenario's layers into private memory. */
int inputs_build_private(struct inputs *in, const char *scenario, uint64_t seed,
			 enum kernel_dtype dtype);
/* Build them into a new memfd, seal it against writes and map it read-only. */
int inputs_build_memfd(struct inputs *in, const char *scenario, uint64_t seed,
		       enum kernel_dtype dtype);
/* Map a sealed memfd made by inputs_build_memfd (fd is kept, not owned). */
int inputs_map_fd(struct inputs *in, int fd, const char *scenario, uint64_t seed,
		  enum kernel_dtype dtype);
int inputs_remap(struct inputs *in);   /* map again after inputs_unmap */
void inputs_unmap(struct inputs *in);  /* drop the mapping, keep the fd */
/* Unmap and, when owned, close; safe twice. */
void inputs_release(struct inputs *in, bool close_fd);

#endif
