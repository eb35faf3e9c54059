/*
 * photon.c - an example workload for spreadbench: Monte Carlo transport of
 * photons through a block of materials.
 *
 * The shared, read-only input is a 3-D grid of material numbers (g^3
 * bytes, 8 MiB at the default g = 200) and a small table of each
 * material's attenuation and scattering albedo.  A job sends a beam of
 * photons into the block from a seeded point and follows each one, step
 * by step, until it is absorbed or leaves: compute-bound, since the grid
 * stays in cache, and unequal, since a mixed job's beam has between a
 * quarter and four times the photons of the identical job.  Its answer
 * is a hash of where each photon ended and how.
 *
 * Build it against an installed spreadbench:
 *   cc -O2 -fPIC -shared $(pkg-config --cflags spreadbench) photon.c -o libphoton.so -lm
 *
 * Options: grid=G (default 200), photons=P (the identical job's beam,
 * default 300000).
 */
#include <spreadbench/workload.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MATERIALS 4
#define PI 3.14159265358979323846

struct material {
	double mu;                       /* attenuation per cell */
	double albedo;                   /* chance a collision scatters rather than absorbs */
};

struct workload_scenario {
	uint64_t seed;
	int grid, photons;
	char options[64];
};

struct workload_view {
	const struct workload_scenario *sc;
	const struct material *mat;      /* MATERIALS entries, at the start of the block */
	const unsigned char *cell;       /* grid^3 material numbers after them */
};

struct workload_state {
	const struct workload_view *v;
};

static uint64_t next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

/* A uniform number in (0, 1). */
static double uniform(uint64_t *s)
{
	return ((double)(next(s) >> 11) + 0.5) * 0x1.0p-53;
}

static int photon_open(const char *scenario, uint64_t seed, int dtype, const char *options,
		       struct workload_scenario **out)
{
	*out = NULL;
	if (strcmp(scenario, "default") != 0)
		return -EINVAL;
	if (dtype != WORKLOAD_F32)
		return -ENOTSUP;
	struct workload_scenario *sc = calloc(1, sizeof *sc);
	if (!sc)
		return -ENOMEM;
	sc->seed = seed;
	sc->grid = 200;
	sc->photons = 300000;
	const char *p = options ? options : "";
	while (*p) {
		int v, used = 0;
		if (sscanf(p, "grid=%d%n", &v, &used) == 1 && used && v >= 8 && v <= 2000)
			sc->grid = v;
		else if (sscanf(p, "photons=%d%n", &v, &used) == 1 && used && v >= 1 && v <= 100000000)
			sc->photons = v;
		else {
			free(sc);
			return -EINVAL;
		}
		p += used;
		if (*p == ',')
			p++;
		else if (*p) {
			free(sc);
			return -EINVAL;
		}
	}
	snprintf(sc->options, sizeof sc->options, "grid=%d,photons=%d", sc->grid, sc->photons);
	*out = sc;
	return 0;
}

static void photon_close(struct workload_scenario *sc)
{
	free(sc);
}

static const char *photon_options(const struct workload_scenario *sc)
{
	return sc->options;
}

static size_t photon_input_bytes(const struct workload_scenario *sc)
{
	size_t g = (size_t)sc->grid;
	return MATERIALS * sizeof(struct material) + g * g * g;
}

/* Part 0 writes the material table; the grid's planes are split among
 * the parts.  Materials come in blobs of 10 cells a side. */
static int photon_build(const struct workload_scenario *sc, void *block, int part, int nparts)
{
	static const struct material table[MATERIALS] = { { 0.02, 0.99 }, { 0.2, 0.9 }, { 0.5, 0.6 }, { 1.5, 0.3 } };
	size_t g = (size_t)sc->grid;
	if (part == 0)
		memcpy(block, table, sizeof table);
	unsigned char *cell = (unsigned char *)block + sizeof table;
	for (size_t z = g * (size_t)part / (size_t)nparts; z < g * (size_t)(part + 1) / (size_t)nparts; z++)
		for (size_t y = 0; y < g; y++)
			for (size_t x = 0; x < g; x++) {
				uint64_t s = sc->seed ^ (z / 10 * 1000003 + y / 10 * 1009 + x / 10 + 1);
				cell[(z * g + y) * g + x] = (unsigned char)(next(&s) % MATERIALS);
			}
	return 0;
}

static int photon_attach(const struct workload_scenario *sc, const void *block, struct workload_view **out)
{
	struct workload_view *v = malloc(sizeof *v);
	*out = NULL;
	if (!v)
		return -ENOMEM;
	v->sc = sc;
	v->mat = block;
	v->cell = (const unsigned char *)block + MATERIALS * sizeof(struct material);
	*out = v;
	return 0;
}

static void photon_detach(struct workload_view *v)
{
	free(v);
}

/* The beam's photons: the identical job's, or between a quarter and four
 * times that for a mixed one (log-uniform from the seed). */
static int beam(const struct workload_scenario *sc, int mix, int n)
{
	if (mix != WORKLOAD_JOBS_MIXED)
		return sc->photons;
	uint64_t s = sc->seed * 7 + (uint64_t)n + 1;
	double f = pow(4.0, 2 * uniform(&s) - 1);
	int p = (int)(sc->photons * f);
	return p > 0 ? p : 1;
}

static int photon_job(const struct workload_scenario *sc, int mix, int n, struct workload_job *out)
{
	if (n < 0)
		return -EINVAL;
	int p = beam(sc, mix, n);
	*out = (struct workload_job){ .mix = mix, .n = n, .expected_cost = (double)p / sc->photons };
	snprintf(out->text, sizeof out->text, "a beam of %d photons", p);
	return 0;
}

static int photon_job_new(const struct workload_view *v, struct workload_state **out)
{
	struct workload_state *st = malloc(sizeof *st);
	*out = NULL;
	if (!st)
		return -ENOMEM;
	st->v = v;
	*out = st;
	return 0;
}

static int photon_run_job(struct workload_state *st, const struct workload_job *job, struct workload_summary *out)
{
	const struct workload_view *v = st->v;
	const struct workload_scenario *sc = v->sc;
	double g = sc->grid;
	/* Every job of the identical list is the same beam. */
	uint64_t n = job->mix == WORKLOAD_JOBS_MIXED ? (uint64_t)job->n : 0;
	uint64_t s = sc->seed ^ (0x51ed270b + n * 2 + (uint64_t)job->mix);
	double ex = 1 + uniform(&s) * (g - 2), ey = 1 + uniform(&s) * (g - 2);
	uint64_t hash = 0xcbf29ce484222325ull, steps = 0, absorbed = 0;
	int photons = beam(sc, job->mix, job->n);
	for (int p = 0; p < photons; p++) {
		/* Into the block from its face z = 0, straight in. */
		double x = ex, y = ey, z = 0, dx = 0, dy = 0, dz = 1;
		int fate = 0;                        /* 0 escaped, 1 absorbed */
		for (;;) {
			size_t i = ((size_t)z * (size_t)g + (size_t)y) * (size_t)g + (size_t)x;
			const struct material *m = &v->mat[v->cell[i]];
			double d = -log(uniform(&s)) / m->mu;
			x += d * dx, y += d * dy, z += d * dz;
			steps++;
			if (x < 0 || y < 0 || z < 0 || x >= g || y >= g || z >= g)
				break;
			if (uniform(&s) > m->albedo) {
				fate = 1;
				break;
			}
			/* Scatter in a new direction, uniform on the sphere. */
			dz = 2 * uniform(&s) - 1;
			double r = sqrt(1 - dz * dz), phi = 2 * PI * uniform(&s);
			dx = r * cos(phi), dy = r * sin(phi);
		}
		absorbed += fate;
		/* Where it ended, to the cell (outside the block too). */
		uint64_t where = (uint64_t)(int64_t)floor(x) << 42 ^ (uint64_t)(int64_t)floor(y) << 21 ^
				 (uint64_t)(int64_t)floor(z);
		hash = (hash ^ where ^ (uint64_t)fate) * 0x100000001b3ull;
	}
	*out = (struct workload_summary){ .checksum = hash,
					  .figure = { (double)steps, (double)absorbed, (double)(photons - (int)absorbed) } };
	return 0;
}

static void photon_job_free(struct workload_state *st)
{
	free(st);
}

static const struct workload photon = {
	.iVersion = WORKLOAD_VERSION,
	.name = "photon",
	.version = "1.0",
	.summary = "Monte Carlo photon transport through a grid of materials (compute-bound, unequal jobs)",
	.scenarios = "default",
	.default_scenario = "default",
	.options_help = "grid=200        the block's side, cells (grid^3 bytes of materials)\n"
			"photons=300000  the identical job's beam; a mixed job's has 1/4 to 4 times as many\n",
	.nfigures = 3,
	.figures = {
		{ "photon_steps", "steps", "flights between collisions, over every photon" },
		{ "absorbed", "photons", "photons absorbed in the block" },
		{ "escaped", "photons", "photons that left it" },
	},
	.open = photon_open,
	.close = photon_close,
	.options = photon_options,
	.input_bytes = photon_input_bytes,
	.build = photon_build,
	.attach = photon_attach,
	.detach = photon_detach,
	.job = photon_job,
	.job_new = photon_job_new,
	.run_job = photon_run_job,
	.job_free = photon_job_free,
};

const struct workload *spreadbench_workload(int host_version)
{
	return host_version == WORKLOAD_VERSION ? &photon : NULL;
}
