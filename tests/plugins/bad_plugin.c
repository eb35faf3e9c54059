/*
 * bad_plugin.c - workloads that are wrong in one way each, to check that
 * spreadbench refuses them with a message naming the library and what is
 * wrong, and never crashes itself.  Built once per kind (BAD_KIND):
 *   1 built for another interface version (iVersion 999)
 *   2 offers no interface version the host speaks (the entry returns NULL)
 *   3 lacks a required slot (run_job)
 *   4 crashes while building its inputs
 *   5 has no entry point at all
 * Otherwise it is a tiny, valid workload: a block of words and jobs that
 * hash some of them.
 */
#include <spreadbench/workload.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct workload_scenario {
	uint64_t seed;
};
struct workload_view {
	const uint64_t *w;
};
struct workload_state {
	const struct workload_view *v;
};

#define WORDS 4096

static int bad_open(const char *scenario, uint64_t seed, int dtype, const char *options, struct workload_scenario **out)
{
	*out = NULL;
	if (strcmp(scenario, "default") || dtype != WORKLOAD_F32 || (options && options[0]))
		return -EINVAL;
	if (!(*out = malloc(sizeof **out)))
		return -ENOMEM;
	(*out)->seed = seed;
	return 0;
}

static void bad_close(struct workload_scenario *sc)
{
	free(sc);
}

static const char *bad_options(const struct workload_scenario *sc)
{
	(void)sc;
	return "";
}

static size_t bad_input_bytes(const struct workload_scenario *sc)
{
	(void)sc;
	return WORDS * sizeof(uint64_t);
}

static int bad_build(const struct workload_scenario *sc, void *block, int part, int nparts)
{
	if (BAD_KIND == 4)
		raise(SIGSEGV);
	uint64_t *w = block;
	for (size_t i = WORDS * (size_t)part / (size_t)nparts; i < WORDS * (size_t)(part + 1) / (size_t)nparts; i++)
		w[i] = (sc->seed + i) * 0x9e3779b97f4a7c15ull;
	return 0;
}

static int bad_attach(const struct workload_scenario *sc, const void *block, struct workload_view **out)
{
	(void)sc;
	if (!(*out = malloc(sizeof **out)))
		return -ENOMEM;
	(*out)->w = block;
	return 0;
}

static void bad_detach(struct workload_view *v)
{
	free(v);
}

static int bad_job(const struct workload_scenario *sc, int mix, int n, struct workload_job *out)
{
	(void)sc;
	if (n < 0)
		return -EINVAL;
	*out = (struct workload_job){ .mix = mix, .n = n, .expected_cost = 1 };
	return 0;
}

static int bad_job_new(const struct workload_view *v, struct workload_state **out)
{
	if (!(*out = malloc(sizeof **out)))
		return -ENOMEM;
	(*out)->v = v;
	return 0;
}

static int bad_run_job(struct workload_state *st, const struct workload_job *job, struct workload_summary *out)
{
	uint64_t h = job->mix == WORKLOAD_JOBS_MIXED ? (uint64_t)job->n : 0;
	for (int i = 0; i < WORDS; i++)
		h = (h ^ st->v->w[i]) * 0x100000001b3ull;
	*out = (struct workload_summary){ .checksum = h, .figure = { WORDS } };
	return 0;
}

static void bad_job_free(struct workload_state *st)
{
	free(st);
}

static const struct workload bad = {
	.iVersion = BAD_KIND == 1 ? 999 : WORKLOAD_VERSION,
	.name = "bad",
	.version = "0.1",
	.summary = "a workload wrong in one way",
	.scenarios = "default",
	.default_scenario = "default",
	.nfigures = 1,
	.figures = { { "words", "words", "words read" } },
	.open = bad_open,
	.close = bad_close,
	.options = bad_options,
	.input_bytes = bad_input_bytes,
	.build = bad_build,
	.attach = bad_attach,
	.detach = bad_detach,
	.job = bad_job,
	.job_new = bad_job_new,
	.run_job = BAD_KIND == 3 ? NULL : bad_run_job,
	.job_free = bad_job_free,
};

#if BAD_KIND != 5
const struct workload *spreadbench_workload(int host_version)
{
	(void)host_version;
	return BAD_KIND == 2 ? NULL : &bad;
}
#else
/* The entry point under another name: not a spreadbench workload. */
const struct workload *some_other_entry(int host_version);
const struct workload *some_other_entry(int host_version)
{
	(void)host_version;
	return &bad;
}
#endif
