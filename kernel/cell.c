/*
 * cell.c - fire behaviour of one cell from its 17 inputs: the surface
 * "min" behaviour, the two elliptical wavelets the level set advances
 * (Richards 1990), dphi/dt for a phi gradient, and the behaviour written
 * when a cell burns (front-normal) or when it is asked for as a head fire.
 * These are the per-cell building blocks of spread.c and of the reference
 * value tests (kernel-spec.md 4.3, 4.4, 6.3, 6.4, 6.9).
 */
#include "kernel.h"
#include "kernel_internal.h"

#include <math.h>
#include <string.h>

const char *const kernel_input_names[KERNEL_LAYERS] = {
	"slope", "aspect", "fuel_model", "canopy_cover", "canopy_height",
	"canopy_base_height", "canopy_bulk_density", "wind_speed_10m",
	"upwind_direction", "fuel_moisture_dead_1hr", "fuel_moisture_dead_10hr",
	"fuel_moisture_dead_100hr", "fuel_moisture_live_herbaceous",
	"fuel_moisture_live_woody", "foliar_moisture", "fuel_spread_adjustment",
	"weather_spread_adjustment", "temperature",
};

static const struct kernel_fuel_model *cell_fuel(const struct kernel_cell_inputs *in)
{
	return kernel_fuel_model((int)in->v[KERNEL_IN_FUEL_MODEL]);
}

void kernel_cell_surface_min(const struct kernel_cell_inputs *in, struct kernel_surface_min *out)
{
	const float *v = in->v;
	float moisture[5] = { v[KERNEL_IN_M1], v[KERNEL_IN_M10], v[KERNEL_IN_M100],
			      v[KERNEL_IN_MHERB], v[KERNEL_IN_MWOODY] };
	struct kernel_moist_fuel mf;
	kernel_fuel_moisturize(cell_fuel(in), moisture, &mf);
	kernel_surface_min(&mf, v[KERNEL_IN_FUEL_ADJ] * v[KERNEL_IN_WEATHER_ADJ], out, NULL);
}

static void cell_surface_max(const struct kernel_cell_inputs *in, const struct kernel_fuel_model *fm,
			     const struct kernel_surface_min *min, struct kernel_surface_max *out)
{
	const float *v = in->v;
	float u_mid = kernel_midflame_wind_speed(v[KERNEL_IN_WIND_SPEED_10M], fm->delta,
						 v[KERNEL_IN_CANOPY_COVER], v[KERNEL_IN_CANOPY_HEIGHT]);
	kernel_surface_max(min, u_mid, v[KERNEL_IN_UPWIND_DIRECTION], v[KERNEL_IN_SLOPE],
			   v[KERNEL_IN_ASPECT], out);
}

static void cell_crown_max(const struct kernel_cell_inputs *in, const struct kernel_fuel_model *fm,
			   struct kernel_crown_max *out)
{
	const float *v = in->v;
	kernel_crown_max(v[KERNEL_IN_CANOPY_HEIGHT], v[KERNEL_IN_CANOPY_BASE_HEIGHT],
			 v[KERNEL_IN_CANOPY_BULK_DENSITY], Btu_lb_to_kJ_kg(fm->h[0]), v[KERNEL_IN_M1],
			 v[KERNEL_IN_WIND_SPEED_10M], v[KERNEL_IN_UPWIND_DIRECTION], v[KERNEL_IN_SLOPE],
			 v[KERNEL_IN_ASPECT], out);
}

static void elevation_gradient(const struct kernel_cell_inputs *in, float z[2])
{
	azimuthal_to_cartesian(in->v[KERNEL_IN_SLOPE], opposite_direction(in->v[KERNEL_IN_ASPECT]), z);
}

/*
 * The heading vector is rate * direction; backing and flanking rates come
 * from the rate itself, while A, B and the length-to-width ratio use the
 * float32 magnitude of the heading vector, as the reproduced model does.
 */
static void make_wavelet(float rate, const float dir[3], float lw, float ecc,
			 struct kernel_wavelet *w)
{
	if (!(rate > 0.0f)) {
		*w = (struct kernel_wavelet){ 0 };
		return;
	}
	float v3[3] = { rate * dir[0], rate * dir[1], rate * dir[2] };
	float backing_adj = (float)((1.0 - ecc) / (1.0 + ecc));
	float vb = rate * backing_adj;
	float vf = (float)((rate + vb) / (2.0 * lw));
	float vh = magnitude_3d(v3);
	if (!(vh > 0.0f)) {
		*w = (struct kernel_wavelet){ 0 };
		return;
	}
	float vh_inv = (float)(1.0 / vh);
	float lw2 = (float)((vh + vb) / (2.0 * vf));
	w->vx = v3[0];
	w->vy = v3[1];
	w->vz = v3[2];
	w->A = (float)(-0.5 * (vh - vb) * vh_inv);
	w->B = -(vf * vh_inv);
	w->C = (float)(lw2 * lw2 - 1.0);
}

void kernel_cell_ellipses(const struct kernel_cell_inputs *in, const struct kernel_surface_min *min,
			  struct kernel_cell_ellipses *out)
{
	float z[2];
	elevation_gradient(in, z);
	out->zx = z[0];
	out->zy = z[1];
	const struct kernel_fuel_model *fm = cell_fuel(in);
	if (!fm->burnable) {
		out->surface = (struct kernel_wavelet){ 0 };
		out->crown = (struct kernel_wavelet){ 0 };
		out->crowning_spread_rate = INFINITY;
		return;
	}
	struct kernel_surface_max smax;
	struct kernel_crown_max cmax;
	cell_surface_max(in, fm, min, &smax);
	cell_crown_max(in, fm, &cmax);
	make_wavelet(smax.max_spread_rate, smax.max_dir, smax.length_to_width, smax.eccentricity,
		     &out->surface);
	make_wavelet(cmax.spread_rate, cmax.dir, cmax.length_to_width, cmax.eccentricity,
		     &out->crown);
	out->crowning_spread_rate = kernel_crowning_spread_rate(&smax, in->v[KERNEL_IN_CANOPY_COVER],
								in->v[KERNEL_IN_CANOPY_BASE_HEIGHT],
								in->v[KERNEL_IN_FOLIAR_MOISTURE]);
}

float kernel_dphi_dt(const struct kernel_cell_ellipses *e, float gx, float gy)
{
	float dz = gx * e->zx + gy * e->zy;
	float G2 = (float)(gx * gx + gy * gy - dz * dz / (1.0 + e->zx * e->zx + e->zy * e->zy));
	const struct kernel_wavelet *w = &e->surface;
	float v2 = w->vx * w->vx + w->vy * w->vy + w->vz * w->vz;
	float d = w->vx * gx + w->vy * gy;
	float s = (float)(w->A * d + w->B * sqrt(v2 * G2 + w->C * (d * d)));
	float rc = e->crowning_spread_rate;
	if (s * s > rc * rc * G2) {
		w = &e->crown;
		v2 = w->vx * w->vx + w->vy * w->vy + w->vz * w->vz;
		d = w->vx * gx + w->vy * gy;
		float c = (float)(w->A * d + w->B * sqrt(v2 * G2 + w->C * (d * d)));
		return c < s ? c : s;
	}
	return s;
}

/* A "max" behaviour in the shape both surface and crown share. */
struct max_behavior {
	int fire_type;
	float rate, dir[3], intensity, flame_length, lw, ecc, critical_rate;
};

struct behavior3 {
	int fire_type;
	float rate, dir[3], intensity, flame_length;
};

/* Behaviour normal to the front for a slope-plane gradient g3 (6.9). */
static void normal_behavior(const struct max_behavior *m, const float g3[3], struct behavior3 *out)
{
	float mag = magnitude_3d(g3);
	if (mag == 0.0f || m->rate == 0.0f) {
		out->fire_type = 0;
		out->rate = out->intensity = out->flame_length = 0.0f;
		if (mag > 0.0f) {
			float inv = (float)(1.0 / mag);
			for (int i = 0; i < 3; i++)
				out->dir[i] = inv * g3[i];
		} else {
			copy_3d(m->dir, out->dir);
		}
		return;
	}
	float rate = m->rate;
	float v3[3] = { rate * m->dir[0], rate * m->dir[1], rate * m->dir[2] };
	float backing_adj = (float)((1.0 - m->ecc) / (1.0 + m->ecc));
	float vb = rate * backing_adj;
	float vf = (float)((rate + vb) / (2.0 * m->lw));
	float A = (float)((rate - vb) / (2.0 * rate));
	float B = v3[0] * g3[0] + v3[1] * g3[1] + v3[2] * g3[2];
	float C = vf / rate;
	float D = (float)pow(rate * mag, 2.0);
	float E = (float)((m->lw * m->lw - 1.0) * (B * B));
	float dphi_dt = (float)(-(A * B + C * sqrt(D + E)));
	float rn = -dphi_dt / mag;
	unit_3d(g3, out->dir);
	float adj = rn / rate;
	out->rate = rn;
	out->intensity = m->intensity * adj;
	out->flame_length = kernel_flame_length(out->intensity);
	if (m->fire_type == 1)
		out->fire_type = 1;
	else
		out->fire_type = rn > m->critical_rate ? 3 : 2;
}

/* Surface and crown combined (4.4). */
static void combine(const struct behavior3 *s, const struct behavior3 *c, struct behavior3 *out)
{
	if (s->rate == 0.0f) {
		*out = *c;
	} else if (c->rate == 0.0f) {
		*out = *s;
		if (c->fire_type == 2)
			out->fire_type = 2;
	} else if (s->rate > c->rate) {
		out->fire_type = c->fire_type;
		out->rate = s->rate;
		copy_3d(s->dir, out->dir);
		out->intensity = s->intensity + c->intensity * (s->rate / c->rate);
		out->flame_length = kernel_flame_length(out->intensity);
	} else {
		out->fire_type = c->fire_type;
		out->rate = c->rate;
		copy_3d(c->dir, out->dir);
		out->intensity = s->intensity * (c->rate / s->rate) + c->intensity;
		out->flame_length = kernel_flame_length(out->intensity);
	}
}

static void surface_as_max(const struct kernel_surface_max *s, struct max_behavior *m)
{
	m->fire_type = 1;
	m->rate = s->max_spread_rate;
	copy_3d(s->max_dir, m->dir);
	m->intensity = s->max_fireline_intensity;
	m->flame_length = s->max_flame_length;
	m->lw = s->length_to_width;
	m->ecc = s->eccentricity;
	m->critical_rate = 0.0f;
}

static void crown_as_max(const struct kernel_crown_max *c, struct max_behavior *m)
{
	m->fire_type = c->fire_type;
	m->rate = c->spread_rate;
	copy_3d(c->dir, m->dir);
	m->intensity = c->fireline_intensity;
	m->flame_length = 0.0f;
	m->lw = c->length_to_width;
	m->ecc = c->eccentricity;
	m->critical_rate = c->critical_spread_rate;
}

static void to_cell_behavior(const struct behavior3 *b, struct kernel_cell_behavior *out)
{
	out->fire_type = b->fire_type;
	out->spread_rate = b->rate;
	out->spread_direction = cartesian_to_azimuth(b->dir[0], b->dir[1]);
	out->fireline_intensity = b->intensity;
	out->flame_length = b->flame_length;
}

/* Zero behaviour of a nonburnable or unreached cell, pointing somewhere sensible. */
static void unburned_behavior(const float z[2], const float g3[3], struct kernel_cell_behavior *out)
{
	struct behavior3 b = { 0 };
	if (g3[0] != 0.0f && g3[1] != 0.0f && g3[2] != 0.0f) {
		unit_3d(g3, b.dir);
	} else if (z[0] != 0.0f && z[1] != 0.0f) {
		float s3[3];
		to_slope_plane(z, z, s3);
		unit_3d(s3, b.dir);
	} else {
		b.dir[1] = 1.0f;
	}
	to_cell_behavior(&b, out);
}

static void gradient_on_slope(float gx, float gy, const float z[2], float g3[3])
{
	g3[0] = gx;
	g3[1] = gy;
	g3[2] = 0.0f;
	if ((float)sqrt(z[0] * z[0] + z[1] * z[1]) == 0.0f)
		return;
	/* Unit normal of the slope plane. */
	float n[3] = { -z[0], -z[1], 1.0f };
	float nm = magnitude_3d(n);
	for (int i = 0; i < 3; i++)
		n[i] = n[i] / nm;
	float agree = gx * n[0] + gy * n[1];
	g3[0] = gx - agree * n[0];
	g3[1] = gy - agree * n[1];
	g3[2] = 0.0f - agree * n[2];
}

void kernel_cell_max(const struct kernel_cell_inputs *in, struct kernel_cell_max *out)
{
	memset(out, 0, sizeof *out);
	elevation_gradient(in, out->z);
	const struct kernel_fuel_model *fm = cell_fuel(in);
	out->burnable = fm->burnable;
	if (!fm->burnable)
		return;
	struct kernel_surface_min min;
	kernel_cell_surface_min(in, &min);
	cell_surface_max(in, fm, &min, &out->surface);
	cell_crown_max(in, fm, &out->crown);
	out->crowning_spread_rate = kernel_crowning_spread_rate(&out->surface,
								in->v[KERNEL_IN_CANOPY_COVER],
								in->v[KERNEL_IN_CANOPY_BASE_HEIGHT],
								in->v[KERNEL_IN_FOLIAR_MOISTURE]);
}

void kernel_cell_normal_behavior(const struct kernel_cell_inputs *in, const struct kernel_cell_max *m,
				 float gx, float gy, struct kernel_cell_behavior *out)
{
	float g3[3];
	gradient_on_slope(gx, gy, m->z, g3);
	if (magnitude_3d(g3) == 0.0f || !m->burnable) {
		if (m->burnable) {
			/* A zero gradient only happens for spot ignitions, which
			 * this kernel does not make; answer as a head fire. */
			kernel_head_fire(in, out);
			return;
		}
		unburned_behavior(m->z, g3, out);
		return;
	}
	struct max_behavior sm, cm;
	struct behavior3 sn, cn, comb;
	surface_as_max(&m->surface, &sm);
	normal_behavior(&sm, g3, &sn);
	if (sn.rate <= m->crowning_spread_rate) {
		to_cell_behavior(&sn, out);
		return;
	}
	crown_as_max(&m->crown, &cm);
	normal_behavior(&cm, g3, &cn);
	combine(&sn, &cn, &comb);
	to_cell_behavior(&comb, out);
}

void kernel_burned_cell_behavior(const struct kernel_cell_inputs *in, float gx, float gy,
				 struct kernel_cell_behavior *out)
{
	struct kernel_cell_max m;
	kernel_cell_max(in, &m);
	kernel_cell_normal_behavior(in, &m, gx, gy, out);
}

void kernel_head_fire(const struct kernel_cell_inputs *in, struct kernel_cell_behavior *out)
{
	float z[2], g3[3] = { 0.0f, 0.0f, 0.0f };
	elevation_gradient(in, z);
	const struct kernel_fuel_model *fm = cell_fuel(in);
	if (!fm->burnable) {
		unburned_behavior(z, g3, out);
		return;
	}
	struct kernel_surface_min min;
	struct kernel_surface_max smax;
	kernel_cell_surface_min(in, &min);
	cell_surface_max(in, fm, &min, &smax);
	struct behavior3 s = { 1, smax.max_spread_rate, { 0 }, smax.max_fireline_intensity,
			       smax.max_flame_length };
	copy_3d(smax.max_dir, s.dir);
	const float *v = in->v;
	float I_crit = kernel_crown_critical_intensity(v[KERNEL_IN_CANOPY_BASE_HEIGHT],
						       v[KERNEL_IN_FOLIAR_MOISTURE]);
	bool crowns = v[KERNEL_IN_CANOPY_COVER] > 0.4f && s.intensity > 0.0f && s.intensity >= I_crit;
	if (!crowns) {
		to_cell_behavior(&s, out);
		return;
	}
	struct kernel_crown_max cmax;
	cell_crown_max(in, fm, &cmax);
	struct behavior3 c = { cmax.fire_type, cmax.spread_rate, { 0 }, cmax.fireline_intensity, 0.0f };
	copy_3d(cmax.dir, c.dir);
	struct behavior3 comb;
	combine(&s, &c, &comb);
	to_cell_behavior(&comb, out);
}
