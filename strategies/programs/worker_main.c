/*
 * worker_main.c - spreadbench-worker, the program the runner starts with
 * posix_spawn for --start spawn.  It inherits its socket as descriptor 3
 * and, for shared inputs, the sealed memfd as descriptor 4; the run's
 * parameters come on the command line, as params_to_argv wrote them, and
 * it opens the same workload and scenario as the runner did (a plug-in
 * is loaded again here).  With --spin it is instead one process of the
 * competing load of `run --load`: it spins until killed.  It is not meant
 * to be run by hand.
 */
#include "worker.h"
#include "workloads.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static int bad(const char *what, const char *arg)
{
	fprintf(stderr, "spreadbench-worker: invalid %s '%s' (this program is started by spreadbench run)\n",
		what, arg ? arg : "");
	return 2;
}

/* A load process: a fresh program rather than a fork of the runner, so
 * that it shares none of the runner's pages and leaves the tree's PSS as
 * it is.  It dies with the runner, and goes by a name of its own so that
 * a leftover one is easy to find. */
static int spin(pid_t parent)
{
	signal(SIGINT, SIG_IGN);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		return 1;
	prctl(PR_SET_NAME, "sb-load");
	for (volatile unsigned long n = 0;; n++)
		;
}

/* The program's own options, not run parameters. */
static int own_option(int argc, char **argv, int *i, struct worker_config *cfg, bool *spinner)
{
	const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
	char *end;
	if (strcmp(a, "--spin") == 0 || strcmp(a, "--one-shot") == 0) {
		*(strcmp(a, "--spin") == 0 ? spinner : &cfg->one_shot) = true;
		(*i)++;
		return 0;
	}
	if (!v)
		return bad("command line", a);
	if (strcmp(a, "--inputs") == 0) {
		if (strcmp(v, "build") == 0)
			cfg->inputs = WORKER_INPUTS_BUILD;
		else if (strcmp(v, "shm") == 0)
			cfg->inputs = WORKER_INPUTS_SHM, cfg->shm_fd = 4;
		else
			return bad("inputs", v);
	} else if (strcmp(a, "--parent") == 0) {
		cfg->parent = (pid_t)strtol(v, &end, 10);
		if (*end || cfg->parent <= 0)
			return bad("parent", v);
	} else {
		return bad("option", a);
	}
	*i += 2;
	return 0;
}

int main(int argc, char **argv)
{
	struct worker_config cfg = { .fd = 3, .shm_fd = -1, .t_start = worker_clock(), .parent = getppid() };
	bool spinner = false;
	params_defaults(&cfg.p);
	for (int i = 1; i < argc;) {
		int rc = params_take_arg(argc, argv, &i, PARAM_TO_WORKER, &cfg.p);
		if (rc < 0)
			return bad("value of", argv[i]);
		if (rc == 0 && (rc = own_option(argc, argv, &i, &cfg, &spinner)))
			return rc;
	}
	if (spinner)
		return spin(cfg.parent);

	char err[512];
	struct workload_scenario *ws;
	if (workloads_open(&cfg.p, &cfg.wl, &ws, err, sizeof err)) {
		fprintf(stderr, "spreadbench-worker: %s\n", err);
		return 2;
	}
	cfg.ws = ws;
	int status = worker_run(&cfg);
	cfg.wl->close(ws);
	return status;
}
