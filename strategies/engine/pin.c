/*
 * pin.c - see pin.h.  The topology is loaded once, on first use, under a
 * lock, and kept for the life of the process (hwloc calls on a loaded
 * topology are safe from several threads).
 */
#include "pin.h"

#include <errno.h>
#include <hwloc.h>
#include <pthread.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static hwloc_topology_t topo;
static int load_rc = -ENODEV;

static void load(void)
{
	if (hwloc_topology_init(&topo) < 0)
		return;
	if (hwloc_topology_load(topo) < 0) {
		hwloc_topology_destroy(topo);
		return;
	}
	load_rc = 0;
}

int pin_cores(void)
{
	pthread_once(&once, load);
	if (load_rc)
		return load_rc;
	int n = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
	return n > 0 ? n : -ENODEV;
}

int pin_thread_to_core(int k)
{
	int n = pin_cores();
	if (n < 0)
		return n;
	hwloc_obj_t core = hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, (unsigned)(k % n));
	if (!core || !core->cpuset)
		return -ENODEV;
	hwloc_cpuset_t set = hwloc_bitmap_dup(core->cpuset);
	if (!set)
		return -ENOMEM;
	/* One PU of the core, so the thread does not move between its
	 * hyperthreads either. */
	hwloc_bitmap_singlify(set);
	int rc = hwloc_set_cpubind(topo, set, HWLOC_CPUBIND_THREAD) < 0 ? -errno : 0;
	hwloc_bitmap_free(set);
	return rc;
}
