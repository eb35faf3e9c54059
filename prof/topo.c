/*
 * topo.c - hwloc behind a small interface.  Only what spreadbench reports
 * or needs for pinning is exposed: counts, CPU kinds, a summary, an XML
 * export and binding to one core.  It does not pick placements (that is
 * the runner's policy) and does not walk the I/O devices; the full tree,
 * PCI devices included, is available to users as the exported XML.
 */
#include "topo.h"
#include "outfile.h"

#include <errno.h>
#include <hwloc.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct topo {
	hwloc_topology_t h;
};

int topo_open(struct topo **out)
{
	hwloc_topology_t h = NULL;
	struct topo *t = NULL;
	int rc = 0;
	*out = NULL;
	errno = 0;
	if (hwloc_topology_init(&h) < 0) {
		rc = errno ? -errno : -ENOMEM;
		h = NULL;
		goto out;
	}
	errno = 0;
	if (hwloc_topology_load(h) < 0) {
		rc = errno ? -errno : -EIO;
		goto out;
	}
	t = calloc(1, sizeof *t);
	if (!t) {
		rc = -ENOMEM;
		goto out;
	}
	t->h = h;
	h = NULL;
	*out = t;
out:
	if (h)
		hwloc_topology_destroy(h);
	return rc;
}

void topo_close(struct topo *t)
{
	if (!t)
		return;
	hwloc_topology_destroy(t->h);
	free(t);
}

int topo_count(const struct topo *t, const char *what)
{
	hwloc_obj_type_t type;
	/* hwloc's own parser takes the short names ("pu", "numa", "l1d",
	 * "package"), so callers can use the names lstopo prints. */
	if (!t || !what || hwloc_type_sscanf(what, &type, NULL, 0) < 0)
		return -1;
	return hwloc_get_nbobjs_by_type(t->h, type);
}

/* A string being built in a fixed buffer: text that does not fit is cut
 * and the rest dropped, so the buffer always holds a terminated prefix. */
struct sbuf {
	char *p;
	size_t len, used;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void sbuf_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	if (b->used + 1 >= b->len)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(b->p + b->used, b->len - b->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->used += (size_t)n < b->len - b->used ? (size_t)n : b->len - b->used - 1;
}

/* One kind: its CoreType bare (what a reader looks for on hybrid CPUs),
 * then the other attributes hwloc found, then how many PUs it has. */
static void describe_kind(const struct topo *t, unsigned k, hwloc_bitmap_t set, struct sbuf *b)
{
	struct hwloc_info_s *infos = NULL;
	unsigned ninfos = 0;
	int eff = -1, first = 1;
	if (hwloc_cpukinds_get_info(t->h, k, set, &eff, &ninfos, &infos, 0) < 0) {
		sbuf_add(b, "kind %u unreadable", k);
		return;
	}
	for (unsigned i = 0; i < ninfos; i++) {
		if (strcmp(infos[i].name, "CoreType") == 0) {
			sbuf_add(b, "%s", infos[i].value);
			first = 0;
		}
	}
	for (unsigned i = 0; i < ninfos; i++) {
		if (strcmp(infos[i].name, "CoreType") == 0)
			continue;
		sbuf_add(b, "%s%s=%s", first ? "" : ", ", infos[i].name, infos[i].value);
		first = 0;
	}
	if (first)
		sbuf_add(b, "efficiency %d", eff);
	sbuf_add(b, " (%d PUs)", hwloc_bitmap_weight(set));
}

int topo_cpukinds(const struct topo *t, char *buf, size_t len)
{
	struct sbuf b = { .p = buf, .len = len, .used = 0 };
	hwloc_bitmap_t set = NULL;
	int n = t ? hwloc_cpukinds_get_nr(t->h, 0) : -1;
	if (len)
		buf[0] = '\0';
	if (n <= 0) {
		n = 0;
		sbuf_add(&b, "0 kinds");
		goto out;
	}
	set = hwloc_bitmap_alloc();
	sbuf_add(&b, "%d kind%s:", n, n == 1 ? "" : "s");
	for (int k = 0; k < n && set; k++) {
		sbuf_add(&b, "%s", k ? "; " : " ");
		describe_kind(t, (unsigned)k, set, &b);
	}
out:
	hwloc_bitmap_free(set);
	return n;
}

/* hwloc writes the XML into memory and outfile.c writes the file, so a
 * full disk leaves an older topology.xml whole and is reported with its
 * cause (hwloc's own file export says neither). */
int topo_export_xml(const struct topo *t, const char *path)
{
	char *xml = NULL;
	int len = 0;
	if (!t || !path)
		return -EINVAL;
	errno = 0;
	if (hwloc_topology_export_xmlbuffer(t->h, &xml, &len, 0) < 0 || !xml || len < 1)
		return errno ? -errno : -EIO;
	/* The length counts the final NUL, which is no part of the file. */
	int rc = outfile_write_buffer(path, xml, (size_t)len - 1);
	hwloc_free_xmlbuffer(t->h, xml);
	return rc;
}

int topo_bind_core(const struct topo *t, int i, int whole_process)
{
	if (!t)
		return -EINVAL;
	/* Some platforms expose PUs but no Core objects; binding to a PU is
	 * then the closest thing to a core. */
	hwloc_obj_type_t type = HWLOC_OBJ_CORE;
	int n = hwloc_get_nbobjs_by_type(t->h, type);
	if (n <= 0) {
		type = HWLOC_OBJ_PU;
		n = hwloc_get_nbobjs_by_type(t->h, type);
	}
	if (n <= 0)
		return -ENODEV;
	hwloc_obj_t o = hwloc_get_obj_by_type(t->h, type, (unsigned)((i % n + n) % n));
	if (!o || !o->cpuset)
		return -ENODEV;
	/* All PUs of the core, not one of them: the kernel keeps the thread
	 * on the core's SMT siblings, which is what "one core" means here. */
	int flags = whole_process ? HWLOC_CPUBIND_PROCESS : HWLOC_CPUBIND_THREAD;
	errno = 0;
	if (hwloc_set_cpubind(t->h, o->cpuset, flags) < 0)
		return errno ? -errno : -EIO;
	return 0;
}

/* "%llu KiB" or, for whole mebibytes, "%llu MiB". */
static void print_size(FILE *f, unsigned long long bytes)
{
	if (bytes >= 1048576 && bytes % 1048576 == 0)
		fprintf(f, "%llu MiB", bytes / 1048576);
	else
		fprintf(f, "%llu KiB", bytes / 1024);
}

/* Caches of one level as "count x size", grouped by size because the
 * two kinds of core in a hybrid CPU have different L2s. */
static void print_caches(const struct topo *t, FILE *f, hwloc_obj_type_t type, const char *name)
{
	enum { MAX_SIZES = 8 };
	unsigned long long size[MAX_SIZES];
	int count[MAX_SIZES], nsizes = 0, other = 0;
	int n = hwloc_get_nbobjs_by_type(t->h, type);
	if (n <= 0)
		return;
	for (int i = 0; i < n; i++) {
		hwloc_obj_t o = hwloc_get_obj_by_type(t->h, type, (unsigned)i);
		unsigned long long s = o && o->attr ? o->attr->cache.size : 0;
		int j = 0;
		while (j < nsizes && size[j] != s)
			j++;
		if (j == nsizes && nsizes == MAX_SIZES) {
			other++;
			continue;
		}
		if (j == nsizes) {
			size[nsizes] = s;
			count[nsizes++] = 0;
		}
		count[j]++;
	}
	fprintf(f, "%-12s", name);
	for (int j = 0; j < nsizes; j++) {
		fprintf(f, "%s%d x ", j ? " + " : "", count[j]);
		print_size(f, size[j]);
	}
	if (other)
		fprintf(f, " + %d of other sizes", other);
	fputc('\n', f);
}

int topo_print(const struct topo *t, FILE *f)
{
	char kinds[1024];
	if (!t || !f)
		return -EINVAL;
	fprintf(f, "%-12s%d\n", "packages:", topo_count(t, "package"));
	fprintf(f, "%-12s%d\n", "cores:", topo_count(t, "core"));
	fprintf(f, "%-12s%d\n", "PUs:", topo_count(t, "pu"));
	int numa = topo_count(t, "numa");
	fprintf(f, "%-12s%d", "NUMA nodes:", numa);
	for (int i = 0; i < numa; i++) {
		hwloc_obj_t o = hwloc_get_obj_by_type(t->h, HWLOC_OBJ_NUMANODE, (unsigned)i);
		unsigned long long mem = o && o->attr ? o->attr->numanode.local_memory : 0;
		fprintf(f, "%snode %u: ", i ? ", " : " (", o ? o->os_index : (unsigned)i);
		/* A container may hide the node's memory from hwloc. */
		if (mem)
			fprintf(f, "%.1f GiB", mem / 1073741824.0);
		else
			fputs("memory unknown", f);
	}
	fputs(numa > 0 ? ")\n" : "\n", f);
	print_caches(t, f, HWLOC_OBJ_L1CACHE, "L1d:");
	print_caches(t, f, HWLOC_OBJ_L2CACHE, "L2:");
	print_caches(t, f, HWLOC_OBJ_L3CACHE, "L3:");
	topo_cpukinds(t, kinds, sizeof kinds);
	fprintf(f, "%-12s%s\n", "CPU kinds:", kinds);
	return ferror(f) ? -EIO : 0;
}
