/*
 * test_spread.c - properties of the level-set spread on small landscapes
 * built here: uniform fuel with no wind or slope burns a near-circle whose
 * radius grows at the no-wind spread rate; wind stretches it to the
 * Behave length-to-width ratio, downwind; a nonburnable strip stops it;
 * upslope runs faster than downslope; runs are deterministic and the
 * outputs are consistent (times of arrival inside the run, ignition kept).
 * The figures of the reproduced benchmark fire are in test_prof.
 */
#include "check.h"
#include "kernel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N 161
#define BANDS 48

struct world {
	float constant[KERNEL_LAYERS];
	float *fuel;                     /* N x N fuel codes, or NULL for constant */
	struct kernel_landscape ls;
};

/* A landscape of constant layers (1x1x1 cubes), with an optional fuel map. */
static void world_init(struct world *w, int fuel, float wind_kmh, float upwind, float slope,
		       float aspect)
{
	memset(w, 0, sizeof *w);
	float *c = w->constant;
	c[KERNEL_IN_SLOPE] = slope;
	c[KERNEL_IN_ASPECT] = aspect;
	c[KERNEL_IN_FUEL_MODEL] = (float)fuel;
	c[KERNEL_IN_WIND_SPEED_10M] = wind_kmh;
	c[KERNEL_IN_UPWIND_DIRECTION] = upwind;
	c[KERNEL_IN_M1] = 0.05f;
	c[KERNEL_IN_M10] = 0.06f;
	c[KERNEL_IN_M100] = 0.07f;
	c[KERNEL_IN_MHERB] = 0.6f;
	c[KERNEL_IN_MWOODY] = 0.9f;
	c[KERNEL_IN_FOLIAR_MOISTURE] = 1.0f;
	c[KERNEL_IN_FUEL_ADJ] = 1.0f;
	c[KERNEL_IN_WEATHER_ADJ] = 1.0f;
	struct kernel_landscape *ls = &w->ls;
	ls->bands = BANDS;
	ls->rows = ls->cols = N;
	ls->band_duration = 60.0f;
	ls->cell_height = ls->cell_width = 30.0f;
	for (int k = 0; k < KERNEL_LAYERS; k++)
		kernel_cube_init(&ls->layer[k], ls, 1, 1, 1, KERNEL_F32, &c[k]);
	for (int k = KERNEL_IN_WIND_SPEED_10M; k < KERNEL_INPUTS; k++)
		ls->refresh_rate[k] = (float)(1.0 / 60.0);
}

static void world_fuel_map(struct world *w)
{
	w->fuel = malloc(sizeof(float) * N * N);
	for (int i = 0; i < N * N; i++)
		w->fuel[i] = w->constant[KERNEL_IN_FUEL_MODEL];
	kernel_cube_init(&w->ls.layer[KERNEL_IN_FUEL_MODEL], &w->ls, 1, N, N, KERNEL_F32, w->fuel);
}

static int run(struct world *w, int y, int x, float duration, struct kernel_fire **fp,
	       struct kernel_fire_result *r)
{
	struct kernel_job job = { 0, y, x, 60.0f, duration, 1.0 };
	if (kernel_fire_new(&w->ls, fp))
		return -1;
	return kernel_fire_run(*fp, &job, r);
}

/* The surface behaviour the fire should show in this world. */
static void expected(struct world *w, struct kernel_surface_min *min, struct kernel_surface_max *max)
{
	struct kernel_cell_inputs in;
	kernel_cell_inputs_read(&w->ls, 0, 0, 0, &in);
	kernel_cell_surface_min(&in, min);
	const struct kernel_fuel_model *fm = kernel_fuel_model((int)in.v[KERNEL_IN_FUEL_MODEL]);
	float u = kernel_midflame_wind_speed(in.v[KERNEL_IN_WIND_SPEED_10M], fm->delta, 0.0f, 0.0f);
	kernel_surface_max(min, u, in.v[KERNEL_IN_UPWIND_DIRECTION], in.v[KERNEL_IN_SLOPE],
			   in.v[KERNEL_IN_ASPECT], max);
}

/* Farthest burned cell from the ignition along +y, -y, +x, -x. */
static void extents(const struct kernel_fire *f, int y0, int x0, int ext[4])
{
	memset(ext, 0, 4 * sizeof ext[0]);
	for (int y = 0; y < N; y++)
		for (int x = 0; x < N; x++) {
			if (kernel_fire_type(f, y, x) == 0)
				continue;
			if (x == x0 && y - y0 > ext[0])
				ext[0] = y - y0;
			if (x == x0 && y0 - y > ext[1])
				ext[1] = y0 - y;
			if (y == y0 && x - x0 > ext[2])
				ext[2] = x - x0;
			if (y == y0 && x0 - x > ext[3])
				ext[3] = x0 - x;
		}
}

static void test_circle(void)
{
	struct world w;
	world_init(&w, 1, 0.0f, 0.0f, 0.0f, 0.0f);
	struct kernel_surface_min min;
	struct kernel_surface_max max;
	expected(&w, &min, &max);
	CHECK_REL(max.length_to_width, 1.0, 1e-6);
	double rate = min.base_spread_rate; /* m/min */
	CHECK(rate > 1.0);

	double radius[2];
	float durations[2] = { 900.0f, 1500.0f };
	for (int i = 0; i < 2; i++) {
		struct kernel_fire *f = NULL;
		struct kernel_fire_result r;
		CHECK(run(&w, 80, 80, durations[i], &f, &r) == 0);
		radius[i] = sqrt(r.burned_cells / M_PI) * 30.0;
		/* Round: the burned area's principal axes agree within 5%. */
		CHECK(r.length_to_width > 0.95 && r.length_to_width < 1.05);
		int ext[4];
		extents(f, 80, 80, ext);
		CHECK(abs(ext[0] - ext[1]) <= 1 && abs(ext[2] - ext[3]) <= 1);
		CHECK(abs(ext[0] - ext[2]) <= 1);
		CHECK(r.stop_condition == KERNEL_STOP_MAX_DURATION);
		kernel_fire_free(f);
	}
	/* The radius grows at the no-wind rate (within 10%: the grid and the
	 * limiter round the front), and is close to rate x time. */
	double growth = (radius[1] - radius[0]) / (durations[1] - durations[0]);
	CHECK_REL(growth, rate, 0.10);
	CHECK_REL(radius[1], rate * durations[1], 0.10);
}

static void test_wind(void)
{
	struct world w;
	/* Wind from the south: the head runs north (+y). */
	world_init(&w, 1, 20.0f, 180.0f, 0.0f, 0.0f);
	struct kernel_surface_min min;
	struct kernel_surface_max max;
	expected(&w, &min, &max);
	CHECK(max.length_to_width > 1.3);
	struct kernel_fire *f = NULL;
	struct kernel_fire_result r;
	CHECK(run(&w, 30, 80, 150.0f, &f, &r) == 0);
	CHECK(r.burned_cells > 500);
	/* The burned ellipse has the model's length-to-width ratio. */
	CHECK_REL(r.length_to_width, max.length_to_width, 0.10);
	int ext[4];
	extents(f, 30, 80, ext);
	CHECK(ext[0] > 2 * ext[1]);      /* head far beyond the back */
	CHECK(abs(ext[2] - ext[3]) <= 1); /* symmetric flanks */
	/* The head moves at about the maximum spread rate. */
	CHECK_REL(ext[0] * 30.0 / 150.0, max.max_spread_rate, 0.15);
	kernel_fire_free(f);
}

static void test_strip(void)
{
	struct world w;
	world_init(&w, 1, 0.0f, 0.0f, 0.0f, 0.0f);
	world_fuel_map(&w);
	/* A 2-cell nonburnable strip at columns 100-101. */
	for (int y = 0; y < N; y++)
		w.fuel[y * N + 100] = w.fuel[y * N + 101] = 91.0f;
	struct kernel_fire *f = NULL;
	struct kernel_fire_result r;
	CHECK(run(&w, 80, 80, 1500.0f, &f, &r) == 0);
	long beyond = 0, at_edge = 0;
	for (int y = 0; y < N; y++) {
		for (int x = 100; x < N; x++)
			beyond += kernel_fire_type(f, y, x) != 0;
		at_edge += kernel_fire_type(f, y, 99) != 0;
	}
	CHECK_EQ(beyond, 0);
	CHECK(at_edge > 10);             /* the fire did reach the strip */
	CHECK(r.bbox[3] == 99);
	free(w.fuel);
	kernel_fire_free(f);
}

static void test_slope(void)
{
	struct world w;
	/* Aspect 180: the slope faces south, so upslope is north (+y). */
	world_init(&w, 1, 0.0f, 0.0f, 0.3f, 180.0f);
	struct kernel_fire *f = NULL;
	struct kernel_fire_result r;
	CHECK(run(&w, 50, 80, 900.0f, &f, &r) == 0);
	int ext[4];
	extents(f, 50, 80, ext);
	CHECK(ext[0] > 3 * ext[1] / 2);  /* upslope runs well ahead of downslope */
	CHECK(abs(ext[2] - ext[3]) <= 1);
	kernel_fire_free(f);
}

static void test_determinism(void)
{
	struct kernel_scenario sc;
	CHECK(kernel_scenario_find("demo", 7, &sc) == 0);
	size_t bytes = kernel_scenario_input_bytes(&sc, KERNEL_F32);
	void *buf = kernel_block_alloc(bytes);
	CHECK(buf != NULL);
	CHECK(kernel_scenario_build(&sc, KERNEL_F32, buf) == 0);
	struct kernel_landscape ls;
	kernel_landscape_attach(&sc, KERNEL_F32, buf, &ls);
	struct kernel_fire *f = NULL;
	CHECK(kernel_fire_new(&ls, &f) == 0);
	uint64_t sums[3];
	long burned[3];
	for (int n = 0; n < 3; n++) {
		struct kernel_job job;
		struct kernel_fire_result r;
		CHECK(kernel_scenario_job(&sc, KERNEL_JOBS_MIXED, n % 2, &job) == 0);
		CHECK(kernel_fire_run(f, &job, &r) == 0);
		sums[n] = r.checksum;
		burned[n] = r.burned_cells;
		/* Every burned cell arrived inside the run. */
		long checked = 0;
		for (int y = 0; y < ls.rows; y++)
			for (int x = 0; x < ls.cols; x++) {
				float t = kernel_fire_time_of_arrival(f, y, x);
				if (isnan(t))
					continue;
				CHECK(t >= job.start_time && t <= r.stop_time);
				checked++;
			}
		CHECK_EQ(checked, r.burned_cells + r.type_counts[0]);
		CHECK_EQ(kernel_fire_type(f, job.y, job.x), 0);
	}
	/* Reusing a fire state gives the same answer as a fresh one. */
	CHECK(sums[0] == sums[2]);
	CHECK_EQ(burned[0], burned[2]);
	CHECK(sums[0] != sums[1]);
	/* Mixed jobs differ; identical jobs repeat the reference fire. */
	struct kernel_job a, b;
	kernel_scenario_job(&sc, KERNEL_JOBS_MIXED, 0, &a);
	kernel_scenario_job(&sc, KERNEL_JOBS_MIXED, 1, &b);
	CHECK(a.y != b.y || a.x != b.x || a.duration != b.duration);
	kernel_scenario_job(&sc, KERNEL_JOBS_IDENTICAL, 5, &a);
	CHECK(a.y == sc.reference_job.y && a.duration == sc.reference_job.duration);
	kernel_fire_free(f);
	kernel_block_free(buf, bytes);
}

static void test_bad_jobs(void)
{
	struct world w;
	world_init(&w, 1, 0.0f, 0.0f, 0.0f, 0.0f);
	struct kernel_fire *f = NULL;
	CHECK(kernel_fire_new(&w.ls, &f) == 0);
	struct kernel_fire_result r;
	struct kernel_job outside = { 0, N, 5, 60.0f, 30.0f, 1.0 };
	CHECK(kernel_fire_run(f, &outside, &r) < 0);
	struct kernel_job too_long = { 0, 5, 5, 60.0f, BANDS * 60.0f, 1.0 };
	CHECK(kernel_fire_run(f, &too_long, &r) < 0);
	/* A fire in nonburnable fuel goes nowhere. */
	world_init(&w, 91, 0.0f, 0.0f, 0.0f, 0.0f);
	kernel_fire_free(f);
	CHECK(kernel_fire_new(&w.ls, &f) == 0);
	struct kernel_job ok = { 0, 5, 5, 60.0f, 30.0f, 1.0 };
	CHECK(kernel_fire_run(f, &ok, &r) == 0);
	CHECK_EQ(r.burned_cells, 0);
	CHECK_EQ(r.steps, 0);
	kernel_fire_free(f);
}

int main(void)
{
	test_circle();
	test_wind();
	test_strip();
	test_slope();
	test_determinism();
	test_bad_jobs();
	return check_result("test_spread");
}
