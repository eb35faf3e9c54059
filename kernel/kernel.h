/*
 * kernel.h - the public interface of spreadbench's fire model.
 *
 * The kernel is a level-set wildfire spread model with Rothermel surface
 * fire and Van Wagner / Cruz crown fire, written to reproduce the Python
 * model described in docs/kernel-spec.md formula by formula, in the same
 * float32 arithmetic.  It knows nothing about parallel strategies, CSV or
 * plots: it builds landscapes, runs one fire at a time and summarises it.
 * Everything a fire writes lives in a struct kernel_fire owned by the
 * caller, so several fires may run at once over one read-only landscape.
 */
#ifndef SPREADBENCH_KERNEL_H
#define SPREADBENCH_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ */
/* Fuel models (spec section 2)                                        */
/* ------------------------------------------------------------------ */

#define KERNEL_FUEL_CLASSES 6

struct kernel_fuel_model {
	int number;
	const char *code;          /* "GR2", "NB1", ... */
	bool burnable;
	bool dynamic;
	float delta;               /* fuel bed depth, ft */
	float M_x[KERNEL_FUEL_CLASSES];
	float w_o[KERNEL_FUEL_CLASSES];
	float sigma[KERNEL_FUEL_CLASSES];
	float h[KERNEL_FUEL_CLASSES];
	float exp_A_sigma[KERNEL_FUEL_CLASSES];
	int size_class[KERNEL_FUEL_CLASSES];
};

/* A fuel model after moisturizing (dynamic curing and weighting, 2.3). */
struct kernel_moist_fuel {
	const struct kernel_fuel_model *base;
	float w_o[KERNEL_FUEL_CLASSES];
	float M_x[KERNEL_FUEL_CLASSES];
	float M_f[KERNEL_FUEL_CLASSES];
	float f_ij[KERNEL_FUEL_CLASSES];
	float f_i[2];
	float g_ij[KERNEL_FUEL_CLASSES];
};

/* The model for a code; never NULL: any code without a table entry maps
 * to a nonburnable model (spec 10.10). */
const struct kernel_fuel_model *kernel_fuel_model(int number);
size_t kernel_fuel_model_count(void);
const struct kernel_fuel_model *kernel_fuel_model_at(size_t i);

/* moisture = (1 h, 10 h, 100 h, live herbaceous, live woody), fractions. */
void kernel_fuel_moisturize(const struct kernel_fuel_model *fm,
			    const float moisture[5],
			    struct kernel_moist_fuel *out);

/* ------------------------------------------------------------------ */
/* Surface fire (spec section 3)                                       */
/* ------------------------------------------------------------------ */

struct kernel_surface_min {
	float base_spread_rate;          /* m/min */
	float base_fireline_intensity;   /* kW/m */
	float max_effective_wind_speed;  /* m/min */
	float phiS_G;
	float phiW_scalr;
	float phiW_expnt;
	float ws_scalr;
	float ws_expnt;
};

/* Intermediates of the no-wind/no-slope step, for tests and diagnostics. */
struct kernel_surface_detail {
	float sigma_prime, beta, beta_op, I_R, xi, rho_b, heat_sink, R0;
};

struct kernel_surface_max {
	float max_spread_rate;           /* m/min */
	float max_dir[3];                /* unit vector on the slope plane */
	float max_fireline_intensity;    /* kW/m */
	float max_flame_length;          /* m */
	float length_to_width;
	float eccentricity;
	/* diagnostics (table 8.2) */
	float phi_S, phi_W, phi_E_unlimited, U_eff_unlimited;
};

void kernel_surface_min(const struct kernel_moist_fuel *mf, float spread_adjustment,
			struct kernel_surface_min *out, struct kernel_surface_detail *detail);
float kernel_wind_adjustment_factor(float delta_ft, float canopy_cover, float canopy_height_m);
float kernel_midflame_wind_speed(float wind_speed_10m_kmh, float delta_ft,
				 float canopy_cover, float canopy_height_m);
void kernel_surface_max(const struct kernel_surface_min *min, float midflame_wind_mmin,
			float upwind_direction, float slope, float aspect,
			struct kernel_surface_max *out);
float kernel_flame_length(float fireline_intensity);

/* ------------------------------------------------------------------ */
/* Crown fire (spec section 4)                                         */
/* ------------------------------------------------------------------ */

struct kernel_crown_max {
	int fire_type;                   /* 2 passive, 3 active */
	float spread_rate;               /* m/min */
	float dir[3];
	float fireline_intensity;        /* kW/m */
	float length_to_width;
	float eccentricity;
	float critical_spread_rate;      /* 3/CBD, m/min */
	float active_spread_rate;        /* Cruz R_active, m/min */
};

float kernel_crown_critical_intensity(float canopy_base_height, float foliar_moisture);
float kernel_crowning_spread_rate(const struct kernel_surface_max *smax, float canopy_cover,
				  float canopy_base_height, float foliar_moisture);
void kernel_crown_max(float canopy_height, float canopy_base_height, float canopy_bulk_density,
		      float heat_of_combustion_kJ_kg, float m1, float wind_speed_10m,
		      float upwind_direction, float slope, float aspect,
		      struct kernel_crown_max *out);

/* ------------------------------------------------------------------ */
/* One cell: inputs, wavelets, behaviour                               */
/* ------------------------------------------------------------------ */

enum kernel_input {
	KERNEL_IN_SLOPE,
	KERNEL_IN_ASPECT,
	KERNEL_IN_FUEL_MODEL,
	KERNEL_IN_CANOPY_COVER,
	KERNEL_IN_CANOPY_HEIGHT,
	KERNEL_IN_CANOPY_BASE_HEIGHT,
	KERNEL_IN_CANOPY_BULK_DENSITY,
	KERNEL_IN_WIND_SPEED_10M,
	KERNEL_IN_UPWIND_DIRECTION,
	KERNEL_IN_M1,
	KERNEL_IN_M10,
	KERNEL_IN_M100,
	KERNEL_IN_MHERB,
	KERNEL_IN_MWOODY,
	KERNEL_IN_FOLIAR_MOISTURE,
	KERNEL_IN_FUEL_ADJ,
	KERNEL_IN_WEATHER_ADJ,
	KERNEL_INPUTS,                   /* 17 inputs the engine reads */
	KERNEL_IN_TEMPERATURE = KERNEL_INPUTS, /* stored, not read (spotting only) */
	KERNEL_LAYERS
};

extern const char *const kernel_input_names[KERNEL_LAYERS];

struct kernel_cell_inputs {
	float v[KERNEL_INPUTS];
};

/* One elliptical wavelet, partially evaluated (spec 6.3). */
struct kernel_wavelet {
	float vx, vy, vz, A, B, C;
};

/* Everything the level-set update needs for one cell. */
struct kernel_cell_ellipses {
	float zx, zy;                    /* elevation gradient */
	struct kernel_wavelet surface, crown;
	float crowning_spread_rate;      /* +inf when the cell cannot crown */
};

struct kernel_cell_behavior {
	int fire_type;
	float spread_rate, spread_direction, fireline_intensity, flame_length;
};

void kernel_cell_surface_min(const struct kernel_cell_inputs *in, struct kernel_surface_min *out);
void kernel_cell_ellipses(const struct kernel_cell_inputs *in, const struct kernel_surface_min *min,
			  struct kernel_cell_ellipses *out);
/* dphi/dt of a cell for a horizontal phi gradient (6.4), crowning included. */
float kernel_dphi_dt(const struct kernel_cell_ellipses *e, float gx, float gy);
/* Head-fire behaviour of a cell (table 8.5). */
void kernel_head_fire(const struct kernel_cell_inputs *in, struct kernel_cell_behavior *out);
/* Front-normal behaviour written when a cell burns (6.9). */
void kernel_burned_cell_behavior(const struct kernel_cell_inputs *in, float gx, float gy,
				 struct kernel_cell_behavior *out);

/* The gradient-free part of a burned cell's behaviour, so a caller can
 * compute it once per distinct input vector. */
struct kernel_cell_max {
	bool burnable;
	float z[2];                      /* elevation gradient */
	struct kernel_surface_max surface;
	struct kernel_crown_max crown;
	float crowning_spread_rate;
};
void kernel_cell_max(const struct kernel_cell_inputs *in, struct kernel_cell_max *out);
void kernel_cell_normal_behavior(const struct kernel_cell_inputs *in, const struct kernel_cell_max *m,
				 float gx, float gy, struct kernel_cell_behavior *out);

/* ------------------------------------------------------------------ */
/* Space-time cubes and landscapes (spec section 5)                    */
/* ------------------------------------------------------------------ */

enum kernel_dtype { KERNEL_F32, KERNEL_F64 };

/*
 * One layer's values sit `stride` elements apart: 1 for a layer stored on
 * its own, the record length where layers of one shape are interleaved so
 * that a cell's values share a cache line (kernel_landscape_attach).
 */
struct kernel_cube {
	int base_bands, base_rows, base_cols;  /* shape of the stored array */
	float rep_t, rep_y, rep_x;             /* cube length / base length */
	bool exact;                            /* integer ratios */
	int div_t, div_y, div_x;
	enum kernel_dtype dtype;
	int stride;                            /* elements from one cell's value to the next */
	const void *data;                      /* the value at base index (0, 0, 0) */
};

struct kernel_landscape {
	int bands, rows, cols;
	float band_duration;             /* min */
	float cell_height, cell_width;   /* m */
	struct kernel_cube layer[KERNEL_LAYERS];
	float refresh_rate[KERNEL_INPUTS];  /* 1/min */
};

/*
 * Where (t, y, x) is stored: the stored band, the stored cell within a
 * band, and from both the element index in c's data.  Layers of one stored
 * shape share the first two, whatever their stride.
 */
static inline long kernel_cube_band(const struct kernel_cube *c, int t)
{
	if (c->exact)
		return c->div_t == 1 ? t : t / c->div_t;
	return (long)((float)t / c->rep_t);
}

/* Full-resolution layers (the usual case) skip the divisions. */
static inline long kernel_cube_cell(const struct kernel_cube *c, int y, int x)
{
	long by, bx;
	if (c->exact) {
		by = c->div_y == 1 ? y : y / c->div_y;
		bx = c->div_x == 1 ? x : x / c->div_x;
	} else {
		by = (long)((float)y / c->rep_y);
		bx = (long)((float)x / c->rep_x);
	}
	return by * c->base_cols + bx;
}

static inline long kernel_cube_index(const struct kernel_cube *c, int t, int y, int x)
{
	return (kernel_cube_band(c, t) * c->base_rows * c->base_cols + kernel_cube_cell(c, y, x)) *
	       c->stride;
}

static inline float kernel_cube_at(const struct kernel_cube *c, long i)
{
	if (c->dtype == KERNEL_F64)
		return (float)((const double *)c->data)[i];
	return ((const float *)c->data)[i];
}

static inline float kernel_cube_get(const struct kernel_cube *c, int t, int y, int x)
{
	return kernel_cube_at(c, kernel_cube_index(c, t, y, x));
}

/* A layer stored on its own (stride 1). */
void kernel_cube_init(struct kernel_cube *c, const struct kernel_landscape *ls,
		      int base_bands, int base_rows, int base_cols,
		      enum kernel_dtype dtype, const void *data);
void kernel_cell_inputs_read(const struct kernel_landscape *ls, int t, int y, int x,
			     struct kernel_cell_inputs *out);

/* ------------------------------------------------------------------ */
/* Scenarios and jobs                                                  */
/* ------------------------------------------------------------------ */

struct kernel_job {
	int id;
	int y, x;                        /* ignition cell */
	float start_time;                /* min */
	float duration;                  /* min */
	double expected_cost;            /* relative, for cost-aware schedules */
};

enum kernel_job_mix {
	KERNEL_JOBS_IDENTICAL,           /* every job is the scenario's reference fire */
	KERNEL_JOBS_MIXED,               /* ignitions, starts and durations vary by seed */
};

/*
 * A scenario describes a landscape without holding it: its inputs are laid
 * out in one contiguous block so that a strategy can put that block in
 * private memory, shared memory or an MPI window and attach a landscape to
 * it.  The block holds no pointers, so it may sit at any address.  Layers
 * of the same stored shape are interleaved, one record per stored cell, so
 * that the inputs the fire reads together share cache lines and pages.
 * Building writes every byte of the block.
 */
struct kernel_scenario {
	const char *name;
	const char *summary;
	int bands, rows, cols;
	float band_duration, cell_height, cell_width;
	int base_shape[KERNEL_LAYERS][3];
	uint64_t seed;
	struct kernel_job reference_job;
	float refresh_rate[KERNEL_INPUTS];
};

int kernel_scenario_find(const char *name, uint64_t seed, struct kernel_scenario *out);
const char *kernel_scenario_names(void);
size_t kernel_scenario_input_bytes(const struct kernel_scenario *sc, enum kernel_dtype dtype);
/* Fill buf (kernel_scenario_input_bytes long) with the scenario's layers. */
int kernel_scenario_build(const struct kernel_scenario *sc, enum kernel_dtype dtype, void *buf);
/*
 * Fill part `part` of `nparts` of that block (0 <= part < nparts): the
 * parts are disjoint runs of whole 4096-byte pages, so that threads or
 * processes may fill different parts of one block at once without sharing
 * a page, and together they write exactly what kernel_scenario_build
 * writes.  Returns 0, or -EINVAL for a part outside [0, nparts).
 */
int kernel_scenario_build_part(const struct kernel_scenario *sc, enum kernel_dtype dtype, void *buf,
			       int part, int nparts);
/* Point a landscape at a built block (no copy). */
void kernel_landscape_attach(const struct kernel_scenario *sc, enum kernel_dtype dtype,
			     const void *buf, struct kernel_landscape *ls);
/* Job n (any n >= 0) of the scenario's list; the same (seed, mix, n)
 * always gives the same job. */
int kernel_scenario_job(const struct kernel_scenario *sc, enum kernel_job_mix mix, int n,
			struct kernel_job *out);
int kernel_job_mix_parse(const char *s, enum kernel_job_mix *out);
const char *kernel_job_mix_name(enum kernel_job_mix mix);
/* Page-aligned, zero-filled memory for a landscape block (mmap). */
void *kernel_block_alloc(size_t bytes);
void kernel_block_free(void *p, size_t bytes);

/* ------------------------------------------------------------------ */
/* Fires (spec section 6)                                              */
/* ------------------------------------------------------------------ */

enum kernel_stop {
	KERNEL_STOP_MAX_DURATION,
	KERNEL_STOP_ZERO_TIMESTEP,
	KERNEL_STOP_NO_BURNABLE,
};

struct kernel_fire_result {
	long burned_cells;               /* fire_type > 0 */
	long crowned_cells;              /* fire_type > 1 */
	long type_counts[4];
	long tracked_cells_end;
	long ignited_cells;
	int steps;
	float stop_time;
	enum kernel_stop stop_condition;
	double length_to_width;          /* empirical, spec 7.2 */
	int bbox[4];                     /* y0, y1, x0, x1 of burned cells, inclusive */
	uint64_t checksum;               /* of the time-of-arrival raster */
};

struct kernel_fire;

/* A fire's working state for one landscape; reusable for many jobs. */
int kernel_fire_new(const struct kernel_landscape *ls, struct kernel_fire **out);
void kernel_fire_free(struct kernel_fire *f);
/* Threads a fire splits its passes across: 1 (the default), N, or 0 for
 * OpenMP's default (OMP_NUM_THREADS, else one per CPU).  More than one
 * needs a kernel built with OpenMP (-ENOTSUP otherwise).  The output is
 * bit-identical at any thread count. */
int kernel_fire_set_threads(struct kernel_fire *f, int threads);
int kernel_fire_threads(const struct kernel_fire *f);
/* A step over fewer tracked cells than `band` stays on one thread; the
 * default suits real fires, tests set it low to split tiny ones.  `burned`
 * no longer matters: the thread that owns a burned cell's rows computes
 * its outputs, however many burn. */
void kernel_fire_set_split_min(struct kernel_fire *f, size_t band, size_t burned);
bool kernel_has_openmp(void);
/* What kernel_fire_set_threads(f, 0) would give in this process. */
int kernel_default_threads(void);
/* Runs one job from a fresh state.  Returns 0 or a negative errno. */
int kernel_fire_run(struct kernel_fire *f, const struct kernel_job *job,
		    struct kernel_fire_result *res);

/* Per-cell outputs of the last run (valid until the next run or free). */
float kernel_fire_time_of_arrival(const struct kernel_fire *f, int y, int x);
int kernel_fire_type(const struct kernel_fire *f, int y, int x);
float kernel_fire_spread_rate(const struct kernel_fire *f, int y, int x);
float kernel_fire_spread_direction(const struct kernel_fire *f, int y, int x);
float kernel_fire_intensity(const struct kernel_fire *f, int y, int x);
float kernel_fire_flame_length(const struct kernel_fire *f, int y, int x);
float kernel_fire_phi(const struct kernel_fire *f, int y, int x);

const char *kernel_stop_name(enum kernel_stop s);
/* Areal throughput (spec 7.2): Mha per CPU-hour from ms per burned cell. */
double kernel_mha_per_cpu_hr(double runtime_s, long burned_cells);

#endif
