/*
 * pin.h - binding the calling thread to one core, with hwloc.  Cores are
 * taken in hwloc's logical order among those this process may use, so
 * worker k lands on its own core while k is below the number of cores, and
 * wraps around after that.
 */
#ifndef SPREADBENCH_PIN_H
#define SPREADBENCH_PIN_H

/* Binds the calling thread to core k (modulo the usable cores); 0 or a
 * negative errno. */
int pin_thread_to_core(int k);
/* Usable cores, or a negative errno. */
int pin_cores(void);

#endif
