/*
 * spread.c - the level-set fire spread engine (kernel-spec.md section 6):
 * a padded phi field advanced by Heun's two-pass Runge-Kutta with a
 * superbee flux limiter (Roe 1986), elliptical wavelets on the slope plane
 * (Richards 1990) and a CFL time step, over a narrow band of tracked cells
 * around the frontier (Lautenberger 2013's scheme as the reproduced model
 * implements it, quirks included).
 *
 * Cost follows the fire front, not the grid.  The grids (phi, outputs,
 * bookkeeping) are anonymous mappings that the operating system zero-fills
 * on first touch; values whose default is not zero (phi = 1, time of
 * arrival = NaN) are stored XOR-ed with that default, so untouched pages
 * are never written and a 5000 x 5000 grid costs what the fire touches.
 * Per-cell inputs and derived wavelets are cached per tracked cell and
 * memoised per distinct input vector, which changes no result: both are
 * pure functions of the 17 inputs.
 *
 * Each pass is a loop over tracked cells whose result does not depend on
 * the order of the cells: a pass reads one field and writes another or the
 * cell's own slot, and the time step is the maximum of per-cell CFL bounds,
 * which any split of the loop reduces to the same value.  Built with
 * OpenMP, a fire can split those passes across threads
 * (kernel_fire_set_threads): each thread takes one contiguous range of the
 * band, the maximum is taken over per-thread maxima, and burned cells are
 * evaluated in parallel with a memo per thread but recorded in cell order,
 * so the output is bit-identical to one thread's.  Without OpenMP the
 * pragmas compile away and a fire has one thread.
 *
 * Left out on purpose: spotting (the reproduced benchmark runs without it)
 * and the "rothermel" length-to-width option.
 */
#include "kernel.h"
#include "kernel_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define ONE_BITS 0x3f800000u  /* 1.0f: phi's initial value */
#define NAN_BITS 0x7fc00000u  /* quiet NaN: unset time of arrival / direction */
#define MEMO_SIZE 1024
/* Below these sizes a pass stays on one thread: starting the team would
 * cost more than the work. */
#define PAR_MIN_BAND 2048
#define PAR_MIN_BURNED 64
#define MAX_THREADS 256

/*
 * Per-tracked-cell data, one array per field (structure of arrays) so the
 * passes run as plain loops the compiler can vectorise.  FLOAT_FIELDS
 * lists every float array; each is indexed by tracking slot.
 */
#define FLOAT_FIELDS(X)                                                       \
	X(zx) X(zy) X(s_vx) X(s_vy) X(s_A) X(s_B) X(s_C) X(s_v2)               \
	X(c_vx) X(c_vy) X(c_A) X(c_B) X(c_C) X(c_v2) X(rc2)                    \
	X(phi_old) X(gx1) X(gy1) X(k1) X(gx2) X(gy2) X(k2) X(cfl)

struct band {
	int32_t *p;               /* padded grid index */
	int32_t *cell;            /* unpadded index y * cols + x */
	double *zden;             /* 1 + zx^2 + zy^2, as the model evaluates it */
	struct kernel_cell_inputs *in;
#define X(name) float *name;
	FLOAT_FIELDS(X)
#undef X
};

struct burned {
	int32_t cell;
	int32_t slot;             /* its place in the band when it burned */
	float toa, gx, gy;
	bool first;               /* the cell's first burn this run */
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
	struct kernel_surface_min min;
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

struct kernel_fire {
	const struct kernel_landscape *ls;
	int rows, cols, W;
	float dx_inv, dy_inv;

	/* per-run grids, mapped fresh for every run */
	struct grid g_phi, g_phis, g_toa, g_type, g_rate, g_dir, g_int, g_fl;
	struct grid g_front, g_count, g_slot;
	uint32_t *phi, *phis, *toa, *dir;
	float *rate, *inten, *fl;
	uint8_t *type, *front, *count;
	int32_t *slot;

	/* tracked cells: parallel arrays indexed by slot */
	struct band b;
	size_t n_tracked, cap_tracked;

	/* cells whose tracked state may have changed since the last sync */
	int32_t *dirty;
	size_t n_dirty, cap_dirty;

	/* cells burned in this step, and every cell burned this run */
	struct burned *burn;
	size_t n_burn, cap_burn;
	int32_t *all_burned;
	size_t n_all, cap_all;

	/* refresh state per input, and the stored band t_k falls in */
	float T_k[KERNEL_INPUTS];
	int t_k[KERNEL_INPUTS];
	long bt_k[KERNEL_INPUTS];

	struct read_group group[KERNEL_INPUTS];
	int n_groups;

	struct memo_entry *memo;
	struct memo_max *memo_max;   /* one table of MEMO_SIZE per thread */
	int threads;                 /* 1 without OpenMP */
	size_t min_band, min_burned; /* smallest pass worth splitting */
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

static int grid_map(struct grid *g, size_t bytes)
{
	g->bytes = bytes ? bytes : 1;
	g->p = mmap(NULL, g->bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->p == MAP_FAILED) {
		int err = errno;
		g->p = NULL;
		return -err;
	}
	return 0;
}

static void grid_unmap(struct grid *g)
{
	if (g->p)
		munmap(g->p, g->bytes);
	g->p = NULL;
}

static void grids_release(struct kernel_fire *f)
{
	struct grid *all[] = { &f->g_phi, &f->g_phis, &f->g_toa, &f->g_type, &f->g_rate, &f->g_dir,
			       &f->g_int, &f->g_fl, &f->g_front, &f->g_count, &f->g_slot };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		grid_unmap(all[i]);
}

static int grids_map(struct kernel_fire *f)
{
	size_t n = (size_t)f->rows * f->cols;
	size_t np = (size_t)(f->rows + 4) * f->W;
	int rc = 0;
	if ((rc = grid_map(&f->g_phi, np * 4)) || (rc = grid_map(&f->g_phis, np * 4)) ||
	    (rc = grid_map(&f->g_toa, n * 4)) || (rc = grid_map(&f->g_type, n)) ||
	    (rc = grid_map(&f->g_rate, n * 4)) || (rc = grid_map(&f->g_dir, n * 4)) ||
	    (rc = grid_map(&f->g_int, n * 4)) || (rc = grid_map(&f->g_fl, n * 4)) ||
	    (rc = grid_map(&f->g_front, n)) || (rc = grid_map(&f->g_count, n)) ||
	    (rc = grid_map(&f->g_slot, n * 4))) {
		grids_release(f);
		return rc;
	}
	f->phi = f->g_phi.p;
	f->phis = f->g_phis.p;
	f->toa = f->g_toa.p;
	f->type = f->g_type.p;
	f->rate = f->g_rate.p;
	f->dir = f->g_dir.p;
	f->inten = f->g_int.p;
	f->fl = f->g_fl.p;
	f->front = f->g_front.p;
	f->count = f->g_count.p;
	f->slot = f->g_slot.p;
	return 0;
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t nc = *cap ? *cap : 1024;
	while (nc < need)
		nc *= 2;
	void *p = realloc(*arr, nc * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = nc;
	return 0;
}

int kernel_fire_new(const struct kernel_landscape *ls, struct kernel_fire **out)
{
	*out = NULL;
	if (ls->rows <= 0 || ls->cols <= 0 || ls->bands <= 0 || !(ls->cell_width > 0.0f) ||
	    !(ls->cell_height > 0.0f) || !(ls->band_duration > 0.0f))
		return -EINVAL;
	struct kernel_fire *f = calloc(1, sizeof *f);
	if (!f)
		return -ENOMEM;
	f->ls = ls;
	f->rows = ls->rows;
	f->cols = ls->cols;
	f->W = ls->cols + 4;
	f->dx_inv = (float)(1.0 / ls->cell_width);
	f->dy_inv = (float)(1.0 / ls->cell_height);
	f->threads = 1;
	f->min_band = PAR_MIN_BAND;
	f->min_burned = PAR_MIN_BURNED;
	for (int k = 0; k < KERNEL_INPUTS; k++) {
		int g = 0;
		while (g < f->n_groups &&
		       !kernel_cube_same_index(&ls->layer[f->group[g].k[0]], &ls->layer[k]))
			g++;
		if (g == f->n_groups)
			f->n_groups++;
		f->group[g].k[f->group[g].n++] = k;
	}
	f->memo = calloc(MEMO_SIZE, sizeof *f->memo);
	f->memo_max = calloc(MEMO_SIZE, sizeof *f->memo_max);
	if (!f->memo || !f->memo_max) {
		free(f->memo);
		free(f->memo_max);
		free(f);
		return -ENOMEM;
	}
	*out = f;
	return 0;
}

void kernel_fire_free(struct kernel_fire *f)
{
	if (!f)
		return;
	grids_release(f);
	free(f->b.p);
	free(f->b.cell);
	free(f->b.zden);
	free(f->b.in);
#define X(name) free(f->b.name);
	FLOAT_FIELDS(X)
#undef X
	free(f->dirty);
	free(f->burn);
	free(f->all_burned);
	free(f->memo);
	free(f->memo_max);
	free(f);
}

int kernel_fire_set_threads(struct kernel_fire *f, int threads)
{
	if (threads < 0 || threads > MAX_THREADS)
		return -EINVAL;
#ifdef _OPENMP
	if (threads == 0)
		threads = omp_get_max_threads();
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
#else
	if (threads > 1)
		return -ENOTSUP;
	threads = 1;
#endif
	struct memo_max *m = calloc((size_t)threads * MEMO_SIZE, sizeof *m);
	if (!m)
		return -ENOMEM;
	free(f->memo_max);
	f->memo_max = m;
	f->threads = threads;
	return 0;
}

void kernel_fire_set_split_min(struct kernel_fire *f, size_t band, size_t burned)
{
	f->min_band = band;
	f->min_burned = burned;
}

int kernel_fire_threads(const struct kernel_fire *f)
{
	return f->threads;
}

int kernel_default_threads(void)
{
#ifdef _OPENMP
	int n = omp_get_max_threads();
	return n < MAX_THREADS ? n : MAX_THREADS;
#else
	return 1;
#endif
}

bool kernel_has_openmp(void)
{
#ifdef _OPENMP
	return true;
#else
	return false;
#endif
}

/* ---------------------------------------------------------------- */
/* Per-cell inputs, memoised derived values                          */
/* ---------------------------------------------------------------- */

static uint32_t hash_inputs(const float *in)
{
	uint32_t h = 2166136261u;
	for (int k = 0; k < KERNEL_INPUTS; k++) {
		uint32_t u;
		memcpy(&u, &in[k], sizeof u);
		h = (h ^ u) * 16777619u;
	}
	return h ^ (h >> 15);
}

static const struct memo_entry *derive(struct kernel_fire *f, const struct kernel_cell_inputs *in)
{
	struct memo_entry *m = &f->memo[hash_inputs(in->v) & (MEMO_SIZE - 1)];
	if (m->used && memcmp(m->in, in->v, sizeof m->in) == 0)
		return m;
	memcpy(m->in, in->v, sizeof m->in);
	kernel_cell_surface_min(in, &m->min);
	kernel_cell_ellipses(in, &m->min, &m->ell);
	m->used = true;
	return m;
}

static const struct kernel_cell_max *derive_max(struct kernel_fire *f, int tid,
						const struct kernel_cell_inputs *in)
{
	struct memo_max *m = &f->memo_max[(size_t)tid * MEMO_SIZE + (hash_inputs(in->v) & (MEMO_SIZE - 1))];
	if (m->used && memcmp(m->in, in->v, sizeof m->in) == 0)
		return &m->max;
	memcpy(m->in, in->v, sizeof m->in);
	kernel_cell_max(in, &m->max);
	m->used = true;
	return &m->max;
}

static void band_fill(struct band *b, size_t i, const struct kernel_cell_ellipses *e)
{
	b->zx[i] = e->zx;
	b->zy[i] = e->zy;
	b->zden[i] = 1.0 + e->zx * e->zx + e->zy * e->zy;
	b->s_vx[i] = e->surface.vx;
	b->s_vy[i] = e->surface.vy;
	b->s_A[i] = e->surface.A;
	b->s_B[i] = e->surface.B;
	b->s_C[i] = e->surface.C;
	b->s_v2[i] = e->surface.vx * e->surface.vx + e->surface.vy * e->surface.vy +
		     e->surface.vz * e->surface.vz;
	b->c_vx[i] = e->crown.vx;
	b->c_vy[i] = e->crown.vy;
	b->c_A[i] = e->crown.A;
	b->c_B[i] = e->crown.B;
	b->c_C[i] = e->crown.C;
	b->c_v2[i] = e->crown.vx * e->crown.vx + e->crown.vy * e->crown.vy + e->crown.vz * e->crown.vz;
	b->rc2[i] = e->crowning_spread_rate * e->crowning_spread_rate;
}

static int band_grow(struct band *b, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t nc = *cap ? *cap : 1024;
	while (nc < need)
		nc *= 2;
	void *q;
	if (!(q = realloc(b->p, nc * sizeof *b->p)))
		return -ENOMEM;
	b->p = q;
	if (!(q = realloc(b->cell, nc * sizeof *b->cell)))
		return -ENOMEM;
	b->cell = q;
	if (!(q = realloc(b->zden, nc * sizeof *b->zden)))
		return -ENOMEM;
	b->zden = q;
	if (!(q = realloc(b->in, nc * sizeof *b->in)))
		return -ENOMEM;
	b->in = q;
#define X(name)                                              \
	if (!(q = realloc(b->name, nc * sizeof *b->name)))   \
		return -ENOMEM;                              \
	b->name = q;
	FLOAT_FIELDS(X)
#undef X
	*cap = nc;
	return 0;
}

static void band_move(struct band *b, size_t to, size_t from)
{
	b->p[to] = b->p[from];
	b->cell[to] = b->cell[from];
	b->zden[to] = b->zden[from];
	b->in[to] = b->in[from];
#define X(name) b->name[to] = b->name[from];
	FLOAT_FIELDS(X)
#undef X
}

static void read_cached_input(struct kernel_fire *f, int k, int cell, float *dst)
{
	const struct kernel_landscape *ls = f->ls;
	*dst = kernel_cube_get(&ls->layer[k], f->t_k[k], cell / f->cols, cell % f->cols);
}

static void set_band(struct kernel_fire *f, int k, int t)
{
	f->t_k[k] = t;
	f->bt_k[k] = kernel_cube_band(&f->ls->layer[k], t);
}

/* Group g's inputs at (y, x), input k from stored band bt[k]; the same
 * values as kernel_cube_get at the matching bands. */
static void read_group_at(const struct kernel_fire *f, int g, const long *bt, int y, int x, float *v)
{
	const struct read_group *rg = &f->group[g];
	const struct kernel_cube *c0 = &f->ls->layer[rg->k[0]];
	long cell = kernel_cube_cell(c0, y, x), plane = (long)c0->base_rows * c0->base_cols;
	for (int j = 0; j < rg->n; j++) {
		const struct kernel_cube *c = &f->ls->layer[rg->k[j]];
		v[rg->k[j]] = kernel_cube_at(c, (bt[rg->k[j]] * plane + cell) * c->stride);
	}
}

/* A cell's inputs at the bands its cache follows (spec 5.1). */
static void read_tracked_inputs(const struct kernel_fire *f, int32_t cell, float *v)
{
	int y = cell / f->cols, x = cell % f->cols;
	for (int g = 0; g < f->n_groups; g++)
		read_group_at(f, g, f->bt_k, y, x, v);
}

/* ---------------------------------------------------------------- */
/* Narrow band                                                       */
/* ---------------------------------------------------------------- */

static int mark_dirty(struct kernel_fire *f, int32_t cell)
{
	if (grow((void **)&f->dirty, &f->cap_dirty, f->n_dirty + 1, sizeof *f->dirty))
		return -ENOMEM;
	f->dirty[f->n_dirty++] = cell;
	return 0;
}

/* The box as the reproduced model implements it: rows y-3..y+3, columns
 * x-3..x+2, and the last column never tracked (spec 6.7, 10.1). */
static int box_adjust(struct kernel_fire *f, int y, int x, int delta)
{
	const int b = 3;
	int y0 = y - b < 0 ? 0 : y - b;
	int y1 = y + b + 1 > f->rows ? f->rows : y + b + 1;
	int x0 = x - b < 0 ? 0 : x - b;
	int x1 = x + b < f->cols - 1 ? x + b : f->cols - 1;
	for (int yy = y0; yy < y1; yy++) {
		for (int xx = x0; xx < x1; xx++) {
			int32_t c = yy * f->cols + xx;
			uint8_t before = f->count[c];
			f->count[c] = (uint8_t)(before + delta);
			if ((before == 0) != (f->count[c] == 0))
				if (mark_dirty(f, c))
					return -ENOMEM;
		}
	}
	return 0;
}

static inline bool burnable_at(const struct kernel_fire *f, int t, int y, int x)
{
	float v = kernel_cube_get(&f->ls->layer[KERNEL_IN_FUEL_MODEL], t, y, x);
	return kernel_fuel_model((int)v)->burnable;
}

static inline float phi_at(const struct kernel_fire *f, int y, int x)
{
	return dec(f->phi[(y + 2) * f->W + x + 2], ONE_BITS);
}

static bool is_frontier(const struct kernel_fire *f, int t, int y, int x)
{
	float p = phi_at(f, y, x);
	static const int dy[4] = { 1, -1, 0, 0 }, dx[4] = { 0, 0, 1, -1 };
	bool any = false;
	for (int i = 0; i < 4 && !any; i++) {
		int ny = y + dy[i], nx = x + dx[i];
		if (ny < 0 || ny >= f->rows || nx < 0 || nx >= f->cols)
			continue;
		if (p * phi_at(f, ny, nx) < 0.0f && burnable_at(f, t, ny, nx))
			any = true;
	}
	return any && burnable_at(f, t, y, x);
}

static int retest(struct kernel_fire *f, int t, int y, int x)
{
	if (y < 0 || y >= f->rows || x < 0 || x >= f->cols)
		return 0;
	int32_t c = y * f->cols + x;
	bool now = is_frontier(f, t, y, x);
	if (now && !f->front[c]) {
		f->front[c] = 1;
		return box_adjust(f, y, x, +1);
	}
	if (!now && f->front[c]) {
		f->front[c] = 0;
		return box_adjust(f, y, x, -1);
	}
	return 0;
}

static int retest_around(struct kernel_fire *f, int t, int32_t cell)
{
	int y = cell / f->cols, x = cell % f->cols;
	int rc;
	if ((rc = retest(f, t, y, x)) || (rc = retest(f, t, y - 1, x)) ||
	    (rc = retest(f, t, y + 1, x)) || (rc = retest(f, t, y, x - 1)) ||
	    (rc = retest(f, t, y, x + 1)))
		return rc;
	return 0;
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

/*
 * Bring the tracked arrays in line with the reference counts.  Cells are
 * visited in grid order, which keeps new slots in grid order too and lets
 * neighbouring cells share cache lines when their inputs are read.
 */
static int sync_tracked(struct kernel_fire *f)
{
	if (f->n_dirty > 1)
		qsort(f->dirty, f->n_dirty, sizeof *f->dirty, cmp_i32);
	for (size_t i = 0; i < f->n_dirty; i++) {
		int32_t c = f->dirty[i];
		int32_t s = f->slot[c];
		if (f->count[c] > 0 && s == 0) {
			size_t n = f->n_tracked;
			if (band_grow(&f->b, &f->cap_tracked, n + 1))
				return -ENOMEM;
			struct kernel_cell_inputs *in = &f->b.in[n];
			read_tracked_inputs(f, c, in->v);
			const struct memo_entry *m = derive(f, in);
			f->b.cell[n] = c;
			f->b.p[n] = (c / f->cols + 2) * f->W + c % f->cols + 2;
			band_fill(&f->b, n, &m->ell);
			f->slot[c] = (int32_t)n + 1;
			f->n_tracked = n + 1;
		} else if (f->count[c] == 0 && s != 0) {
			size_t i_rm = (size_t)s - 1, last = f->n_tracked - 1;
			if (i_rm != last) {
				band_move(&f->b, i_rm, last);
				f->slot[f->b.cell[i_rm]] = (int32_t)i_rm + 1;
			}
			f->slot[c] = 0;
			f->n_tracked = last;
		}
	}
	f->n_dirty = 0;
	return 0;
}

/* Refresh inputs due at `now` (spec 5.1), with the model's float32 clock. */
static void refresh_inputs(struct kernel_fire *f, float now)
{
	const struct kernel_landscape *ls = f->ls;
	int level = 0;
	for (int k = 0; k < KERNEL_INPUTS; k++) {
		float r = ls->refresh_rate[k];
		if (r * (now - f->T_k[k]) > 1.0) {
			float interval = (float)(1.0 / r);
			float T = (float)(floor(now / interval) * interval);
			f->T_k[k] = T;
			set_band(f, k, (int)floor(T / ls->band_duration));
			for (size_t i = 0; i < f->n_tracked; i++)
				read_cached_input(f, k, f->b.cell[i], &f->b.in[i].v[k]);
			int lv = (k == KERNEL_IN_WIND_SPEED_10M || k == KERNEL_IN_UPWIND_DIRECTION) ? 10 : 100;
			level = lv > level ? lv : level;
		}
	}
	if (level == 0)
		return;
	/* Both levels recompute from the cached inputs; the memo makes the
	 * surface "min" part free when only the wind changed. */
	for (size_t i = 0; i < f->n_tracked; i++) {
		const struct memo_entry *m = derive(f, &f->b.in[i]);
		band_fill(&f->b, i, &m->ell);
	}
}

/* ---------------------------------------------------------------- */
/* The flux-limited rate of one cell                                 */
/* ---------------------------------------------------------------- */

/*
 * The flux-limited rate, written as one branch-free loop over the band so
 * that it runs several cells per instruction.  Every lane computes exactly
 * the float32 expressions of the reproduced model (kernel-spec.md 6.4,
 * 6.5, 6.11), with the same promotions to double; both sides of each
 * branch are evaluated and the right one selected.  Halving a float in
 * float instead of double is exact for normal numbers, which phi
 * differences always are.  The loop is cloned for AVX2 and chosen at run
 * time; without contraction into FMA, every clone gives the same bits.
 */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(SPREADBENCH_NO_CLONES)
#define HOT_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define HOT_CLONES
#endif

/* Half superbee: 0.5 * B(r) * loc with Roe's (1986) limiter. */
static inline float half_superbee(float up, float loc)
{
	float s = loc >= 0.0f ? 1.0f : -1.0f;
	float au = fabsf(up), al = fabsf(loc);
	float a = au * 0.5f < al ? au * 0.5f : al;
	float b = au < al * 0.5f ? au : al * 0.5f;
	float m = a > b ? a : b;
	return s * up <= 0.0f ? 0.0f : s * m;
}

/* Limited difference along one axis, upwind side chosen by the sign of
 * the central difference. */
static inline float flim(float p00, float m2, float m1, float p1, float p2)
{
	float plus_a = p00 + half_superbee(p00 - m1, p1 - p00);
	float minus_a = m1 - half_superbee(m2 - m1, m1 - p00);
	float plus_b = p1 - half_superbee(p2 - p1, p1 - p00);
	float minus_b = p00 + half_superbee(p00 - p1, m1 - p00);
	return p1 >= m1 ? plus_a - minus_a : plus_b - minus_b;
}

static inline float wavelet_rate(float vx, float vy, float A, float B, float C, float v2,
				 float gx, float gy, float G2)
{
	float d = vx * gx + vy * gy;
	return (float)((double)(A * d) + (double)B * sqrt((double)(v2 * G2 + C * (d * d))));
}

struct rate_out {
	float *gx, *gy, *k, *cfl, *p00;
};

HOT_CLONES
static void band_rates(size_t lo, size_t hi, const uint32_t *restrict F, int32_t W,
		       const struct band *restrict b, float dx_inv, float dy_inv, float C_dx, float C_dy,
		       struct rate_out o)
{
	const int32_t *restrict pidx = b->p;
	float *restrict ogx = o.gx, *restrict ogy = o.gy, *restrict ok = o.k, *restrict ocfl = o.cfl;
	float *restrict op00 = o.p00;
	/* Local copies of the field pointers let the compiler see that the
	 * stores below do not move them. */
	const float *restrict zx = b->zx, *restrict zy = b->zy, *restrict rc2 = b->rc2;
	const double *restrict zden = b->zden;
	const float *restrict svx = b->s_vx, *restrict svy = b->s_vy, *restrict sA = b->s_A;
	const float *restrict sB = b->s_B, *restrict sC = b->s_C, *restrict sv2 = b->s_v2;
	const float *restrict cvx = b->c_vx, *restrict cvy = b->c_vy, *restrict cA = b->c_A;
	const float *restrict cB = b->c_B, *restrict cC = b->c_C, *restrict cv2 = b->c_v2;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC ivdep
#endif
	for (size_t i = lo; i < hi; i++) {
		int32_t c = pidx[i];
		float p00 = dec(F[c], ONE_BITS);
		float pw1 = dec(F[c - 1], ONE_BITS), pe1 = dec(F[c + 1], ONE_BITS);
		float pw2 = dec(F[c - 2], ONE_BITS), pe2 = dec(F[c + 2], ONE_BITS);
		float ps1 = dec(F[c - W], ONE_BITS), pn1 = dec(F[c + W], ONE_BITS);
		float ps2 = dec(F[c - 2 * W], ONE_BITS), pn2 = dec(F[c + 2 * W], ONE_BITS);
		float gx = (pe1 - pw1) * dx_inv * 0.5f;
		float gy = (pn1 - ps1) * dy_inv * 0.5f;
		float N2 = gx * gx + gy * gy;
		float Dx = dx_inv * flim(p00, pw2, pw1, pe1, pe2);
		float Dy = dy_inv * flim(p00, ps2, ps1, pn1, pn2);
		float dz = gx * zx[i] + gy * zy[i];
		float G2 = (float)((double)N2 - (double)(dz * dz) / zden[i]);
		float s = wavelet_rate(svx[i], svy[i], sA[i], sB[i], sC[i], sv2[i], gx, gy, G2);
		float cr = wavelet_rate(cvx[i], cvy[i], cA[i], cB[i], cC[i], cv2[i], gx, gy, G2);
		bool crowns = s * s > rc2[i] * G2;
		float q = (crowns & (cr < s)) ? cr : s;
		float corr = (gx * Dx + gy * Dy) / N2;
		bool active = N2 > 0.0f;
		float bx = fabsf(q * gx) / (N2 * C_dx);
		float by = fabsf(q * gy) / (N2 * C_dy);
		ogx[i] = gx;
		ogy[i] = gy;
		ok[i] = active ? q * corr : 0.0f;
		ocfl[i] = active ? (bx > by ? bx : by) : 0.0f;
		op00[i] = p00;
	}
}

static float max_of(const float *v, size_t lo, size_t hi)
{
	float m = 0.0f;
	for (size_t i = lo; i < hi; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

#ifdef _OPENMP
/* Thread t of nt takes slots [n * t / nt, n * (t + 1) / nt). */
static size_t range_at(size_t n, int t, int nt)
{
	return (size_t)((unsigned long long)n * (unsigned long long)t / (unsigned long long)nt);
}
#endif

/*
 * Both passes' rates over the band, and the largest CFL bound.  The
 * maximum ignores NaN and is exact, so taking it over per-thread maxima
 * gives one thread's value.
 */
static float rates(struct kernel_fire *f, const uint32_t *F, float C_dx, float C_dy, struct rate_out o,
		   bool want_max)
{
	const struct band *b = &f->b;
	size_t n = f->n_tracked;
	int nt = f->threads;
	if (nt <= 1 || n < f->min_band) {
		band_rates(0, n, F, f->W, b, f->dx_inv, f->dy_inv, C_dx, C_dy, o);
		return want_max ? max_of(b->cfl, 0, n) : 0.0f;
	}
	float part[MAX_THREADS];
	int used = 1;
#ifdef _OPENMP
#pragma omp parallel num_threads(nt)
	{
		int t = omp_get_thread_num(), k = omp_get_num_threads();
		size_t lo = range_at(n, t, k), hi = range_at(n, t + 1, k);
		band_rates(lo, hi, F, f->W, b, f->dx_inv, f->dy_inv, C_dx, C_dy, o);
		part[t] = want_max ? max_of(b->cfl, lo, hi) : 0.0f;
		if (t == 0)
			used = k;
	}
#else
	band_rates(0, n, F, f->W, b, f->dx_inv, f->dy_inv, C_dx, C_dy, o);
	part[0] = want_max ? max_of(b->cfl, 0, n) : 0.0f;
#endif
	float m = 0.0f;
	for (int t = 0; t < used; t++)
		m = part[t] > m ? part[t] : m;
	return m;
}

static float pass1(struct kernel_fire *f, float C_dx, float C_dy)
{
	struct band *b = &f->b;
	struct rate_out o = { b->gx1, b->gy1, b->k1, b->cfl, b->phi_old };
	return rates(f, f->phi, C_dx, C_dy, o, true);
}

static void update_phi_star(struct kernel_fire *f, float dt)
{
	const struct band *b = &f->b;
	size_t n = f->n_tracked;
	int nt = f->threads;
	(void)nt;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1 && n >= f->min_band)
#endif
	for (size_t i = 0; i < n; i++)
		f->phis[b->p[i]] = enc(b->phi_old[i] + dt * b->k1[i], ONE_BITS);
}

static int pass2(struct kernel_fire *f, float t0, float dt, float C_dx, float C_dy)
{
	struct band *b = &f->b;
	/* phi* at the cell itself is not needed after this pass: reuse cfl. */
	struct rate_out o = { b->gx2, b->gy2, b->k2, b->cfl, b->cfl };
	rates(f, f->phis, C_dx, C_dy, o, false);
	f->n_burn = 0;
	for (size_t i = 0; i < f->n_tracked; i++) {
		float phi_old = b->phi_old[i];
		float phi_new = (float)(phi_old + 0.5 * (b->k1[i] + b->k2[i]) * dt);
		f->phi[b->p[i]] = enc(phi_new, ONE_BITS);
		if (phi_old * phi_new < 0.0f) {
			if (grow((void **)&f->burn, &f->cap_burn, f->n_burn + 1, sizeof *f->burn))
				return -ENOMEM;
			float w = phi_old / (phi_old - phi_new);
			float w1 = 1.0f - w;
			struct burned *bc = &f->burn[f->n_burn++];
			bc->cell = b->cell[i];
			bc->slot = (int32_t)i;
			bc->toa = t0 + dt * w;
			bc->gx = b->gx1[i] * w1 + b->gx2[i] * w;
			bc->gy = b->gy1[i] * w1 + b->gy2[i] * w;
		}
	}
	return 0;
}

static int clamp_band(const struct kernel_landscape *ls, float t)
{
	int b = (int)floor(t / ls->band_duration);
	return b < 0 ? 0 : b >= ls->bands ? ls->bands - 1 : b;
}

static int record_burned(struct kernel_fire *f, int32_t cell)
{
	if (grow((void **)&f->all_burned, &f->cap_all, f->n_all + 1, sizeof *f->all_burned))
		return -ENOMEM;
	f->all_burned[f->n_all++] = cell;
	return 0;
}

static int cmp_burned(const void *a, const void *b)
{
	return cmp_i32(&((const struct burned *)a)->cell, &((const struct burned *)b)->cell);
}

/*
 * A burned cell's inputs at band t (spec 6.9).  A group whose every input
 * the cell's cache holds from the same stored band is copied from the
 * cache, which holds exactly what the cube would give; only the others
 * are read from the landscape.
 */
static void read_burned_inputs(const struct kernel_fire *f, const struct burned *b, int t, float *v)
{
	const float *cached = f->b.in[b->slot].v;
	long bt[KERNEL_INPUTS];
	int y = b->cell / f->cols, x = b->cell % f->cols;
	for (int g = 0; g < f->n_groups; g++) {
		const struct read_group *rg = &f->group[g];
		long band = kernel_cube_band(&f->ls->layer[rg->k[0]], t);
		bool same = true;
		for (int j = 0; j < rg->n; j++) {
			bt[rg->k[j]] = band;
			same = same && f->bt_k[rg->k[j]] == band;
		}
		if (!same) {
			read_group_at(f, g, bt, y, x, v);
			continue;
		}
		for (int j = 0; j < rg->n; j++)
			v[rg->k[j]] = cached[rg->k[j]];
	}
}

/* One burned cell's outputs; it writes only its own cells of the grids. */
static void burn_cell(struct kernel_fire *f, int tid, struct burned *b)
{
	const struct kernel_landscape *ls = f->ls;
	struct kernel_cell_inputs in;
	read_burned_inputs(f, b, clamp_band(ls, b->toa), in.v);
	struct kernel_cell_behavior beh;
	kernel_cell_normal_behavior(&in, derive_max(f, tid, &in), b->gx, b->gy, &beh);
	/* A cell whose phi changes sign again burns again (spec 10.12):
	 * its outputs are overwritten, but it is listed once. */
	b->first = f->toa[b->cell] == 0;
	f->type[b->cell] = (uint8_t)beh.fire_type;
	f->rate[b->cell] = beh.spread_rate;
	f->dir[b->cell] = enc(beh.spread_direction, NAN_BITS);
	f->inten[b->cell] = beh.fireline_intensity;
	f->fl[b->cell] = beh.flame_length;
	f->toa[b->cell] = enc(b->toa, NAN_BITS);
}

/* Grid order reads the inputs with far fewer cache misses.  A cell is in
 * the step's list once, so the cells can be evaluated in any order or in
 * parallel; they are recorded in grid order. */
static int process_burned(struct kernel_fire *f)
{
	size_t n = f->n_burn;
	if (n > 1)
		qsort(f->burn, n, sizeof *f->burn, cmp_burned);
	int nt = f->threads;
	if (nt > 1 && n >= f->min_burned) {
#ifdef _OPENMP
#pragma omp parallel num_threads(nt)
		{
			int t = omp_get_thread_num(), k = omp_get_num_threads();
			for (size_t i = range_at(n, t, k); i < range_at(n, t + 1, k); i++)
				burn_cell(f, t, &f->burn[i]);
		}
#endif
	} else {
		for (size_t i = 0; i < n; i++)
			burn_cell(f, 0, &f->burn[i]);
	}
	for (size_t i = 0; i < n; i++)
		if (f->burn[i].first && record_burned(f, f->burn[i].cell))
			return -ENOMEM;
	return 0;
}

/* ---------------------------------------------------------------- */
/* A whole fire                                                      */
/* ---------------------------------------------------------------- */

static uint64_t mix64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void summarise(struct kernel_fire *f, struct kernel_fire_result *res)
{
	double sy = 0, sx = 0;
	long n = 0;
	res->bbox[0] = res->bbox[2] = INT32_MAX;
	res->bbox[1] = res->bbox[3] = -1;
	uint64_t sum = 0;
	for (size_t i = 0; i < f->n_all; i++) {
		int32_t c = f->all_burned[i];
		/* Order-free checksum of (cell, time of arrival bits). */
		sum += mix64(((uint64_t)(uint32_t)c << 32) | (f->toa[c] ^ NAN_BITS));
		int t = f->type[c];
		res->type_counts[t]++;
		if (t == 0)
			continue;
		int y = c / f->cols, x = c % f->cols;
		sy += y;
		sx += x;
		n++;
		if (y < res->bbox[0])
			res->bbox[0] = y;
		if (y > res->bbox[1])
			res->bbox[1] = y;
		if (x < res->bbox[2])
			res->bbox[2] = x;
		if (x > res->bbox[3])
			res->bbox[3] = x;
	}
	res->checksum = sum;
	res->burned_cells = n;
	res->crowned_cells = res->type_counts[2] + res->type_counts[3];
	/* Empirical length-to-width: eigenvalues of the coordinates'
	 * sample covariance (spec 7.2). */
	res->length_to_width = 0.0;
	if (n > 2) {
		double my = sy / n, mx = sx / n, cyy = 0, cxx = 0, cxy = 0;
		for (size_t i = 0; i < f->n_all; i++) {
			int32_t c = f->all_burned[i];
			if (f->type[c] == 0)
				continue;
			double dy = c / f->cols - my, dx = c % f->cols - mx;
			cyy += dy * dy;
			cxx += dx * dx;
			cxy += dx * dy;
		}
		cyy /= (n - 1);
		cxx /= (n - 1);
		cxy /= (n - 1);
		double tr = cyy + cxx, det = cyy * cxx - cxy * cxy;
		double disc = sqrt(fmax(tr * tr / 4 - det, 0.0));
		double l1 = tr / 2 + disc, l2 = tr / 2 - disc;
		if (l2 > 0)
			res->length_to_width = sqrt(l1 / l2);
	}
	if (res->bbox[1] < 0)
		res->bbox[0] = res->bbox[1] = res->bbox[2] = res->bbox[3] = -1;
}

static void copy_phi(struct kernel_fire *f)
{
	const int32_t *p = f->b.p;
	size_t n = f->n_tracked;
	int nt = f->threads;
	(void)nt;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1 && n >= f->min_band)
#endif
	for (size_t i = 0; i < n; i++)
		f->phis[p[i]] = f->phi[p[i]];
}

static void reset_run(struct kernel_fire *f)
{
	grids_release(f);
	f->n_tracked = f->n_dirty = f->n_burn = f->n_all = 0;
}

int kernel_fire_run(struct kernel_fire *f, const struct kernel_job *job, struct kernel_fire_result *res)
{
	const struct kernel_landscape *ls = f->ls;
	memset(res, 0, sizeof *res);
	reset_run(f);
	float cube_end = (float)(ls->bands * ls->band_duration);
	float start = job->start_time;
	float max_stop = start + job->duration;
	if (job->y < 0 || job->y >= f->rows || job->x < 0 || job->x >= f->cols)
		return -EDOM;
	if (!(start >= 0.0f && start < cube_end) || !(job->duration > 0.0f) || max_stop > cube_end)
		return -ERANGE;
	int rc = grids_map(f);
	if (rc)
		return rc;
	f->ran = true;

	/* Ignite. */
	int32_t ign = job->y * f->cols + job->x;
	long pi = (long)(job->y + 2) * f->W + job->x + 2;
	f->phi[pi] = enc(-1.0f, ONE_BITS);
	f->phis[pi] = enc(-1.0f, ONE_BITS);
	f->toa[ign] = enc(start, NAN_BITS);
	if ((rc = record_burned(f, ign)))
		return rc;
	res->ignited_cells = 1;

	int t_start = (int)floor(start / ls->band_duration);
	for (int k = 0; k < KERNEL_INPUTS; k++) {
		f->T_k[k] = start;
		set_band(f, k, t_start);
	}
	if ((rc = retest_around(f, clamp_band(ls, start), ign)))
		return rc;

	float C = 0.4f;
	float C_dx = C * ls->cell_width, C_dy = C * ls->cell_height;
	float clock = start;
	float remaining = max_stop - clock;
	const float threshold = (float)(1.0 / 60.0);
	bool last_nonzero = true;
	int steps = 0;
	if ((rc = sync_tracked(f)))
		return rc;
	while (remaining > threshold && f->n_tracked > 0 && last_nonzero) {
		float t0 = clock;
		if ((rc = sync_tracked(f)))
			return rc;
		refresh_inputs(f, t0);
		float dt_inv = pass1(f, C_dx, C_dy);
		dt_inv = (float)fmax(dt_inv, 1.0 / remaining);
		float dt = (float)(1.0 / dt_inv);
		update_phi_star(f, dt);
		if ((rc = pass2(f, t0, dt, C_dx, C_dy)))
			return rc;
		float stop = t0 + dt;
		if ((rc = process_burned(f)))
			return rc;
		copy_phi(f);
		int tb = clamp_band(ls, stop);
		for (size_t i = 0; i < f->n_burn; i++)
			if ((rc = retest_around(f, tb, f->burn[i].cell)))
				return rc;
		last_nonzero = t0 != stop;
		clock = stop;
		remaining = max_stop - clock;
		steps++;
		if ((rc = sync_tracked(f)))
			return rc;
	}
	res->steps = steps;
	res->stop_time = clock;
	if (remaining <= threshold)
		res->stop_condition = KERNEL_STOP_MAX_DURATION;
	else if (!last_nonzero)
		res->stop_condition = KERNEL_STOP_ZERO_TIMESTEP;
	else
		res->stop_condition = KERNEL_STOP_NO_BURNABLE;
	res->tracked_cells_end = (long)f->n_tracked;
	summarise(f, res);
	return 0;
}

/* ---------------------------------------------------------------- */
/* Outputs                                                           */
/* ---------------------------------------------------------------- */

static bool in_grid(const struct kernel_fire *f, int y, int x)
{
	return f->ran && f->phi && y >= 0 && y < f->rows && x >= 0 && x < f->cols;
}

float kernel_fire_time_of_arrival(const struct kernel_fire *f, int y, int x)
{
	return in_grid(f, y, x) ? dec(f->toa[y * f->cols + x], NAN_BITS) : NAN;
}

int kernel_fire_type(const struct kernel_fire *f, int y, int x)
{
	return in_grid(f, y, x) ? f->type[y * f->cols + x] : 0;
}

float kernel_fire_spread_rate(const struct kernel_fire *f, int y, int x)
{
	return in_grid(f, y, x) ? f->rate[y * f->cols + x] : 0.0f;
}

float kernel_fire_spread_direction(const struct kernel_fire *f, int y, int x)
{
	return in_grid(f, y, x) ? dec(f->dir[y * f->cols + x], NAN_BITS) : NAN;
}

float kernel_fire_intensity(const struct kernel_fire *f, int y, int x)
{
	return in_grid(f, y, x) ? f->inten[y * f->cols + x] : 0.0f;
}

float kernel_fire_flame_length(const struct kernel_fire *f, int y, int x)
{
	return in_grid(f, y, x) ? f->fl[y * f->cols + x] : 0.0f;
}

float kernel_fire_phi(const struct kernel_fire *f, int y, int x)
{
	return in_grid(f, y, x) ? phi_at(f, y, x) : 1.0f;
}

const char *kernel_stop_name(enum kernel_stop s)
{
	switch (s) {
	case KERNEL_STOP_MAX_DURATION:
		return "max duration reached";
	case KERNEL_STOP_ZERO_TIMESTEP:
		return "zero length timestep";
	case KERNEL_STOP_NO_BURNABLE:
		return "no burnable cells";
	}
	return "unknown";
}

double kernel_mha_per_cpu_hr(double runtime_s, long burned_cells)
{
	if (burned_cells <= 0 || !(runtime_s > 0))
		return 0.0;
	double ms_per_cell = 1000.0 * runtime_s / (double)burned_cells;
	return 0.324 / ms_per_cell;
}
