/*
 * heat.c - an example workload for spreadbench: heat diffusing over a
 * plate whose conductivity varies from place to place.
 *
 * The shared, read-only input is the conductivity map (n x n floats,
 * 64 MiB at the default n = 4096); a job puts a hot spot somewhere on the
 * plate and runs `steps` explicit diffusion steps over the whole grid, so
 * every job costs the same and each step streams the whole map: a
 * memory-bound workload with equal jobs.  Its answer is a hash of the
 * final temperatures' bits.
 *
 * Build it against an installed spreadbench:
 *   cc -O2 -fPIC -shared $(pkg-config --cflags spreadbench) heat.c -o libheat.so
 * and run it:
 *   spreadbench run --workload ./libheat.so --strategy pool-shm --workers 2 --jobs 4
 *
 * Options: n=N (grid side, default 4096), steps=S (default 8).
 */
#include <spreadbench/workload.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct workload_scenario {
	uint64_t seed;
	int n, steps;
	char options[64];
};

struct workload_view {
	const struct workload_scenario *sc;
	const float *k;                  /* conductivity, n x n */
};

struct workload_state {
	const struct workload_view *v;
	float *t, *t2;                   /* temperatures, n x n each */
};

static uint64_t hash64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int heat_open(const char *scenario, uint64_t seed, int dtype, const char *options,
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
	sc->n = 4096;
	sc->steps = 8;
	/* "n=1024,steps=4": a missing key keeps its default. */
	const char *p = options ? options : "";
	while (*p) {
		int v, used = 0;
		if (sscanf(p, "n=%d%n", &v, &used) == 1 && used && v >= 16 && v <= 65536)
			sc->n = v;
		else if (sscanf(p, "steps=%d%n", &v, &used) == 1 && used && v >= 1 && v <= 100000)
			sc->steps = v;
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
	snprintf(sc->options, sizeof sc->options, "n=%d,steps=%d", sc->n, sc->steps);
	*out = sc;
	return 0;
}

static void heat_close(struct workload_scenario *sc)
{
	free(sc);
}

static const char *heat_options(const struct workload_scenario *sc)
{
	return sc->options;
}

static size_t heat_input_bytes(const struct workload_scenario *sc)
{
	return (size_t)sc->n * (size_t)sc->n * sizeof(float);
}

/* Rows [n part / nparts, n (part + 1) / nparts): whole rows, so parts
 * share no float, and the same values whatever the split. */
static int heat_build(const struct workload_scenario *sc, void *block, int part, int nparts)
{
	float *k = block;
	size_t n = (size_t)sc->n;
	for (size_t y = n * (size_t)part / (size_t)nparts; y < n * (size_t)(part + 1) / (size_t)nparts; y++)
		for (size_t x = 0; x < n; x++) {
			/* Patches of conductivity between 0.05 and 0.25. */
			uint64_t h = hash64(sc->seed ^ ((y / 64) << 32 | (x / 64)));
			k[y * n + x] = 0.05f + 0.2f * (float)(h >> 40) / (float)(1u << 24);
		}
	return 0;
}

static int heat_attach(const struct workload_scenario *sc, const void *block, struct workload_view **out)
{
	struct workload_view *v = malloc(sizeof *v);
	*out = NULL;
	if (!v)
		return -ENOMEM;
	v->sc = sc;
	v->k = block;
	*out = v;
	return 0;
}

static void heat_detach(struct workload_view *v)
{
	free(v);
}

static int heat_job(const struct workload_scenario *sc, int mix, int n, struct workload_job *out)
{
	if (n < 0)
		return -EINVAL;
	*out = (struct workload_job){ .mix = mix, .n = n, .expected_cost = 1.0 };
	snprintf(out->text, sizeof out->text, "hot spot %d, %d steps", mix == WORKLOAD_JOBS_MIXED ? n : 0, sc->steps);
	return 0;
}

static int heat_job_new(const struct workload_view *v, struct workload_state **out)
{
	size_t cells = (size_t)v->sc->n * (size_t)v->sc->n;
	struct workload_state *st = calloc(1, sizeof *st);
	*out = NULL;
	if (!st)
		return -ENOMEM;
	st->v = v;
	st->t = malloc(cells * sizeof(float));
	st->t2 = malloc(cells * sizeof(float));
	if (!st->t || !st->t2) {
		free(st->t);
		free(st->t2);
		free(st);
		return -ENOMEM;
	}
	*out = st;
	return 0;
}

static int heat_run_job(struct workload_state *st, const struct workload_job *job, struct workload_summary *out)
{
	const struct workload_scenario *sc = st->v->sc;
	const float *k = st->v->k;
	size_t n = (size_t)sc->n;
	float *t = st->t, *t2 = st->t2;
	memset(t, 0, n * n * sizeof *t);
	/* The hot spot: where the job's number puts it. */
	uint64_t h = hash64(sc->seed + 1 + (uint64_t)(job->mix == WORKLOAD_JOBS_MIXED ? job->n : 0));
	size_t cy = 1 + (size_t)(h % (n - 2)), cx = 1 + (size_t)((h >> 32) % (n - 2));
	t[cy * n + cx] = 1000.0f;
	for (int s = 0; s < sc->steps; s++) {
		memcpy(t2, t, n * sizeof *t);            /* the borders stay */
		memcpy(t2 + (n - 1) * n, t + (n - 1) * n, n * sizeof *t);
		for (size_t y = 1; y + 1 < n; y++) {
			t2[y * n] = t[y * n];
			t2[y * n + n - 1] = t[y * n + n - 1];
			for (size_t x = 1; x + 1 < n; x++) {
				size_t i = y * n + x;
				float lap = t[i - 1] + t[i + 1] + t[i - n] + t[i + n] - 4 * t[i];
				t2[i] = t[i] + k[i] * lap;
			}
		}
		float *tmp = t;
		t = t2;
		t2 = tmp;
	}
	uint64_t sum = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n * n; i++) {
		uint32_t bits;
		memcpy(&bits, &t[i], sizeof bits);
		sum = (sum ^ bits) * 0x100000001b3ull;
	}
	*out = (struct workload_summary){ .checksum = sum,
					  .figure = { (double)(n - 2) * (double)(n - 2) * sc->steps } };
	return 0;
}

static void heat_job_free(struct workload_state *st)
{
	if (!st)
		return;
	free(st->t);
	free(st->t2);
	free(st);
}

static const struct workload heat = {
	.iVersion = WORKLOAD_VERSION,
	.name = "heat",
	.version = "1.0",
	.summary = "explicit heat diffusion over a plate of varying conductivity (memory-bound, equal jobs)",
	.scenarios = "default",
	.default_scenario = "default",
	.options_help = "n=4096     the plate's side, cells (the map is n x n floats)\n"
			"steps=8    diffusion steps a job runs over the whole plate\n",
	.nfigures = 1,
	.figures = { { "cell_updates", "updates", "grid cells updated, over every step" } },
	.open = heat_open,
	.close = heat_close,
	.options = heat_options,
	.input_bytes = heat_input_bytes,
	.build = heat_build,
	.attach = heat_attach,
	.detach = heat_detach,
	.job = heat_job,
	.job_new = heat_job_new,
	.run_job = heat_run_job,
	.job_free = heat_job_free,
};

const struct workload *spreadbench_workload(int host_version)
{
	return host_version == WORKLOAD_VERSION ? &heat : NULL;
}
