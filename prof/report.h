/*
 * report.h - the parts of `spreadbench report` that live apart from the
 * command: the findings (report_findings.c).
 */
#ifndef SPREADBENCH_REPORT_H
#define SPREADBENCH_REPORT_H

#include "groups.h"
#include "verdict.h"

#include <jansson.h>
#include <stdio.h>

/* Judges every finding over gs and writes the verdict table, the forest
 * plot (dir/plots/forest.png, .svg) and a section per finding to f;
 * counts[v] gets the number of findings with each verdict.  0 or a
 * negative errno (a message on stderr). */
int report_findings(const struct groups *gs, json_t *ctx, const char *dir, FILE *f, int counts[VERDICT_N]);

#endif
