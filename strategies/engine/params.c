/*
 * params.c - the table of run parameters (params.h) and what is derived
 * from it: parsing, formatting, the worker and MPI programs' arguments.
 * Kept apart from the registry so the worker program links without the
 * strategies; the flags' phrases name strategies through the registry,
 * which the programs do not need.
 */
#include "params.h"
#include "strategy.h"
#include "workload.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const start_names[] = { "fork", "spawn" };
static const char *const schedule_names[] = { "block", "snake", "dynamic" };
static const char *const attach_names[] = { "worker", "job" };
static const char *const fault_names[] = { "none", "segv", "abort", "exit", "hang", "stop" };
static const char *const mode_names[] = { "batch", "single" };
static const char *const allocator_names[] = { "glibc", "jemalloc" };
static const char *const order_names[] = { "drawn", "cost" };
static const char *const pages_names[] = { "auto", "huge", "thp", "4k" };
static const char *const mix_names[] = { "identical", "mixed" };
static const char *const dtype_names[] = { "f32", "f64" };

#define N(t) (int)(sizeof t / sizeof t[0])
#define NAME_OF(table, i) ((unsigned)(i) < sizeof table / sizeof table[0] ? table[i] : "?")

const char *strategy_start_name(enum strategy_start s) { return NAME_OF(start_names, s); }
const char *strategy_schedule_name(enum strategy_schedule s) { return NAME_OF(schedule_names, s); }
const char *strategy_attach_name(enum strategy_attach a) { return NAME_OF(attach_names, a); }
const char *strategy_fault_name(enum strategy_fault f) { return NAME_OF(fault_names, f); }
const char *strategy_mode_name(enum strategy_mode m) { return NAME_OF(mode_names, m); }
const char *strategy_allocator_name(enum strategy_allocator a) { return NAME_OF(allocator_names, a); }
const char *strategy_order_name(enum strategy_order o) { return NAME_OF(order_names, o); }
const char *strategy_pages_name(enum strategy_pages pg) { return NAME_OF(pages_names, pg); }
const char *strategy_mix_name(int mix) { return NAME_OF(mix_names, mix); }
const char *strategy_dtype_name(int dtype) { return NAME_OF(dtype_names, dtype); }

static int parse_name(const char *s, const char *const *names, int n)
{
	for (int i = 0; s && i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -EINVAL;
}

#define PARSE(table, s, out)                             \
	do {                                             \
		int i_ = parse_name(s, table, N(table)); \
		if (i_ < 0)                              \
			return i_;                       \
		*(out) = i_;                             \
		return 0;                                \
	} while (0)

int strategy_start_parse(const char *s, enum strategy_start *out) { PARSE(start_names, s, out); }
int strategy_schedule_parse(const char *s, enum strategy_schedule *out) { PARSE(schedule_names, s, out); }
int strategy_attach_parse(const char *s, enum strategy_attach *out) { PARSE(attach_names, s, out); }
int strategy_fault_parse(const char *s, enum strategy_fault *out) { PARSE(fault_names, s, out); }
int strategy_mode_parse(const char *s, enum strategy_mode *out) { PARSE(mode_names, s, out); }
int strategy_allocator_parse(const char *s, enum strategy_allocator *out) { PARSE(allocator_names, s, out); }
int strategy_order_parse(const char *s, enum strategy_order *out) { PARSE(order_names, s, out); }
int strategy_pages_parse(const char *s, enum strategy_pages *out) { PARSE(pages_names, s, out); }
int strategy_mix_parse(const char *s, int *out) { PARSE(mix_names, s, out); }
int strategy_dtype_parse(const char *s, int *out) { PARSE(dtype_names, s, out); }

void params_defaults(struct strategy_params *p)
{
	*p = (struct strategy_params){ .workload = "fire", .options = "", .seed = 1, .mix = WORKLOAD_JOBS_MIXED,
				       .workers = 1, .chunksize = 1, .fault_job = -1 };
}

#define OFF(field) offsetof(struct strategy_params, field)
#define ENUM(t) .type = PARAM_ENUM, .names = t, .nnames = N(t)

const struct param params_table[] = {
	{ .name = "workload", .type = PARAM_STRING, .offset = OFF(workload), .to = PARAM_TO_WORKER | PARAM_TO_MPI,
	  .column = "workload", .metavar = "NAME|PATH",
	  .help = "what each job runs: fire (default), synthetic, or the path of a plug-in (.so)" },
	{ .name = "options", .type = PARAM_STRING, .offset = OFF(options), .to = PARAM_TO_WORKER | PARAM_TO_MPI,
	  .column = "workload_options", .metavar = "K=V,...", .help = "the workload's own parameters" },
	{ .name = "scenario", .type = PARAM_STRING, .offset = OFF(scenario), .to = PARAM_TO_WORKER | PARAM_TO_MPI,
	  .column = "scenario", .metavar = "NAME", .help = "one of the workload's scenarios (default: its own; spreadbench list --workload W)" },
	{ .name = "seed", .type = PARAM_U64, .offset = OFF(seed), .to = PARAM_TO_WORKER | PARAM_TO_MPI,
	  .column = "seed", .metavar = "N", .help = "seed of the scenario's inputs and job list (default 1)" },
	{ .name = "mix", ENUM(mix_names), .offset = OFF(mix), .to = PARAM_TO_WORKER | PARAM_TO_MPI, .column = "mix",
	  .metavar = "identical|mixed", .help = "the reference job repeated, or jobs that differ (default mixed)" },
	{ .name = "order", ENUM(order_names), .offset = OFF(order), .to = PARAM_TO_WORKER | PARAM_TO_MPI,
	  .column = "order", .metavar = "drawn|cost", .help = "the batch's jobs as drawn, or largest expected cost first" },
	{ .name = "dtype", ENUM(dtype_names), .offset = OFF(dtype), .to = PARAM_TO_WORKER | PARAM_TO_MPI,
	  .column = "dtype", .metavar = "f32|f64", .help = "storage type of the inputs (default f32)" },
	{ .name = "workers", .type = PARAM_INT, .offset = OFF(workers), .lo = 1, .hi = 4096,
	  .needs = STRATEGY_PROCESSES | STRATEGY_THREADS | STRATEGY_MPI, .column = "workers", .metavar = "N",
	  .help = "worker processes or threads (default: the CPUs this process may use)" },
	{ .name = "jobs", .type = PARAM_INT, .offset = OFF(jobs), .lo = 1, .hi = 100000,
	  .to = PARAM_TO_WORKER | PARAM_TO_MPI, .column = "jobs", .metavar = "J",
	  .help = "jobs in the batch (default: one per worker)" },
	{ .name = "schedule", ENUM(schedule_names), .offset = OFF(schedule), .needs = STRATEGY_SCHEDULES,
	  .to = PARAM_TO_MPI, .column = "schedule", .metavar = "block|snake|dynamic",
	  .help = "how jobs are dealt to workers (default block)" },
	{ .name = "chunksize", .type = PARAM_INT, .offset = OFF(chunksize), .lo = 1, .hi = 1000000,
	  .needs = STRATEGY_SCHEDULES, .to = PARAM_TO_MPI, .column = "chunksize", .metavar = "C",
	  .help = "jobs handed to a worker at a time (default 1)" },
	{ .name = "start", ENUM(start_names), .offset = OFF(start), .needs = STRATEGY_PROCESSES, .column = "start",
	  .metavar = "fork|spawn", .help = "how worker processes start (default fork)" },
	{ .name = "attach", ENUM(attach_names), .offset = OFF(attach), .needs = STRATEGY_ATTACHES,
	  .to = PARAM_TO_WORKER, .column = "attach", .metavar = "worker|job",
	  .help = "map the shared inputs once per worker or per job (default worker)" },
	{ .name = "shm-pages", ENUM(pages_names), .offset = OFF(pages), .needs = STRATEGY_SHARES_MEMORY,
	  .to = PARAM_TO_MPI, .column = "shm_pages", .metavar = "auto|huge|thp|4k",
	  .help = "pages of the shared inputs: the largest the system gives (default), or one forced" },
	{ .name = "job-timeout", .type = PARAM_DOUBLE, .offset = OFF(job_timeout_s), .needs = STRATEGY_STOPS_JOBS,
	  .column = "job_timeout_s", .metavar = "S", .help = "kill a worker whose job runs longer than S seconds" },
	{ .name = "setup-timeout", .type = PARAM_DOUBLE, .offset = OFF(setup_timeout_s), .needs = STRATEGY_STOPS_JOBS,
	  .column = "setup_timeout_s", .metavar = "S",
	  .help = "kill a worker that takes longer than S seconds to put its inputs in place" },
	{ .name = "fault", .type = PARAM_FAULT, .offset = OFF(fault), .needs = STRATEGY_STOPS_JOBS,
	  .to = PARAM_TO_WORKER | PARAM_TO_MPI, .column = "fault", .metavar = "KIND@JOB",
	  .help = "make the worker running JOB (or 'setup') fail: segv, abort, exit, hang or stop" },
	{ .name = "pin", .type = PARAM_FLAG, .offset = OFF(pin), .needs = STRATEGY_THREADS, .column = "pin",
	  .help = "threads: bind each to its own core (hwloc)" },
	{ .name = "mode", ENUM(mode_names), .offset = OFF(mode), .needs = STRATEGY_MODES, .column = "mode",
	  .metavar = "batch|single", .help = "openmp: threads across jobs, or inside each job" },
	{ .name = "job-threads", .also = "fire-threads", .type = PARAM_INT, .offset = OFF(job_threads), .lo = 1,
	  .hi = 256, .alias = "auto", .needs = STRATEGY_JOB_THREADS, .to = PARAM_TO_WORKER, .metavar = "N|auto",
	  .help = "each worker splits its jobs across N threads (auto: OpenMP's default)" },
	{ .name = "allocator", ENUM(allocator_names), .offset = OFF(allocator), .column = "allocator",
	  .metavar = "glibc|jemalloc", .help = "the allocator of the job state (re-runs itself with jemalloc preloaded)" },
	{ .name = "virtual-nodes", .type = PARAM_INT, .offset = OFF(virtual_nodes), .lo = 1, .hi = 1024,
	  .needs = STRATEGY_MPI, .to = PARAM_TO_MPI, .metavar = "K",
	  .help = "mpi-shm: split each node's ranks into K groups, each with its own window" },
	{ .name = "hostfile", .type = PARAM_STRING, .offset = OFF(hostfile), .needs = STRATEGY_MPI, .metavar = "FILE",
	  .help = "mpi-shm: hosts for the MPI launcher (runs across machines)" },
	{ .name = "nice", .type = PARAM_INT, .offset = OFF(nice), .lo = 0, .hi = 19, .needs = STRATEGY_PROCESSES,
	  .to = PARAM_TO_WORKER, .metavar = "N", .help = "workers lower their priority to nice N (0-19)" },
};
const int params_count = N(params_table);

const struct param *param_find(const char *name)
{
	for (int i = 0; i < params_count; i++)
		if (strcmp(params_table[i].name, name) == 0 ||
		    (params_table[i].also && strcmp(params_table[i].also, name) == 0))
			return &params_table[i];
	return NULL;
}

bool param_applies(const struct param *d, unsigned strategy_flags)
{
	return !d->needs || (d->needs & strategy_flags);
}

static int parse_fault(const char *s, struct strategy_params *p)
{
	char kind[16];
	const char *at = strchr(s, '@');
	if (!at || (size_t)(at - s) >= sizeof kind)
		return -EINVAL;
	memcpy(kind, s, (size_t)(at - s));
	kind[at - s] = '\0';
	enum strategy_fault f;
	if (strategy_fault_parse(kind, &f) || f == STRATEGY_FAULT_NONE)
		return -EINVAL;
	if (strcmp(at + 1, "setup") == 0) {
		p->fault = f;
		p->fault_job = STRATEGY_FAULT_AT_SETUP;
		return 0;
	}
	char *end;
	errno = 0;
	long job = strtol(at + 1, &end, 10);
	if (errno || end == at + 1 || *end || job < 0 || job > 100000000)
		return -EINVAL;
	p->fault = f;
	p->fault_job = (int)job;
	return 0;
}

int param_parse(const struct param *d, const char *text, struct strategy_params *p)
{
	char *field = (char *)p + d->offset, *end;
	if (!text)
		return -EINVAL;
	switch (d->type) {
	case PARAM_STRING:
		*(const char **)field = text;
		return 0;
	case PARAM_U64: {
		if (text[0] < '0' || text[0] > '9')
			return -EINVAL;
		errno = 0;
		unsigned long long v = strtoull(text, &end, 10);
		if (errno || *end)
			return -EINVAL;
		*(uint64_t *)field = v;
		return 0;
	}
	case PARAM_INT: {
		if (d->alias && strcmp(text, d->alias) == 0) {
			*(int *)field = -1;
			return 0;
		}
		errno = 0;
		long v = strtol(text, &end, 10);
		if (errno || end == text || *end || v < d->lo || v > d->hi || text[0] == ' ')
			return -EINVAL;
		*(int *)field = (int)v;
		return 0;
	}
	case PARAM_DOUBLE: {
		errno = 0;
		double v = strtod(text, &end);
		if (errno || end == text || *end || !(v > 0) || !isfinite(v) || text[0] == ' ')
			return -EINVAL;
		*(double *)field = v;
		return 0;
	}
	case PARAM_ENUM: {
		int i = parse_name(text, d->names, d->nnames);
		if (i < 0)
			return -EINVAL;
		*(int *)field = i;
		return 0;
	}
	case PARAM_FLAG:
		*(bool *)field = strcmp(text, "true") == 0;
		return strcmp(text, "true") == 0 || strcmp(text, "false") == 0 ? 0 : -EINVAL;
	case PARAM_FAULT:
		return parse_fault(text, p);
	}
	return -EINVAL;
}

const char *param_format(const struct param *d, const struct strategy_params *p, char *buf, size_t len)
{
	const char *field = (const char *)p + d->offset;
	switch (d->type) {
	case PARAM_STRING:
		snprintf(buf, len, "%s", *(const char *const *)field ? *(const char *const *)field : "");
		break;
	case PARAM_U64:
		snprintf(buf, len, "%" PRIu64, *(const uint64_t *)field);
		break;
	case PARAM_INT:
		if (d->alias && *(const int *)field < 0)
			snprintf(buf, len, "%s", d->alias);
		else
			snprintf(buf, len, "%d", *(const int *)field);
		break;
	case PARAM_DOUBLE:
		snprintf(buf, len, "%.9g", *(const double *)field);
		break;
	case PARAM_ENUM: {
		int i = *(const int *)field;
		snprintf(buf, len, "%s", i >= 0 && i < d->nnames ? d->names[i] : "?");
		break;
	}
	case PARAM_FLAG:
		snprintf(buf, len, "%s", *(const bool *)field ? "true" : "false");
		break;
	case PARAM_FAULT:
		if (p->fault == STRATEGY_FAULT_NONE)
			snprintf(buf, len, "none");
		else if (p->fault_job == STRATEGY_FAULT_AT_SETUP)
			snprintf(buf, len, "%s@setup", strategy_fault_name(p->fault));
		else
			snprintf(buf, len, "%s@%d", strategy_fault_name(p->fault), p->fault_job);
		break;
	}
	return buf;
}

/* Whether the parameter differs from what a program assumes when it is
 * not passed: then it need not be. */
static bool is_default(const struct param *d, const struct strategy_params *p)
{
	struct strategy_params def;
	params_defaults(&def);
	char a[160], b[160];
	return strcmp(param_format(d, p, a, sizeof a), param_format(d, &def, b, sizeof b)) == 0;
}

/* Whether the parameter holds "not set": no text, no fault, a flag off,
 * a limit of 0, or a count below its range (0 for "not asked"). */
static bool unset(const struct param *d, const struct strategy_params *p)
{
	const char *field = (const char *)p + d->offset;
	switch (d->type) {
	case PARAM_STRING:
		return !*(const char *const *)field || !(*(const char *const *)field)[0];
	case PARAM_FAULT:
		return p->fault == STRATEGY_FAULT_NONE;
	case PARAM_FLAG:
		return !*(const bool *)field;
	case PARAM_DOUBLE:
		return !(*(const double *)field > 0);
	case PARAM_INT:
		return *(const int *)field < d->lo && !(d->alias && *(const int *)field == -1);
	default:
		return false;
	}
}

int params_to_argv(const struct strategy_params *p, unsigned strategy_flags, unsigned to, const char **argv, int *argc,
		   struct param_argv *buf)
{
	const int cap = (int)(sizeof buf->text / sizeof buf->text[0]);
	bool all = (to & PARAM_TO_RUN) != 0;
	for (int i = 0; i < params_count; i++) {
		const struct param *d = &params_table[i];
		if ((!all && !(d->to & to)) || !param_applies(d, strategy_flags) || (!all && is_default(d, p)) ||
		    unset(d, p))
			continue;
		if (buf->n + 2 > cap)
			return -E2BIG;
		char *opt = buf->text[buf->n++];
		snprintf(opt, sizeof buf->text[0], "--%s", d->name);
		argv[(*argc)++] = opt;
		if (d->type == PARAM_FLAG)
			continue;       /* a flag that differs from its default is set */
		if (d->type == PARAM_STRING) {
			/* a path may be longer than a slot: pass the field itself */
			argv[(*argc)++] = *(const char *const *)((const char *)p + d->offset);
			continue;
		}
		char *val = buf->text[buf->n++];
		param_format(d, p, val, sizeof buf->text[0]);
		argv[(*argc)++] = val;
	}
	return 0;
}

int params_take_arg(int argc, char **argv, int *i, unsigned to, struct strategy_params *p)
{
	const char *a = argv[*i];
	if (strncmp(a, "--", 2) != 0)
		return 0;
	const struct param *d = param_find(a + 2);
	if (!d || !(d->to & to))
		return 0;
	if (d->type == PARAM_FLAG) {
		(*i)++;
		return param_parse(d, "true", p) ? -EINVAL : 1;
	}
	if (*i + 1 >= argc)
		return -EINVAL;
	if (param_parse(d, argv[*i + 1], p))
		return -EINVAL;
	*i += 2;
	return 1;
}
