/*
 * util.c - small helpers shared by the commands: error printing, a
 * monotonic clock, strict number and list parsing, and building a
 * scenario's landscape into a block of its own.
 */
#include "cli.h"
#include "jobs.h"
#include "strategy.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

void cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("spreadbench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The strto* functions skip leading white space, and strtoull takes a
 * minus sign and wraps the number round; an option's value with either
 * is not the number the user meant. */
static bool starts_plainly(const char *s)
{
	return *s && !isspace((unsigned char)*s);
}

int parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	if (!starts_plainly(s))
		return -EINVAL;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!starts_plainly(s) || *s == '-')
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_double(const char *s, double *out)
{
	char *end;
	if (!starts_plainly(s))
		return -EINVAL;
	errno = 0;
	double v = strtod(s, &end);
	/* nan and inf are no setting; an option that means "no limit"
	 * says so with its own value. */
	if (errno || end == s || *end || !isfinite(v))
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	char *end;
	if (!starts_plainly(s))
		return -EINVAL;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || !(v >= 0))
		return -EINVAL;
	double mult = 1;
	switch (*end) {
	case 'T': case 't': mult *= 1024; /* fall through */
	case 'G': case 'g': mult *= 1024; /* fall through */
	case 'M': case 'm': mult *= 1024; /* fall through */
	case 'K': case 'k': mult *= 1024; end++; break;
	default: break;
	}
	if (*end == 'i' || *end == 'B')
		end += *end == 'i' && end[1] == 'B' ? 2 : 1;
	if (*end || !(v * mult <= 9e18))
		return -EINVAL;
	*out = (uint64_t)(v * mult);
	return 0;
}

int parse_name_list(char *s, const char **names, int max, int *n)
{
	*n = 0;
	/* strtok would skip the empty items of "a,,b" without a word. */
	for (char *item = s;;) {
		char *comma = strchr(item, ',');
		if (comma)
			*comma = '\0';
		if (!*item || *n == max)
			return -EINVAL;
		names[(*n)++] = item;
		if (!comma)
			return 0;
		item = comma + 1;
	}
}

int parse_int_list(const char *s, long lo, long hi, long *v, int max, int *n)
{
	char *copy = strdup(s);
	const char *items[256];
	int rc = 0;
	*n = 0;
	if (!copy)
		return -ENOMEM;
	if (max > 256)
		max = 256;
	int count = 0;
	rc = parse_name_list(copy, items, max, &count);
	for (int i = 0; !rc && i < count; i++)
		rc = parse_int(items[i], lo, hi, &v[i]);
	if (!rc)
		*n = count;
	free(copy);
	return rc;
}

int cli_usable_cpus(void)
{
	return jobs_usable_cpus();
}

const struct strategy *cli_strategy_built(const char *name)
{
	const struct strategy_entry *e = strategy_find(name);
	if (!e)
		cli_error("unknown strategy '%s' (see 'spreadbench list')", name);
	else if (!e->strategy)
		cli_error("strategy '%s' is not built: %s", e->name, e->enable);
	return e ? e->strategy : NULL;
}

const char *worker_program_path(void)
{
	static char path[4096];
	const char *env = getenv("SPREADBENCH_WORKER");
	if (env && *env)
		return env;
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - 32);
	if (n <= 0)
		return "spreadbench-worker";
	path[n] = '\0';
	char *slash = strrchr(path, '/');
	strcpy(slash ? slash + 1 : path, "spreadbench-worker");
	return path;
}

/* A fraction, or a percentage with '%': "2%" and "0.02" are the same;
 * 0 turns the adaptive rule off. */
int parse_fraction(const char *s, double *out)
{
	char buf[64];
	size_t n = strlen(s);
	if (n == 0 || n >= sizeof buf)
		return -EINVAL;
	memcpy(buf, s, n + 1);
	double scale = 1;
	if (buf[n - 1] == '%') {
		buf[n - 1] = '\0';
		scale = 0.01;
	}
	if (parse_double(buf, out) || !(*out >= 0))
		return -EINVAL;
	*out *= scale;
	return *out < 1 ? 0 : -EINVAL;
}

/* Seconds, or with an m or h suffix. */
int parse_duration(const char *s, double *out)
{
	char buf[64];
	size_t n = strlen(s);
	if (n == 0 || n >= sizeof buf)
		return -EINVAL;
	memcpy(buf, s, n + 1);
	double scale = 1;
	if (buf[n - 1] == 'm' || buf[n - 1] == 'h' || buf[n - 1] == 's') {
		scale = buf[n - 1] == 'm' ? 60 : buf[n - 1] == 'h' ? 3600 : 1;
		buf[n - 1] = '\0';
	}
	if (parse_double(buf, out) || !(*out > 0))
		return -EINVAL;
	*out *= scale;
	return 0;
}

const char *const cli_synthetic_options[] = { "input-mb", "job-ms", "job-mb", "access", "cost-spread", NULL };

int cli_option_append(char *buf, size_t len, const char *name, const char *value)
{
	size_t n = strlen(buf);
	char key[32];
	snprintf(key, sizeof key, "%s", name);
	for (char *c = key; *c; c++)
		if (*c == '-')
			*c = '_';
	if (!value[0] || strchr(value, ',') || strchr(value, '='))
		return -EINVAL;
	int w = snprintf(buf + n, len - n, "%s%s=%s", n ? "," : "", key, value);
	return w < 0 || (size_t)w >= len - n ? -EINVAL : 0;
}
