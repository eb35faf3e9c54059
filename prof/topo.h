/*
 * topo.h - the machine's topology through hwloc: counts of packages,
 * cores, PUs, NUMA nodes and caches, the CPU kinds of hybrid processors,
 * an XML export for results folders (lstopo reads it), and binding a
 * thread or process to a core.  Default core counts come from here, not
 * from a guess.  The hwloc tree itself stays hidden behind struct topo;
 * callers that need more than counts read the exported XML.
 */
#ifndef SPREADBENCH_TOPO_H
#define SPREADBENCH_TOPO_H

#include <stddef.h>
#include <stdio.h>

struct topo;

/* Discovers the machine this process may use (hwloc leaves out PUs that
 * the process's cgroup or affinity forbids).  On failure *out is NULL. */
int topo_open(struct topo **out);
/* Safe on NULL. */
void topo_close(struct topo *t);
/* How many objects of a kind: "package", "core", "pu", "numa", "l1d",
 * "l1i", "l2", "l3", "l4", or any name hwloc_type_sscanf() knows
 * ("Die", "L3Cache", ...); -1 when the name is unknown or the count is
 * ambiguous (objects of that type at several depths). */
int topo_count(const struct topo *t, const char *what);
/* Describes the CPU kinds into buf, one line without a newline, e.g.
 * "1 kind: LinuxCapacity=1024 (2 PUs)" or
 * "2 kinds: IntelAtom, FrequencyMaxMHz=3800 (8 PUs); IntelCore, ... (8 PUs)",
 * least efficient kind first; "0 kinds" when hwloc reports none.  A
 * description that does not fit is cut short.  Returns the number of
 * kinds. */
int topo_cpukinds(const struct topo *t, char *buf, size_t len);
/* Writes the whole topology as hwloc XML; 0 or -errno. */
int topo_export_xml(const struct topo *t, const char *path);
/* Binds the calling thread (or the whole process when whole_process) to
 * all PUs of the core with logical index i modulo the core count (a
 * negative i counts from the end); on a machine that reports no cores,
 * to PU i instead.  0 or -errno. */
int topo_bind_core(const struct topo *t, int i, int whole_process);
/* A human-readable summary: packages, cores, PUs, NUMA nodes with their
 * memory, L1d/L2/L3 cache counts and sizes, CPU kinds.  0 or -EIO. */
int topo_print(const struct topo *t, FILE *f);

#endif
