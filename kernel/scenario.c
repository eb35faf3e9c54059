/*
 * scenario.c - the scenarios spreadbench runs: `prof` (the reproduced
 * benchmark of kernel-spec.md section 7: 5000 x 5000 cells, 1.55 GB of
 * float32 inputs, one constant cell repeated), `demo` (a synthetic county
 * generated from a seed: hills, fuel patches, a river, canopy, wind and
 * moisture that change by the hour) and `tiny` (the same generator, small
 * enough for unit tests).  Each also defines its jobs: the reference fire
 * repeated ("identical") or fires whose ignition, start and duration are
 * drawn from the seed ("mixed"), so that jobs differ in cost.
 *
 * A landscape lives in one contiguous block, laid out here, so that a
 * strategy can place that block in private memory, shared memory or an
 * MPI window and attach a landscape to it without copying.  Synthetic
 * layers are pure functions of (seed, cell): the job generator can ask
 * whether a cell burns without the block being built.
 */
#include "kernel.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define ALIGN 4096

static uint64_t splitmix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1) from a seed and up to three integer keys. */
static double unit_hash(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t h = splitmix(seed ^ splitmix(a ^ splitmix(b ^ splitmix(c))));
	return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

/* ---------------------------------------------------------------- */
/* Layout                                                            */
/* ---------------------------------------------------------------- */

/*
 * The block is one array of records per stored shape, in the order the
 * shapes first appear among the layers, each starting on a page: record r
 * of a group holds, in layer order, the value of every layer of that shape
 * at stored cell r.  A fire reads all of a cell's inputs at once, so one
 * record costs it one or two cache lines where a layer per array cost one
 * line per layer.
 */
struct layout {
	int groups;
	int members[KERNEL_LAYERS];               /* record length of group g */
	int layer_at[KERNEL_LAYERS][KERNEL_LAYERS]; /* group g, field j -> layer */
	int group_of[KERNEL_LAYERS], field_of[KERNEL_LAYERS];
	size_t records[KERNEL_LAYERS];            /* stored cells of group g */
	size_t offset[KERNEL_LAYERS + 1];         /* bytes; offset[groups] is the total */
	size_t esize;                             /* bytes per value */
};

static bool same_shape(const int *a, const int *b)
{
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2];
}

static void layout_of(const struct kernel_scenario *sc, enum kernel_dtype dtype, struct layout *lo)
{
	memset(lo, 0, sizeof *lo);
	lo->esize = dtype == KERNEL_F64 ? 8 : 4;
	for (int k = 0; k < KERNEL_LAYERS; k++) {
		int g = 0;
		while (g < lo->groups && !same_shape(sc->base_shape[lo->layer_at[g][0]], sc->base_shape[k]))
			g++;
		if (g == lo->groups) {
			const int *s = sc->base_shape[k];
			lo->records[g] = (size_t)s[0] * s[1] * s[2];
			lo->groups++;
		}
		lo->group_of[k] = g;
		lo->field_of[k] = lo->members[g];
		lo->layer_at[g][lo->members[g]++] = k;
	}
	for (int g = 0; g < lo->groups; g++) {
		size_t bytes = lo->records[g] * lo->members[g] * lo->esize;
		lo->offset[g + 1] = lo->offset[g] + (bytes + ALIGN - 1) / ALIGN * ALIGN;
	}
}

size_t kernel_scenario_input_bytes(const struct kernel_scenario *sc, enum kernel_dtype dtype)
{
	struct layout lo;
	layout_of(sc, dtype, &lo);
	return lo.offset[lo.groups];
}

void kernel_landscape_attach(const struct kernel_scenario *sc, enum kernel_dtype dtype,
			     const void *buf, struct kernel_landscape *ls)
{
	struct layout lo;
	layout_of(sc, dtype, &lo);
	memset(ls, 0, sizeof *ls);
	ls->bands = sc->bands;
	ls->rows = sc->rows;
	ls->cols = sc->cols;
	ls->band_duration = sc->band_duration;
	ls->cell_height = sc->cell_height;
	ls->cell_width = sc->cell_width;
	for (int k = 0; k < KERNEL_LAYERS; k++) {
		const int *s = sc->base_shape[k];
		int g = lo.group_of[k];
		kernel_cube_init(&ls->layer[k], ls, s[0], s[1], s[2], dtype,
				 (const char *)buf + lo.offset[g] + lo.field_of[k] * lo.esize);
		ls->layer[k].stride = lo.members[g];
	}
	memcpy(ls->refresh_rate, sc->refresh_rate, sizeof ls->refresh_rate);
}

/*
 * Landscape blocks are large and written whole, so they ask for
 * transparent huge pages: 2 MiB faults instead of 4 KiB ones cut the
 * kernel's share of building `prof` several times over.
 */
void *kernel_block_alloc(size_t bytes)
{
	void *p = mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	if (bytes >= (64u << 20))
		madvise(p, bytes, MADV_HUGEPAGE);
#endif
	return p;
}

void kernel_block_free(void *p, size_t bytes)
{
	if (p)
		munmap(p, bytes ? bytes : 1);
}

/* ---------------------------------------------------------------- */
/* prof: kernel-spec.md section 7                                    */
/* ---------------------------------------------------------------- */

static const float prof_values[KERNEL_LAYERS] = {
	[KERNEL_IN_SLOPE] = 0.8f,
	[KERNEL_IN_ASPECT] = 225.0f,
	[KERNEL_IN_FUEL_MODEL] = 185.0f,
	[KERNEL_IN_CANOPY_COVER] = 0.7f,
	[KERNEL_IN_CANOPY_HEIGHT] = 10.0f,
	[KERNEL_IN_CANOPY_BASE_HEIGHT] = 0.5f,
	[KERNEL_IN_CANOPY_BULK_DENSITY] = 0.3f,
	[KERNEL_IN_WIND_SPEED_10M] = 10.0f,
	[KERNEL_IN_UPWIND_DIRECTION] = 180.0f,
	[KERNEL_IN_M1] = 0.03f,
	[KERNEL_IN_M10] = 0.04f,
	[KERNEL_IN_M100] = 0.05f,
	[KERNEL_IN_MHERB] = 0.90f,
	[KERNEL_IN_MWOODY] = 0.60f,
	[KERNEL_IN_FOLIAR_MOISTURE] = 0.70f,
	[KERNEL_IN_FUEL_ADJ] = 1.0f,
	[KERNEL_IN_WEATHER_ADJ] = 1.0f,
	[KERNEL_IN_TEMPERATURE] = 30.0f,
};

static bool prof_is_2d(int k)
{
	return k <= KERNEL_IN_CANOPY_BULK_DENSITY || k == KERNEL_IN_FUEL_ADJ;
}

static void prof_describe(struct kernel_scenario *sc)
{
	sc->summary = "the reproduced benchmark: 5000x5000 cells, 1.55 GB float32, TL5 under wind and slope";
	sc->bands = 75;
	sc->rows = sc->cols = 5000;
	sc->band_duration = 60.0f;
	sc->cell_height = sc->cell_width = 30.0f;
	for (int k = 0; k < KERNEL_LAYERS; k++) {
		int *s = sc->base_shape[k];
		if (prof_is_2d(k)) {
			s[0] = 1, s[1] = 5000, s[2] = 5000;
		} else {
			s[0] = 75, s[1] = 500, s[2] = 500;
		}
	}
	sc->reference_job = (struct kernel_job){ 0, 500, 500, 2070.0f, 720.0f, 1.0 };
	for (int k = 0; k < KERNEL_INPUTS; k++)
		sc->refresh_rate[k] = k <= KERNEL_IN_CANOPY_BULK_DENSITY ? 0.0f : (float)(1.0 / 60.0);
	sc->refresh_rate[KERNEL_IN_WIND_SPEED_10M] = (float)(1.0 / 15.0);
	sc->refresh_rate[KERNEL_IN_UPWIND_DIRECTION] = (float)(1.0 / 15.0);
	sc->refresh_rate[KERNEL_IN_M1] = (float)(1.0 / 30.0);
	sc->refresh_rate[KERNEL_IN_WEATHER_ADJ] = (float)(1.0 / 30.0);
	sc->refresh_rate[KERNEL_IN_FUEL_ADJ] = 0.0f;
}

/* ---------------------------------------------------------------- */
/* Synthetic counties: demo and tiny                                 */
/* ---------------------------------------------------------------- */

/* Smooth value noise in [0, 1): bilinear over a hashed lattice. */
static double value_noise(uint64_t seed, uint64_t layer, double y, double x, double scale)
{
	double fy = y / scale, fx = x / scale;
	double y0 = floor(fy), x0 = floor(fx);
	double ty = fy - y0, tx = fx - x0;
	ty = ty * ty * (3 - 2 * ty);
	tx = tx * tx * (3 - 2 * tx);
	uint64_t iy = (uint64_t)(int64_t)y0, ix = (uint64_t)(int64_t)x0;
	double a = unit_hash(seed, layer, iy, ix), b = unit_hash(seed, layer, iy, ix + 1);
	double c = unit_hash(seed, layer, iy + 1, ix), d = unit_hash(seed, layer, iy + 1, ix + 1);
	return (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty;
}

/* Elevation (m) and its gradient from a few Gaussian hills. */
static void terrain(const struct kernel_scenario *sc, double y, double x, double *dzdx, double *dzdy)
{
	int hills = 6;
	double gx = 0, gy = 0;
	double size = sc->rows;
	for (int h = 0; h < hills; h++) {
		double cy = unit_hash(sc->seed, 101, (uint64_t)h, 0) * size;
		double cx = unit_hash(sc->seed, 101, (uint64_t)h, 1) * size;
		double r = (0.08 + 0.2 * unit_hash(sc->seed, 101, (uint64_t)h, 2)) * size;
		double amp = (80.0 + 320.0 * unit_hash(sc->seed, 101, (uint64_t)h, 3)) *
			     (h % 3 == 2 ? -0.5 : 1.0);
		double dy = y - cy, dx = x - cx;
		double e = amp * exp(-(dy * dy + dx * dx) / (2 * r * r));
		/* d/dx of the hill, per metre of ground. */
		gx += -e * dx / (r * r) / sc->cell_width;
		gy += -e * dy / (r * r) / sc->cell_height;
	}
	*dzdx = gx;
	*dzdy = gy;
}

static const int synth_fuels[] = { 102, 104, 122, 145, 165, 185, 142, 188 };

static bool synth_river(const struct kernel_scenario *sc, int y, int x)
{
	/* A meandering river from west to east with two fords. */
	double mid = sc->rows * (0.3 + 0.4 * unit_hash(sc->seed, 201, 0, 0));
	double amp = sc->rows * 0.08;
	double yc = mid + amp * sin(6.283185307179586 * x / (sc->cols * 0.7));
	double width = sc->rows > 100 ? 2.5 : 1.0;
	bool ford = (x % (sc->cols / 2 + 1)) < sc->cols / 20 + 1;
	return fabs(y - yc) < width && !ford;
}

static int synth_fuel(const struct kernel_scenario *sc, int y, int x)
{
	if (synth_river(sc, y, x))
		return 98;
	double town = value_noise(sc->seed, 301, y, x, sc->rows / 6.0);
	if (town > 0.93)
		return 91;
	double v = value_noise(sc->seed, 302, y, x, sc->rows / 10.0);
	int n = (int)(sizeof synth_fuels / sizeof synth_fuels[0]);
	int i = (int)(v * n);
	return synth_fuels[i < n ? i : n - 1];
}

static bool timber(int fuel)
{
	return fuel >= 160 && fuel < 200;
}

static float synth_value(const struct kernel_scenario *sc, int k, int t, int y, int x)
{
	double hour = fmod(t, 24.0);
	double diurnal = cos(6.283185307179586 * (hour - 15.0) / 24.0); /* 1 at 15:00 */
	int fuel;
	double dzdx, dzdy;
	switch (k) {
	case KERNEL_IN_SLOPE:
		terrain(sc, y + 0.5, x + 0.5, &dzdx, &dzdy);
		return (float)sqrt(dzdx * dzdx + dzdy * dzdy);
	case KERNEL_IN_ASPECT:
		/* Downslope azimuth; +y is north in the model's frame. */
		terrain(sc, y + 0.5, x + 0.5, &dzdx, &dzdy);
		if (dzdx == 0 && dzdy == 0)
			return 0.0f;
		return (float)fmod(atan2(-dzdx, -dzdy) * 180.0 / 3.141592653589793 + 360.0, 360.0);
	case KERNEL_IN_FUEL_MODEL:
		return (float)synth_fuel(sc, y, x);
	case KERNEL_IN_CANOPY_COVER:
		fuel = synth_fuel(sc, y, x);
		return timber(fuel) ? (float)(0.45 + 0.4 * value_noise(sc->seed, 401, y, x, 12)) : 0.0f;
	case KERNEL_IN_CANOPY_HEIGHT:
		fuel = synth_fuel(sc, y, x);
		return timber(fuel) ? (float)(12.0 + 14.0 * value_noise(sc->seed, 402, y, x, 15)) : 0.0f;
	case KERNEL_IN_CANOPY_BASE_HEIGHT:
		fuel = synth_fuel(sc, y, x);
		return timber(fuel) ? (float)(0.5 + 4.0 * value_noise(sc->seed, 403, y, x, 9)) : 0.0f;
	case KERNEL_IN_CANOPY_BULK_DENSITY:
		fuel = synth_fuel(sc, y, x);
		return timber(fuel) ? (float)(0.06 + 0.22 * value_noise(sc->seed, 404, y, x, 11)) : 0.0f;
	case KERNEL_IN_FUEL_ADJ:
	case KERNEL_IN_WEATHER_ADJ:
		return 1.0f;
	case KERNEL_IN_WIND_SPEED_10M:
		return (float)(18.0 + 8.0 * diurnal + 8.0 * value_noise(sc->seed, 501, t, x, 3) +
			       4.0 * value_noise(sc->seed, 502, y, t, 4));
	case KERNEL_IN_UPWIND_DIRECTION:
		return (float)fmod(200.0 + 50.0 * sin(t / 7.0) + 30.0 * value_noise(sc->seed, 503, y, x, 5) +
				   360.0, 360.0);
	case KERNEL_IN_M1:
		return (float)(0.045 - 0.02 * diurnal);
	case KERNEL_IN_M10:
		return (float)(0.055 - 0.015 * diurnal);
	case KERNEL_IN_M100:
		return (float)(0.07 - 0.01 * diurnal);
	case KERNEL_IN_MHERB:
		return (float)(0.5 + 0.6 * value_noise(sc->seed, 601, y, x, 4));
	case KERNEL_IN_MWOODY:
		return (float)(0.8 + 0.4 * value_noise(sc->seed, 602, y, x, 4));
	case KERNEL_IN_FOLIAR_MOISTURE:
		return (float)(0.85 + 0.2 * value_noise(sc->seed, 603, y, x, 4));
	case KERNEL_IN_TEMPERATURE:
		return (float)(22.0 + 8.0 * diurnal);
	}
	return 0.0f;
}

/* 2-D layers at full resolution; weather at a 10x coarser grid by the hour. */
static void synth_describe(struct kernel_scenario *sc, int n, int bands)
{
	sc->bands = bands;
	sc->rows = sc->cols = n;
	sc->band_duration = 60.0f;
	sc->cell_height = sc->cell_width = 30.0f;
	int coarse = n / 10;
	for (int k = 0; k < KERNEL_LAYERS; k++) {
		int *s = sc->base_shape[k];
		if (k <= KERNEL_IN_CANOPY_BULK_DENSITY || k == KERNEL_IN_FUEL_ADJ) {
			s[0] = 1, s[1] = n, s[2] = n;
		} else {
			s[0] = bands, s[1] = coarse, s[2] = coarse;
		}
	}
	for (int k = 0; k < KERNEL_INPUTS; k++)
		sc->refresh_rate[k] = k <= KERNEL_IN_CANOPY_BULK_DENSITY ? 0.0f : (float)(1.0 / 60.0);
	sc->refresh_rate[KERNEL_IN_WIND_SPEED_10M] = (float)(1.0 / 15.0);
	sc->refresh_rate[KERNEL_IN_UPWIND_DIRECTION] = (float)(1.0 / 15.0);
}

/* ---------------------------------------------------------------- */
/* Registry and jobs                                                 */
/* ---------------------------------------------------------------- */

int kernel_scenario_find(const char *name, uint64_t seed, struct kernel_scenario *out)
{
	memset(out, 0, sizeof *out);
	out->seed = seed;
	if (strcmp(name, "prof") == 0) {
		out->name = "prof";
		prof_describe(out);
	} else if (strcmp(name, "demo") == 0) {
		out->name = "demo";
		out->summary = "synthetic 400x400 county from a seed: hills, fuel patches, river, hourly weather";
		synth_describe(out, 400, 48);
		out->reference_job = (struct kernel_job){ 0, 150, 200, 600.0f, 480.0f, 1.0 };
	} else if (strcmp(name, "tiny") == 0) {
		out->name = "tiny";
		out->summary = "synthetic 60x60 county for tests";
		synth_describe(out, 60, 24);
		out->reference_job = (struct kernel_job){ 0, 30, 30, 600.0f, 240.0f, 1.0 };
	} else {
		return -ENOENT;
	}
	return 0;
}

const char *kernel_scenario_names(void)
{
	return "prof, demo, tiny";
}

/* ---------------------------------------------------------------- */
/* Building                                                          */
/* ---------------------------------------------------------------- */

/* Layer k at stored cell (t, y, x) of its own shape. */
static float stored_value(const struct kernel_scenario *sc, bool prof, int k, int t, int y, int x)
{
	if (prof)
		return prof_values[k];
	const int *s = sc->base_shape[k];
	int sy = sc->rows / s[1], sx = sc->cols / s[2];
	return synth_value(sc, k, t, y * sy + sy / 2, x * sx + sx / 2);
}

static void put_value(const struct layout *lo, char *dst, size_t e, float v)
{
	if (lo->esize == 8)
		((double *)dst)[e] = v;
	else
		((float *)dst)[e] = v;
}

/* Values [e0, e1) of group g when every record holds the same values
 * (prof's layers are constant): whole records copied from a pattern of
 * them, which runs at memory speed instead of a value at a time. */
static void fill_repeated(const struct layout *lo, int g, const float *rec, char *dst, size_t e0, size_t e1)
{
	size_t m = (size_t)lo->members[g], e = e0;
	for (; e < e1 && e % m; e++)
		put_value(lo, dst, e, rec[e % m]);
	_Alignas(64) char pattern[16384];
	size_t n = sizeof pattern / (m * lo->esize) * m; /* values in whole records */
	for (size_t i = 0; i < n; i++)
		put_value(lo, pattern, i, rec[i % m]);
	for (; e + n <= e1; e += n)
		memcpy(dst + e * lo->esize, pattern, n * lo->esize);
	for (; e < e1; e++)
		put_value(lo, dst, e, rec[e % m]);
}

/* Values [e0, e1) of group g, counted from the group's first value. */
static void fill_values(const struct kernel_scenario *sc, const struct layout *lo, int g, char *dst,
			size_t e0, size_t e1)
{
	bool prof = strcmp(sc->name, "prof") == 0;
	if (prof) {
		float rec[KERNEL_LAYERS];
		for (int j = 0; j < lo->members[g]; j++)
			rec[j] = prof_values[lo->layer_at[g][j]];
		fill_repeated(lo, g, rec, dst, e0, e1);
		return;
	}
	const int *s = sc->base_shape[lo->layer_at[g][0]];
	const int *layer = lo->layer_at[g];
	size_t m = (size_t)lo->members[g], r = e0 / m, j = e0 % m;
	int x = (int)(r % (size_t)s[2]);
	int y = (int)(r / (size_t)s[2] % (size_t)s[1]);
	int t = (int)(r / ((size_t)s[2] * (size_t)s[1]));
	for (size_t e = e0; e < e1;) {
		for (; j < m && e < e1; j++, e++) {
			put_value(lo, dst, e, stored_value(sc, prof, layer[j], t, y, x));
		}
		j = 0;
		if (++x == s[2]) {
			x = 0;
			if (++y == s[1]) {
				y = 0;
				t++;
			}
		}
	}
}

int kernel_scenario_build_part(const struct kernel_scenario *sc, enum kernel_dtype dtype, void *buf,
			       int part, int nparts)
{
	if (nparts < 1 || part < 0 || part >= nparts)
		return -EINVAL;
	struct layout lo;
	layout_of(sc, dtype, &lo);
	size_t pages = lo.offset[lo.groups] / ALIGN;
	size_t lo_b = pages * (size_t)part / (size_t)nparts * ALIGN;
	size_t hi_b = pages * (size_t)(part + 1) / (size_t)nparts * ALIGN;
	for (int g = 0; g < lo.groups; g++) {
		size_t start = lo.offset[g];
		size_t data_end = start + lo.records[g] * lo.members[g] * lo.esize;
		size_t a = lo_b > start ? lo_b : start, b = hi_b < data_end ? hi_b : data_end;
		if (a < b)
			fill_values(sc, &lo, g, (char *)buf + start, (a - start) / lo.esize,
				    (b - start) / lo.esize);
		/* The padding up to the next page is part of the block too. */
		a = lo_b > data_end ? lo_b : data_end;
		b = hi_b < lo.offset[g + 1] ? hi_b : lo.offset[g + 1];
		if (a < b)
			memset((char *)buf + a, 0, b - a);
	}
	return 0;
}

int kernel_scenario_build(const struct kernel_scenario *sc, enum kernel_dtype dtype, void *buf)
{
	return kernel_scenario_build_part(sc, dtype, buf, 0, 1);
}

static bool job_cell_burnable(const struct kernel_scenario *sc, int y, int x)
{
	if (strcmp(sc->name, "prof") == 0)
		return true;
	return kernel_fuel_model(synth_fuel(sc, y, x))->burnable;
}

int kernel_scenario_job(const struct kernel_scenario *sc, enum kernel_job_mix mix, int n,
			struct kernel_job *out)
{
	if (n < 0)
		return -EINVAL;
	*out = sc->reference_job;
	out->id = n;
	if (mix == KERNEL_JOBS_IDENTICAL)
		return 0;
	bool prof = strcmp(sc->name, "prof") == 0;
	const struct kernel_job *ref = &sc->reference_job;
	double u_dur = unit_hash(sc->seed, 701, (uint64_t)n, 0);
	double u_start = unit_hash(sc->seed, 701, (uint64_t)n, 1);
	/* Durations from a third to all of the reference; fire cost grows
	 * roughly with the square of duration in steady conditions. */
	float dur = (float)floor(ref->duration * (0.34 + 0.66 * u_dur));
	float latest = (float)(sc->bands * sc->band_duration) - dur - 1.0f;
	float earliest = prof ? 600.0f : 0.0f;
	float start = (float)floor(earliest + (latest - earliest) * u_start);
	int margin = prof ? 300 : sc->rows / 8;
	int y = ref->y, x = ref->x;
	for (int tries = 0; tries < 1000; tries++) {
		y = margin + (int)(unit_hash(sc->seed, 702, (uint64_t)n, (uint64_t)tries) * (sc->rows - 2 * margin));
		x = margin + (int)(unit_hash(sc->seed, 703, (uint64_t)n, (uint64_t)tries) * (sc->cols - 2 * margin));
		if (prof)
			y = y * 3 / 4; /* leave room for the fire to run north */
		if (job_cell_burnable(sc, y, x))
			break;
	}
	out->y = y;
	out->x = x;
	out->start_time = start;
	out->duration = dur;
	out->expected_cost = (double)(dur / ref->duration) * (dur / ref->duration);
	return 0;
}

int kernel_job_mix_parse(const char *s, enum kernel_job_mix *out)
{
	if (strcmp(s, "identical") == 0)
		*out = KERNEL_JOBS_IDENTICAL;
	else if (strcmp(s, "mixed") == 0)
		*out = KERNEL_JOBS_MIXED;
	else
		return -EINVAL;
	return 0;
}

const char *kernel_job_mix_name(enum kernel_job_mix mix)
{
	return mix == KERNEL_JOBS_MIXED ? "mixed" : "identical";
}
