/*
 * cube.c - space-time cubes (kernel-spec.md section 5): each input layer
 * is a (bands, rows, cols) cube backed by an array of its own, coarser or
 * constant, shape.  Lookups truncate the scaled index as the reproduced
 * model does; exact integer ratios (the usual case) use integer division,
 * which gives the same index without floating point.
 */
#include "kernel.h"

void kernel_cube_init(struct kernel_cube *c, const struct kernel_landscape *ls,
		      int base_bands, int base_rows, int base_cols,
		      enum kernel_dtype dtype, const void *data)
{
	c->base_bands = base_bands;
	c->base_rows = base_rows;
	c->base_cols = base_cols;
	c->rep_t = (float)ls->bands / (float)base_bands;
	c->rep_y = (float)ls->rows / (float)base_rows;
	c->rep_x = (float)ls->cols / (float)base_cols;
	c->exact = ls->bands % base_bands == 0 && ls->rows % base_rows == 0 &&
		   ls->cols % base_cols == 0;
	c->div_t = c->exact ? ls->bands / base_bands : 1;
	c->div_y = c->exact ? ls->rows / base_rows : 1;
	c->div_x = c->exact ? ls->cols / base_cols : 1;
	c->dtype = dtype;
	c->data = data;
}

void kernel_cell_inputs_read(const struct kernel_landscape *ls, int t, int y, int x,
			     struct kernel_cell_inputs *out)
{
	for (int k = 0; k < KERNEL_INPUTS; k++)
		out->v[k] = kernel_cube_get(&ls->layer[k], t, y, x);
}
