/*
 * columns.c - the CSV columns of a measured run, in their fixed order.
 * The documented core set comes first; later columns are only ever added
 * at the end, so readers that look columns up by name keep working.
 * Times are seconds, memory is bytes, throughput per second of wall time.
 * The run parameters' cells come from their table (params.c).
 */
#include "runner.h"
#include "jobs.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define S(v) snprintf(b, 512, "%s", (v))
#define I(v) snprintf(b, 512, "%lld", (long long)(v))
#define U(v) snprintf(b, 512, "%" PRIu64, (uint64_t)(v))
#define F(v) snprintf(b, 512, "%.9g", (double)(v))
#define B(v) snprintf(b, 512, "%s", (v) ? "true" : "false")
/* Empty when not measured on this machine, never a made-up 0. */
#define OPT(v) ((v) < 0 ? snprintf(b, 512, "%s", "") : I(v))
#define OPTF(v) (isnan(v) ? snprintf(b, 512, "%s", "") : F(v))
#define OPTW(v) (isnan(v) ? snprintf(b, 512, "%s", "") : I(v))

/* Whether a strategy honours an option; "-" in its column when not. */
static bool applies(const struct runner_row *r, unsigned flag)
{
	const struct strategy_entry *e = strategy_find(r->strategy);
	return e && e->strategy && (e->strategy->flags & flag);
}

/* A row of `spreadbench exec`: a command, not a strategy.  The columns
 * of a workload (seed, mix, dtype, order, workload, its options) and the
 * allocator say "-" there, and its input size is 0: the command's own
 * inputs are not known. */
static bool exec_row(const struct runner_row *r)
{
	return r->label != NULL;
}

/* A run parameter's cell, as the table (params.c) writes it; with
 * only_where, "-" for a strategy that does not honour it. */
static void param_cell(const struct runner_row *r, const char *name, bool only_where, char *b)
{
	const struct param *d = param_find(name);
	const struct strategy_entry *e = strategy_find(r->strategy);
	if (!d || (only_where && !(e && e->strategy && param_applies(d, e->strategy->flags))))
		snprintf(b, 512, "-");
	else
		param_format(d, &r->p, b, 512);
}
#define P(name) param_cell(r, name, false, b)
#define PA(name) param_cell(r, name, true, b)

/* Threads inside each job: the team in openmp's single mode, the
 * requested count (OpenMP's default team for auto) in the process pools. */
static int job_threads(const struct runner_row *r)
{
	if (applies(r, STRATEGY_MODES) && r->p.mode == STRATEGY_MODE_SINGLE)
		return r->p.workers;
	if (applies(r, STRATEGY_JOB_THREADS))
		return jobs_threads(&r->p);
	return 1;
}

/* The sum of the workload's figure called name, NAN when it has none.
 * Three columns from before the workload interface keep their names and
 * hold the figure of that name where a workload offers one (the fire
 * model does); for any other they are empty. */
static double figure(const struct runner_row *r, const char *name)
{
	for (int k = 0; r->wl && k < r->wl->nfigures; k++)
		if (strcmp(r->wl->figures[k].name, name) == 0)
			return r->figure_sum[k];
	return NAN;
}

static double per_s(const struct runner_row *r, double v)
{
	return r->wall_s > 0 ? v / r->wall_s : isnan(v) ? NAN : 0;
}

/* Per CPU-hour, in millions: each worker's core held for the wall time. */
static double mega_per_cpu_hr(const struct runner_row *r, double v)
{
	int workers = r->p.workers > 0 ? r->p.workers : 1;
	return r->wall_s > 0 ? v * 1e-6 / (r->wall_s * workers / 3600.0) : isnan(v) ? NAN : 0;
}

/* name, how to print it */
#define RUNNER_COLUMNS(X)                                                             \
	X(strategy, S(r->strategy))                                                   \
	X(start, PA("start")) \
	X(workers, P("workers"))                                                   \
	X(jobs, P("jobs"))                                                         \
	X(schedule, PA("schedule")) \
	X(chunksize, P("chunksize"))                                               \
	X(attach, PA("attach")) \
	X(scenario, P("scenario"))                                                 \
	X(rep, I(r->rep))                                                             \
	X(status, S(r->status))                                                       \
	X(valid, B(r->valid))                                                         \
	X(setup_s, F(r->setup_s))                                                     \
	X(compute_s, F(r->compute_s))                                                 \
	X(teardown_s, F(r->teardown_s))                                               \
	X(wall_s, F(r->wall_s))                                                       \
	X(user_s, F(r->user_s))                                                       \
	X(sys_s, F(r->sys_s))                                                         \
	X(peak_pss_bytes, U(r->peak_pss_bytes))                                       \
	X(peak_rss_sum_bytes, U(r->peak_rss_sum_bytes))                               \
	X(max_worker_hwm_bytes, U(r->max_worker_hwm_bytes))                           \
	X(start_latency_s, F(r->start_latency_s))                                     \
	X(jobs_per_s, F(r->jobs_per_s))                                               \
	X(burned_cells_per_s, OPTF(per_s(r, figure(r, "burned_cells"))))                               \
	X(mha_per_cpu_hr, OPTF(mega_per_cpu_hr(r, figure(r, "burned_ha"))))                                       \
	X(error, S(r->error))                                                         \
	X(seed, exec_row(r) ? S("-") : P("seed"))                                    \
	X(mix, exec_row(r) ? S("-") : P("mix"))                                       \
	X(dtype, exec_row(r) ? S("-") : P("dtype"))                                   \
	X(input_bytes, U(r->input_bytes))                                             \
	X(burned_cells, OPTW(figure(r, "burned_cells")))                                           \
	X(jobs_ok, I(r->jobs_ok))                                                     \
	X(jobs_failed, I(r->jobs_failed))                                             \
	X(jobs_invalid, I(r->jobs_invalid))                                           \
	X(workers_started, I(r->workers_started))                                     \
	X(workers_replaced, I(r->workers_replaced))                                   \
	X(worker_setup_s, F(r->worker_setup_s))                                       \
	X(busy_fraction, F(r->busy_fraction))                                         \
	X(tail_idle_s, F(r->tail_idle_s))                                             \
	X(max_procs, I(r->max_procs))                                                 \
	X(sample_interval_s, F(r->sample_interval_s))                                 \
	X(sampler_cpu_fraction, F(r->sampler_cpu_fraction))                           \
	X(cgroup_peak_bytes, OPT(r->cgroup_peak_bytes))                                 \
	X(parent_rss_bytes, U(r->parent_rss_bytes))                                   \
	X(job_timeout_s, P("job-timeout"))                                       \
	X(fault, S(strategy_fault_name(r->p.fault)))                                  \
	X(mode, PA("mode"))                                                           \
	X(fire_threads, I(job_threads(r)))                                            \
	X(pin, PA("pin"))                                                             \
	X(allocator, exec_row(r) ? S("-") : P("allocator"))                           \
	X(virtual_nodes, I(applies(r, STRATEGY_MPI) ? (r->p.virtual_nodes > 1 ? r->p.virtual_nodes : 1) : 0)) \
	X(hostfile, S(applies(r, STRATEGY_MPI) ? (r->p.hostfile ? r->p.hostfile : "local") : "-")) \
	X(nice, PA("nice"))              \
	X(load, I(r->load))                                                           \
	X(setup_peak_pss_bytes, U(r->setup_peak_pss_bytes))                           \
	X(order, exec_row(r) ? S("-") : P("order"))                                   \
	X(steal_fraction, OPTF(r->steal_fraction))                                    \
	X(involuntary_switches, I(r->involuntary_switches))                           \
	X(runnable_before, OPT(r->runnable_before))                                   \
	X(cpu_mhz, OPTF(r->cpu_mhz))                                                  \
	X(setup_timeout_s, P("setup-timeout"))                                        \
	X(run_timeout_s, F(r->run_timeout_s))                                         \
	X(notes, S(r->notes))                                                         \
	X(workload, exec_row(r) ? S("-") : P("workload"))                             \
	X(workload_options, exec_row(r) ? S("-") : P("options"))                      \
	X(work_unit, S(r->wl ? r->wl->figures[0].name : "-"))                         \
	X(work_units, F(r->work_units))                                               \
	X(work_units_per_s, F(r->work_units_per_s))                                   \
	X(mean_job_s, F(r->mean_job_s))                                               \
	X(shm_page_bytes, U(r->shm_page_bytes))                                       \
	X(shm_pages, PA("shm-pages"))                                                 \
	X(label, S(exec_row(r) ? r->label : "-"))                                    \
	X(exit_status, exec_row(r) ? I(r->exit_status) : S("-"))                     \
	X(command, S(exec_row(r) && r->command ? r->command : "-"))

#define NAME(name, fmt) #name,
const char *const runner_columns[] = { RUNNER_COLUMNS(NAME) };
const int runner_ncolumns = (int)(sizeof runner_columns / sizeof runner_columns[0]);

void runner_row_cells(const struct runner_row *r, char (*buf)[512], const char **cells)
{
	int k = 0;
	char *b;
#define CELL(name, fmt)          \
	b = buf[k];              \
	fmt;                     \
	cells[k] = buf[k];       \
	k++;
	RUNNER_COLUMNS(CELL)
#undef CELL
}
