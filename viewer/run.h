/* --run PROG ARGS...: run an instrumented program with HEATMAP_OUTPUT pointing at a private
 * temporary file, wait for it, and hand back where its results are.
 */
#ifndef HEATMAP_VIEWER_RUN_H
#define HEATMAP_VIEWER_RUN_H

#include <stddef.h>

typedef struct hm_run_result {
    char dir[256];    /* private temporary directory (mkdtemp), removed by hm_run_cleanup */
    char output[300]; /* dir + "/heatmap.json": what HEATMAP_OUTPUT was set to */
    int exit_status;  /* the status heatmap-view passes on: the program's exit code, or
                         128 + signal number when a signal ended it */
} hm_run_result;

/* Run argv[0] (searched in PATH) with argv, with HEATMAP_OUTPUT set, stdin/stdout/stderr
 * inherited. While the program runs heatmap-view ignores SIGINT and SIGQUIT (as system(3) does),
 * so Ctrl-C reaches the program, whose runtime still writes its results. Returns 0 once the
 * program has ended (whatever its status), or -1 with a message when it could not be started. */
int hm_run(char *const argv[], hm_run_result *run, char *err, size_t errlen);

/* The results files the program left: HEATMAP_OUTPUT's heatmap.json first, then those of forked
 * children (heatmap.PID.json, see docs/runtime.md) by name; trace files are skipped. Returns 0 with
 * a malloc'd array of malloc'd paths in *paths (free with hm_run_free_list; *n may be 0), or -1 on
 * out-of-memory. */
int hm_run_list(const hm_run_result *run, char ***paths, size_t *n);
void hm_run_free_list(char **paths, size_t n);

/* Remove the results file, its leftovers and the temporary directory. */
void hm_run_cleanup(hm_run_result *run);

#endif /* HEATMAP_VIEWER_RUN_H */
