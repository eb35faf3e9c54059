/*
 * fire/workload.c - the fire model as a workload (workload.h): a scenario
 * is one of the kernel's landscapes, the input block is its layers, a job
 * is one fire, and a job's summary is the checksum of its time-of-arrival
 * raster with five figures: burned cells (the work: throughput is burned
 * cells per second), crowned cells, steps, the clock at the end and the
 * burned area.  The
 * fire model takes no options.
 */
#include "workload.h"
#include "kernel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct workload_scenario {
	struct kernel_scenario sc;
	enum kernel_dtype dtype;
};

struct workload_view {
	const struct workload_scenario *ws;
	struct kernel_landscape ls;
};

struct workload_state {
	const struct workload_view *v;
	struct kernel_fire *fire;
};

static int fire_open(const char *scenario, uint64_t seed, int dtype, const char *options,
		     struct workload_scenario **out)
{
	*out = NULL;
	if ((options && options[0]) || (dtype != WORKLOAD_F32 && dtype != WORKLOAD_F64))
		return -EINVAL;
	struct workload_scenario *ws = calloc(1, sizeof *ws);
	if (!ws)
		return -ENOMEM;
	int rc = kernel_scenario_find(scenario, seed, &ws->sc);
	if (rc) {
		free(ws);
		return rc;
	}
	ws->dtype = dtype == WORKLOAD_F64 ? KERNEL_F64 : KERNEL_F32;
	*out = ws;
	return 0;
}

static void fire_close(struct workload_scenario *ws)
{
	free(ws);
}

static const char *fire_options(const struct workload_scenario *ws)
{
	(void)ws;
	return "";
}

static size_t fire_input_bytes(const struct workload_scenario *ws)
{
	return kernel_scenario_input_bytes(&ws->sc, ws->dtype);
}

static int fire_build(const struct workload_scenario *ws, void *block, int part, int nparts)
{
	if (nparts < 1 || part < 0 || part >= nparts)
		return -EINVAL;
	return kernel_scenario_build_part(&ws->sc, ws->dtype, block, part, nparts);
}

static int fire_attach(const struct workload_scenario *ws, const void *block, struct workload_view **out)
{
	struct workload_view *v = calloc(1, sizeof *v);
	*out = NULL;
	if (!v)
		return -ENOMEM;
	v->ws = ws;
	kernel_landscape_attach(&ws->sc, ws->dtype, block, &v->ls);
	*out = v;
	return 0;
}

static void fire_detach(struct workload_view *v)
{
	free(v);
}

static int fire_job(const struct workload_scenario *ws, int mix, int n, struct workload_job *out)
{
	struct kernel_job kj;
	if (mix != WORKLOAD_JOBS_IDENTICAL && mix != WORKLOAD_JOBS_MIXED)
		return -EINVAL;
	int rc = kernel_scenario_job(&ws->sc, mix == WORKLOAD_JOBS_MIXED ? KERNEL_JOBS_MIXED : KERNEL_JOBS_IDENTICAL,
				     n, &kj);
	if (rc)
		return rc;
	*out = (struct workload_job){ .mix = mix, .n = n, .expected_cost = kj.expected_cost };
	snprintf(out->text, sizeof out->text, "ignition (%d, %d) at minute %g for %g min", kj.y, kj.x,
		 (double)kj.start_time, (double)kj.duration);
	return 0;
}

static int fire_job_new(const struct workload_view *v, struct workload_state **out)
{
	struct workload_state *st = calloc(1, sizeof *st);
	*out = NULL;
	if (!st)
		return -ENOMEM;
	st->v = v;
	int rc = kernel_fire_new(&v->ls, &st->fire);
	if (rc) {
		free(st);
		return rc;
	}
	*out = st;
	return 0;
}

static int fire_run_job(struct workload_state *st, const struct workload_job *job, struct workload_summary *out)
{
	struct kernel_job kj;
	struct kernel_fire_result res;
	enum kernel_job_mix mix = job->mix == WORKLOAD_JOBS_MIXED ? KERNEL_JOBS_MIXED : KERNEL_JOBS_IDENTICAL;
	int rc = kernel_scenario_job(&st->v->ws->sc, mix, job->n, &kj);
	if (!rc)
		rc = kernel_fire_run(st->fire, &kj, &res);
	if (rc)
		return rc;
	*out = (struct workload_summary){
		.checksum = res.checksum,
		.figure = { (double)res.burned_cells, (double)res.crowned_cells, res.steps, res.stop_time,
			    (double)res.burned_cells * st->v->ws->sc.cell_height * st->v->ws->sc.cell_width / 1e4 },
	};
	return 0;
}

static void fire_job_free(struct workload_state *st)
{
	if (!st)
		return;
	kernel_fire_free(st->fire);
	free(st);
}

static int fire_set_threads(struct workload_state *st, int threads)
{
	return kernel_fire_set_threads(st->fire, threads);
}

const struct workload workload_fire = {
	.iVersion = WORKLOAD_VERSION,
	.name = "fire",
	.version = "1.0",
	.summary = "level-set wildfire spread with Rothermel surface fire and crown fire (the reproduced model)",
	.scenarios = "prof,demo,tiny",
	.default_scenario = "demo",
	.benchmark_scenario = "prof",
	.nfigures = 5,
	.figures = {
		{ "burned_cells", "cells", "cells with fire type > 0, the ignition cell not counted" },
		{ "crowned_cells", "cells", "cells with passive or active crown fire" },
		{ "steps", "steps", "time steps of the level-set loop" },
		{ "stop_time_min", "min", "the simulated clock at the end" },
		{ "burned_ha", "ha", "the burned area: burned cells times the cell's area" },
	},
	.open = fire_open,
	.close = fire_close,
	.options = fire_options,
	.input_bytes = fire_input_bytes,
	.build = fire_build,
	.attach = fire_attach,
	.detach = fire_detach,
	.job = fire_job,
	.job_new = fire_job_new,
	.run_job = fire_run_job,
	.job_free = fire_job_free,
	.set_threads = fire_set_threads,
};
