/*
 * columns.c - the CSV columns of a measured run, in their fixed order.
 * The documented core set comes first; later columns are only ever added
 * at the end, so readers that look columns up by name keep working.
 * Times are seconds, memory is bytes, throughput per second of wall time.
 */
#include "runner.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>

#define S(v) snprintf(b, 512, "%s", (v))
#define I(v) snprintf(b, 512, "%lld", (long long)(v))
#define U(v) snprintf(b, 512, "%" PRIu64, (uint64_t)(v))
#define F(v) snprintf(b, 512, "%.9g", (double)(v))
#define B(v) snprintf(b, 512, "%s", (v) ? "true" : "false")
/* Empty when not measured on this machine, never a made-up 0. */
#define OPT(v) ((v) < 0 ? snprintf(b, 512, "%s", "") : I(v))
#define OPTF(v) (isnan(v) ? snprintf(b, 512, "%s", "") : F(v))

/* Whether a strategy honours an option; "-" in its column when not. */
static bool applies(const struct runner_row *r, unsigned flag)
{
	const struct strategy_entry *e = strategy_find(r->strategy);
	return e && e->strategy && (e->strategy->flags & flag);
}

/* A row of `spreadbench exec`: a command, not a strategy.  The landscape's
 * columns (seed, mix, dtype, order) and the allocator say "-" there, and
 * its input size is 0: the command's own inputs are not known. */
static bool exec_row(const struct runner_row *r)
{
	return r->label != NULL;
}

/* Threads inside each fire: the team in openmp's single mode, the
 * requested count (OpenMP's default for auto) in the process pools. */
static int fire_threads(const struct runner_row *r)
{
	if (applies(r, STRATEGY_MODES) && r->p.mode == STRATEGY_MODE_SINGLE)
		return r->p.workers;
	if (applies(r, STRATEGY_FIRE_THREADS))
		return r->p.fire_threads < 0 ? kernel_default_threads() : r->p.fire_threads > 1 ? r->p.fire_threads : 1;
	return 1;
}

/* name, how to print it */
#define RUNNER_COLUMNS(X)                                                             \
	X(strategy, S(r->strategy))                                                   \
	X(start, S(applies(r, STRATEGY_PROCESSES) ? strategy_start_name(r->p.start) : "-")) \
	X(workers, I(r->p.workers))                                                   \
	X(jobs, I(r->p.jobs))                                                         \
	X(schedule, S(applies(r, STRATEGY_SCHEDULES) ? strategy_schedule_name(r->p.schedule) : "-")) \
	X(chunksize, I(r->p.chunksize))                                               \
	X(attach, S(applies(r, STRATEGY_ATTACHES) ? strategy_attach_name(r->p.attach) : "-")) \
	X(scenario, S(r->p.scenario))                                                 \
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
	X(burned_cells_per_s, F(r->burned_cells_per_s))                               \
	X(mha_per_cpu_hr, F(r->mha_per_cpu_hr))                                       \
	X(error, S(r->error))                                                         \
	X(seed, exec_row(r) ? S("-") : U(r->p.seed))                                                         \
	X(mix, S(exec_row(r) ? "-" : kernel_job_mix_name(r->p.mix)))                                     \
	X(dtype, S(exec_row(r) ? "-" : r->p.dtype == KERNEL_F64 ? "f64" : "f32"))                         \
	X(input_bytes, U(r->input_bytes))                                             \
	X(burned_cells, I(r->burned_cells))                                           \
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
	X(job_timeout_s, F(r->p.job_timeout_s))                                       \
	X(fault, S(strategy_fault_name(r->p.fault)))                                  \
	X(mode, S(applies(r, STRATEGY_MODES) ? strategy_mode_name(r->p.mode) : "-"))  \
	X(fire_threads, I(fire_threads(r)))                                           \
	X(pin, S(applies(r, STRATEGY_THREADS) ? (r->p.pin ? "true" : "false") : "-")) \
	X(allocator, S(exec_row(r) ? "-" : strategy_allocator_name(r->p.allocator)))                      \
	X(virtual_nodes, I(applies(r, STRATEGY_MPI) ? (r->p.virtual_nodes > 1 ? r->p.virtual_nodes : 1) : 0)) \
	X(hostfile, S(applies(r, STRATEGY_MPI) ? (r->p.hostfile ? r->p.hostfile : "local") : "-")) \
	X(nice, applies(r, STRATEGY_PROCESSES) ? I(r->p.nice) : S("-"))              \
	X(load, I(r->load))                                                           \
	X(setup_peak_pss_bytes, U(r->setup_peak_pss_bytes))                           \
	X(order, S(exec_row(r) ? "-" : strategy_order_name(r->p.order)))                                  \
	X(steal_fraction, OPTF(r->steal_fraction))                                    \
	X(involuntary_switches, I(r->involuntary_switches))                           \
	X(runnable_before, OPT(r->runnable_before))                                   \
	X(cpu_mhz, OPTF(r->cpu_mhz))                                                  \
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
