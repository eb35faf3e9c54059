/*
 * fire_cli.h - what the commands about fires (`fire`, `count`) share
 * (fire_plot.c): they alone use the fire model's own interface.
 */
#ifndef SPREADBENCH_FIRE_CLI_H
#define SPREADBENCH_FIRE_CLI_H

#include "kernel.h"

#include <stdint.h>
#include <stdio.h>

/* A scenario's landscape, built into a private block. */
struct landscape_block {
	struct kernel_scenario sc;
	enum kernel_dtype dtype;
	void *buf;
	size_t bytes;
	struct kernel_landscape ls;
};
int landscape_block_build(const char *scenario, uint64_t seed, enum kernel_dtype dtype,
			  struct landscape_block *out);
void landscape_block_release(struct landscape_block *b);

/* Draw a fire's time of arrival and fire type with gnuplot, as PNG onto
 * the stream png (an outfile's, which the caller commits). */
int plot_fire(const struct kernel_fire *f, const struct kernel_landscape *ls,
	      const struct kernel_fire_result *res, const char *title, FILE *png);
#endif
