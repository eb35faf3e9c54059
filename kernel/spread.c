/*
 * spread.c - the level-set fire spread engine (kernel-spec.md section 6):
 * a padded phi field advanced by Heun's two-pass Runge-Kutta with a
 * superbee flux limiter (Roe 1986), elliptical wavelets on the slope plane
 * (Richards 1990) and a CFL time step, over a narrow band of tracked cells
 * around the frontier (Lautenberger 2013's scheme as the reproduced model
 * implements it, quirks included).  This file holds the step loop, the
 * frontier and its reference counts, and the outputs of burned cells; the
 * band's storage and the two passes over it are in band.c.
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
 * No result depends on the order in which cells are visited: a pass reads
 * one field and writes another or the cell's own value, the time step is
 * the maximum of per-cell CFL bounds, which any split reduces to the same
 * value, and the cells that burn in a step are recorded in grid order.
 * Built with OpenMP, a fire can split each step across threads
 * (kernel_fire_set_threads): the threads share one parallel region per
 * step, each sweeping one contiguous range of the band's chunks through
 * both passes and computing the outputs of the cells that burned there,
 * with a barrier where the time step is agreed and one where phi* is
 * complete; the output is bit-identical to one thread's.  Without OpenMP
 * the pragmas compile away and a fire has one thread.
 *
 * Left out on purpose: spotting (the reproduced benchmark runs without it)
 * and the "rothermel" length-to-width option.
 */
#include "fire_internal.h"
#include "kernel_internal.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* Below this size a step stays on one thread: starting the team would
 * cost more than the work. */
#define PAR_MIN_BAND 2048
/* Reads of a chunk's stencil run up to this many values past the padded
 * grid's last row. */
#define GRID_SLACK 16

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
	struct grid *all[] = { &f->g_phi, &f->g_phis, &f->g_out, &f->g_mark, &f->g_chunk };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		grid_unmap(all[i]);
}

static int grids_map(struct kernel_fire *f)
{
	size_t tiles = (size_t)f->tiles_x * (size_t)((f->rows + TILE - 1) / TILE);
	size_t tiles_p = (size_t)f->tiles_xp * (size_t)((f->rows + 4 + TILE - 1) / TILE);
	size_t n = tiles * TILE * TILE;
	size_t np = (size_t)(f->rows + 4) * f->W + GRID_SLACK;
	size_t nk = tiles_p * TILE * TILE / CHUNK;
	int rc = 0;
	if ((rc = grid_map(&f->g_phi, np * 4)) || (rc = grid_map(&f->g_phis, np * 4)) ||
	    (rc = grid_map(&f->g_out, n * sizeof(struct cell_out))) || (rc = grid_map(&f->g_mark, n)) ||
	    (rc = grid_map(&f->g_chunk, nk * 4))) {
		grids_release(f);
		return rc;
	}
	f->phi = f->g_phi.p;
	f->phis = f->g_phis.p;
	f->out = f->g_out.p;
	f->mark = f->g_mark.p;
	f->chunk_at = f->g_chunk.p;
	return 0;
}

static void divider_init(struct divider *v, int32_t d)
{
	int s = 0;
	while ((1ull << s) < (uint64_t)d)
		s++;
	v->d = d;
	v->shift = 32 + s;
	v->m = ((1ull << (32 + s)) + (uint64_t)d - 1) / (uint64_t)d;
}

int grow(void **arr, size_t *cap, size_t need, size_t elem)
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

/* Memo tables, one per thread. */
static int memos_alloc(struct kernel_fire *f, int threads)
{
	struct memo_entry *m = calloc((size_t)threads * MEMO_SIZE, sizeof *m);
	struct memo_max *mm = calloc((size_t)threads * MEMO_SIZE, sizeof *mm);
	if (!m || !mm) {
		free(m);
		free(mm);
		return -ENOMEM;
	}
	free(f->memo);
	free(f->memo_max);
	f->memo = m;
	f->memo_max = mm;
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
	f->W = (ls->cols + 4 + CHUNK - 1) / CHUNK * CHUNK;
	divider_init(&f->by_cols, ls->cols);
	divider_init(&f->by_W, f->W);
	f->tiles_x = (ls->cols + TILE - 1) / TILE;
	f->tiles_xp = (f->W + TILE - 1) / TILE;
	f->dx_inv = (float)(1.0 / ls->cell_width);
	f->dy_inv = (float)(1.0 / ls->cell_height);
	f->threads = 1;
	f->min_band = PAR_MIN_BAND;
	for (int k = 0; k < KERNEL_INPUTS; k++) {
		int g = 0;
		while (g < f->n_groups &&
		       !kernel_cube_same_index(&ls->layer[f->group[g].k[0]], &ls->layer[k]))
			g++;
		if (g == f->n_groups)
			f->n_groups++;
		f->group[g].k[f->group[g].n++] = k;
	}
	for (int code = 0; code < 256; code++)
		f->burnable_code[code] = kernel_fuel_model(code)->burnable;
	f->row_part = calloc((size_t)ls->rows + 4, 1);
	if (!f->row_part || memos_alloc(f, 1)) {
		free(f->row_part);
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
	band_free(&f->b);
	for (int t = 0; t < MAX_THREADS; t++) {
		free(f->tl[t].change);
		free(f->tl[t].dirty);
	}
	for (int t = 0; t < MAX_THREADS; t++)
		free(f->burn[t].v);
	free(f->all_burned);
	free(f->memo);
	free(f->memo_max);
	free(f->row_part);
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
	int rc = memos_alloc(f, threads);
	if (rc)
		return rc;
	f->threads = threads;
	return 0;
}
void kernel_fire_set_split_min(struct kernel_fire *f, size_t band, size_t burned)
{
	f->min_band = band;
	(void)burned;
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
/* Frontier and tracked cells                                        */
/* ---------------------------------------------------------------- */

/*
 * After a step the frontier is re-tested around the burned cells, and the
 * reference counts of the boxes around cells that joined or left it move
 * (spec 6.7).  Both are split by the rows of the band's parts (band.h's
 * PART_ROWS): thread t of k alone re-tests and flags the cells of its
 * rows, alone updates the counts of its rows, and alone adds the cells of
 * its rows to the band or removes them, so none of it needs atomics.  The
 * outcome is order-free: a cell's frontier state is a function of phi and
 * the fuel, however often it is tested, and a count is the sum of its
 * boxes' moves.
 */
static inline bool owns_row(const struct kernel_fire *f, int y, int t, int k)
{
	if (k == 1)
		return true;
	int p = part_of_row(f, y);
	return (k == f->b.parts ? p : p % k) == t;
}

static int push_change(struct thread_lists *l, int32_t cell, int delta)
{
	if (grow((void **)&l->change, &l->cap_change, l->n_change + 1, sizeof *l->change))
		return -ENOMEM;
	l->change[l->n_change++] = (struct front_change){ cell, delta };
	return 0;
}

static int push_dirty(struct thread_lists *l, int32_t cell)
{
	if (grow((void **)&l->dirty, &l->cap_dirty, l->n_dirty + 1, sizeof *l->dirty))
		return -ENOMEM;
	l->dirty[l->n_dirty++] = cell;
	return 0;
}

/* Bytes whose count bits are zero: 0x80 in each such byte.  Adding 0x7f
 * to a byte's low seven bits sets its top bit unless they were zero, and
 * never carries into the next byte. */
static inline uint64_t zero_counts(uint64_t v)
{
	const uint64_t low = 0x7f7f7f7f7f7f7f7full;
	return ~((v & low) + low) & ~low;
}

/*
 * Move the counts of cells [xa, xb) of row y, all in one tile, by delta,
 * listing those that cross zero.  The cells are contiguous bytes of the
 * tile's row; an eight-byte window within that row (and so within row y,
 * which thread t owns) is updated at once.  Counts stay below 0x7f, so
 * adding or subtracting one per byte never carries into its neighbours.
 */
static int box_segment(struct kernel_fire *f, int t, int y, int xa, int xb, int delta)
{
	int n = xb - xa;
	uint8_t *p = &f->mark[tile_at(f, y, xa)];
	int shift = (xa & (TILE - 1)) + 8 <= TILE ? 0 : 8 - n;
	uint8_t *w = p - shift;
	uint64_t v, ones, after;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	ones = 0x0101010101010101ull >> (64 - 8 * n) << (8 * shift);
#else
	uint8_t one[8] = { 0 };
	for (int j = 0; j < n; j++)
		one[shift + j] = 1;
	memcpy(&ones, one, 8);
#endif
	memcpy(&v, w, 8);
	after = delta > 0 ? v + ones : v - ones;
	memcpy(w, &after, 8);
	uint64_t cross = (zero_counts(v) ^ zero_counts(after)) & (ones << 7);
	if (!cross)
		return 0;
	uint8_t c[8];
	memcpy(c, &cross, 8);
	for (int j = 0; j < n; j++)
		if (c[shift + j] && push_dirty(&f->tl[t], y * f->cols + xa + j))
			return -ENOMEM;
	return 0;
}

/* The box as the reproduced model implements it: rows y-3..y+3, columns
 * x-3..x+2, and the last column never tracked (spec 6.7, 10.1); only the
 * rows thread t owns, a tile's part of a row at a time. */
static int box_rows(struct kernel_fire *f, int t, int k, int32_t cell, int delta)
{
	const int b = 3;
	int y, x;
	cell_yx(f, cell, &y, &x);
	int y0 = y - b < 0 ? 0 : y - b;
	int y1 = y + b + 1 > f->rows ? f->rows : y + b + 1;
	int x0 = x - b < 0 ? 0 : x - b;
	int x1 = x + b < f->cols - 1 ? x + b : f->cols - 1;
	for (int yy = y0; yy < y1; yy++) {
		if (!owns_row(f, yy, t, k))
			continue;
		for (int xa = x0; xa < x1;) {
			int xb = (xa | (TILE - 1)) + 1 < x1 ? (xa | (TILE - 1)) + 1 : x1;
			int rc = box_segment(f, t, yy, xa, xb, delta);
			if (rc)
				return rc;
			xa = xb;
		}
	}
	return 0;
}

/* The fuel layer's stored band for landscape band t: the frontier reads
 * fuel at the band of the time of the test (spec 6.7, 10.13). */
static long fuel_band(const struct kernel_fire *f, int t)
{
	return kernel_cube_band(&f->ls->layer[KERNEL_IN_FUEL_MODEL], t);
}

/* Whether (y, x) is burnable in stored band bt of the fuel layer. */
static inline bool burnable_at(const struct kernel_fire *f, long bt, int y, int x)
{
	const struct kernel_cube *c = &f->ls->layer[KERNEL_IN_FUEL_MODEL];
	long i = (bt * c->base_rows * c->base_cols + kernel_cube_cell(c, y, x)) * c->stride;
	int code = (int)kernel_cube_at(c, i);
	if (code >= 0 && code < 256)
		return f->burnable_code[code];
	return kernel_fuel_model(code)->burnable;
}

static inline float phi_at(const struct kernel_fire *f, int y, int x)
{
	return dec(f->phi[(y + 2) * f->W + x + 2], ONE_BITS);
}

static bool is_frontier(const struct kernel_fire *f, long t, int y, int x)
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

/* Re-test (y, x) if thread tid owns its row; a change is listed. */
static int retest(struct kernel_fire *f, int tid, int k, long t, int y, int x)
{
	if (y < 0 || y >= f->rows || x < 0 || x >= f->cols || !owns_row(f, y, tid, k))
		return 0;
	uint8_t *m = &f->mark[tile_at(f, y, x)];
	bool now = is_frontier(f, t, y, x);
	if (now == ((*m & MARK_FRONT) != 0))
		return 0;
	*m ^= MARK_FRONT;
	return push_change(&f->tl[tid], y * f->cols + x, now ? +1 : -1);
}

static int retest_around(struct kernel_fire *f, int tid, int k, long t, int32_t cell)
{
	int y, x;
	cell_yx(f, cell, &y, &x);
	int rc;
	if ((rc = retest(f, tid, k, t, y, x)) || (rc = retest(f, tid, k, t, y - 1, x)) ||
	    (rc = retest(f, tid, k, t, y + 1, x)) || (rc = retest(f, tid, k, t, y, x - 1)) ||
	    (rc = retest(f, tid, k, t, y, x + 1)))
		return rc;
	return 0;
}

/* Phase one: thread tid of k re-tests its rows around every burned cell
 * of the step, listed by all k threads. */
static int frontier_retest(struct kernel_fire *f, int tid, int k, long t)
{
	for (int u = 0; u < k; u++)
		for (size_t i = 0; i < f->burn[u].n; i++) {
			int rc = retest_around(f, tid, k, t, f->burn[u].v[i].cell);
			if (rc)
				return rc;
		}
	return 0;
}

/* Phase two, after every thread's phase one: thread tid moves the counts
 * of its rows for every change. */
static int frontier_counts(struct kernel_fire *f, int tid, int k)
{
	for (int u = 0; u < k; u++)
		for (size_t i = 0; i < f->tl[u].n_change; i++) {
			int rc = box_rows(f, tid, k, f->tl[u].change[i].cell, f->tl[u].change[i].delta);
			if (rc)
				return rc;
		}
	return 0;
}

/*
 * Bring thread t's rows of the band in line with their reference counts.
 * A cell listed twice is looked at twice; the second look finds nothing
 * to do.  Joining cells read their inputs at the start of the next step.
 */
static int sync_tracked(struct kernel_fire *f, int t)
{
	struct thread_lists *l = &f->tl[t];
	for (size_t i = 0; i < l->n_dirty; i++) {
		int32_t c = l->dirty[i];
		int y, x;
		cell_yx(f, c, &y, &x);
		bool tracked = band_tracked(f, c);
		bool counted = (f->mark[tile_at(f, y, x)] & MARK_COUNT) != 0;
		if (counted && !tracked) {
			int rc = band_add(f, c);
			if (rc)
				return rc;
		} else if (!counted && tracked) {
			band_remove(f, c);
		}
	}
	l->n_dirty = 0;
	return 0;
}

static void set_band(struct kernel_fire *f, int k, int t)
{
	f->t_k[k] = t;
	f->bt_k[k] = kernel_cube_band(&f->ls->layer[k], t);
}

/* Decide which inputs are due at `now` (spec 5.1), with the model's
 * float32 clock; the tracked cells re-read them in band_prepare. */
static void refresh_begin(struct kernel_fire *f, float now)
{
	const struct kernel_landscape *ls = f->ls;
	f->any_refreshed = false;
	for (int k = 0; k < KERNEL_INPUTS; k++) {
		float r = ls->refresh_rate[k];
		f->refreshed[k] = false;
		if (r * (now - f->T_k[k]) > 1.0) {
			float interval = (float)(1.0 / r);
			float T = (float)(floor(now / interval) * interval);
			f->T_k[k] = T;
			set_band(f, k, (int)floor(T / ls->band_duration));
			f->refreshed[k] = true;
			f->any_refreshed = true;
		}
	}
}

/* ---------------------------------------------------------------- */
/* Burned cells                                                      */
/* ---------------------------------------------------------------- */

static int clamp_band(const struct kernel_landscape *ls, float t)
{
	int b = (int)floor(t / ls->band_duration);
	return b < 0 ? 0 : b >= ls->bands ? ls->bands - 1 : b;
}

static const struct kernel_cell_max *derive_max(struct kernel_fire *f, int tid,
						const struct kernel_cell_inputs *in)
{
	uint32_t h = 2166136261u;
	for (int k = 0; k < KERNEL_INPUTS; k++) {
		uint32_t u;
		memcpy(&u, &in->v[k], sizeof u);
		h = (h ^ u) * 16777619u;
	}
	h ^= h >> 15;
	struct memo_max *m = &f->memo_max[(size_t)tid * MEMO_SIZE + (h & (MEMO_SIZE - 1))];
	if (m->used && memcmp(m->in, in->v, sizeof m->in) == 0)
		return &m->max;
	memcpy(m->in, in->v, sizeof m->in);
	kernel_cell_max(in, &m->max);
	m->used = true;
	return &m->max;
}

/*
 * A burned cell's inputs at band t (spec 6.9).  A group whose every input
 * the cell's cache holds from the same stored band is copied from the
 * cache, which holds exactly what the cube would give; only the others
 * are read from the landscape.
 */
static void read_burned_inputs(const struct kernel_fire *f, const struct burned *b, int t, float *v)
{
	const float *cached = f->b.part[b->part].in[b->lane].v;
	long bt[KERNEL_INPUTS];
	int y, x;
	cell_yx(f, b->cell, &y, &x);
	for (int g = 0; g < f->n_groups; g++) {
		const struct read_group *rg = &f->group[g];
		long band = kernel_cube_band(&f->ls->layer[rg->k[0]], t);
		bool same = true;
		for (int j = 0; j < rg->n; j++) {
			bt[rg->k[j]] = band;
			same = same && f->bt_k[rg->k[j]] == band;
		}
		if (!same) {
			band_read_inputs(f, g, bt, y, x, v);
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
	int y, x;
	cell_yx(f, b->cell, &y, &x);
	struct cell_out *o = &f->out[tile_at(f, y, x)];
	b->first = o->toa == 0;
	o->type = (uint8_t)beh.fire_type;
	o->rate = beh.spread_rate;
	o->dir = enc(beh.spread_direction, NAN_BITS);
	o->inten = beh.fireline_intensity;
	o->fl = beh.flame_length;
	o->toa = enc(b->toa, NAN_BITS);
}

static void burn_list(struct kernel_fire *f, int tid, struct burn_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		burn_cell(f, tid, &l->v[i]);
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
	int32_t x = ((const struct burned *)a)->cell, y = ((const struct burned *)b)->cell;
	return (x > y) - (x < y);
}

/* Each thread's burned cells in grid order, then every thread's merged:
 * the order in which cells are recorded as burned. */
static void sort_burned(struct burn_list *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof *l->v, cmp_burned);
}

static int record_step(struct kernel_fire *f, int lists)
{
	size_t at[MAX_THREADS] = { 0 };
	for (;;) {
		int best = -1;
		for (int u = 0; u < lists; u++)
			if (at[u] < f->burn[u].n &&
			    (best < 0 || f->burn[u].v[at[u]].cell < f->burn[best].v[at[best]].cell))
				best = u;
		if (best < 0)
			return 0;
		const struct burned *b = &f->burn[best].v[at[best]++];
		if (b->first && record_burned(f, b->cell))
			return -ENOMEM;
	}
}

/* ---------------------------------------------------------------- */
/* One step                                                          */
/* ---------------------------------------------------------------- */

/* The CFL time step from the largest bound (spec 6.6 step 3). */
static float step_length(float dt_inv, float remaining)
{
	dt_inv = (float)fmax(dt_inv, 1.0 / remaining);
	return (float)(1.0 / dt_inv);
}

/*
 * A barrier for the threads of one fire.  A thread that arrives early
 * spins a little, then yields its core: on a machine shared with other
 * work, the thread it waits for may be the one waiting for a core, and a
 * waiter that spins for its whole time slice only delays it further.
 * Sense reversal: the last to arrive resets the count and moves the phase
 * on, which releases the others (acquire and release order every write
 * before the barrier before every read after it).
 */
struct barrier {
	atomic_uint arrived;
	atomic_uint phase;
};

#define BARRIER_SPINS 2000

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

static void barrier_wait(struct barrier *b, int k)
{
	if (k <= 1)
		return;
	unsigned phase = atomic_load_explicit(&b->phase, memory_order_acquire);
	if (atomic_fetch_add_explicit(&b->arrived, 1, memory_order_acq_rel) == (unsigned)k - 1) {
		atomic_store_explicit(&b->arrived, 0, memory_order_relaxed);
		atomic_store_explicit(&b->phase, phase + 1, memory_order_release);
		return;
	}
	for (int spins = 0; atomic_load_explicit(&b->phase, memory_order_acquire) == phase; spins++) {
		if (spins < BARRIER_SPINS)
			cpu_relax();
		else
			sched_yield();
	}
}

/*
 * What the threads of one fire share.  What a step publishes for the loop
 * (its length, its band's size, an error) is kept twice, by the step's
 * parity: a step that thread 0 runs alone may start, and publish, while
 * another thread is still reading what the step before published.
 */
struct run {
	float C_dx, C_dy, max_stop;
	float dt[2];                     /* the step's length */
	size_t cells[2][MAX_THREADS];    /* tracked cells after the step, per thread */
	atomic_int err[2];
	float part[MAX_THREADS];         /* each thread's largest CFL bound */
	struct barrier bar;
	/* the loop's state when it ends, from thread 0 */
	float clock, remaining;
	bool last_nonzero;
	int steps, err_final;
};

static void fail(struct run *r, int par, int rc)
{
	if (rc)
		atomic_store(&r->err[par], rc);
}

/*
 * Steps 3-9 of spec 6.6 as thread tid of k sees them: its parts of the
 * band through both passes, the outputs of the cells that burned there,
 * then the frontier, the counts and the band in its rows.  The barriers
 * stand where a thread needs what every thread wrote: the largest CFL
 * bound, phi* around its chunks, phi and every burned cell, every
 * frontier change.  Thread 0 also records the step's burned cells and
 * works out which inputs the next step refreshes, which no other thread
 * waits for.  With k = 1 the same code runs in the same order.
 */
static void step_thread(struct kernel_fire *f, struct run *r, int par, float t0, float remaining, int tid,
			int k)
{
	int parts = f->b.parts;
	f->burn[tid].n = 0;
	f->tl[tid].n_change = 0;
	float mine = 0.0f;
	for (int p = tid; p < parts; p += k) {
		band_prepare(f, tid, p);
		float m = band_pass1(f, p, r->C_dx, r->C_dy);
		mine = m > mine ? m : mine;
	}
	r->part[tid] = mine;
	barrier_wait(&r->bar, k);
	/* Every thread reduces the same maxima in the same order. */
	float m = 0.0f;
	for (int j = 0; j < k; j++)
		m = r->part[j] > m ? r->part[j] : m;
	float dt = step_length(m, remaining);
	for (int p = tid; p < parts; p += k)
		band_phi_star(f, p, dt);
	barrier_wait(&r->bar, k);
	int rc = 0;
	for (int p = tid; p < parts && !rc; p += k)
		rc = band_pass2(f, p, t0, dt, r->C_dx, r->C_dy, &f->burn[tid]);
	if (!rc) {
		burn_list(f, tid, &f->burn[tid]);
		sort_burned(&f->burn[tid]);
	}
	fail(r, par, rc);
	barrier_wait(&r->bar, k);
	float stop = t0 + dt;
	if (tid == 0) {
		r->dt[par] = dt;
		fail(r, par, record_step(f, k));
		refresh_begin(f, stop);
	}
	fail(r, par, frontier_retest(f, tid, k, fuel_band(f, clamp_band(f->ls, stop))));
	barrier_wait(&r->bar, k);
	fail(r, par, frontier_counts(f, tid, k));
	fail(r, par, sync_tracked(f, tid));
	size_t cells = 0;
	for (int p = tid; p < parts; p += k)
		cells += f->b.part[p].n_cells;
	r->cells[par][tid] = cells;
}

/*
 * The step loop (spec 6.7) as thread tid of k runs it.  Every thread keeps
 * the same clock and takes the same decisions from what the last step
 * published, read after the barrier that ends it.  A step over a band
 * smaller than min_band runs on thread 0 alone while the others wait.
 */
static void run_loop(struct kernel_fire *f, struct run *r, float start, int tid, int k)
{
	const float threshold = (float)(1.0 / 60.0);
	float clock = start, remaining = r->max_stop - clock;
	bool last_nonzero = true;
	int steps = 0, par = 1, team = 1, err = 0;
	while (remaining > threshold && last_nonzero) {
		size_t cells = 0;
		for (int j = 0; j < team; j++)
			cells += r->cells[par][j];
		if (cells == 0)
			break;
		team = cells < f->min_band ? 1 : k;
		par ^= 1;
		if (tid < team)
			step_thread(f, r, par, clock, remaining, tid, team);
		barrier_wait(&r->bar, k);
		if ((err = atomic_load(&r->err[par])))
			break;
		float stop = clock + r->dt[par];
		last_nonzero = clock != stop;
		clock = stop;
		remaining = r->max_stop - clock;
		steps++;
	}
	if (tid == 0) {
		r->clock = clock;
		r->remaining = remaining;
		r->last_nonzero = last_nonzero;
		r->steps = steps;
		r->err_final = err;
	}
}

/* The whole loop on one thread, or on the fire's threads in one
 * parallel region. */
static int run_steps(struct kernel_fire *f, struct run *r, float start)
{
	atomic_init(&r->err[0], 0);
	atomic_init(&r->err[1], 0);
	atomic_init(&r->bar.arrived, 0);
	atomic_init(&r->bar.phase, 0);
	/* The loop starts from the band the ignition made, as one list. */
	r->cells[1][0] = band_cells(&f->b);
	if (f->threads <= 1) {
		run_loop(f, r, start, 0, 1);
		return r->err_final;
	}
#ifdef _OPENMP
#pragma omp parallel num_threads(f->threads)
	run_loop(f, r, start, omp_get_thread_num(), omp_get_num_threads());
#endif
	return r->err_final;
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
		int y, x;
		cell_yx(f, c, &y, &x);
		const struct cell_out *o = &f->out[tile_at(f, y, x)];
		sum += mix64(((uint64_t)(uint32_t)c << 32) | (o->toa ^ NAN_BITS));
		int t = o->type;
		res->type_counts[t]++;
		if (t == 0)
			continue;
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
			int y, x;
			cell_yx(f, c, &y, &x);
			if (f->out[tile_at(f, y, x)].type == 0)
				continue;
			double dy = y - my, dx = x - mx;
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

static void reset_run(struct kernel_fire *f)
{
	grids_release(f);
	band_reset(&f->b, f->threads);
	for (int Y = 0; Y < f->rows + 4; Y++)
		f->row_part[Y] = (uint8_t)(Y / PART_ROWS % f->threads);
	for (int t = 0; t < MAX_THREADS; t++)
		f->tl[t].n_dirty = f->tl[t].n_change = 0;
	f->n_all = 0;
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
	f->out[tile_at(f, job->y, job->x)].toa = enc(start, NAN_BITS);
	if ((rc = record_burned(f, ign)))
		return rc;
	res->ignited_cells = 1;

	int t_start = (int)floor(start / ls->band_duration);
	for (int k = 0; k < KERNEL_INPUTS; k++) {
		f->T_k[k] = start;
		set_band(f, k, t_start);
	}
	/* Before the first step only the ignited cell and its neighbours can
	 * pass the frontier test (spec 6.7). */
	if ((rc = retest_around(f, 0, 1, fuel_band(f, clamp_band(ls, start)), ign)) ||
	    (rc = frontier_counts(f, 0, 1)) ||
	    (rc = sync_tracked(f, 0)))
		return rc;

	struct run r = { .C_dx = 0.4f * ls->cell_width, .C_dy = 0.4f * ls->cell_height,
			 .max_stop = max_stop };
	refresh_begin(f, start);
	if ((rc = run_steps(f, &r, start)))
		return rc;
	const float threshold = (float)(1.0 / 60.0);
	float clock = r.clock, remaining = r.remaining;
	bool last_nonzero = r.last_nonzero;
	int steps = r.steps;
	res->steps = steps;
	res->stop_time = clock;
	if (remaining <= threshold)
		res->stop_condition = KERNEL_STOP_MAX_DURATION;
	else if (!last_nonzero)
		res->stop_condition = KERNEL_STOP_ZERO_TIMESTEP;
	else
		res->stop_condition = KERNEL_STOP_NO_BURNABLE;
	res->tracked_cells_end = (long)band_cells(&f->b);
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
	return in_grid(f, y, x) ? dec(f->out[tile_at(f, y, x)].toa, NAN_BITS) : NAN;
}

int kernel_fire_type(const struct kernel_fire *f, int y, int x)
{
	return in_grid(f, y, x) ? f->out[tile_at(f, y, x)].type : 0;
}

float kernel_fire_spread_rate(const struct kernel_fire *f, int y, int x)
{
	return in_grid(f, y, x) ? f->out[tile_at(f, y, x)].rate : 0.0f;
}

float kernel_fire_spread_direction(const struct kernel_fire *f, int y, int x)
{
	return in_grid(f, y, x) ? dec(f->out[tile_at(f, y, x)].dir, NAN_BITS) : NAN;
}

float kernel_fire_intensity(const struct kernel_fire *f, int y, int x)
{
	return in_grid(f, y, x) ? f->out[tile_at(f, y, x)].inten : 0.0f;
}

float kernel_fire_flame_length(const struct kernel_fire *f, int y, int x)
{
	return in_grid(f, y, x) ? f->out[tile_at(f, y, x)].fl : 0.0f;
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
