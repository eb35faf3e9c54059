/*
 * kernel_internal.h - unit conversions, small vector helpers and a cube
 * test shared by the kernel's files.  The conversion factors are the exact ones of
 * kernel-spec.md section 1.3, not textbook values; each result is rounded
 * to float32 as in the model this reproduces.
 */
#ifndef SPREADBENCH_KERNEL_INTERNAL_H
#define SPREADBENCH_KERNEL_INTERNAL_H

#include "kernel.h"

#include <math.h>
#include <stdbool.h>

static inline float ft_to_m(float ft) { return (float)(ft * 0.30478512648582745); }
static inline float m_to_ft(float m) { return (float)(m * 3.281); }
static inline float Btu_ft_s_to_kW_m(float v) { return (float)(v * 3.46165186); }
static inline float Btu_lb_to_kJ_kg(float v) { return (float)(v * 2.3259999996185); }
static inline float km_hr_to_m_min(float v) { return (float)(v / 0.06); }
static inline float m_min_to_mph(float v) { return (float)(v * 0.0372840909091); }
static inline float km_hr_to_mph(float v) { return (float)(v * 0.621371192237334); }

static inline float deg_to_rad(float d) { return (float)(d * M_PI / 180.0); }
static inline float rad_to_deg(float r) { return (float)(r * 180.0 / M_PI); }
static inline float opposite_direction(float az) { return (float)fmod(az + 180.0, 360.0); }

static inline void azimuthal_to_cartesian(float r, float az, float out[2])
{
	float a = deg_to_rad(az);
	out[0] = (float)(r * sin(a));
	out[1] = (float)(r * cos(a));
}

static inline float cartesian_to_azimuth(float x, float y)
{
	return (float)fmod(atan2(x, y) * 180.0 / M_PI + 360.0, 360.0);
}

/* Lift a horizontal vector onto the plane of the elevation gradient. */
static inline void to_slope_plane(const float v[2], const float grad[2], float out[3])
{
	out[0] = v[0];
	out[1] = v[1];
	out[2] = v[0] * grad[0] + v[1] * grad[1];
}

static inline float magnitude_3d(const float v[3])
{
	return (float)sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
}

static inline void unit_3d(const float v[3], float out[3])
{
	float m = magnitude_3d(v);
	out[0] = v[0] / m;
	out[1] = v[1] / m;
	out[2] = v[2] / m;
}

static inline void copy_3d(const float v[3], float out[3])
{
	out[0] = v[0];
	out[1] = v[1];
	out[2] = v[2];
}

float kernel_eccentricity(float lw);

/* Two layers of the same stored shape and stride find a cell at the same
 * index: one computation serves both. */
static inline bool kernel_cube_same_index(const struct kernel_cube *a, const struct kernel_cube *b)
{
	return a->base_bands == b->base_bands && a->base_rows == b->base_rows &&
	       a->base_cols == b->base_cols && a->exact == b->exact && a->div_t == b->div_t &&
	       a->div_y == b->div_y && a->div_x == b->div_x && a->rep_t == b->rep_t &&
	       a->rep_y == b->rep_y && a->rep_x == b->rep_x && a->stride == b->stride;
}

#endif
