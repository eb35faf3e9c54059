/*
 * synthetic/workload.c - a workload described by five numbers, so that a
 * user can ask spreadbench about their own simulation without writing
 * code: how big the shared read-only input is (input_mb), how long a job
 * computes (job_ms), how much private memory a job writes (job_mb), how
 * it reads the input (access: stream, sequential passes, or random, one
 * dependent read after another), and how much jobs differ in cost
 * (cost_spread: mixed jobs cost between 1/(1 + X) and 1 + X times the
 * identical one, log-uniformly from the seed).
 *
 * A job is a loop of reads of the input, each folded into a running hash,
 * after writing its private memory; its checksum is that hash, so a job
 * that read other bytes, or fewer, gives another answer and validation
 * means what it means for the fire model.  How many reads make job_ms is
 * measured once, where the workload is opened without iters_per_ms: on a
 * full-size input built for the purpose, with the job's own access
 * pattern, and the time to write job_mb subtracted.  The resolved options
 * (options()) carry the result to every process, so that all of them run
 * the same jobs.  The calibration is the machine's at that moment; the
 * CSV's mean job time says what was got.
 *
 * Options: input_mb=M (default 256), job_ms=T (50), job_mb=S (16),
 * access=stream|random (stream), cost_spread=X (0), iters_per_ms=R (from
 * the calibration).  Scenario: "default".  dtype: f32 only.
 */
#include "workload.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

struct workload_scenario {
	uint64_t seed;
	double input_mb, job_ms, job_mb, cost_spread, iters_per_ms;
	bool random;
	char options[256];
};

struct workload_view {
	const struct workload_scenario *ws;
	const uint64_t *words;
	size_t nwords;
};

struct workload_state {
	const struct workload_view *v;
	unsigned char *priv;
	size_t priv_bytes;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t mix64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static size_t block_bytes(const struct workload_scenario *ws)
{
	/* Whole pages of 64-bit words. */
	size_t b = (size_t)(ws->input_mb * 1048576.0);
	return (b + 4095) / 4096 * 4096;
}

/* The read loop of one job: `iters` reads of the input, each index from
 * the last value read (random) or the next word (stream), folded into h. */
static uint64_t reads(const struct workload_view *v, bool random, uint64_t h, uint64_t iters)
{
	if (v->nwords == 0)
		return h;
	size_t at = (size_t)(h % v->nwords);
	for (uint64_t i = 0; i < iters; i++) {
		uint64_t w = v->words[at];
		h = (h ^ w) * 0x100000001b3ull;
		at = random ? (size_t)((w ^ h) % v->nwords) : (at + 1 == v->nwords ? 0 : at + 1);
	}
	return h;
}

static int parse_options(struct workload_scenario *ws, const char *options)
{
	ws->input_mb = 256;
	ws->job_ms = 50;
	ws->job_mb = 16;
	ws->cost_spread = 0;
	ws->iters_per_ms = 0;
	ws->random = false;
	if (!options)
		return 0;
	char buf[512];
	if (strlen(options) >= sizeof buf)
		return -EINVAL;
	strcpy(buf, options);
	char *save = NULL;
	for (char *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		if (!eq)
			return -EINVAL;
		*eq = '\0';
		const char *key = kv, *val = eq + 1;
		if (strcmp(key, "access") == 0) {
			if (strcmp(val, "stream") && strcmp(val, "random"))
				return -EINVAL;
			ws->random = strcmp(val, "random") == 0;
			continue;
		}
		char *end;
		double x = strtod(val, &end);
		if (end == val || *end || !isfinite(x) || x < 0)
			return -EINVAL;
		if (strcmp(key, "input_mb") == 0 && x <= 1 << 20)
			ws->input_mb = x;
		else if (strcmp(key, "job_ms") == 0 && x > 0 && x <= 3600e3)
			ws->job_ms = x;
		else if (strcmp(key, "job_mb") == 0 && x <= 1 << 20)
			ws->job_mb = x;
		else if (strcmp(key, "cost_spread") == 0 && x <= 100)
			ws->cost_spread = x;
		else if (strcmp(key, "iters_per_ms") == 0 && x > 0)
			ws->iters_per_ms = x;
		else
			return -EINVAL;
	}
	return 0;
}

static int syn_build(const struct workload_scenario *ws, void *block, int part, int nparts);
static int syn_attach(const struct workload_scenario *ws, const void *block, struct workload_view **out);

/* Private memory is written in full at the start of every job. */
static void write_private(struct workload_state *st, uint64_t salt)
{
	for (size_t i = 0; i < st->priv_bytes; i += 64)
		st->priv[i] = (unsigned char)(salt + i / 64);
}

static volatile uint64_t calibration_sink;

/* Reads per millisecond of this machine with this input and pattern, and
 * the time writing the private memory takes (subtracted from job_ms). */
static int calibrate(struct workload_scenario *ws)
{
	size_t bytes = block_bytes(ws), priv = (size_t)(ws->job_mb * 1048576.0);
	void *block = bytes ? mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) : NULL;
	if (block == MAP_FAILED)
		return -ENOMEM;
	struct workload_view *v = NULL;
	struct workload_state st = { .priv_bytes = priv };
	int rc = syn_build(ws, block, 0, 1);
	if (!rc)
		rc = syn_attach(ws, block, &v);
	if (!rc && priv && !(st.priv = malloc(priv)))
		rc = -ENOMEM;
	if (rc)
		goto out;
	st.v = v;
	double t0 = now();
	write_private(&st, 1);
	double t_priv = now() - t0;
	/* Warm up, then time until at least 50 ms have passed. */
	uint64_t h = reads(v, ws->random, ws->seed, 100000), done = 0, step = 100000;
	t0 = now();
	double t = 0;
	while ((t = now() - t0) < 0.05) {
		h = reads(v, ws->random, h, step);
		done += step;
		step *= 2;
	}
	double per_ms = (double)done / (t * 1e3);
	/* The private writes take time of their own, once per job: the reads
	 * fill what remains of job_ms.  A job shorter than its writes still
	 * reads a little. */
	double left_ms = ws->job_ms - t_priv * 1e3;
	ws->iters_per_ms = per_ms * (left_ms > 0.05 * ws->job_ms ? left_ms : 0.05 * ws->job_ms) / ws->job_ms;
	if (!(ws->iters_per_ms > 0))
		ws->iters_per_ms = 1;
	/* The reads' result is used, or the compiler drops them and the
	 * calibration times an empty loop. */
	calibration_sink = h;
out:
	free(st.priv);
	free(v);
	if (block)
		munmap(block, bytes);
	return rc;
}

static int syn_open(const char *scenario, uint64_t seed, int dtype, const char *options,
		    struct workload_scenario **out)
{
	*out = NULL;
	if (!scenario || strcmp(scenario, "default") != 0)
		return -EINVAL;
	if (dtype != WORKLOAD_F32)
		return -ENOTSUP;
	struct workload_scenario *ws = calloc(1, sizeof *ws);
	if (!ws)
		return -ENOMEM;
	ws->seed = seed;
	int rc = parse_options(ws, options);
	if (!rc && !(ws->iters_per_ms > 0))
		rc = calibrate(ws);
	if (rc) {
		free(ws);
		return rc;
	}
	snprintf(ws->options, sizeof ws->options,
		 "input_mb=%.17g,job_ms=%.17g,job_mb=%.17g,access=%s,cost_spread=%.17g,iters_per_ms=%.17g", ws->input_mb,
		 ws->job_ms, ws->job_mb, ws->random ? "random" : "stream", ws->cost_spread, ws->iters_per_ms);
	*out = ws;
	return 0;
}

static void syn_close(struct workload_scenario *ws)
{
	free(ws);
}

static const char *syn_options(const struct workload_scenario *ws)
{
	return ws->options;
}

static size_t syn_input_bytes(const struct workload_scenario *ws)
{
	return block_bytes(ws);
}

static int syn_build(const struct workload_scenario *ws, void *block, int part, int nparts)
{
	if (nparts < 1 || part < 0 || part >= nparts)
		return -EINVAL;
	/* Parts on page boundaries: words [lo, hi) of this part. */
	size_t pages = block_bytes(ws) / 4096;
	size_t lo = pages * (size_t)part / (size_t)nparts * 512, hi = pages * (size_t)(part + 1) / (size_t)nparts * 512;
	uint64_t *w = block;
	for (size_t i = lo; i < hi; i++)
		w[i] = mix64(ws->seed ^ (i * 0x9e3779b97f4a7c15ull));
	return 0;
}

static int syn_attach(const struct workload_scenario *ws, const void *block, struct workload_view **out)
{
	struct workload_view *v = calloc(1, sizeof *v);
	*out = NULL;
	if (!v)
		return -ENOMEM;
	v->ws = ws;
	v->words = block;
	v->nwords = block_bytes(ws) / 8;
	*out = v;
	return 0;
}

static void syn_detach(struct workload_view *v)
{
	free(v);
}

/* The cost of job n relative to the identical job. */
static double cost_of(const struct workload_scenario *ws, int mix, int n)
{
	if (mix == WORKLOAD_JOBS_IDENTICAL || ws->cost_spread <= 0)
		return 1;
	double u = (double)(mix64(ws->seed * 31 + (uint64_t)n) >> 11) * 0x1.0p-53; /* [0, 1) */
	return pow(1 + ws->cost_spread, 2 * u - 1);
}

static int syn_job(const struct workload_scenario *ws, int mix, int n, struct workload_job *out)
{
	if ((mix != WORKLOAD_JOBS_IDENTICAL && mix != WORKLOAD_JOBS_MIXED) || n < 0)
		return -EINVAL;
	double c = cost_of(ws, mix, n);
	*out = (struct workload_job){ .mix = mix, .n = n, .expected_cost = c };
	snprintf(out->text, sizeof out->text, "%.3gx the identical job: about %.3g ms", c, c * ws->job_ms);
	return 0;
}

static int syn_job_new(const struct workload_view *v, struct workload_state **out)
{
	struct workload_state *st = calloc(1, sizeof *st);
	*out = NULL;
	if (!st)
		return -ENOMEM;
	st->v = v;
	st->priv_bytes = (size_t)(v->ws->job_mb * 1048576.0);
	if (st->priv_bytes) {
		/* A mapping, not malloc: a job's private memory is its own pages,
		 * counted in its process's PSS whatever the allocator. */
		st->priv = mmap(NULL, st->priv_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (st->priv == MAP_FAILED) {
			free(st);
			return -ENOMEM;
		}
	}
	*out = st;
	return 0;
}

static int syn_run_job(struct workload_state *st, const struct workload_job *job, struct workload_summary *out)
{
	const struct workload_scenario *ws = st->v->ws;
	if (job->n < 0 || (job->mix != WORKLOAD_JOBS_IDENTICAL && job->mix != WORKLOAD_JOBS_MIXED))
		return -EINVAL;
	/* Every job of the identical list is the same job (workload.h). */
	uint64_t n = job->mix == WORKLOAD_JOBS_MIXED ? (uint64_t)job->n : 0;
	uint64_t salt = mix64(ws->seed ^ ((uint64_t)job->mix << 40) ^ n);
	write_private(st, salt);
	uint64_t iters = (uint64_t)llround(ws->iters_per_ms * ws->job_ms * cost_of(ws, job->mix, job->n));
	uint64_t h = reads(st->v, ws->random, salt, iters);
	for (size_t i = 0; i < st->priv_bytes; i += 4096)
		h = (h ^ st->priv[i]) * 0x100000001b3ull;
	*out = (struct workload_summary){ .checksum = h, .figure = { (double)iters, (double)st->priv_bytes } };
	return 0;
}

static void syn_job_free(struct workload_state *st)
{
	if (!st)
		return;
	if (st->priv)
		munmap(st->priv, st->priv_bytes);
	free(st);
}

const struct workload workload_synthetic = {
	.iVersion = WORKLOAD_VERSION,
	.name = "synthetic",
	.version = "1.0",
	.summary = "a stand-in described by input size, time and memory per job, access pattern and cost spread",
	.scenarios = "default",
	.default_scenario = "default",
	.options_help = "input_mb=256      size of the shared read-only input, MiB\n"
			"job_ms=50         compute time of one (identical) job, ms\n"
			"job_mb=16         private memory each job writes, MiB\n"
			"access=stream     how a job reads the input: stream (passes) or random (dependent reads)\n"
			"cost_spread=0     mixed jobs cost 1/(1+X) to 1+X times an identical one\n"
			"iters_per_ms=     reads per ms; measured when the workload is opened without it\n",
	.nfigures = 2,
	.figures = {
		{ "reads", "reads", "reads of the shared input" },
		{ "private_bytes", "bytes", "private memory written per job" },
	},
	.open = syn_open,
	.close = syn_close,
	.options = syn_options,
	.input_bytes = syn_input_bytes,
	.build = syn_build,
	.attach = syn_attach,
	.detach = syn_detach,
	.job = syn_job,
	.job_new = syn_job_new,
	.run_job = syn_run_job,
	.job_free = syn_job_free,
};
