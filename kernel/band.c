/*
 * band.c - the narrow band of tracked cells and the two Runge-Kutta
 * passes over it (kernel-spec.md 6.3-6.6).
 *
 * The band is stored by chunks: CHUNK neighbouring cells of one grid row,
 * aligned in the padded grid, with every per-cell field kept per lane.  A
 * pass gathers a chunk's nine-point stencils as nine short runs of a row
 * (one unaligned vector load each) instead of nine scattered loads per
 * cell, evaluates the flux-limited rate of every lane in one vectorised
 * loop, and writes a chunk's phi back with one store.  Lanes whose cell is
 * not tracked are evaluated and discarded; a front band is mostly runs of
 * six or more cells, so most lanes are tracked.  The results do not depend
 * on which chunk a cell sits in nor on the order of chunks: every lane
 * computes the reproduced model's float32 expressions for its own cell.
 *
 * Left out: the order in which cells burn within a step, which spread.c
 * fixes, and anything about the frontier or the outputs.
 */
#include "fire_internal.h"
#include "kernel_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

/* ---------------------------------------------------------------- */
/* Storage                                                           */
/* ---------------------------------------------------------------- */

static void part_free(struct band_part *bp)
{
	free(bp->q);
	free(bp->mask);
	free(bp->live);
	free(bp->fresh);
	free(bp->zden);
	free(bp->in);
#define X(name) free(bp->name);
	FLOAT_FIELDS(X)
#undef X
	free(bp->fill);
	memset(bp, 0, sizeof *bp);
}

void band_free(struct band *b)
{
	for (int p = 0; p < MAX_THREADS; p++)
		part_free(&b->part[p]);
	memset(b, 0, sizeof *b);
}

/* An empty band of `parts` parts, keeping what was allocated. */
void band_reset(struct band *b, int parts)
{
	for (int p = 0; p < MAX_THREADS; p++)
		b->part[p].n_chunks = b->part[p].n_cells = b->part[p].n_fill = 0;
	b->parts = parts;
}

size_t band_cells(const struct band *b)
{
	size_t n = 0;
	for (int p = 0; p < b->parts; p++)
		n += b->part[p].n_cells;
	return n;
}

static int part_grow(struct band_part *bp, size_t need)
{
	if (need <= bp->cap_chunks)
		return 0;
	size_t nc = bp->cap_chunks ? bp->cap_chunks : 256;
	while (nc < need)
		nc *= 2;
	size_t nl = nc * CHUNK;
	void *q;
#define GROW(ptr, count)                                             \
	if (!(q = realloc(ptr, (count) * sizeof *(ptr))))          \
		return -ENOMEM;                                      \
	ptr = q;
	GROW(bp->q, nc)
	GROW(bp->mask, nc)
	GROW(bp->live, nl)
	GROW(bp->fresh, nl)
	GROW(bp->zden, nl)
	GROW(bp->in, nl)
#define X(name) GROW(bp->name, nl)
	FLOAT_FIELDS(X)
#undef X
#undef GROW
	bp->cap_chunks = nc;
	return 0;
}

/* Lanes [to, to + CHUNK) take lanes [from, from + CHUNK)'s fields. */
static void lanes_move(struct band_part *bp, size_t to, size_t from)
{
	size_t n = CHUNK;
	memmove(&bp->live[to], &bp->live[from], n * sizeof *bp->live);
	memmove(&bp->fresh[to], &bp->fresh[from], n * sizeof *bp->fresh);
	memmove(&bp->zden[to], &bp->zden[from], n * sizeof *bp->zden);
	memmove(&bp->in[to], &bp->in[from], n * sizeof *bp->in);
#define X(name) memmove(&bp->name[to], &bp->name[from], n * sizeof *bp->name);
	FLOAT_FIELDS(X)
#undef X
}

/* A new chunk's lanes hold zeros, which evaluate harmlessly. */
static void lanes_clear(struct band_part *bp, size_t at)
{
	size_t n = CHUNK;
	memset(&bp->live[at], 0, n * sizeof *bp->live);
	memset(&bp->fresh[at], 0, n * sizeof *bp->fresh);
	memset(&bp->zden[at], 0, n * sizeof *bp->zden);
	memset(&bp->in[at], 0, n * sizeof *bp->in);
#define X(name) memset(&bp->name[at], 0, n * sizeof *bp->name);
	FLOAT_FIELDS(X)
#undef X
}

/* The chunk map holds (slot << 8 | part) + 1 for each padded chunk with
 * a slot, 0 for the others. */
static int32_t chunk_ref(size_t slot, int part)
{
	return (int32_t)(slot << 8 | (size_t)part) + 1;
}

static size_t chunk_key(const struct kernel_fire *f, int32_t cell)
{
	int y, x;
	cell_yx(f, cell, &y, &x);
	return chunk_slot_at(f, y + 2, x + 2);
}

/* The part and lane of a tracked or once-tracked cell, or false. */
static bool lane_of(const struct kernel_fire *f, int32_t cell, int *part, size_t *lane)
{
	int y, x;
	cell_yx(f, cell, &y, &x);
	int32_t r = f->chunk_at[chunk_slot_at(f, y + 2, x + 2)];
	if (r == 0)
		return false;
	*part = (r - 1) & 0xff;
	*lane = (size_t)((r - 1) >> 8) * CHUNK + (size_t)((x + 2) % CHUNK);
	return true;
}

bool band_tracked(const struct kernel_fire *f, int32_t cell)
{
	int p;
	size_t i;
	return lane_of(f, cell, &p, &i) && f->b.part[p].live[i];
}

/* A cell joins the band; its inputs are read later (band_prepare). */
int band_add(struct kernel_fire *f, int32_t cell)
{
	struct band *b = &f->b;
	size_t key = chunk_key(f, cell);
	int y, x;
	cell_yx(f, cell, &y, &x);
	if (f->chunk_at[key] == 0) {
		int p = part_of_row(f, y);
		struct band_part *bp = &b->part[p];
		size_t s = bp->n_chunks;
		if (part_grow(bp, s + 1))
			return -ENOMEM;
		bp->q[s] = (y + 2) * f->W + (x + 2) / CHUNK * CHUNK;
		bp->mask[s] = 0;
		lanes_clear(bp, s * CHUNK);
		f->chunk_at[key] = chunk_ref(s, p);
		bp->n_chunks = s + 1;
	}
	int p = 0;
	size_t i = 0;
	lane_of(f, cell, &p, &i);
	struct band_part *bp = &b->part[p];
	bp->mask[i / CHUNK] |= (uint8_t)(1u << (i % CHUNK));
	bp->live[i] = -1;
	bp->n_cells++;
	if (!bp->fresh[i]) {
		bp->fresh[i] = 1;
		if (grow((void **)&bp->fill, &bp->cap_fill, bp->n_fill + 1, sizeof *bp->fill))
			return -ENOMEM;
		bp->fill[bp->n_fill++] = cell;
	}
	return 0;
}

/*
 * A cell leaves the band.  Outside the band phi* equals phi; a tracked
 * cell's phi* still holds its last intermediate value, so it is restored
 * here rather than copied for every tracked cell after every step.  An
 * emptied chunk takes the last chunk of its part's place.
 */
void band_remove(struct kernel_fire *f, int32_t cell)
{
	struct band *b = &f->b;
	int p = 0;
	size_t i = 0;
	lane_of(f, cell, &p, &i);
	struct band_part *bp = &b->part[p];
	size_t s = i / CHUNK;
	int y, x;
	cell_yx(f, cell, &y, &x);
	long g = (long)(y + 2) * f->W + x + 2;
	f->phis[g] = f->phi[g];
	bp->live[i] = 0;
	bp->fresh[i] = 0;
	bp->mask[s] &= (uint8_t)~(1u << (i % CHUNK));
	bp->n_cells--;
	if (bp->mask[s])
		return;
	size_t last = bp->n_chunks - 1;
	f->chunk_at[chunk_key(f, cell)] = 0;
	if (s != last) {
		bp->q[s] = bp->q[last];
		bp->mask[s] = bp->mask[last];
		lanes_move(bp, s * CHUNK, last * CHUNK);
		int32_t Y = div_by(&f->by_W, bp->q[s]), X0 = bp->q[s] - Y * f->W;
		f->chunk_at[chunk_slot_at(f, Y, X0)] = chunk_ref(s, p);
	}
	bp->n_chunks = last;
}

/* ---------------------------------------------------------------- */
/* Inputs and wavelets of tracked cells                              */
/* ---------------------------------------------------------------- */

/* Group g's inputs at (y, x), input k from stored band bt[k]; the same
 * values as kernel_cube_get at the matching bands. */
void band_read_inputs(const struct kernel_fire *f, int g, const long *bt, int y, int x, float *v)
{
	const struct read_group *rg = &f->group[g];
	const struct kernel_cube *c0 = &f->ls->layer[rg->k[0]];
	long cell = kernel_cube_cell(c0, y, x), plane = (long)c0->base_rows * c0->base_cols;
	for (int j = 0; j < rg->n; j++) {
		const struct kernel_cube *c = &f->ls->layer[rg->k[j]];
		v[rg->k[j]] = kernel_cube_at(c, (bt[rg->k[j]] * plane + cell) * c->stride);
	}
}

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

/* The wavelets of an input vector, memoised per thread: both are pure
 * functions of the 17 inputs, so the memo changes no result. */
static const struct kernel_cell_ellipses *derive(struct kernel_fire *f, int tid,
						 const struct kernel_cell_inputs *in)
{
	struct memo_entry *m = &f->memo[(size_t)tid * MEMO_SIZE + (hash_inputs(in->v) & (MEMO_SIZE - 1))];
	if (m->used && memcmp(m->in, in->v, sizeof m->in) == 0)
		return &m->ell;
	struct kernel_surface_min min;
	memcpy(m->in, in->v, sizeof m->in);
	kernel_cell_surface_min(in, &min);
	kernel_cell_ellipses(in, &min, &m->ell);
	m->used = true;
	return &m->ell;
}

static void lane_fill(struct band_part *b, size_t i, const struct kernel_cell_ellipses *e)
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

/*
 * Make part p ready for a step: lanes that joined the band read their
 * inputs at the bands the cache follows (spec 5.1) and get their
 * wavelets; if inputs were refreshed this step, every tracked lane
 * re-reads them and gets its wavelets again.  Reading a new cell after the
 * refresh rather than before gives the same values, since the refresh
 * re-reads the same inputs for every tracked cell.  Each part is prepared
 * by the thread that sweeps it, so preparing needs no barrier.
 */
void band_prepare(struct kernel_fire *f, int tid, int p)
{
	struct band_part *bp = &f->b.part[p];
	for (size_t j = 0; j < bp->n_fill; j++) {
		int q;
		size_t i;
		if (!lane_of(f, bp->fill[j], &q, &i) || !bp->fresh[i])
			continue;
		bp->fresh[i] = 0;
		if (!bp->live[i])
			continue;
		int y, x;
		cell_yx(f, bp->fill[j], &y, &x);
		for (int g = 0; g < f->n_groups; g++)
			band_read_inputs(f, g, f->bt_k, y, x, bp->in[i].v);
		lane_fill(bp, i, derive(f, tid, &bp->in[i]));
	}
	bp->n_fill = 0;
	if (!f->any_refreshed)
		return;
	for (size_t s = 0; s < bp->n_chunks; s++) {
		int Y = div_by(&f->by_W, bp->q[s]), X0 = bp->q[s] - Y * f->W;
		for (int l = 0; l < CHUNK; l++) {
			size_t i = s * CHUNK + (size_t)l;
			if (!bp->live[i])
				continue;
			for (int k = 0; k < KERNEL_INPUTS; k++)
				if (f->refreshed[k])
					bp->in[i].v[k] = kernel_cube_get(&f->ls->layer[k], f->t_k[k], Y - 2,
									 X0 + l - 2);
			lane_fill(bp, i, derive(f, tid, &bp->in[i]));
		}
	}
}

/* ---------------------------------------------------------------- */
/* The flux-limited rate of a block of lanes                         */
/* ---------------------------------------------------------------- */

/*
 * The flux-limited rate, written as one branch-free loop over lanes so
 * that it runs several cells per instruction.  Every lane computes exactly
 * the float32 expressions of the reproduced model (kernel-spec.md 6.4,
 * 6.5, 6.11), with the same promotions to double; both sides of each
 * branch are evaluated and the right one selected.  Halving a float in
 * float instead of double is exact for normal numbers, which phi
 * differences always are.  The sweeps are cloned for AVX-512 (x86-64-v4)
 * and AVX2 and chosen at run time; without contraction into FMA, every
 * clone gives the same bits.  The wider clone halves the instructions of
 * the loop; its divisions and square roots cost the same per lane.
 */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(SPREADBENCH_NO_CLONES)
#define HOT_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define HOT_CLONES
#endif
#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

#define BLOCK_CHUNKS 16
#define BLOCK (BLOCK_CHUNKS * CHUNK)

/* The nine-point stencil of every lane of a block, as stored bits. */
enum { S_W2, S_W1, S_00, S_E1, S_E2, S_S2, S_S1, S_N1, S_N2, S_POINTS };

struct stencil {
	uint32_t v[S_POINTS][BLOCK];
};

/* Each row of a chunk's stencils is one run of the grid's row. */
static ALWAYS_INLINE void gather(const uint32_t *restrict F, int32_t W, const int32_t *restrict q,
				 size_t nc, struct stencil *restrict s)
{
	const size_t run = CHUNK * sizeof(uint32_t);
	for (size_t j = 0; j < nc; j++) {
		const uint32_t *r = F + q[j];
		size_t o = j * CHUNK;
		memcpy(&s->v[S_W2][o], r - 2, run);
		memcpy(&s->v[S_W1][o], r - 1, run);
		memcpy(&s->v[S_00][o], r, run);
		memcpy(&s->v[S_E1][o], r + 1, run);
		memcpy(&s->v[S_E2][o], r + 2, run);
		memcpy(&s->v[S_S2][o], r - 2 * W, run);
		memcpy(&s->v[S_S1][o], r - W, run);
		memcpy(&s->v[S_N1][o], r + W, run);
		memcpy(&s->v[S_N2][o], r + 2 * W, run);
	}
}

/* Half superbee: 0.5 * B(r) * loc with Roe's (1986) limiter. */
static ALWAYS_INLINE float half_superbee(float up, float loc)
{
	float s = loc >= 0.0f ? 1.0f : -1.0f;
	float au = fabsf(up), al = fabsf(loc);
	float a = au * 0.5f < al ? au * 0.5f : al;
	float b = au < al * 0.5f ? au : al * 0.5f;
	float m = a > b ? a : b;
	return s * up <= 0.0f ? 0.0f : s * m;
}

/*
 * Limited difference along one axis, upwind side chosen by the sign of
 * the central difference:
 *   p1 >= m1: (p00 + H(p00 - m1, p1 - p00)) - (m1 - H(m2 - m1, m1 - p00))
 *   else:     (p1 - H(p2 - p1, p1 - p00)) - (p00 + H(p00 - p1, m1 - p00))
 * The side is chosen before the limiter rather than after, so each lane
 * evaluates two limiters instead of four.  Both forms give the same bits:
 * a - h and a + (-1 * h) are the same IEEE operation.
 */
static ALWAYS_INLINE float flim(float p00, float m2, float m1, float p1, float p2)
{
	bool a = p1 >= m1;
	float up_e = a ? p00 - m1 : p2 - p1, base_e = a ? p00 : p1, sign_e = a ? 1.0f : -1.0f;
	float up_w = a ? m2 - m1 : p00 - p1, base_w = a ? m1 : p00, sign_w = a ? -1.0f : 1.0f;
	float east = base_e + sign_e * half_superbee(up_e, p1 - p00);
	float west = base_w + sign_w * half_superbee(up_w, m1 - p00);
	return east - west;
}

static ALWAYS_INLINE float wavelet_rate(float vx, float vy, float A, float B, float C, float v2,
					float gx, float gy, float G2)
{
	float d = vx * gx + vy * gy;
	return (float)((double)(A * d) + (double)B * sqrt((double)(v2 * G2 + C * (d * d))));
}

struct rates {
	float gx[BLOCK], gy[BLOCK], k[BLOCK], cfl[BLOCK], p00[BLOCK];
};

/*
 * Lanes [i0, i0 + n) of the band, their stencils in s.  With square cells
 * (C_dx == C_dy) the two CFL bounds share their divisor, and since
 * rounding is monotone, max(a / d, b / d) is max(a, b) / d to the bit:
 * one division instead of two, the divider being what the loop waits on.
 */
static ALWAYS_INLINE void block_rates(const struct band_part *restrict b, size_t i0, size_t n,
				      const struct stencil *restrict s, float dx_inv, float dy_inv,
				      float C_dx, float C_dy, bool square, float *restrict ogx,
				      float *restrict ogy, float *restrict ok, float *restrict ocfl,
				      float *restrict op00)
{
	const int32_t *restrict live = b->live + i0;
	const float *restrict zx = b->zx + i0, *restrict zy = b->zy + i0, *restrict rc2 = b->rc2 + i0;
	const double *restrict zden = b->zden + i0;
	const float *restrict svx = b->s_vx + i0, *restrict svy = b->s_vy + i0, *restrict sA = b->s_A + i0;
	const float *restrict sB = b->s_B + i0, *restrict sC = b->s_C + i0, *restrict sv2 = b->s_v2 + i0;
	const float *restrict cvx = b->c_vx + i0, *restrict cvy = b->c_vy + i0, *restrict cA = b->c_A + i0;
	const float *restrict cB = b->c_B + i0, *restrict cC = b->c_C + i0, *restrict cv2 = b->c_v2 + i0;
	for (size_t l = 0; l < n; l++) {
		float p00 = dec(s->v[S_00][l], ONE_BITS);
		float pw1 = dec(s->v[S_W1][l], ONE_BITS), pe1 = dec(s->v[S_E1][l], ONE_BITS);
		float pw2 = dec(s->v[S_W2][l], ONE_BITS), pe2 = dec(s->v[S_E2][l], ONE_BITS);
		float ps1 = dec(s->v[S_S1][l], ONE_BITS), pn1 = dec(s->v[S_N1][l], ONE_BITS);
		float ps2 = dec(s->v[S_S2][l], ONE_BITS), pn2 = dec(s->v[S_N2][l], ONE_BITS);
		float gx = (pe1 - pw1) * dx_inv * 0.5f;
		float gy = (pn1 - ps1) * dy_inv * 0.5f;
		float N2 = gx * gx + gy * gy;
		float Dx = dx_inv * flim(p00, pw2, pw1, pe1, pe2);
		float Dy = dy_inv * flim(p00, ps2, ps1, pn1, pn2);
		float dz = gx * zx[l] + gy * zy[l];
		float G2 = (float)((double)N2 - (double)(dz * dz) / zden[l]);
		float sr = wavelet_rate(svx[l], svy[l], sA[l], sB[l], sC[l], sv2[l], gx, gy, G2);
		float cr = wavelet_rate(cvx[l], cvy[l], cA[l], cB[l], cC[l], cv2[l], gx, gy, G2);
		bool crowns = sr * sr > rc2[l] * G2;
		float q = (crowns & (cr < sr)) ? cr : sr;
		float corr = (gx * Dx + gy * Dy) / N2;
		bool go = (N2 > 0.0f) & (live[l] != 0);
		float bound;
		if (square) {
			float ax = fabsf(q * gx), ay = fabsf(q * gy);
			bound = (ax > ay ? ax : ay) / (N2 * C_dx);
		} else {
			float bx = fabsf(q * gx) / (N2 * C_dx);
			float by = fabsf(q * gy) / (N2 * C_dy);
			bound = bx > by ? bx : by;
		}
		ogx[l] = gx;
		ogy[l] = gy;
		ok[l] = go ? q * corr : 0.0f;
		ocfl[l] = go ? bound : 0.0f;
		op00[l] = p00;
	}
}

/* The largest of v[0..n), NaN ignored, over eight running maxima so the
 * loop vectorises; the maximum is exact whatever the grouping. */
static ALWAYS_INLINE float block_max(const float *v, size_t n, float m)
{
	float part[8] = { 0 };
	size_t l = 0;
	for (; l + 8 <= n; l += 8)
		for (int j = 0; j < 8; j++)
			part[j] = v[l + j] > part[j] ? v[l + j] : part[j];
	for (; l < n; l++)
		m = v[l] > m ? v[l] : m;
	for (int j = 0; j < 8; j++)
		m = part[j] > m ? part[j] : m;
	return m;
}

/* Pass 1 (spec 6.6 step 3) over chunks [lo, hi): rates from phi, kept for
 * pass 2; returns the largest CFL bound. */
HOT_CLONES
static float pass1_sweep(struct band_part *restrict b, const uint32_t *restrict F, int32_t W, size_t lo,
			 size_t hi, float dx_inv, float dy_inv, float C_dx, float C_dy)
{
	struct stencil s;
	float cfl[BLOCK];
	float m = 0.0f;
	for (size_t c = lo; c < hi; c += BLOCK_CHUNKS) {
		size_t nc = hi - c < BLOCK_CHUNKS ? hi - c : BLOCK_CHUNKS, n = nc * CHUNK, i0 = c * CHUNK;
		gather(F, W, b->q + c, nc, &s);
		if (C_dx == C_dy)
			block_rates(b, i0, n, &s, dx_inv, dy_inv, C_dx, C_dy, true, b->gx1 + i0, b->gy1 + i0,
				    b->k1 + i0, cfl, b->phi_old + i0);
		else
			block_rates(b, i0, n, &s, dx_inv, dy_inv, C_dx, C_dy, false, b->gx1 + i0, b->gy1 + i0,
				    b->k1 + i0, cfl, b->phi_old + i0);
		m = block_max(cfl, n, m);
	}
	return m;
}

float band_pass1(struct kernel_fire *f, int p, float C_dx, float C_dy)
{
	struct band_part *bp = &f->b.part[p];
	return pass1_sweep(bp, f->phi, f->W, 0, bp->n_chunks, f->dx_inv, f->dy_inv, C_dx, C_dy);
}

/* phi* = phi + dt k1 on tracked lanes (step 4); an untracked lane writes
 * back the value it read, which is phi* already. */
HOT_CLONES
static void star_sweep(const struct band_part *restrict b, uint32_t *restrict Fs, size_t lo, size_t hi, float dt)
{
	uint32_t v[BLOCK];
	for (size_t c = lo; c < hi; c += BLOCK_CHUNKS) {
		size_t nc = hi - c < BLOCK_CHUNKS ? hi - c : BLOCK_CHUNKS, n = nc * CHUNK, i0 = c * CHUNK;
		const int32_t *restrict live = b->live + i0;
		const float *restrict po = b->phi_old + i0, *restrict k1 = b->k1 + i0;
		for (size_t l = 0; l < n; l++)
			v[l] = enc(live[l] ? po[l] + dt * k1[l] : po[l], ONE_BITS);
		for (size_t j = 0; j < nc; j++)
			memcpy(Fs + b->q[c + j], &v[j * CHUNK], CHUNK * sizeof(uint32_t));
	}
}

void band_phi_star(struct kernel_fire *f, int p, float dt)
{
	star_sweep(&f->b.part[p], f->phis, 0, f->b.part[p].n_chunks, dt);
}

/*
 * Pass 2 (steps 5 and 6) over chunks [lo, hi): rates from phi*, the new
 * phi written back, and every lane whose phi changed sign appended to out
 * with its time of arrival and gradient.
 */
HOT_CLONES
static int pass2_sweep(const struct kernel_fire *f, int p, uint32_t *restrict P, const uint32_t *restrict Fs,
		       size_t lo, size_t hi, float t0, float dt, float C_dx, float C_dy,
		       struct burn_list *out)
{
	const struct band_part *b = &f->b.part[p];
	struct stencil s;
	struct rates o;
	uint32_t v[BLOCK];
	int32_t burns[BLOCK];
	for (size_t c = lo; c < hi; c += BLOCK_CHUNKS) {
		size_t nc = hi - c < BLOCK_CHUNKS ? hi - c : BLOCK_CHUNKS, n = nc * CHUNK, i0 = c * CHUNK;
		gather(Fs, f->W, b->q + c, nc, &s);
		if (C_dx == C_dy)
			block_rates(b, i0, n, &s, f->dx_inv, f->dy_inv, C_dx, C_dy, true, o.gx, o.gy, o.k, o.cfl,
				    o.p00);
		else
			block_rates(b, i0, n, &s, f->dx_inv, f->dy_inv, C_dx, C_dy, false, o.gx, o.gy, o.k, o.cfl,
				    o.p00);
		const int32_t *restrict live = b->live + i0;
		const float *restrict po = b->phi_old + i0, *restrict k1 = b->k1 + i0;
		/* Three plain loops, each of one element width, so that each
		 * vectorises. */
		for (size_t l = 0; l < n; l++)
			o.p00[l] = (float)(po[l] + 0.5 * (k1[l] + o.k[l]) * dt);
		for (size_t l = 0; l < n; l++) {
			burns[l] = live[l] & -(int32_t)(po[l] * o.p00[l] < 0.0f);
			v[l] = enc(live[l] ? o.p00[l] : po[l], ONE_BITS);
		}
		int32_t any = 0;
		for (size_t l = 0; l < n; l++)
			any |= burns[l];
		for (size_t j = 0; j < nc; j++)
			memcpy(P + b->q[c + j], &v[j * CHUNK], CHUNK * sizeof(uint32_t));
		if (!any)
			continue;
		for (size_t l = 0; l < n; l++) {
			if (!burns[l])
				continue;
			if (grow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v))
				return -ENOMEM;
			size_t i = i0 + l;
			float phi_old = po[l], phi_new = o.p00[l];
			float w = phi_old / (phi_old - phi_new);
			float w1 = 1.0f - w;
			int32_t q = b->q[c + l / CHUNK] + (int32_t)(l % CHUNK);
			struct burned *bc = &out->v[out->n++];
			int32_t Y = div_by(&f->by_W, q);
			bc->cell = (Y - 2) * f->cols + q - Y * f->W - 2;
			bc->part = p;
			bc->lane = (int32_t)i;
			bc->toa = t0 + dt * w;
			bc->gx = b->gx1[i] * w1 + o.gx[l] * w;
			bc->gy = b->gy1[i] * w1 + o.gy[l] * w;
		}
	}
	return 0;
}

int band_pass2(struct kernel_fire *f, int p, float t0, float dt, float C_dx, float C_dy,
	       struct burn_list *out)
{
	return pass2_sweep(f, p, f->phi, f->phis, 0, f->b.part[p].n_chunks, t0, dt, C_dx, C_dy, out);
}
