/* Helpers shared by heatmap-scan's tests; see scan_test_util.h. */
#define _XOPEN_SOURCE 700 /* nftw */

#include "scan_test_util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

hm_test_output hm_test_run(const char *const *argv, const char *const *env, const char *cwd) {
    hm_test_output o = {-1, NULL, NULL};
    char *dir = hm_test_tempdir();
    char *out_path = hm_test_path(dir, "stdout");
    char *err_path = hm_test_path(dir, "stderr");

    size_t nenv = 0, nextra = 0;
    while (environ[nenv] != NULL)
        nenv++;
    while (env != NULL && env[nextra] != NULL)
        nextra++;
    char **envp = calloc(nenv + nextra + 1, sizeof *envp);
    assert_non_null(envp);
    memcpy(envp, environ, nenv * sizeof *envp);
    if (nextra > 0)
        memcpy(envp + nenv, env, nextra * sizeof *envp);

    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* Child: only async-signal-safe calls until exec. */
        int in = open("/dev/null", O_RDONLY);
        int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
            dup2(err, 2) < 0 || (cwd != NULL && chdir(cwd) != 0))
            _exit(126);
        execve(argv[0], (char *const *)argv, envp);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    o.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    o.out = hm_test_read_file(out_path);
    o.err = hm_test_read_file(err_path);
    assert_non_null(o.out);
    assert_non_null(o.err);
    free(envp);
    hm_test_rmtree(dir);
    free(out_path);
    free(err_path);
    free(dir);
    return o;
}

void hm_test_output_free(hm_test_output *o) {
    free(o->out);
    free(o->err);
    o->out = o->err = NULL;
}

char *hm_test_tempdir(void) {
    const char *base = getenv("TMPDIR");
    char *templ = hm_test_path(base != NULL && base[0] != '\0' ? base : "/tmp", "hm-scan-XXXXXX");
    if (mkdtemp(templ) == NULL)
        fail_msg("mkdtemp(%s): %s", templ, strerror(errno));
    return templ;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    return remove(path);
}

void hm_test_rmtree(const char *dir) {
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *hm_test_path(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);
    assert_non_null(path);
    snprintf(path, n, "%s/%s", dir, name);
    return path;
}

void hm_test_write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (f == NULL)
        fail_msg("cannot write %s: %s", path, strerror(errno));
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

char *hm_test_read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, len = 0;
    char *data = malloc(cap);
    assert_non_null(data);
    size_t n;
    while ((n = fread(data + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0) {
            cap *= 2;
            data = realloc(data, cap);
            assert_non_null(data);
        }
    }
    fclose(f);
    data[len] = '\0';
    return data;
}

/* Run `list` (freed here) and capture what the scan prints. */
static hm_scan_result run_jobs(hm_scan_jobs *list, unsigned jobs, char **diagnostics) {
    char *text = NULL;
    size_t len = 0;
    FILE *diag = open_memstream(&text, &len);
    assert_non_null(diag);
    hm_scan_options options = {.jobs = jobs, .diagnostics = diag, .progress = false};
    hm_scan_result result;
    assert_int_equal(hm_scan_run(list, &options, &result), HM_SCAN_OK);
    fclose(diag);
    hm_scan_jobs_free(list);
    if (diagnostics != NULL)
        *diagnostics = text;
    else
        free(text);
    return result;
}

hm_scan_result hm_test_scan_database(const char *dir, unsigned jobs, char **diagnostics) {
    hm_scan_jobs list;
    assert_int_equal(hm_scan_jobs_from_database(dir, NULL, 0, NULL, 0, &list, NULL, 0), HM_SCAN_OK);
    return run_jobs(&list, jobs, diagnostics);
}

hm_scan_result hm_test_scan_fixtures(const char *const *files, size_t nfiles, unsigned jobs,
                                     char **diagnostics) {
    const char *paths[8];
    char *owned[8];
    assert_true(nfiles <= 8);
    for (size_t i = 0; i < nfiles; i++) {
        owned[i] = hm_test_path(HM_SCAN_FIXTURES, files[i]);
        paths[i] = owned[i];
    }
    hm_scan_jobs list;
    char detail[256];
    assert_int_equal(hm_scan_jobs_from_database(HM_SCAN_DB_DIR, paths, nfiles, NULL, 0, &list,
                                                detail, sizeof detail),
                     HM_SCAN_OK);
    for (size_t i = 0; i < nfiles; i++)
        free(owned[i]);
    return run_jobs(&list, jobs, diagnostics);
}

const hm_scan_function *hm_test_find(const hm_scan_result *r, const char *name, size_t n) {
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->functions[i].name, name) == 0 && n-- == 0)
            return &r->functions[i];
    return NULL;
}

size_t hm_test_count(const hm_scan_result *r, const char *name) {
    size_t n = 0;
    for (size_t i = 0; i < r->count; i++)
        n += strcmp(r->functions[i].name, name) == 0;
    return n;
}

void hm_test_assert_contains(const char *haystack, const char *needle, int expect) {
    int found = haystack != NULL && strstr(haystack, needle) != NULL;
    if (found != expect) {
        fail_msg("expected %s\"%s\" in:\n%s", expect ? "" : "no ", needle,
                 haystack ? haystack : "(null)");
    }
}
