/*
 * worker_main.c - spreadbench-worker, the program the runner starts with
 * posix_spawn for --start spawn.  It inherits its socket as descriptor 3
 * and, for shared inputs, the sealed memfd as descriptor 4; everything
 * else comes on the command line.  With --spin it is instead one process
 * of the competing load of `run --load`: it spins until killed.  It is not
 * meant to be run by hand.
 */
#include "worker.h"

#include <getopt.h>
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

int main(int argc, char **argv)
{
	struct worker_config cfg = {
		.fd = 3, .shm_fd = -1, .fault_job = -1, .t_start = worker_clock(),
		.parent = getppid(), .seed = 1, .fire_threads = 1,
	};
	static const struct option opts[] = {
		{ "scenario", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "mix", required_argument, NULL, 'm' },
		{ "dtype", required_argument, NULL, 'd' },
		{ "inputs", required_argument, NULL, 'i' },
		{ "attach", required_argument, NULL, 'a' },
		{ "one-shot", no_argument, NULL, '1' },
		{ "fault", required_argument, NULL, 'f' },
		{ "fault-job", required_argument, NULL, 'j' },
		{ "parent", required_argument, NULL, 'p' },
		{ "fire-threads", required_argument, NULL, 't' },
		{ "nice", required_argument, NULL, 'n' },
		{ "spin", no_argument, NULL, 'L' },
		{ "jobs", required_argument, NULL, 'J' },
		{ "order", required_argument, NULL, 'o' },
		{ 0 },
	};
	bool spinner = false;
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			cfg.scenario = optarg;
			break;
		case 'S':
			cfg.seed = strtoull(optarg, &end, 10);
			if (*end)
				return bad("seed", optarg);
			break;
		case 'm':
			if (kernel_job_mix_parse(optarg, &cfg.mix))
				return bad("mix", optarg);
			break;
		case 'd':
			if (strcmp(optarg, "f32") && strcmp(optarg, "f64"))
				return bad("dtype", optarg);
			cfg.dtype = strcmp(optarg, "f64") == 0 ? KERNEL_F64 : KERNEL_F32;
			break;
		case 'i':
			if (strcmp(optarg, "build") == 0) {
				cfg.inputs = WORKER_INPUTS_BUILD;
			} else if (strcmp(optarg, "shm") == 0) {
				cfg.inputs = WORKER_INPUTS_SHM;
				cfg.shm_fd = 4;
			} else {
				return bad("inputs", optarg);
			}
			break;
		case 'a':
			if (strategy_attach_parse(optarg, &cfg.attach))
				return bad("attach", optarg);
			break;
		case '1':
			cfg.one_shot = true;
			break;
		case 'f':
			if (strategy_fault_parse(optarg, &cfg.fault))
				return bad("fault", optarg);
			break;
		case 'j':
			cfg.fault_job = (int)strtol(optarg, &end, 10);
			if (*end)
				return bad("fault job", optarg);
			break;
		case 'p':
			cfg.parent = (pid_t)strtol(optarg, &end, 10);
			if (*end)
				return bad("parent", optarg);
			break;
		case 't':
			cfg.fire_threads = (int)strtol(optarg, &end, 10);
			if (*end || cfg.fire_threads < -1)
				return bad("fire threads", optarg);
			break;
		case 'n':
			cfg.nice = (int)strtol(optarg, &end, 10);
			if (*end || cfg.nice < 0 || cfg.nice > 19)
				return bad("nice", optarg);
			break;
		case 'L':
			spinner = true;
			break;
		case 'J':
			cfg.jobs = (int)strtol(optarg, &end, 10);
			if (*end || cfg.jobs < 1)
				return bad("jobs", optarg);
			break;
		case 'o':
			if (strategy_order_parse(optarg, &cfg.order))
				return bad("order", optarg);
			break;
		default:
			return 2;
		}
	}
	if (spinner)
		return optind == argc ? spin(cfg.parent) : bad("command line", argv[optind]);
	if (!cfg.scenario || optind != argc)
		return bad("command line", optind < argc ? argv[optind] : "(no --scenario)");
	return worker_run(&cfg);
}
