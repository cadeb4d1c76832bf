/* The entry point the runtime calls, through dlopen, to write pprof profiles at exit.
 *
 * The runtime depends on libc, libdl and pthreads only, so it cannot encode protobuf, gzip or read
 * DWARF itself. When HEATMAP_PROFILE_TYPE asks for profiles, the runtime first writes the results
 * file as always, then dlopen()s libheatmap-export (installed beside libheatmap-rt, or the path in
 * HEATMAP_EXPORT_LIB) and calls HM_EXPORT_PROFILES_SYMBOL with that file: the profiles are made by
 * the same encoders as `heatmap-view --export=pprof --type=T`, never by a second copy.
 */
#ifndef HEATMAP_EXPORT_API_H
#define HEATMAP_EXPORT_API_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library's file name (SONAME) and the symbol the runtime looks up. */
#define HM_EXPORT_LIBRARY_NAME "libheatmap-export.so.1"
#define HM_EXPORT_PROFILES_SYMBOL "hm_export_profiles_v1"

/* Write one pprof profile per type in `types` (a comma list as HEATMAP_PROFILE_TYPE takes it:
 * cpu, block, mutex, and the types later issues add) from the results file `results_path`, to
 * `file_pattern` with "%k" replaced by the type ("heatmap.%k.pb.gz" by default; a pattern without
 * %k is valid only for one type). Returns 0 when every profile was written; otherwise -1 with one
 * line, without a trailing newline, in err[errsize] that names the type or file and says why.
 * Not async-signal-safe (allocates, reads DWARF): the runtime calls it only from a normal exit. */
typedef int (*hm_export_profiles_fn)(const char *results_path, const char *types,
                                     const char *file_pattern, char *err, size_t errsize);
int hm_export_profiles_v1(const char *results_path, const char *types, const char *file_pattern,
                          char *err, size_t errsize);

#ifdef __cplusplus
}
#endif

#endif /* HEATMAP_EXPORT_API_H */
