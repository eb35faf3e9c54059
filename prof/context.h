/*
 * context.h - the facts a result depends on: the machine, the operating
 * system settings that change how processes share CPUs and memory, the
 * build and the library versions.  They go into '#' lines at the top of
 * a results CSV and into JSON sidecars.  What was run (scenario, input
 * size, command line) is the caller's to add.
 *
 * Keys, in this order, each a string or a number and "unknown" when it
 * cannot be read: date host os kernel arch cpu_model packages cores pus
 * numa_nodes cpu_kinds online_cpus affinity_cpus memory_total_bytes
 * governor thp_enabled thp_defrag cgroup_version cgroup_memory_max
 * cgroup_cpu_max compiler build_type git_commit version glibc hwloc
 * hwloc_api jansson libcsv sanitizers probe_cpu_s probe_latency_ns.
 * The last two are a calibration probe (noise.h): seconds of a fixed CPU
 * loop, and nanoseconds of a dependent random read in a buffer of
 * CONTEXT_PROBE_BYTES with transparent huge pages asked for.
 */
#ifndef SPREADBENCH_CONTEXT_H
#define SPREADBENCH_CONTEXT_H

#include <jansson.h>
#include <stddef.h>

#define CONTEXT_PROBE_BYTES (64u << 20)
#define CONTEXT_PROBE_HOPS 400000

/* A new JSON object (caller json_decref).  A fact that cannot be read is
 * "unknown", never a failure; only running out of memory fails. */
int context_collect(json_t **out);
/* One "key: value" string per entry of the object ctx, in its order:
 * strings as they are, other values as compact JSON, newlines and other
 * control characters turned into spaces so each stays one '#' line.
 * The caller frees them with context_lines_free(). */
int context_lines(const json_t *ctx, char ***lines, size_t *n);
/* Safe on NULL. */
void context_lines_free(char **lines, size_t n);

#endif
