/*
 * inputs.c - building and sharing a workload's input block (inputs.h).
 *
 * The shared form lives in a memfd: its pages are allocated in one call
 * (much cheaper than one fault per page), written once through the
 * builder's mapping, then sealed against any future write, shrink or
 * grow; the builder's mapping turns read-only and stays, so every page of
 * the inputs is mapped by the runner and counts in the tree's PSS for as
 * long as it exists.  Every later mapping is read-only: the seal refuses
 * a writable one.  Loading never needs twice the inputs' size.
 *
 * Page sizes, tried in order for --shm-pages auto: hugetlb pages
 * (MFD_HUGETLB; the kernel refuses the allocation when too few are
 * reserved, and then the next kind is tried), shared transparent huge
 * pages (MADV_HUGEPAGE on the mapping, which the kernel honours when
 * shmem_enabled is advise, within_size or always), then 4 KiB pages.  The
 * size a mapping really got is read back from /proc/self/smaps, not
 * assumed.
 */
#include "inputs.h"
#include "jobs.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MFD_HUGETLB
#define MFD_HUGETLB 0x0004U
#endif

void inputs_init(struct inputs *in)
{
	memset(in, 0, sizeof *in);
	in->fd = -1;
}

void *inputs_block_alloc(size_t bytes)
{
	void *p = mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* Large blocks in huge pages where the system allows: fewer page
	 * faults to fill them and fewer TLB misses to read them. */
	if (bytes >= (64u << 20))
		madvise(p, bytes, MADV_HUGEPAGE);
	return p;
}

void inputs_block_free(void *p, size_t bytes)
{
	if (p)
		munmap(p, bytes ? bytes : 1);
}

struct fill_part {
	const struct workload *wl;
	const struct workload_scenario *ws;
	void *block;
	size_t populate;                 /* > 0: allocate this many bytes' pages, slice `part`, instead */
	int part, nparts, rc;
	pthread_t th;
};

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static void *fill_main(void *arg)
{
	struct fill_part *f = arg;
	if (f->populate) {
		/* Slices on 2 MiB bounds, so that no two threads touch a page,
		 * huge or not; the last runs to the end. */
		const size_t g = 2u << 20;
		size_t units = f->populate / g, lo = units * (size_t)f->part / (size_t)f->nparts * g,
		       hi = f->part == f->nparts - 1 ? f->populate : units * (size_t)(f->part + 1) / (size_t)f->nparts * g;
		f->rc = hi > lo && madvise((char *)f->block + lo, hi - lo, MADV_POPULATE_WRITE) < 0 ? -errno : 0;
	} else {
		f->rc = f->wl->build(f->ws, f->block, f->part, f->nparts);
	}
	return NULL;
}

/* Runs the parts on `threads` threads, this one taking the last. */
static int run_parts(struct fill_part *parts, int threads)
{
	int started = 0, rc = 0;
	for (int k = 0; k < threads - 1; k++) {
		if (pthread_create(&parts[k].th, NULL, fill_main, &parts[k]) != 0)
			break;
		started++;
	}
	/* Whatever could not be handed to a thread is run here. */
	for (int k = started; k < threads; k++)
		fill_main(&parts[k]);
	for (int k = 0; k < started; k++)
		pthread_join(parts[k].th, NULL);
	for (int k = 0; k < threads && !rc; k++)
		rc = parts[k].rc;
	return rc;
}

/* Threads worth starting for bytes: one per 16 MiB at most, up to 64. */
static int fill_threads(size_t bytes, int threads)
{
	if (threads <= 0)
		threads = jobs_usable_cpus();
	size_t most = bytes / (16u << 20);
	if ((size_t)threads > most)
		threads = most > 0 ? (int)most : 1;
	return threads > 64 ? 64 : threads;
}

/*
 * Allocates every page of a shared mapping before it is filled, several
 * threads at once, each its own slice (MADV_POPULATE_WRITE): much cheaper
 * than one fault per 4 KiB page while filling, and memory running out is
 * an error here rather than a SIGBUS on a write.  Where the kernel lacks
 * it (before 5.14) the pages are allocated in one fallocate call.
 */
static int populate(int fd, void *map, size_t bytes, int threads)
{
	struct fill_part parts[64];
	threads = fill_threads(bytes, threads);
	for (int k = 0; k < threads; k++)
		parts[k] = (struct fill_part){ .block = map, .populate = bytes, .part = k, .nparts = threads };
	int rc = run_parts(parts, threads);
	if (rc == -EINVAL && fallocate(fd, 0, 0, (off_t)bytes) < 0 && errno != EOPNOTSUPP)
		return -errno;
	return rc == -EINVAL ? 0 : rc;
}

int inputs_fill(const struct workload *wl, const struct workload_scenario *ws, void *block, int threads)
{
	struct fill_part parts[64];
	threads = fill_threads(wl->input_bytes(ws), threads);
	for (int k = 0; k < threads; k++)
		parts[k] = (struct fill_part){ .wl = wl, .ws = ws, .block = block, .part = k, .nparts = threads };
	return run_parts(parts, threads);
}

static int attach(struct inputs *in)
{
	int rc = in->wl->attach(in->ws, in->buf, &in->view);
	return rc;
}

int inputs_build_private(struct inputs *in, const struct workload *wl, const struct workload_scenario *ws,
			 int threads)
{
	inputs_init(in);
	in->wl = wl;
	in->ws = ws;
	in->bytes = in->map_bytes = wl->input_bytes(ws);
	in->buf = inputs_block_alloc(in->bytes);
	if (!in->buf)
		return -ENOMEM;
	int rc = inputs_fill(wl, ws, in->buf, threads);
	if (!rc)
		rc = attach(in);
	if (rc) {
		inputs_release(in, true);
		return rc;
	}
	in->page_bytes = inputs_page_size_at(in->buf);
	if (!in->page_bytes)
		in->page_bytes = (size_t)sysconf(_SC_PAGESIZE);
	return 0;
}

int inputs_protect(struct inputs *in)
{
	if (!in->buf || in->shared)
		return 0;
	return mprotect(in->buf, in->map_bytes ? in->map_bytes : 1, PROT_READ) < 0 ? -errno : 0;
}

/* The page size backing the mapping at addr, from /proc/self/smaps (its
 * KernelPageSize, or 2 MiB when the mapping holds transparent huge
 * pages, shared or private); 0 when it cannot be read. */
size_t inputs_page_size_at(const void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[512];
	size_t page = 0, thp = 0;
	bool in_it = false;
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			if (in_it)
				break;
			in_it = (uintptr_t)addr >= lo && (uintptr_t)addr < hi;
			continue;
		}
		unsigned long kb;
		if (in_it && sscanf(line, "KernelPageSize: %lu kB", &kb) == 1)
			page = kb * 1024;
		if (in_it && (sscanf(line, "ShmemPmdMapped: %lu kB", &kb) == 1 ||
			      sscanf(line, "AnonHugePages: %lu kB", &kb) == 1) && kb > thp)
			thp = kb;
	}
	fclose(f);
	return thp > 0 && page == 4096 ? 2u << 20 : page;
}

/* What shmem_enabled says the kernel does with MADV_HUGEPAGE on a shared
 * mapping: true when it gives huge pages. */
static bool shmem_thp_allowed(void)
{
	char buf[256] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/shmem_enabled", "re");
	if (f) {
		if (!fgets(buf, sizeof buf, f))
			buf[0] = '\0';
		fclose(f);
	}
	return strstr(buf, "[always]") || strstr(buf, "[within_size]") || strstr(buf, "[advise]") ||
	       strstr(buf, "[force]");
}

static long hugetlb_page_size(void)
{
	char line[256];
	long kb = 0;
	FILE *f = fopen("/proc/meminfo", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "Hugepagesize: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

int inputs_pages_check(enum strategy_pages pages, char *err, size_t len)
{
	if (pages == STRATEGY_PAGES_THP && !shmem_thp_allowed()) {
		snprintf(err, len, "shared transparent huge pages are off here "
			 "(/sys/kernel/mm/transparent_hugepage/shmem_enabled): use --shm-pages auto or 4k");
		return -ENOTSUP;
	}
	if (pages == STRATEGY_PAGES_HUGE) {
		char line[256];
		long free_pages = 0;
		FILE *f = fopen("/proc/meminfo", "re");
		while (f && fgets(line, sizeof line, f))
			sscanf(line, "HugePages_Free: %ld", &free_pages);
		if (f)
			fclose(f);
		if (free_pages <= 0 || hugetlb_page_size() <= 0) {
			snprintf(err, len, "no hugetlb pages are free here: reserve them with scripts/hugepages.sh N (as "
				 "root), or use --shm-pages auto");
			return -ENOTSUP;
		}
	}
	return 0;
}

/* A memfd of bytes in hugetlb pages, or -errno (too few reserved). */
static int memfd_hugetlb(size_t *bytes)
{
	long hp = hugetlb_page_size();
	if (hp <= 0)
		return -ENOTSUP;
	int fd = memfd_create("spreadbench-inputs", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB);
	if (fd < 0)
		return -errno;
	size_t n = (*bytes + (size_t)hp - 1) / (size_t)hp * (size_t)hp;
	/* hugetlbfs sizes the file at mmap and reserves its pages then; an
	 * fallocate first fails at once when they are not there. */
	if (ftruncate(fd, (off_t)n) < 0 || fallocate(fd, 0, 0, (off_t)n) < 0) {
		int rc = -errno;
		close(fd);
		return rc;
	}
	*bytes = n;
	return fd;
}

int inputs_build_memfd(struct inputs *in, const struct workload *wl, const struct workload_scenario *ws,
		       enum strategy_pages pages, int threads, char *err, size_t errlen)
{
	void *w = MAP_FAILED;
	int rc = 0;
	bool hugetlb = false;
	inputs_init(in);
	in->wl = wl;
	in->ws = ws;
	in->shared = true;
	in->bytes = in->map_bytes = wl->input_bytes(ws);
	if (err && errlen)
		err[0] = '\0';
	if (pages == STRATEGY_PAGES_AUTO || pages == STRATEGY_PAGES_HUGE) {
		size_t n = in->bytes ? in->bytes : 1;
		in->fd = memfd_hugetlb(&n);
		if (in->fd >= 0) {
			in->map_bytes = n;
			hugetlb = true;
		} else if (pages == STRATEGY_PAGES_HUGE) {
			rc = -ENOTSUP;
			snprintf(err, errlen, "no hugetlb pages for %zu MiB of inputs (%s): reserve them with "
				 "scripts/hugepages.sh (as root), or use --shm-pages auto", in->bytes >> 20,
				 strerror(-in->fd));
			in->fd = -1;
			goto out;
		}
	}
	if (pages == STRATEGY_PAGES_THP && !shmem_thp_allowed()) {
		rc = -ENOTSUP;
		snprintf(err, errlen, "shared transparent huge pages are off here "
			 "(/sys/kernel/mm/transparent_hugepage/shmem_enabled): use --shm-pages auto or 4k");
		goto out;
	}
	if (in->fd < 0) {
		in->fd = memfd_create("spreadbench-inputs", MFD_CLOEXEC | MFD_ALLOW_SEALING);
		if (in->fd < 0) {
			rc = -errno;
			goto out;
		}
		if (ftruncate(in->fd, (off_t)in->map_bytes) < 0) {
			rc = -errno;
			goto out;
		}
	}
	w = mmap(NULL, in->map_bytes ? in->map_bytes : 1, PROT_READ | PROT_WRITE, MAP_SHARED, in->fd, 0);
	if (w == MAP_FAILED) {
		rc = -errno;
		goto out;
	}
	/* Asked before the pages exist, so that they are allocated huge. */
	if ((pages == STRATEGY_PAGES_AUTO || pages == STRATEGY_PAGES_THP) && shmem_thp_allowed())
		madvise(w, in->map_bytes, MADV_HUGEPAGE);
	/* Every page allocated before the fill (hugetlb pages were, when the
	 * file was sized). */
	if (in->map_bytes && !hugetlb && (rc = populate(in->fd, w, in->map_bytes, threads)))
		goto out;
	in->buf = w;
	rc = inputs_fill(wl, ws, w, threads);
	if (rc)
		goto out;
	in->page_bytes = inputs_page_size_at(w);
	if (pages == STRATEGY_PAGES_THP && in->page_bytes < (2u << 20) && in->bytes >= (2u << 20)) {
		rc = -ENOTSUP;
		snprintf(err, errlen, "shared transparent huge pages were asked for but the kernel gave %zu KiB pages "
			 "(memory too fragmented?): use --shm-pages auto or 4k", in->page_bytes >> 10);
		goto out;
	}
	if (fcntl(in->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE | F_SEAL_SEAL) < 0 ||
	    mprotect(w, in->map_bytes ? in->map_bytes : 1, PROT_READ) < 0) {
		rc = -errno;
		goto out;
	}
	w = MAP_FAILED;
	rc = attach(in);
out:
	if (w != MAP_FAILED) {
		munmap(w, in->map_bytes ? in->map_bytes : 1);
		in->buf = NULL;
	}
	if (rc)
		inputs_release(in, true);
	return rc;
}

int inputs_remap(struct inputs *in)
{
	void *p = mmap(NULL, in->map_bytes ? in->map_bytes : 1, PROT_READ, MAP_SHARED, in->fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	in->buf = p;
	int rc = attach(in);
	if (rc)
		inputs_unmap(in);
	return rc;
}

int inputs_map_fd(struct inputs *in, int fd, const struct workload *wl, const struct workload_scenario *ws)
{
	inputs_init(in);
	in->wl = wl;
	in->ws = ws;
	in->bytes = wl->input_bytes(ws);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	/* The inputs of this scenario: their bytes, or rounded up to whole
	 * pages of the file (a hugetlb file has whole huge pages). */
	size_t size = (size_t)st.st_size, pg = st.st_blksize > 0 ? (size_t)st.st_blksize : 4096;
	if (size < in->bytes || size - in->bytes >= (pg > 4096 ? pg : 4096))
		return -EINVAL;
	in->map_bytes = (size_t)st.st_size;
	in->shared = true;
	in->fd = fd;
	return inputs_remap(in);
}

void inputs_unmap(struct inputs *in)
{
	if (in->view) {
		in->wl->detach(in->view);
		in->view = NULL;
	}
	if (!in->buf)
		return;
	if (in->shared)
		munmap(in->buf, in->map_bytes ? in->map_bytes : 1);
	else
		inputs_block_free(in->buf, in->map_bytes);
	in->buf = NULL;
}

void inputs_release(struct inputs *in, bool close_fd)
{
	inputs_unmap(in);
	if (close_fd && in->fd >= 0)
		close(in->fd);
	in->fd = -1;
}
