/*
 * cmd_topo.c - `spreadbench topo`: the machine as hwloc sees it (what this
 * process may use): packages, cores, PUs, caches, NUMA nodes and CPU
 * kinds; --xml FILE also writes hwloc's XML, which lstopo can draw.  A
 * failure to write either says why and exits 1.
 */
#include "cli.h"
#include "topo.h"

#include <stdio.h>
#include <string.h>

int cmd_topo(int argc, char **argv)
{
	const char *xml = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: spreadbench topo [--xml FILE]\n");
			return 0;
		} else if (strcmp(argv[i], "--xml") == 0 && i + 1 < argc) {
			xml = argv[++i];
		} else {
			cli_error("unexpected argument '%s' (usage: spreadbench topo [--xml FILE])", argv[i]);
			return 2;
		}
	}
	struct topo *t = NULL;
	if (topo_open(&t) || !t) {
		cli_error("hwloc cannot read this machine's topology");
		return 1;
	}
	int status = topo_print(t, stdout) ? 1 : 0;
	int rc;
	if (xml && (rc = topo_export_xml(t, xml))) {
		cli_error("cannot write '%s': %s", xml, strerror(-rc));
		status = 1;
	}
	topo_close(t);
	return status;
}
