/*
 * test_context.c - the topology wrapper and the context written with every
 * result.  Counts are checked for consistency, not against fixed numbers,
 * because the test runs on whatever machine builds the project; binding
 * is checked against core 0's PUs as a separate hwloc instance sees them.
 * It does not check that facts such as the governor are right, only that
 * each one is present, typed, and fits on one '#' line.
 */
#include "check.h"
#include "context.h"
#include "topo.h"

#include <hwloc.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const keys[] = {
	"date", "host", "os", "kernel", "arch", "cpu_model", "packages", "cores", "pus", "numa_nodes",
	"cpu_kinds", "online_cpus", "affinity_cpus", "memory_total_bytes", "governor", "thp_enabled",
	"thp_defrag", "thp_shmem_enabled", "hugetlb_pages_total", "hugetlb_pages_free", "hugetlb_page_bytes",
	"cgroup_version", "cgroup_memory_max", "cgroup_cpu_max", "compiler", "build_type",
	"git_commit", "version", "glibc", "hwloc", "hwloc_api", "jansson", "libcsv", "sanitizers",
	"probe_cpu_s", "probe_latency_ns",
};
#define NKEYS (sizeof keys / sizeof keys[0])

/* The whole of a small file, NUL-terminated; NULL when unreadable. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	if (!f)
		return NULL;
	FILE *m = open_memstream(&buf, &len);
	if (m) {
		int c;
		while ((c = fgetc(f)) != EOF)
			fputc(c, m);
		fclose(m);
	}
	fclose(f);
	return buf;
}

static void test_counts(const struct topo *t)
{
	int packages = topo_count(t, "package"), cores = topo_count(t, "core"), pus = topo_count(t, "pu");
	CHECK(packages >= 1);
	CHECK(cores >= 1);
	CHECK(pus >= cores);
	CHECK(cores >= packages);
	CHECK(topo_count(t, "numa") >= 1);
	CHECK(topo_count(t, "Core") == cores);
	CHECK_EQ(topo_count(t, "no-such-thing"), -1);
	CHECK_EQ(topo_count(t, NULL), -1);
	CHECK_EQ(topo_count(NULL, "core"), -1);
}

static void test_cpukinds(const struct topo *t)
{
	char big[1024], tiny[4];
	int n = topo_cpukinds(t, big, sizeof big);
	CHECK(n >= 0);
	CHECK(strchr(big, '\n') == NULL);
	char want[32];
	snprintf(want, sizeof want, "%d kind", n);
	CHECK(strncmp(big, want, strlen(want)) == 0);
	/* A buffer too small still ends in a NUL and gives the same count. */
	CHECK_EQ(topo_cpukinds(t, tiny, sizeof tiny), n);
	CHECK(strlen(tiny) < sizeof tiny);
}

static void test_print(const struct topo *t)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	CHECK(m != NULL);
	if (!m)
		return;
	CHECK_EQ(topo_print(t, m), 0);
	fclose(m);
	CHECK(len > 0);
	CHECK(strstr(text, "cores") != NULL);
	CHECK(strstr(text, "NUMA nodes") != NULL);
	CHECK(strstr(text, "CPU kinds") != NULL);
	free(text);
}

static void test_export(const struct topo *t)
{
	char path[] = "/tmp/test_context_XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	CHECK_EQ(topo_export_xml(t, path), 0);
	char *xml = slurp(path);
	CHECK(xml != NULL);
	if (xml) {
		CHECK(strncmp(xml, "<?xml", 5) == 0);
		CHECK(strstr(xml, "<topology") != NULL);
	}
	free(xml);
	unlink(path);
	CHECK(topo_export_xml(t, "/nonexistent-dir/topo.xml") < 0);
}

/* The calling thread's CPUs, checked against one core's PUs. */
static void check_bound_to(hwloc_topology_t h, unsigned core, int pus)
{
	cpu_set_t set;
	CHECK_EQ(sched_getaffinity(0, sizeof set, &set), 0);
	CHECK(CPU_COUNT(&set) >= 1);
	CHECK(CPU_COUNT(&set) <= pus);
	hwloc_obj_t o = hwloc_get_obj_by_type(h, HWLOC_OBJ_CORE, core);
	CHECK(o != NULL);
	if (!o)
		return;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set))
			CHECK(hwloc_bitmap_isset(o->cpuset, (unsigned)cpu));
}

static void test_bind(const struct topo *t)
{
	cpu_set_t before;
	hwloc_topology_t h;
	int cores = topo_count(t, "core"), pus = topo_count(t, "pu");
	CHECK_EQ(sched_getaffinity(0, sizeof before, &before), 0);
	CHECK_EQ(hwloc_topology_init(&h), 0);
	CHECK_EQ(hwloc_topology_load(h), 0);

	CHECK_EQ(topo_bind_core(t, 0, 0), 0);
	check_bound_to(h, 0, pus);
	/* Indices wrap around the core count, both ways. */
	CHECK_EQ(topo_bind_core(t, cores, 0), 0);
	check_bound_to(h, 0, pus);
	CHECK_EQ(topo_bind_core(t, -1, 0), 0);
	check_bound_to(h, (unsigned)(cores - 1), pus);
	CHECK_EQ(topo_bind_core(t, 0, 1), 0);
	check_bound_to(h, 0, pus);
	CHECK(topo_bind_core(NULL, 0, 0) < 0);

	hwloc_topology_destroy(h);
	/* The context below records the affinity mask; give it back. */
	CHECK_EQ(sched_setaffinity(0, sizeof before, &before), 0);
}

static void test_collect(const struct topo *t)
{
	json_t *ctx = NULL;
	CHECK_EQ(context_collect(&ctx), 0);
	CHECK(json_is_object(ctx));
	if (!json_is_object(ctx))
		return;
	CHECK_EQ(json_object_size(ctx), NKEYS);
	for (size_t i = 0; i < NKEYS; i++) {
		json_t *v = json_object_get(ctx, keys[i]);
		check_context = keys[i];
		CHECK(v != NULL);
		CHECK(json_is_string(v) || json_is_integer(v) || json_is_real(v));
		if (json_is_string(v))
			CHECK(json_string_length(v) > 0);
	}
	check_context = "";
	CHECK_EQ(json_integer_value(json_object_get(ctx, "cores")), topo_count(t, "core"));
	CHECK_EQ(json_integer_value(json_object_get(ctx, "pus")), topo_count(t, "pu"));
	CHECK(json_integer_value(json_object_get(ctx, "affinity_cpus")) >= 1);
	CHECK(json_integer_value(json_object_get(ctx, "memory_total_bytes")) > 0);
	/* The probe measured something plausible: a 20-million-step loop in
	 * more than a millisecond and less than a minute, a read from memory
	 * between 1 ns and 100 us. */
	CHECK(json_real_value(json_object_get(ctx, "probe_cpu_s")) > 1e-3);
	CHECK(json_real_value(json_object_get(ctx, "probe_cpu_s")) < 60);
	CHECK(json_real_value(json_object_get(ctx, "probe_latency_ns")) > 1);
	CHECK(json_real_value(json_object_get(ctx, "probe_latency_ns")) < 1e5);
	const char *date = json_string_value(json_object_get(ctx, "date"));
	CHECK(date && strlen(date) == 20 && date[10] == 'T' && date[19] == 'Z');
	const char *cg = json_string_value(json_object_get(ctx, "cgroup_version"));
	CHECK(cg && (!strcmp(cg, "1") || !strcmp(cg, "2") || !strcmp(cg, "none")));
#if defined(__SANITIZE_ADDRESS__)
	CHECK(!strcmp(json_string_value(json_object_get(ctx, "sanitizers")), "address,undefined"));
#else
	CHECK(!strcmp(json_string_value(json_object_get(ctx, "sanitizers")), "none"));
#endif

	char **lines = NULL;
	size_t n = 0;
	CHECK_EQ(context_lines(ctx, &lines, &n), 0);
	CHECK_EQ(n, json_object_size(ctx));
	const char *key;
	json_t *v;
	size_t i = 0;
	json_object_foreach(ctx, key, v) {
		if (i >= n)
			break;
		size_t k = strlen(key);
		check_context = key;
		CHECK(strncmp(lines[i], key, k) == 0 && strncmp(lines[i] + k, ": ", 2) == 0);
		CHECK(strlen(lines[i]) > k + 2);
		CHECK(strchr(lines[i], '\n') == NULL);
		printf("# %s\n", lines[i]);
		i++;
	}
	check_context = "";
	context_lines_free(lines, n);
	json_decref(ctx);
}

/* Values other than plain strings and numbers, as a caller may add. */
static void test_lines_flatten(void)
{
	json_t *o = json_pack("{s:[i,i], s:{s:b}, s:s, s:n, s:f}", "list", 1, 2, "obj", "x", 1, "text",
			      "two\nlines", "none", "real", 0.5);
	char **lines = NULL;
	size_t n = 0;
	CHECK(o != NULL);
	CHECK_EQ(context_lines(o, &lines, &n), 0);
	CHECK_EQ(n, 5);
	if (n == 5) {
		CHECK(!strcmp(lines[0], "list: [1,2]"));
		CHECK(!strcmp(lines[1], "obj: {\"x\":true}"));
		CHECK(!strcmp(lines[2], "text: two lines"));
		CHECK(!strcmp(lines[3], "none: null"));
		CHECK(!strcmp(lines[4], "real: 0.5"));
	}
	context_lines_free(lines, n);
	json_decref(o);

	json_t *empty = json_object(), *arr = json_array();
	CHECK_EQ(context_lines(empty, &lines, &n), 0);
	CHECK_EQ(n, 0);
	CHECK(lines != NULL);
	context_lines_free(lines, n);
	CHECK(context_lines(arr, &lines, &n) < 0);
	CHECK(lines == NULL);
	context_lines_free(NULL, 0);
	json_decref(empty);
	json_decref(arr);
}

int main(void)
{
	struct topo *t = NULL;
	CHECK_EQ(topo_open(&t), 0);
	CHECK(t != NULL);
	if (t) {
		test_counts(t);
		test_cpukinds(t);
		test_print(t);
		test_export(t);
		test_bind(t);
		test_collect(t);
	}
	test_lines_flatten();
	topo_close(t);
	topo_close(NULL);
	return check_result("test_context");
}
