/*
 * cmd_count.c - `spreadbench count`: the kernel's cost on one fixed job in
 * instructions, which unlike time does not depend on what else the
 * machine is doing, so a regression check on it needs no statistics.
 *
 * Two ways to count, the first that works unless one is asked for:
 *   perf       the CPU's retired-instruction counter (user space only)
 *              around kernel_fire_run, through perf_event_open;
 *   callgrind  the same fire run under valgrind's callgrind, counting
 *              only inside kernel_fire_run (--toggle-collect): exact and
 *              the same on every run, about 50 times slower.
 * Counts from the two differ a little (callgrind counts x86 instructions
 * as it decodes them), so a baseline is compared with a count of the same
 * method.  With --baseline N, the exit status is 1 when the count exceeds
 * N by more than --tolerance (default 0.05), else 0; bad input gives 2.
 */
#include "cli.h"
#include "fire_cli.h"

#include <errno.h>
#include <getopt.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int count_perf(const char *scenario, uint64_t seed, const struct kernel_job *job, uint64_t *out,
		      char *why, size_t whylen)
{
	struct perf_event_attr pe;
	memset(&pe, 0, sizeof pe);
	pe.type = PERF_TYPE_HARDWARE;
	pe.size = sizeof pe;
	pe.config = PERF_COUNT_HW_INSTRUCTIONS;
	pe.disabled = 1;
	pe.exclude_kernel = 1;
	pe.exclude_hv = 1;
	int fd = (int)syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0);
	if (fd < 0) {
		snprintf(why, whylen, "no instruction counter (perf_event_open: %s)", strerror(errno));
		return -errno;
	}
	struct landscape_block lb;
	struct kernel_fire *fire = NULL;
	struct kernel_fire_result res;
	int rc = landscape_block_build(scenario, seed, KERNEL_F32, &lb);
	if (rc) {
		close(fd);
		snprintf(why, whylen, "cannot build '%s': %s", scenario, strerror(-rc));
		return rc;
	}
	rc = kernel_fire_new(&lb.ls, &fire);
	if (!rc) {
		ioctl(fd, PERF_EVENT_IOC_RESET, 0);
		ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
		rc = kernel_fire_run(fire, job, &res);
		ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
	}
	uint64_t n = 0;
	if (!rc && read(fd, &n, sizeof n) != (ssize_t)sizeof n)
		rc = -EIO;
	if (!rc && n == 0)
		rc = -ENODATA; /* a counter that counts nothing (some virtual machines) */
	if (rc)
		snprintf(why, whylen, "counting failed: %s", strerror(-rc));
	*out = n;
	close(fd);
	kernel_fire_free(fire);
	landscape_block_release(&lb);
	return rc;
}

static int count_callgrind(const char *scenario, uint64_t seed, long job, uint64_t *out, char *why,
			   size_t whylen)
{
	char cmd[1024];
	/* Only this program's own fire command, with its figures thrown away;
	 * callgrind's summary goes to stderr, read through the pipe. */
	snprintf(cmd, sizeof cmd,
		 "valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect=kernel_fire_run "
		 "/proc/%d/exe fire --scenario '%s' --seed %llu --job %ld 2>&1 >/dev/null",
		 (int)getpid(), scenario, (unsigned long long)seed, job);
	FILE *p = popen(cmd, "r");
	if (!p) {
		snprintf(why, whylen, "cannot run valgrind: %s", strerror(errno));
		return -errno;
	}
	char line[512];
	bool found = false;
	while (fgets(line, sizeof line, p)) {
		const char *c = strstr(line, "Collected : ");
		if (c && sscanf(c + 12, "%llu", (unsigned long long *)out) == 1)
			found = true;
	}
	int st = pclose(p);
	if (!found || st != 0) {
		snprintf(why, whylen, "valgrind's callgrind gave no count (exit status %d; is valgrind installed?)",
			 st);
		return -ENOENT;
	}
	return 0;
}

static void count_usage(FILE *out)
{
	fprintf(out,
		"usage: spreadbench count [options]\n"
		"  --scenario NAME      prof, demo (default) or tiny\n"
		"  --seed N             seed of the landscape and job list (default 1)\n"
		"  --job N              job of the mixed job list (default 1)\n"
		"  --method M           auto (default), perf or callgrind\n"
		"  --baseline N         exit 1 when the count exceeds N by more than the tolerance\n"
		"  --tolerance T        allowed growth over the baseline (default 0.05)\n");
}

int cmd_count(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "scenario", required_argument, NULL, 's' }, { "seed", required_argument, NULL, 'S' },
		{ "job", required_argument, NULL, 'j' },      { "method", required_argument, NULL, 'm' },
		{ "baseline", required_argument, NULL, 'b' }, { "tolerance", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },           { 0 },
	};
	const char *scenario = "demo", *method = "auto";
	uint64_t seed = 1, baseline = 0;
	long job = 1;
	double tolerance = 0.05;
	int c, li = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, &li)) != -1) {
		switch (c) {
		case 's':
			scenario = optarg;
			break;
		case 'S':
			if (parse_u64(optarg, &seed))
				goto bad;
			break;
		case 'j':
			if (parse_int(optarg, 0, 1000000, &job))
				goto bad;
			break;
		case 'm':
			if (strcmp(optarg, "auto") && strcmp(optarg, "perf") && strcmp(optarg, "callgrind"))
				goto bad;
			method = optarg;
			break;
		case 'b':
			if (parse_u64(optarg, &baseline) || baseline == 0)
				goto bad;
			break;
		case 't':
			if (parse_double(optarg, &tolerance) || !(tolerance >= 0 && tolerance < 10))
				goto bad;
			break;
		case 'h':
			count_usage(stdout);
			return 0;
		default:
			count_usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		cli_error("unexpected argument '%s'", argv[optind]);
		return 2;
	}
	struct kernel_scenario sc;
	struct kernel_job kj;
	if (kernel_scenario_find(scenario, seed, &sc)) {
		cli_error("unknown scenario '%s' (known: %s)", scenario, kernel_scenario_names());
		return 2;
	}
	kernel_scenario_job(&sc, KERNEL_JOBS_MIXED, (int)job, &kj);

	uint64_t n = 0;
	char why_perf[160] = "", why_cg[160] = "";
	const char *used = NULL;
	if (strcmp(method, "callgrind") && count_perf(scenario, seed, &kj, &n, why_perf, sizeof why_perf) == 0)
		used = "perf";
	else if (strcmp(method, "perf") && count_callgrind(scenario, seed, job, &n, why_cg, sizeof why_cg) == 0)
		used = "callgrind";
	if (!used) {
		cli_error("cannot count instructions:%s%s%s%s", why_perf[0] ? " perf: " : "", why_perf,
			  why_cg[0] ? "; callgrind: " : "", why_cg);
		return 1;
	}
	printf("scenario: %s\nseed: %llu\njob: %ld\nmethod: %s\ninstructions: %llu\n", scenario,
	       (unsigned long long)seed, job, used, (unsigned long long)n);
	if (!baseline)
		return 0;
	double ratio = (double)n / (double)baseline;
	printf("baseline: %llu\nratio: %.4f\n", (unsigned long long)baseline, ratio);
	if (ratio > 1.0 + tolerance) {
		printf("verdict: worse (more than %.0f%% over the baseline)\n", 100 * tolerance);
		return 1;
	}
	printf("verdict: %s\n", ratio < 1.0 - tolerance ? "better (consider updating the baseline)" : "same");
	return 0;
bad:
	cli_error("invalid value '%s' for --%s", optarg, opts[li].name);
	return 2;
}
