/*
 * workloads.h - finding a workload by name: the built-in ones (the fire
 * model, the synthetic stand-in), or a user's plug-in loaded from a shared
 * library with dlopen through the versioned interface (workload.h).  Every
 * process of a run finds the same workload from the same name: the worker
 * and MPI programs load a plug-in as the runner did.
 */
#ifndef SPREADBENCH_WORKLOADS_H
#define SPREADBENCH_WORKLOADS_H

#include "params.h"
#include "workload.h"

#include <stddef.h>

/* The workload called name (a built-in) or at path name (anything with a
 * '/' in it, or ending in .so); NULL with a message in err that names the
 * library and what is wrong with it: not found, not loadable, no entry
 * point, another interface version, a slot missing.  A loaded library
 * stays loaded. */
const struct workload *workloads_find(const char *name, char *err, size_t errlen);
/* "fire, synthetic", for messages. */
const char *workloads_builtin_names(void);
/* Whether name is a plug-in's path rather than a built-in's name. */
int workloads_is_path(const char *name);

/* Finds p->workload and opens p->scenario (the workload's default when
 * none) with p's seed, dtype and options: 0, or a negative errno with err
 * saying what is wrong in words a user can act on. */
int workloads_open(const struct strategy_params *p, const struct workload **wl, struct workload_scenario **ws,
		   char *err, size_t errlen);

#endif
