/*
 * inputs.c - building and sharing a scenario's input block.  The shared
 * form lives in a memfd: its pages are allocated in one call (much cheaper
 * than one fault per page), written once through the builder's mapping,
 * then sealed against any future write, shrink or grow; the builder's
 * mapping turns read-only and stays, so every page of the inputs is mapped
 * by the runner and counts in the tree's PSS for as long as it exists.
 * Every later mapping is read-only: the seal refuses a writable one.
 * Loading never needs twice the inputs' size.
 */
#include "inputs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void inputs_init(struct inputs *in)
{
	memset(in, 0, sizeof *in);
	in->fd = -1;
}

static int find(struct inputs *in, const char *scenario, uint64_t seed, enum kernel_dtype dtype)
{
	int rc = kernel_scenario_find(scenario, seed, &in->sc);
	if (rc)
		return rc;
	in->dtype = dtype;
	in->bytes = kernel_scenario_input_bytes(&in->sc, dtype);
	return 0;
}

int inputs_build_private(struct inputs *in, const char *scenario, uint64_t seed,
			 enum kernel_dtype dtype)
{
	inputs_init(in);
	int rc = find(in, scenario, seed, dtype);
	if (rc)
		return rc;
	in->buf = kernel_block_alloc(in->bytes);
	if (!in->buf)
		return -ENOMEM;
	rc = kernel_scenario_build(&in->sc, dtype, in->buf);
	if (rc) {
		inputs_release(in, true);
		return rc;
	}
	kernel_landscape_attach(&in->sc, dtype, in->buf, &in->ls);
	return 0;
}

int inputs_remap(struct inputs *in)
{
	void *p = mmap(NULL, in->bytes, PROT_READ, MAP_SHARED, in->fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	in->buf = p;
	kernel_landscape_attach(&in->sc, in->dtype, in->buf, &in->ls);
	return 0;
}

int inputs_build_memfd(struct inputs *in, const char *scenario, uint64_t seed,
		       enum kernel_dtype dtype)
{
	void *w = MAP_FAILED;
	inputs_init(in);
	int rc = find(in, scenario, seed, dtype);
	if (rc)
		return rc;
	in->shared = true;
	in->fd = memfd_create("spreadbench-inputs", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (in->fd < 0) {
		rc = -errno;
		goto out;
	}
	if (ftruncate(in->fd, (off_t)in->bytes) < 0) {
		rc = -errno;
		goto out;
	}
	/* Where fallocate is not supported the pages come with the writes. */
	if (fallocate(in->fd, 0, 0, (off_t)in->bytes) < 0 && errno != EOPNOTSUPP) {
		rc = -errno;
		goto out;
	}
	w = mmap(NULL, in->bytes, PROT_READ | PROT_WRITE, MAP_SHARED, in->fd, 0);
	if (w == MAP_FAILED) {
		rc = -errno;
		goto out;
	}
	rc = kernel_scenario_build(&in->sc, dtype, w);
	if (rc)
		goto out;
	if (fcntl(in->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE | F_SEAL_SEAL) < 0 ||
	    mprotect(w, in->bytes, PROT_READ) < 0) {
		rc = -errno;
		goto out;
	}
	in->buf = w;
	w = MAP_FAILED;
	kernel_landscape_attach(&in->sc, dtype, in->buf, &in->ls);
out:
	if (w != MAP_FAILED)
		munmap(w, in->bytes);
	if (rc)
		inputs_release(in, true);
	return rc;
}

int inputs_map_fd(struct inputs *in, int fd, const char *scenario, uint64_t seed,
		  enum kernel_dtype dtype)
{
	inputs_init(in);
	int rc = find(in, scenario, seed, dtype);
	if (rc)
		return rc;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if ((size_t)st.st_size != in->bytes)
		return -EINVAL;          /* not the inputs of this scenario and dtype */
	in->shared = true;
	in->fd = fd;
	return inputs_remap(in);
}

void inputs_unmap(struct inputs *in)
{
	if (!in->buf)
		return;
	if (in->shared)
		munmap(in->buf, in->bytes);
	else
		kernel_block_free(in->buf, in->bytes);
	in->buf = NULL;
}

void inputs_release(struct inputs *in, bool close_fd)
{
	inputs_unmap(in);
	if (close_fd && in->fd >= 0)
		close(in->fd);
	in->fd = -1;
}
