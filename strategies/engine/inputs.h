/*
 * inputs.h - where a run keeps a workload's input block: private memory
 * (serial, the thread strategies, pool-copy, fork-per-job, and the
 * copy-on-write pool before it forks) or one sealed memfd that processes
 * map read-only (pool-shm).  A memfd has no name in /dev/shm and
 * disappears with its last descriptor and mapping, so a crash cannot leak
 * it.
 *
 * Blocks are filled by several threads at once, each its part of the
 * block (workload.h's build), so that building is bounded by memory
 * bandwidth rather than by one core's page faults.  Shared blocks come in
 * the largest pages the system gives, or the size asked for: hugetlb
 * pages (when reserved), shared transparent huge pages (when
 * /sys/kernel/mm/transparent_hugepage/shmem_enabled allows them for a
 * mapping that asks), or 4 KiB pages.  Nothing here changes a system
 * setting.
 */
#ifndef SPREADBENCH_INPUTS_H
#define SPREADBENCH_INPUTS_H

#include "params.h"
#include "workload.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct inputs {
	const struct workload *wl;
	const struct workload_scenario *ws;
	size_t bytes;                    /* the workload's input bytes */
	size_t map_bytes;                /* what is mapped: bytes rounded up to the page size */
	size_t page_bytes;               /* the pages it lives in (0 before it does) */
	void *buf;                       /* NULL when not mapped */
	int fd;                          /* memfd, or -1 */
	bool shared;
	struct workload_view *view;      /* attached to buf, or NULL */
};

void inputs_init(struct inputs *in);
/* Build the inputs into private memory (transparent huge pages where
 * the system gives them), with `threads` threads (0: one per CPU);
 * page_bytes says what the mapping got. */
int inputs_build_private(struct inputs *in, const struct workload *wl, const struct workload_scenario *ws,
			 int threads);
/* Build them into a new memfd in pages of the kind asked for, seal it
 * against writes and map it read-only.  -ENOTSUP (with why in err) when a
 * forced page size is not available. */
int inputs_build_memfd(struct inputs *in, const struct workload *wl, const struct workload_scenario *ws,
		       enum strategy_pages pages, int threads, char *err, size_t errlen);
/* Makes private inputs read-only (mprotect), so that processes forked
 * afterwards share their pages and no one can write them; 0 or -errno. */
int inputs_protect(struct inputs *in);
/* Whether the machine can give shared inputs pages of this kind at all
 * (before anything is built; whether enough of them are free is known
 * only then): 0, or -ENOTSUP with why and what to do in err. */
int inputs_pages_check(enum strategy_pages pages, char *err, size_t len);
/* Map a sealed memfd made by inputs_build_memfd (fd is kept, not owned). */
int inputs_map_fd(struct inputs *in, int fd, const struct workload *wl, const struct workload_scenario *ws);
int inputs_remap(struct inputs *in);   /* map again after inputs_unmap */
void inputs_unmap(struct inputs *in);  /* drop the mapping, keep the fd */
/* Unmap and, when owned, close; safe twice. */
void inputs_release(struct inputs *in, bool close_fd);

/* Fills block (zero-filled, bytes long) with the workload's inputs using
 * `threads` threads (0: one per CPU this process may use). */
int inputs_fill(const struct workload *wl, const struct workload_scenario *ws, void *block, int threads);
/* Page-aligned, zero-filled private memory for a block, in transparent
 * huge pages where the system gives them; NULL when out of memory. */
void *inputs_block_alloc(size_t bytes);
void inputs_block_free(void *p, size_t bytes);
/* The page size backing this process's mapping at addr, read from
 * /proc/self/smaps (2 MiB for shared transparent huge pages); 0 when it
 * cannot be read. */
size_t inputs_page_size_at(const void *addr);

#endif
