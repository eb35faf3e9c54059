/*
 * sidecar.h - reading a results folder's context.json back, as report
 * and plot do: the machine's facts that context_collect() wrote, used to
 * pick the worker count strategies are compared at and to describe the
 * machine in the report.  A sidecar is a file the user may have edited or
 * replaced, so reading it is bounded (a regular file of at most 1 MiB)
 * and what is taken from it is checked; writing it is context.c's and
 * outfile.c's business.
 */
#ifndef SPREADBENCH_SIDECAR_H
#define SPREADBENCH_SIDECAR_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#define SIDECAR_MAX_BYTES (1 << 20)

/* Reads path into a new JSON object (*out, caller json_decref).  0;
 * -ENOENT when there is no such file (a folder without one is allowed);
 * -EINVAL when it is not a regular file, too large, not JSON or not an
 * object; another negative errno when it cannot be read.  Messages go to
 * err, naming the file (and line and column for JSON errors). */
int sidecar_load(const char *path, json_t **out, char *err, size_t errlen);
/* The same from len bytes in memory; name is what messages call it. */
int sidecar_parse(const char *name, const void *data, size_t len, json_t **out, char *err,
		  size_t errlen);
/* The machine's core count from ctx: 1 to 65536, or 0 when it is missing
 * or out of that range. */
int sidecar_cores(const json_t *ctx);
/* The Markdown rows "| key | value |" of every string or whole-number
 * entry of ctx, with '|' written as "&#124;" and line ends as spaces so
 * that a value cannot break the table. */
void sidecar_machine_table(const json_t *ctx, FILE *f);

#endif
