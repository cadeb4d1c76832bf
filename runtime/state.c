/* The runtime's global state, hm_rt: flags, start times, clock factor and compensation.
 *
 * Defined here, at the bottom, because every layer reads it: the lifecycle fills the flags and
 * start times, clock.c and calibrate.c their results, all before recording starts. Layer 1
 * (rt_base.h): calls nothing; read by every layer.
 */
#include "rt_base.h"

hm_runtime hm_rt;
