/*
 * params.c - names of the run parameters (for the command line, the CSV
 * and the exec'd worker) and the job plans of the schedules.  Kept apart
 * from the registry so the worker program links without the strategies.
 */
#include "strategy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const start_names[] = { "fork", "spawn" };
static const char *const schedule_names[] = { "block", "snake", "dynamic" };
static const char *const attach_names[] = { "worker", "job" };
static const char *const fault_names[] = { "none", "segv", "abort", "exit", "hang", "stop" };
static const char *const status_names[] = { "pending", "ok", "failed", "timeout" };
static const char *const mode_names[] = { "batch", "single" };
static const char *const allocator_names[] = { "glibc", "jemalloc" };
static const char *const order_names[] = { "drawn", "cost" };

#define NAME_OF(table, i) ((unsigned)(i) < sizeof table / sizeof table[0] ? table[i] : "?")

const char *strategy_start_name(enum strategy_start s) { return NAME_OF(start_names, s); }
const char *strategy_schedule_name(enum strategy_schedule s) { return NAME_OF(schedule_names, s); }
const char *strategy_attach_name(enum strategy_attach a) { return NAME_OF(attach_names, a); }
const char *strategy_fault_name(enum strategy_fault f) { return NAME_OF(fault_names, f); }
const char *strategy_job_status_name(enum strategy_job_status s) { return NAME_OF(status_names, s); }
const char *strategy_mode_name(enum strategy_mode m) { return NAME_OF(mode_names, m); }
const char *strategy_allocator_name(enum strategy_allocator a) { return NAME_OF(allocator_names, a); }
const char *strategy_order_name(enum strategy_order o) { return NAME_OF(order_names, o); }

static int parse_name(const char *s, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -EINVAL;
}

#define PARSE(table, s, out)                                                         \
	do {                                                                         \
		int i_ = parse_name(s, table, (int)(sizeof table / sizeof table[0])); \
		if (i_ < 0)                                                          \
			return i_;                                                   \
		*(out) = i_;                                                         \
		return 0;                                                            \
	} while (0)

int strategy_start_parse(const char *s, enum strategy_start *out) { PARSE(start_names, s, out); }
int strategy_schedule_parse(const char *s, enum strategy_schedule *out) { PARSE(schedule_names, s, out); }
int strategy_attach_parse(const char *s, enum strategy_attach *out) { PARSE(attach_names, s, out); }
int strategy_fault_parse(const char *s, enum strategy_fault *out) { PARSE(fault_names, s, out); }
int strategy_mode_parse(const char *s, enum strategy_mode *out) { PARSE(mode_names, s, out); }
int strategy_allocator_parse(const char *s, enum strategy_allocator *out) { PARSE(allocator_names, s, out); }
int strategy_order_parse(const char *s, enum strategy_order *out) { PARSE(order_names, s, out); }

static const struct strategy_run *sort_run;

/* Most expensive first; ties keep job order so plans are reproducible. */
static int by_cost_desc(const void *a, const void *b)
{
	int i = *(const int *)a, j = *(const int *)b;
	double ci = sort_run->jobs[i].expected_cost, cj = sort_run->jobs[j].expected_cost;
	if (ci != cj)
		return ci > cj ? -1 : 1;
	return i - j;
}

int strategy_plan(const struct strategy_run *run, int *order, int *assign)
{
	int n = run->p.jobs, w = run->p.workers;
	if (n < 0 || w < 1)
		return -EINVAL;
	for (int i = 0; i < n; i++)
		order[i] = i;
	switch (run->p.schedule) {
	case STRATEGY_SCHEDULE_BLOCK:
		/* Contiguous blocks whose sizes differ by at most one. */
		for (int k = 0; k < w; k++)
			for (long i = (long)k * n / w; i < (long)(k + 1) * n / w; i++)
				assign[i] = k;
		return 0;
	case STRATEGY_SCHEDULE_SNAKE:
		/* Sort by expected cost, then deal 0,1,..,w-1,w-1,..,1,0,0,1,..
		 * so each worker gets a similar share of big and small jobs. */
		sort_run = run;
		qsort(order, (size_t)n, sizeof *order, by_cost_desc);
		sort_run = NULL;
		for (int k = 0; k < n; k++) {
			int round = k / w, pos = k % w;
			assign[order[k]] = round % 2 == 0 ? pos : w - 1 - pos;
		}
		return 0;
	case STRATEGY_SCHEDULE_DYNAMIC:
		for (int i = 0; i < n; i++)
			assign[i] = -1;
		return 0;
	}
	return -EINVAL;
}
