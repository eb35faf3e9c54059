/*
 * workloads.c - see workloads.h.  A plug-in is checked once, when it is
 * loaded: the entry point answers for this interface version, its struct
 * says it was built for it, and every required slot is there.  It cannot
 * be checked for behaving well; a plug-in that crashes does so first in
 * the runner's serial reference, which runs in a child process, and is
 * reported there by name.
 */
#include "workloads.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

extern const struct workload workload_fire;
extern const struct workload workload_synthetic;

static const struct workload *const builtins[] = { &workload_fire, &workload_synthetic };

const char *workloads_builtin_names(void)
{
	return "fire, synthetic";
}

int workloads_is_path(const char *name)
{
	size_t n = strlen(name);
	return strchr(name, '/') != NULL || (n > 3 && strcmp(name + n - 3, ".so") == 0);
}

/* The slots every workload must fill. */
static const char *missing_slot(const struct workload *w)
{
#define NEED(slot) \
	if (!w->slot)  \
		return #slot;
	NEED(name) NEED(version) NEED(scenarios) NEED(default_scenario) NEED(open) NEED(close) NEED(options)
	NEED(input_bytes) NEED(build) NEED(attach) NEED(detach) NEED(job) NEED(job_new) NEED(run_job) NEED(job_free)
#undef NEED
	if (w->nfigures < 1 || w->nfigures > WORKLOAD_FIGURES)
		return "nfigures";
	for (int k = 0; k < w->nfigures; k++)
		if (!w->figures[k].name || !w->figures[k].name[0])
			return "figures";
	return NULL;
}

static const struct workload *load(const char *path, char *err, size_t errlen)
{
	/* dlerror's state is per thread, but dlopen of one library from two
	 * threads at once is best kept in order. */
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	const struct workload *w = NULL;
	pthread_mutex_lock(&lock);
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		snprintf(err, errlen, "cannot load workload '%s': %s", path, e ? e : "unknown error");
		goto out;
	}
	workload_entry_fn entry = (workload_entry_fn)(uintptr_t)dlsym(h, WORKLOAD_ENTRY);
	if (!entry) {
		snprintf(err, errlen, "'%s' is not a spreadbench workload: it has no function %s()", path,
			 WORKLOAD_ENTRY);
		goto out;
	}
	w = entry(WORKLOAD_VERSION);
	if (!w) {
		snprintf(err, errlen, "workload '%s' offers no interface version %d, the one this spreadbench speaks",
			 path, WORKLOAD_VERSION);
		goto out;
	}
	if (w->iVersion != WORKLOAD_VERSION) {
		snprintf(err, errlen, "workload '%s' was built for interface version %d; this spreadbench speaks version %d: "
			 "rebuild it against this spreadbench's workload.h", path, w->iVersion, WORKLOAD_VERSION);
		w = NULL;
		goto out;
	}
	const char *slot = missing_slot(w);
	if (slot) {
		snprintf(err, errlen, "workload '%s' (%s %s) lacks '%s', which interface version %d requires", path,
			 w->name ? w->name : "unnamed", w->version ? w->version : "", slot, WORKLOAD_VERSION);
		w = NULL;
	}
out:
	pthread_mutex_unlock(&lock);
	return w;
}

const struct workload *workloads_find(const char *name, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!name || !name[0]) {
		snprintf(err, errlen, "no workload named");
		return NULL;
	}
	if (workloads_is_path(name))
		return load(name, err, errlen);
	for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
		if (strcmp(builtins[i]->name, name) == 0)
			return builtins[i];
	snprintf(err, errlen, "unknown workload '%s' (built in: %s; or the path of a plug-in, e.g. ./libmine.so)", name,
		 workloads_builtin_names());
	return NULL;
}

int workloads_open(const struct strategy_params *p, const struct workload **wl, struct workload_scenario **ws,
		   char *err, size_t errlen)
{
	*wl = NULL;
	*ws = NULL;
	const struct workload *w = workloads_find(p->workload, err, errlen);
	if (!w)
		return -EINVAL;
	const char *scenario = p->scenario && p->scenario[0] ? p->scenario : w->default_scenario;
	int rc = w->open(scenario, p->seed, p->dtype, p->options, ws);
	if (rc) {
		*ws = NULL;
		if (rc == -EINVAL)
			snprintf(err, errlen, "workload %s: unknown scenario '%s' or bad options '%s' "
				 "(scenarios: %s; `spreadbench list --workload %s` says more)", w->name, scenario,
				 p->options ? p->options : "", w->scenarios, p->workload);
		else if (rc == -ENOTSUP)
			snprintf(err, errlen, "workload %s does not offer %s inputs", w->name,
				 p->dtype == WORKLOAD_F64 ? "f64" : "these");
		else
			snprintf(err, errlen, "workload %s: cannot open scenario '%s': %s", w->name, scenario, strerror(-rc));
		return rc;
	}
	*wl = w;
	return 0;
}
