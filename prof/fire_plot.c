/*
 * fire_plot.c - what the commands about fires (`fire`, `count`) share: a
 * scenario's landscape built into a private block, and one fire drawn
 * with gnuplot (plots/fire.gp): the landscape in grey, the time of
 * arrival and the fire type over it, around the burned area.  The data go
 * to a private temporary folder, removed afterwards.  Large windows are
 * sampled so a picture never needs more than about a million points.
 */
#include "cli.h"
#include "fire_cli.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int landscape_block_build(const char *scenario, uint64_t seed, enum kernel_dtype dtype,
			  struct landscape_block *out)
{
	memset(out, 0, sizeof *out);
	int rc = kernel_scenario_find(scenario, seed, &out->sc);
	if (rc)
		return rc;
	out->dtype = dtype;
	out->bytes = kernel_scenario_input_bytes(&out->sc, dtype);
	out->buf = kernel_block_alloc(out->bytes);
	if (!out->buf)
		return -ENOMEM;
	rc = kernel_scenario_build(&out->sc, dtype, out->buf);
	if (rc) {
		landscape_block_release(out);
		return rc;
	}
	kernel_landscape_attach(&out->sc, dtype, out->buf, &out->ls);
	return 0;
}

void landscape_block_release(struct landscape_block *b)
{
	kernel_block_free(b->buf, b->bytes);
	b->buf = NULL;
}

static void land_rgb(const struct kernel_landscape *ls, int y, int x, int *r, int *g, int *b)
{
	int fuel = (int)kernel_cube_get(&ls->layer[KERNEL_IN_FUEL_MODEL], 0, y, x);
	const struct kernel_fuel_model *fm = kernel_fuel_model(fuel);
	if (!fm->burnable) {
		*r = 150, *g = 180, *b = 215;
		return;
	}
	float load = 0;
	for (int i = 0; i < KERNEL_FUEL_CLASSES; i++)
		load += fm->w_o[i];
	int v = 235 - (int)fminf(120.0f, load * 120.0f);
	float slope = kernel_cube_get(&ls->layer[KERNEL_IN_SLOPE], 0, y, x);
	v -= (int)fminf(40.0f, slope * 60.0f);
	*r = *g = *b = v;
}

static int write_layers(const char *dir, const struct kernel_fire *f, const struct kernel_landscape *ls,
			const struct kernel_fire_result *res, float start)
{
	int y0, y1, x0, x1;
	if (res->bbox[1] >= 0) {
		int my = (res->bbox[1] - res->bbox[0]) / 5 + 10, mx = (res->bbox[3] - res->bbox[2]) / 5 + 10;
		y0 = res->bbox[0] - my, y1 = res->bbox[1] + my, x0 = res->bbox[2] - mx, x1 = res->bbox[3] + mx;
	} else {
		y0 = y1 = x0 = x1 = 0;
	}
	if (ls->rows * (long)ls->cols <= 1000000 || y0 < 0 || x0 < 0 || y1 >= ls->rows || x1 >= ls->cols) {
		y0 = y0 < 0 ? 0 : y0;
		x0 = x0 < 0 ? 0 : x0;
		y1 = y1 >= ls->rows ? ls->rows - 1 : y1;
		x1 = x1 >= ls->cols ? ls->cols - 1 : x1;
		if (ls->rows * (long)ls->cols <= 1000000)
			y0 = 0, x0 = 0, y1 = ls->rows - 1, x1 = ls->cols - 1;
	}
	long cells = (long)(y1 - y0 + 1) * (x1 - x0 + 1);
	int step = 1;
	while (cells / ((long)step * step) > 1000000)
		step++;
	char path[3][512];
	const char *names[3] = { "land.dat", "toa.dat", "type.dat" };
	FILE *fp[3] = { NULL, NULL, NULL };
	int rc = 0;
	for (int i = 0; i < 3; i++) {
		snprintf(path[i], sizeof path[i], "%s/%s", dir, names[i]);
		if (!(fp[i] = fopen(path[i], "w"))) {
			rc = -errno;
			goto out;
		}
	}
	for (int y = y0; y <= y1; y += step) {
		for (int x = x0; x <= x1; x += step) {
			double kx = x * ls->cell_width / 1000.0, ky = y * ls->cell_height / 1000.0;
			int r, g, b;
			land_rgb(ls, y, x, &r, &g, &b);
			fprintf(fp[0], "%.4f %.4f %d %d %d\n", kx, ky, r, g, b);
			float toa = kernel_fire_time_of_arrival(f, y, x);
			int type = kernel_fire_type(f, y, x);
			if (isnan(toa))
				fprintf(fp[1], "%.4f %.4f NaN\n", kx, ky);
			else
				fprintf(fp[1], "%.4f %.4f %.4f\n", kx, ky, (toa - start) / 60.0);
			if (type > 0)
				fprintf(fp[2], "%.4f %.4f %d\n", kx, ky, type);
			else
				fprintf(fp[2], "%.4f %.4f NaN\n", kx, ky);
		}
		for (int i = 0; i < 3; i++)
			fputc('\n', fp[i]);
	}
out:
	/* A write that failed earlier leaves only the error flag set. */
	for (int i = 0; i < 3; i++)
		if (fp[i] && (ferror(fp[i]) | fclose(fp[i])) && !rc)
			rc = -EIO;
	return rc;
}

static void remove_tmp(const char *dir)
{
	const char *names[3] = { "land.dat", "toa.dat", "type.dat" };
	char path[512];
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* gnuplot strings are single-quoted; refuse what would break the quoting. */
static bool quotable(const char *s)
{
	return strchr(s, '\'') == NULL && strchr(s, '\n') == NULL;
}

int plot_fire(const struct kernel_fire *f, const struct kernel_landscape *ls,
	      const struct kernel_fire_result *res, const char *title, FILE *png)
{
	if (!quotable(title))
		return -EINVAL;
	char dir[] = "/tmp/spreadbench-plot-XXXXXX";
	if (!mkdtemp(dir))
		return -errno;
	/* Hours are counted from the earliest arrival, the ignition. */
	float start;
	int rc = 0;
	{
		float tmin = INFINITY;
		int y0 = res->bbox[0] >= 0 ? res->bbox[0] : 0, y1 = res->bbox[1] >= 0 ? res->bbox[1] : -1;
		int x0 = res->bbox[2] >= 0 ? res->bbox[2] : 0, x1 = res->bbox[3] >= 0 ? res->bbox[3] : -1;
		for (int y = y0; y <= y1; y++)
			for (int x = x0; x <= x1; x++) {
				float t = kernel_fire_time_of_arrival(f, y, x);
				if (t < tmin)
					tmin = t;
			}
		start = isinf(tmin) ? 0.0f : tmin;
	}
	if ((rc = write_layers(dir, f, ls, res, start)))
		goto out;
	char script[600], expr[2048];
	snprintf(script, sizeof script, "%s/fire.gp", plots_dir());
	snprintf(expr, sizeof expr, "dir='%s'; title='%s'", dir, title);
	rc = run_gnuplot(script, expr, png);
out:
	remove_tmp(dir);
	return rc;
}
