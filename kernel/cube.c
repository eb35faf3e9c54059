/*
 * cube.c - space-time cubes (kernel-spec.md section 5): each input layer
 * is a (bands, rows, cols) cube backed by an array of its own, coarser or
 * constant, shape.  Lookups truncate the scaled index as the reproduced
 * model does; exact integer ratios (the usual case) use integer division,
 * which gives the same index without floating point.
 */
#include "kernel.h"
#include "kernel_internal.h"

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
	c->stride = 1;
	c->data = data;
}

/*
 * Consecutive layers of one stored shape (the members of one record in a
 * scenario's block) find the cell at the same index, so it is computed once
 * for them; the value read is kernel_cube_get's either way.
 */
void kernel_cell_inputs_read(const struct kernel_landscape *ls, int t, int y, int x,
			     struct kernel_cell_inputs *out)
{
	long i = 0;
	for (int k = 0; k < KERNEL_INPUTS; k++) {
		const struct kernel_cube *c = &ls->layer[k];
		if (k == 0 || !kernel_cube_same_index(c, c - 1))
			i = kernel_cube_index(c, t, y, x);
		out->v[k] = kernel_cube_at(c, i);
	}
}
