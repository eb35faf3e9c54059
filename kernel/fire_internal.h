/*
 * fire_internal.h - the state of one fire, shared by spread.c (the step
 * loop, the frontier and the outputs) and band.c (the tracked cells and
 * the two Runge-Kutta passes over them).  Nothing here is part of the
 * kernel's interface; it leaves out everything a caller sees.
 */
#ifndef SPREADBENCH_FIRE_INTERNAL_H
#define SPREADBENCH_FIRE_INTERNAL_H

#include "kernel.h"

#include <stdint.h>
#include <string.h>

#define ONE_BITS 0x3f800000u  /* 1.0f: phi's initial value */
#define NAN_BITS 0x7fc00000u  /* quiet NaN: unset time of arrival / direction */
#define MEMO_SIZE 1024
#define MAX_THREADS 256
/* A chunk is this many neighbouring cells of one grid row, aligned in the
 * padded grid; the band is stored and swept chunk by chunk. */
#define CHUNK 4

/*
 * The narrow band, stored by chunks of CHUNK cells of one row rather than
 * by cell: a chunk's stencils are runs of whole rows, read with a few
 * short vector loads, and its results go back with one store per row.
 * Per-lane fields are indexed chunk * CHUNK + lane; a lane whose cell is
 * not tracked carries live = 0 and its results are discarded.
 * FLOAT_FIELDS lists every float array: the cell's two wavelets, then
 * what one step keeps between its passes.
 */
#define FLOAT_FIELDS(X)                                                       \
	X(zx) X(zy) X(s_vx) X(s_vy) X(s_A) X(s_B) X(s_C) X(s_v2)               \
	X(c_vx) X(c_vy) X(c_A) X(c_B) X(c_C) X(c_v2) X(rc2)                    \
	X(phi_old) X(gx1) X(gy1) X(k1)

struct band_part {
	/* per chunk */
	int32_t *q;               /* padded grid index of the chunk's first cell */
	uint8_t *mask;            /* bit l: lane l is tracked */
	/* per lane */
	int32_t *live;            /* -1 for a tracked lane, 0 otherwise */
	uint8_t *fresh;           /* 1 while the lane's inputs are still to be read */
	double *zden;             /* 1 + zx^2 + zy^2, as the model evaluates it */
	struct kernel_cell_inputs *in;
#define X(name) float *name;
	FLOAT_FIELDS(X)
#undef X
	size_t n_chunks, cap_chunks;
	size_t n_cells;           /* tracked lanes */
	/* cells that joined the part since the last step, to be read */
	int32_t *fill;
	size_t n_fill, cap_fill;
};

/*
 * The band is split into parts by rows: the cells of padded row Y belong
 * to part (Y / PART_ROWS) mod parts, and thread t of k owns the parts
 * equal to t modulo k.  It alone sweeps their chunks, computes the
 * outputs of the cells that burn there, re-tests their frontier, moves
 * their reference counts and adds or removes their tracked cells, so none
 * of that needs atomics.  A cache line of phi lies within one row, so
 * threads never write the same line.  Blocks of eight rows still
 * interleave finely enough that every thread gets its share of the front
 * wherever the fire burns, while a chunk's stencil, five rows tall, reads
 * rows another thread has just written less often than with narrower
 * blocks.
 */
#define PART_ROWS 8

struct band {
	struct band_part part[MAX_THREADS];
	int parts;
};



struct burned {
	int32_t cell;
	int32_t part, lane;       /* its band lane when it burned */
	float toa, gx, gy;
	bool first;               /* the cell's first burn this run */
};

/* A growable list of burned cells, one per thread. */
struct burn_list {
	struct burned *v;
	size_t n, cap;
};

/* A cell that joined (+1) or left (-1) the frontier. */
struct front_change {
	int32_t cell;
	int32_t delta;
};

/* What one thread found in a step besides burned cells: frontier changes
 * in the rows it owns, and cells whose reference count crossed zero. */
struct thread_lists {
	struct front_change *change;
	size_t n_change, cap_change;
	int32_t *dirty;
	size_t n_dirty, cap_dirty;
};

/* Inputs whose cubes find a cell at the same index (one stored shape, in
 * one record of a scenario's block): the index is computed once for them. */
struct read_group {
	int n;
	int k[KERNEL_INPUTS];
};

struct memo_entry {
	bool used;
	float in[KERNEL_INPUTS];
	struct kernel_cell_ellipses ell;
};

/* The same for the gradient-free part of burned cells' outputs. */
struct memo_max {
	bool used;
	float in[KERNEL_INPUTS];
	struct kernel_cell_max max;
};

struct grid {
	void *p;
	size_t bytes;
};

/*
 * What a burned cell writes, together: one record per cell instead of one
 * grid per output, so a burned cell costs one cache line.  toa and dir
 * are stored XOR-ed with NaN's bits, so a zero-filled record reads unset.
 */
struct cell_out {
	uint32_t toa, dir;
	float rate, inten, fl;
	uint8_t type;
};

/*
 * Grids that follow the front cell by cell (outputs, frontier flags and
 * reference counts, the band's chunk map) are stored in square tiles of
 * TILE x TILE cells, tile after tile: the cells around a front cell share
 * its pages, and a page holds a patch of the front rather than a sliver
 * of one row.
 */
#define TILE_SHIFT 5
#define TILE (1 << TILE_SHIFT)
/* A mark holds a cell's reference count and, in its top bit, whether it
 * is a frontier cell; no count exceeds the 42 boxes that can cover one. */
#define MARK_FRONT 0x80u
#define MARK_COUNT 0x7fu

/*
 * Division by a number fixed for the whole fire (the row lengths), by
 * multiplication (Granlund and Montgomery 1994): with s = ceil(log2 d) and
 * m = ceil(2^(32+s) / d), n / d = (n m) >> (32 + s) for 0 <= n < 2^31,
 * and the product fits in 64 bits.  The hardware divider is what the
 * bookkeeping of the front would otherwise wait on.
 */
struct divider {
	uint64_t m;
	int shift;
	int32_t d;
};

static inline int32_t div_by(const struct divider *v, int32_t n)
{
	return (int32_t)(((uint64_t)(uint32_t)n * v->m) >> v->shift);
}

struct kernel_fire {
	const struct kernel_landscape *ls;
	int rows, cols, W;        /* W: padded row length, a multiple of CHUNK */
	struct divider by_cols, by_W;
	uint8_t *row_part;        /* the band part of each row, rows + 4 of them */
	float dx_inv, dy_inv;

	/* per-run grids, mapped fresh for every run: phi and phi* padded by
	 * two cells and row by row, the others in tiles */
	int tiles_x, tiles_xp;    /* tiles per row of the grid, of the padded grid */
	struct grid g_phi, g_phis, g_out, g_mark, g_chunk;
	uint32_t *phi, *phis;
	struct cell_out *out;
	uint8_t *mark;
	int32_t *chunk_at;        /* chunk + 1 of a padded cell's chunk, or 0 */

	struct band b;

	/* per thread: frontier changes, and cells whose tracked state may
	 * have changed since the last sync */
	struct thread_lists tl[MAX_THREADS];
	bool burnable_code[256];     /* fuel codes 0..255 */

	/* cells burned in this step (per thread, then merged), and every
	 * cell burned this run */
	struct burn_list burn[MAX_THREADS];
	struct burn_list merged;
	int32_t *all_burned;
	size_t n_all, cap_all;

	/* refresh state per input, and the stored band t_k falls in */
	float T_k[KERNEL_INPUTS];
	int t_k[KERNEL_INPUTS];
	long bt_k[KERNEL_INPUTS];
	bool refreshed[KERNEL_INPUTS];  /* re-read in this step */
	bool any_refreshed;

	struct read_group group[KERNEL_INPUTS];
	int n_groups;

	struct memo_entry *memo;     /* one table of MEMO_SIZE per thread */
	struct memo_max *memo_max;   /* likewise */
	int threads;                 /* 1 without OpenMP */
	size_t min_band;             /* smallest band worth splitting a step for */
	bool ran;
};

static inline float dec(uint32_t u, uint32_t key)
{
	u ^= key;
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

static inline uint32_t enc(float f, uint32_t key)
{
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	return u ^ key;
}

/* A cell's row and column from its number y * cols + x. */
static inline void cell_yx(const struct kernel_fire *f, int32_t cell, int *y, int *x)
{
	*y = div_by(&f->by_cols, cell);
	*x = cell - *y * f->cols;
}

/* Cell (y, x)'s place in a tiled grid. */
static inline size_t tile_at(const struct kernel_fire *f, int y, int x)
{
	size_t t = (size_t)(y >> TILE_SHIFT) * (size_t)f->tiles_x + (size_t)(x >> TILE_SHIFT);
	return t << (2 * TILE_SHIFT) | (size_t)(y & (TILE - 1)) << TILE_SHIFT | (size_t)(x & (TILE - 1));
}

/* The place of padded cell (Y, X)'s chunk in the tiled chunk map. */
static inline size_t chunk_slot_at(const struct kernel_fire *f, int Y, int X)
{
	size_t t = (size_t)(Y >> TILE_SHIFT) * (size_t)f->tiles_xp + (size_t)(X >> TILE_SHIFT);
	return t << (2 * TILE_SHIFT - 2) | (size_t)(Y & (TILE - 1)) << (TILE_SHIFT - 2) |
	       (size_t)((X & (TILE - 1)) / CHUNK);
}

int grow(void **arr, size_t *cap, size_t need, size_t elem);

/* The band part of row y (spec rows, not padded). */
static inline int part_of_row(const struct kernel_fire *f, int y)
{
	return f->row_part[y + 2];
}

/* band.c */
void band_free(struct band *b);
void band_reset(struct band *b, int parts);
int band_add(struct kernel_fire *f, int32_t cell);
void band_remove(struct kernel_fire *f, int32_t cell);
bool band_tracked(const struct kernel_fire *f, int32_t cell);
void band_read_inputs(const struct kernel_fire *f, int g, const long *bt, int y, int x, float *v);
void band_prepare(struct kernel_fire *f, int tid, int part);
size_t band_cells(const struct band *b);
float band_pass1(struct kernel_fire *f, int part, float C_dx, float C_dy);
void band_phi_star(struct kernel_fire *f, int part, float dt);
int band_pass2(struct kernel_fire *f, int part, float t0, float dt, float C_dx, float C_dy,
	       struct burn_list *out);

#endif
