/*
 * testwl.h - opening the workload of a test's run parameters, as `run`
 * does before it measures (runner_options.wl and .ws).
 */
#ifndef SPREADBENCH_TESTWL_H
#define SPREADBENCH_TESTWL_H

#include "runner.h"
#include "workloads.h"

#include <stdio.h>

/* Opens o->p's workload and scenario into o->wl and o->ws, the options
 * resolved into o->p.options (buf holds them); 0 or a negative errno,
 * with the reason on stderr. */
static inline int testwl_open(struct runner_options *o, char *buf, size_t len)
{
	char err[512];
	struct workload_scenario *ws;
	int rc = workloads_open(&o->p, &o->wl, &ws, err, sizeof err);
	if (rc) {
		fprintf(stderr, "cannot open the workload: %s\n", err);
		return rc;
	}
	o->ws = ws;
	if (!o->p.scenario)
		o->p.scenario = o->wl->default_scenario;
	snprintf(buf, len, "%s", o->wl->options(ws));
	o->p.options = buf;
	return 0;
}

static inline void testwl_close(struct runner_options *o)
{
	if (o->wl)
		o->wl->close((struct workload_scenario *)o->ws);
	o->wl = NULL;
	o->ws = NULL;
}

#endif
