/*
 * context.c - collects the machine and build context of a measurement.
 * Everything is read from /proc, /sys, uname, hwloc and version macros
 * or functions; nothing is run as a subprocess, so collecting is cheap
 * and cannot hang.  Settings that change how processes share CPUs and
 * memory (governor, THP, cgroup limits, the affinity mask) are included
 * because they change the numbers.  It records what the machine is, not
 * how busy it is: load and temperature belong to the measurement.
 */
#include "context.h"
#include "noise.h"
#include "topo.h"

#include <csv.h>
#include <errno.h>
#include <gnu/libc-version.h>
#include <hwloc.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef SPREADBENCH_BUILD_TYPE
#define SPREADBENCH_BUILD_TYPE "unknown"
#endif
#if __has_include("git_commit.h")
#include "git_commit.h" /* written at every build: cmake/git_commit.cmake */
#endif
#ifndef SPREADBENCH_GIT_COMMIT
#define SPREADBENCH_GIT_COMMIT "unknown"
#endif
#ifndef SPREADBENCH_VERSION
#define SPREADBENCH_VERSION "unknown"
#endif

#define CGROUP_ROOT "/sys/fs/cgroup"

/* The object being filled and the first error: adding keeps going after
 * a failure so the code reads as a list, and the error is checked once. */
struct facts {
	json_t *o;
	int rc;
};

/* Strings from files and the kernel may hold control characters or bytes
 * that are not UTF-8 (which json_string refuses); the first would break a
 * '#' line, the second would drop the key.  Both become harmless. */
static void put_str(struct facts *f, const char *key, const char *v)
{
	json_t *s = NULL;
	char *copy = NULL;
	if (!v)
		v = "";
	v += strspn(v, " \t\r\n");
	copy = strdup(v);
	if (!copy)
		goto out;
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	for (size_t n = strlen(copy); n && copy[n - 1] == ' '; n--)
		copy[n - 1] = '\0';
	s = json_string(*copy ? copy : "unknown");
	if (!s) {
		for (char *p = copy; *p; p++)
			if ((unsigned char)*p >= 0x80)
				*p = '?';
		s = json_string(copy);
	}
out:
	if (!s || json_object_set_new(f->o, key, s) < 0)
		f->rc = -ENOMEM;
	free(copy);
}

/* A count or size; negative means it could not be read. */
static void put_int(struct facts *f, const char *key, long long v)
{
	if (v < 0) {
		put_str(f, key, "unknown");
		return;
	}
	if (json_object_set_new(f->o, key, json_integer((json_int_t)v)) < 0)
		f->rc = -ENOMEM;
}

/* A measured figure; NAN means it could not be measured. */
static void put_real(struct facts *f, const char *key, double v)
{
	if (isnan(v)) {
		put_str(f, key, "unknown");
		return;
	}
	if (json_object_set_new(f->o, key, json_real(v)) < 0)
		f->rc = -ENOMEM;
}

/* The first line of a file without its newline; 0 or -errno. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *fp = fopen(path, "re");
	int rc = 0;
	buf[0] = '\0';
	if (!fp)
		return -errno;
	if (!fgets(buf, (int)len, fp))
		rc = ferror(fp) ? -EIO : -ENODATA;
	buf[strcspn(buf, "\n")] = '\0';
	fclose(fp);
	return rc;
}

/* The value of key in a file of "key: value" (/proc/cpuinfo, meminfo) or
 * key="value" lines (os-release): the key must match whole, so "cpu" does
 * not find "cpu family"; quotes around the value are dropped. */
static int read_key(const char *path, const char *key, char *buf, size_t len)
{
	char line[1024];
	size_t k = strlen(key);
	int rc = -ENOENT;
	FILE *fp = fopen(path, "re");
	buf[0] = '\0';
	if (!fp)
		return -errno;
	while (fgets(line, sizeof line, fp)) {
		if (strncmp(line, key, k) != 0)
			continue;
		char *v = line + k;
		v += strspn(v, " \t");
		if (*v != ':' && *v != '=')
			continue;
		v++;
		v += strspn(v, " \t\"'");
		v[strcspn(v, "\"'\n")] = '\0';
		snprintf(buf, len, "%s", v);
		rc = 0;
		break;
	}
	fclose(fp);
	return rc;
}

/* The [bracketed] choice of a sysfs setting such as "always [madvise] never". */
static void put_bracketed(struct facts *f, const char *key, const char *path)
{
	char line[256];
	read_line(path, line, sizeof line);
	char *a = strchr(line, '['), *b = a ? strchr(a, ']') : NULL;
	if (a && b) {
		*b = '\0';
		put_str(f, key, a + 1);
	} else {
		put_str(f, key, line);
	}
}

/* The CPUs this process may run on.  The mask grows until the kernel
 * accepts it, because cpu_set_t holds only 1024 CPUs. */
static int affinity_count(void)
{
	for (int ncpu = CPU_SETSIZE; ncpu <= (1 << 20); ncpu *= 2) {
		cpu_set_t *set = CPU_ALLOC(ncpu);
		size_t size = CPU_ALLOC_SIZE(ncpu);
		if (!set)
			return -ENOMEM;
		int rc = sched_getaffinity(0, size, set) == 0 ? CPU_COUNT_S(size, set) : -errno;
		CPU_FREE(set);
		if (rc != -EINVAL)
			return rc;
	}
	return -EINVAL;
}

/* Whether a comma-separated list such as "cpu,cpuacct" holds word. */
static int has_token(const char *list, const char *word)
{
	size_t k = strlen(word);
	const char *p = list;
	while (*p) {
		size_t n = strcspn(p, ",");
		if (n == k && strncmp(p, word, k) == 0)
			return 1;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* This process's path in a cgroup hierarchy from /proc/self/cgroup:
 * controller "" asks for the v2 line ("0::/path"), otherwise the v1 line
 * whose controller list holds it ("4:memory:/path").  0 or -ENOENT. */
static int cgroup_path(const char *controller, char *path, size_t len)
{
	char line[1024];
	int rc = -ENOENT;
	FILE *fp = fopen("/proc/self/cgroup", "re");
	path[0] = '\0';
	if (!fp)
		return -errno;
	while (rc && fgets(line, sizeof line, fp)) {
		char *ctl = strchr(line, ':'), *rel = ctl ? strchr(ctl + 1, ':') : NULL;
		if (!rel)
			continue;
		*ctl++ = '\0';
		*rel++ = '\0';
		rel[strcspn(rel, "\n")] = '\0';
		int match = *controller ? has_token(ctl, controller) : strcmp(line, "0") == 0 && !*ctl;
		if (match) {
			snprintf(path, len, "%s", rel);
			rc = 0;
		}
	}
	fclose(fp);
	return rc;
}

/* A limit read at one level of the hierarchy: bytes for memory, quota
 * and period in microseconds for CPU; unlimited is ULLONG_MAX / -1. */
struct cg_level {
	unsigned long long mem;
	long long quota, period;
};

static int cg_read_level(const char *dir, int v2, int cpu, struct cg_level *l)
{
	char path[PATH_MAX + 32], v[128];
	int rc;
	if (v2) {
		snprintf(path, sizeof path, "%s/%s", dir, cpu ? "cpu.max" : "memory.max");
		rc = read_line(path, v, sizeof v);
		if (rc)
			return rc;
		if (cpu) {
			char quota[64];
			if (sscanf(v, "%63s %lld", quota, &l->period) != 2)
				return -EINVAL;
			l->quota = strcmp(quota, "max") == 0 ? -1 : strtoll(quota, NULL, 10);
		} else {
			l->mem = strcmp(v, "max") == 0 ? ULLONG_MAX : strtoull(v, NULL, 10);
		}
		return 0;
	}
	if (cpu) {
		snprintf(path, sizeof path, "%s/cpu.cfs_quota_us", dir);
		if ((rc = read_line(path, v, sizeof v)))
			return rc;
		l->quota = strtoll(v, NULL, 10);
		snprintf(path, sizeof path, "%s/cpu.cfs_period_us", dir);
		if ((rc = read_line(path, v, sizeof v)))
			return rc;
		l->period = strtoll(v, NULL, 10);
		return 0;
	}
	snprintf(path, sizeof path, "%s/memory.limit_in_bytes", dir);
	if ((rc = read_line(path, v, sizeof v)))
		return rc;
	/* v1 says "unlimited" with a huge page-rounded number. */
	l->mem = strtoull(v, NULL, 10);
	if (l->mem >= 1ULL << 62)
		l->mem = ULLONG_MAX;
	return 0;
}

/* The tightest limit from this process's cgroup up to the root of the
 * mount, in cgroup v2's notation for both versions: bytes or "max" for
 * memory, "quota period" or "max period" for CPU.  Walking up matters
 * because a container's limit usually sits on an ancestor; and without a
 * cgroup namespace the listed path may not exist under the mount at all,
 * in which case the mount's own root (the container's cgroup) answers. */
static void cg_limit(const char *base, const char *rel, int v2, int cpu, char *out, size_t len)
{
	char dir[PATH_MAX];
	struct cg_level best = { .mem = ULLONG_MAX, .quota = -1, .period = 0 };
	size_t baselen = strlen(base);
	int found = 0;
	snprintf(dir, sizeof dir, "%s%s", base, rel);
	for (size_t n = strlen(dir); n > baselen && dir[n - 1] == '/'; n--)
		dir[n - 1] = '\0';
	for (;;) {
		struct cg_level l = { .mem = ULLONG_MAX, .quota = -1 };
		if (cg_read_level(dir, v2, cpu, &l) == 0) {
			if (!found && cpu)
				best.period = l.period;
			found = 1;
			if (l.mem < best.mem)
				best.mem = l.mem;
			/* Compare quota/period ratios without dividing. */
			if (l.quota >= 0 && l.period > 0 &&
			    (best.quota < 0 || (double)l.quota * best.period < (double)best.quota * l.period)) {
				best.quota = l.quota;
				best.period = l.period;
			}
		}
		char *slash = strlen(dir) > baselen ? strrchr(dir + baselen, '/') : NULL;
		if (!slash)
			break;
		*slash = '\0';
	}
	if (!found)
		snprintf(out, len, "unknown");
	else if (cpu && best.quota >= 0)
		snprintf(out, len, "%lld %lld", best.quota, best.period);
	else if (cpu)
		snprintf(out, len, "max %lld", best.period);
	else if (best.mem != ULLONG_MAX)
		snprintf(out, len, "%llu", best.mem);
	else
		snprintf(out, len, "max");
}

static void put_cgroup(struct facts *f)
{
	char rel[PATH_MAX], cpu_rel[PATH_MAX], v[128];
	if (access(CGROUP_ROOT "/cgroup.controllers", F_OK) == 0) {
		put_str(f, "cgroup_version", "2");
		if (cgroup_path("", rel, sizeof rel))
			snprintf(rel, sizeof rel, "/");
		cg_limit(CGROUP_ROOT, rel, 1, 0, v, sizeof v);
		put_str(f, "cgroup_memory_max", v);
		cg_limit(CGROUP_ROOT, rel, 1, 1, v, sizeof v);
		put_str(f, "cgroup_cpu_max", v);
		return;
	}
	/* v1, or hybrid mode where the v2 tree holds no controllers: the
	 * limits live in the memory and cpu hierarchies. */
	int have_mem = cgroup_path("memory", rel, sizeof rel) == 0;
	int have_cpu = cgroup_path("cpu", cpu_rel, sizeof cpu_rel) == 0;
	put_str(f, "cgroup_version", have_mem || have_cpu ? "1" : "none");
	cg_limit(CGROUP_ROOT "/memory", have_mem ? rel : "/", 0, 0, v, sizeof v);
	put_str(f, "cgroup_memory_max", v);
	/* Distributions mount the cpu controller alone or as "cpu,cpuacct"
	 * with a "cpu" link to it. */
	const char *cpu_base = CGROUP_ROOT "/cpu";
	if (access(cpu_base, F_OK) != 0)
		cpu_base = CGROUP_ROOT "/cpu,cpuacct";
	cg_limit(cpu_base, have_cpu ? cpu_rel : "/", 0, 1, v, sizeof v);
	put_str(f, "cgroup_cpu_max", v);
}

static void put_topology(struct facts *f)
{
	struct topo *t = NULL;
	char kinds[1024] = "";
	topo_open(&t);
	put_int(f, "packages", t ? topo_count(t, "package") : -1);
	put_int(f, "cores", t ? topo_count(t, "core") : -1);
	put_int(f, "pus", t ? topo_count(t, "pu") : -1);
	put_int(f, "numa_nodes", t ? topo_count(t, "numa") : -1);
	if (t)
		topo_cpukinds(t, kinds, sizeof kinds);
	put_str(f, "cpu_kinds", kinds);
	topo_close(t);
}

int context_collect(json_t **out)
{
	struct facts f = { .o = json_object(), .rc = 0 };
	char buf[1024];
	struct utsname u;
	struct tm tm;
	time_t now = time(NULL);
	*out = NULL;
	if (!f.o)
		return -ENOMEM;

	buf[0] = '\0';
	if (gmtime_r(&now, &tm))
		strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	put_str(&f, "date", buf);
	int have_uname = uname(&u) == 0;
	put_str(&f, "host", have_uname ? u.nodename : NULL);
	read_key("/etc/os-release", "PRETTY_NAME", buf, sizeof buf);
	put_str(&f, "os", buf);
	put_str(&f, "kernel", have_uname ? u.release : NULL);
	put_str(&f, "arch", have_uname ? u.machine : NULL);
	read_key("/proc/cpuinfo", "model name", buf, sizeof buf);
	put_str(&f, "cpu_model", buf);

	put_topology(&f);
	put_int(&f, "online_cpus", sysconf(_SC_NPROCESSORS_ONLN));
	put_int(&f, "affinity_cpus", affinity_count());
	long long mem = -1;
	if (read_key("/proc/meminfo", "MemTotal", buf, sizeof buf) == 0)
		mem = strtoll(buf, NULL, 10) * 1024;
	put_int(&f, "memory_total_bytes", mem > 0 ? mem : -1);

	read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", buf, sizeof buf);
	put_str(&f, "governor", buf);
	put_bracketed(&f, "thp_enabled", "/sys/kernel/mm/transparent_hugepage/enabled");
	put_bracketed(&f, "thp_defrag", "/sys/kernel/mm/transparent_hugepage/defrag");
	/* What shared inputs can get (--shm-pages): shared transparent huge
	 * pages, and hugetlb pages reserved and free. */
	put_bracketed(&f, "thp_shmem_enabled", "/sys/kernel/mm/transparent_hugepage/shmem_enabled");
	static const char *const huge[][2] = { { "HugePages_Total", "hugetlb_pages_total" },
					       { "HugePages_Free", "hugetlb_pages_free" },
					       { "Hugepagesize", "hugetlb_page_bytes" } };
	for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
		long long v = -1;
		if (read_key("/proc/meminfo", huge[i][0], buf, sizeof buf) == 0)
			v = strtoll(buf, NULL, 10) * (i == 2 ? 1024 : 1);
		put_int(&f, huge[i][1], v);
	}
	put_cgroup(&f);

#if defined(__clang__)
	put_str(&f, "compiler", "clang " __clang_version__);
#elif defined(__GNUC__)
	put_str(&f, "compiler", "gcc " __VERSION__);
#else
	put_str(&f, "compiler", "unknown");
#endif
	put_str(&f, "build_type", SPREADBENCH_BUILD_TYPE);
	put_str(&f, "git_commit", SPREADBENCH_GIT_COMMIT);
	put_str(&f, "version", SPREADBENCH_VERSION);
	put_str(&f, "glibc", gnu_get_libc_version());
	/* hwloc has no run-time call for its release, only for its API
	 * (2.9.0 implements API 2.8.0), so both are recorded. */
#ifdef HWLOC_VERSION
	put_str(&f, "hwloc", HWLOC_VERSION);
#else
	put_str(&f, "hwloc", "unknown");
#endif
	unsigned hv = hwloc_get_api_version();
	snprintf(buf, sizeof buf, "%u.%u.%u", hv >> 16, (hv >> 8) & 0xff, hv & 0xff);
	put_str(&f, "hwloc_api", buf);
	put_str(&f, "jansson", jansson_version_str());
	snprintf(buf, sizeof buf, "%d.%d.%d", CSV_MAJOR, CSV_MINOR, CSV_RELEASE);
	put_str(&f, "libcsv", buf);
#if defined(__SANITIZE_ADDRESS__)
	put_str(&f, "sanitizers", "address,undefined");
#else
	put_str(&f, "sanitizers", "none");
#endif
	/* How fast this machine is right now, so that two results files can
	 * be told to come from machines (or moments) that differ. */
	double lat = NAN;
	put_real(&f, "probe_cpu_s", noise_probe_cpu());
	noise_probe_latency(CONTEXT_PROBE_BYTES, true, CONTEXT_PROBE_HOPS, &lat);
	put_real(&f, "probe_latency_ns", lat);

	if (f.rc) {
		json_decref(f.o);
		return f.rc;
	}
	*out = f.o;
	return 0;
}

/* "key: value" with control characters turned into spaces. */
static char *format_line(const char *key, const json_t *val)
{
	char *text = NULL, *line = NULL;
	if (json_is_string(val))
		text = strdup(json_string_value(val));
	else
		text = json_dumps(val, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!text)
		goto out;
	if (asprintf(&line, "%s: %s", key, text) < 0) {
		line = NULL;
		goto out;
	}
	for (char *p = line; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
out:
	free(text);
	return line;
}

int context_lines(const json_t *ctx, char ***lines, size_t *n)
{
	char **v = NULL;
	size_t k = 0;
	int rc = 0;
	const char *key;
	json_t *val;
	*lines = NULL;
	*n = 0;
	if (!json_is_object(ctx))
		return -EINVAL;
	/* One spare slot so that an empty object still gives a non-NULL array. */
	v = calloc(json_object_size(ctx) + 1, sizeof *v);
	if (!v)
		return -ENOMEM;
	/* jansson's iteration takes a non-const object but does not change it. */
	json_object_foreach((json_t *)ctx, key, val) {
		v[k] = format_line(key, val);
		if (!v[k]) {
			rc = -ENOMEM;
			goto out;
		}
		k++;
	}
	*lines = v;
	*n = k;
	v = NULL;
out:
	context_lines_free(v, k);
	return rc;
}

void context_lines_free(char **lines, size_t n)
{
	if (!lines)
		return;
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}
