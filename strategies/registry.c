/*
 * registry.c - the fixed table of strategies this build knows.  A strategy
 * that was compiled out keeps its line, so that asking for it says how to
 * build it instead of "unknown strategy".
 */
#include "strategy.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

extern const struct strategy strategy_serial;
extern const struct strategy strategy_fork_per_job;
extern const struct strategy strategy_pool_copy;
extern const struct strategy strategy_pool_shm;
extern const struct strategy strategy_pool_cow;
extern const struct strategy strategy_pthreads;
#ifdef SPREADBENCH_HAVE_OPENMP
extern const struct strategy strategy_openmp;
#endif
#ifdef SPREADBENCH_HAVE_MPI
extern const struct strategy strategy_mpi_shm;
#endif

const struct strategy_entry strategy_registry[] = {
	{ .name = "serial", .strategy = &strategy_serial },
	{ .name = "fork-per-job", .strategy = &strategy_fork_per_job },
	{ .name = "pool-copy", .strategy = &strategy_pool_copy },
	{ .name = "pool-shm", .strategy = &strategy_pool_shm },
	{ .name = "pool-cow", .strategy = &strategy_pool_cow },
	{ .name = "pthreads", .strategy = &strategy_pthreads },
#ifdef SPREADBENCH_HAVE_OPENMP
	{ .name = "openmp", .strategy = &strategy_openmp },
#else
	{ .name = "openmp", .enable = "not built: install an OpenMP compiler (gcc has it) and configure with -DSPREADBENCH_OPENMP=ON" },
#endif
#ifdef SPREADBENCH_HAVE_MPI
	{ .name = "mpi-shm", .strategy = &strategy_mpi_shm },
#else
	{ .name = "mpi-shm", .enable = "not built: install Open MPI (apt-get install libopenmpi-dev openmpi-bin) and configure with -DSPREADBENCH_MPI=ON" },
#endif
};
const int strategy_registry_count = (int)(sizeof strategy_registry / sizeof strategy_registry[0]);

volatile sig_atomic_t strategy_interrupted;
int strategy_interrupt_fd = -1;

const struct strategy_entry *strategy_find(const char *name)
{
	for (int i = 0; i < strategy_registry_count; i++)
		if (strcmp(strategy_registry[i].name, name) == 0)
			return &strategy_registry[i];
	return NULL;
}

void strategy_footprint(const struct strategy *s, const struct strategy_params *p, struct strategy_footprint *out)
{
	*out = (struct strategy_footprint){ .input_copies = 1, .states = 1 };
	if (s->footprint)
		s->footprint(p, out);
}

int strategy_check(const struct strategy *s, const struct strategy_params *p, char *err, size_t len)
{
	if (len)
		err[0] = '\0';
	return s->check ? s->check(p, err, len) : 0;
}

void strategy_note(struct strategy_run *run, const char *fmt, ...)
{
	size_t len = strlen(run->notes), cap = sizeof run->notes;
	if (len + 3 >= cap)
		return;
	if (len) {
		memcpy(run->notes + len, "; ", 3);
		len += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(run->notes + len, cap - len, fmt, ap);
	va_end(ap);
}

void params_who(unsigned needs, char *buf, size_t len)
{
	size_t at = 0;
	if (len)
		buf[0] = '\0';
	for (int i = 0; i < strategy_registry_count; i++) {
		const struct strategy *s = strategy_registry[i].strategy;
		if (!s || (needs && !(s->flags & needs)))
			continue;
		int n = snprintf(buf + at, at < len ? len - at : 0, "%s%s", at ? ", " : "", s->name);
		if (n < 0 || at + (size_t)n >= len)
			return;
		at += (size_t)n;
	}
}
