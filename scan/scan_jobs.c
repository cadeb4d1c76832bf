/* The list of translation units to scan: from compile_commands.json, or from files on the command
 * line.
 *
 * The database is read with libclang's CXCompilationDatabase, so it understands exactly what clang
 * tools understand (the "arguments" and "command" forms, response files). A job copies the command
 * out of libclang's structures so that the workers never share them.
 */
#include "scan_internal.h"

#include <clang-c/CXCompilationDatabase.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *take_string(CXString s) {
    char *copy = hm_xstrdup(clang_getCString(s) ? clang_getCString(s) : "");
    clang_disposeString(s);
    return copy;
}

static void add_job(hm_scan_jobs *jobs, size_t *cap, CXCompileCommand cmd, const char *const *extra,
                    size_t nextra) {
    hm_grow((void **)&jobs->items, cap, jobs->count + 1, sizeof *jobs->items);
    hm_scan_job *job = &jobs->items[jobs->count++];
    job->directory = take_string(clang_CompileCommand_getDirectory(cmd));
    job->file = take_string(clang_CompileCommand_getFilename(cmd));
    unsigned n = clang_CompileCommand_getNumArgs(cmd);
    job->argv = hm_xcalloc(n + nextra + 1, sizeof *job->argv);
    job->argc = 0;
    for (unsigned i = 0; i < n; i++)
        job->argv[job->argc++] = take_string(clang_CompileCommand_getArg(cmd, i));
    for (size_t i = 0; i < nextra; i++)
        job->argv[job->argc++] = hm_xstrdup(extra[i]);
}

/* The absolute, normalised path of a command's main file. */
static char *command_path(CXCompileCommand cmd) {
    char *dir = take_string(clang_CompileCommand_getDirectory(cmd));
    char *file = take_string(clang_CompileCommand_getFilename(cmd));
    char *path = hm_scan_path_absolute(file, dir);
    free(dir);
    free(file);
    return path;
}

hm_scan_status hm_scan_jobs_from_database(const char *build_dir, const char *const *files,
                                          size_t nfiles, const char *const *extra, size_t nextra,
                                          hm_scan_jobs *out, char *detail, size_t detail_size) {
    memset(out, 0, sizeof *out);
    CXCompilationDatabase_Error error = CXCompilationDatabase_NoError;
    CXCompilationDatabase db = clang_CompilationDatabase_fromDirectory(build_dir, &error);
    if (error != CXCompilationDatabase_NoError || db == NULL)
        return HM_SCAN_EDATABASE;
    /* Requested files are looked up among the database's own entries rather than with
     * clang_CompilationDatabase_getCompileCommands, which invents a command for a file the
     * database does not hold (from a similar file's flags): the scan uses real flags only. */
    CXCompileCommands cmds = clang_CompilationDatabase_getAllCompileCommands(db);
    unsigned ncmds = cmds != NULL ? clang_CompileCommands_getSize(cmds) : 0;
    size_t cap = 0;
    hm_scan_status status = HM_SCAN_OK;
    if (nfiles == 0) {
        for (unsigned i = 0; i < ncmds; i++)
            add_job(out, &cap, clang_CompileCommands_getCommand(cmds, i), extra, nextra);
    } else {
        char **paths = hm_xcalloc(ncmds, sizeof *paths);
        for (unsigned i = 0; i < ncmds; i++)
            paths[i] = command_path(clang_CompileCommands_getCommand(cmds, i));
        for (size_t f = 0; f < nfiles && status == HM_SCAN_OK; f++) {
            char *want = hm_scan_path_absolute(files[f], NULL);
            size_t before = out->count;
            for (unsigned i = 0; i < ncmds; i++)
                if (strcmp(paths[i], want) == 0)
                    add_job(out, &cap, clang_CompileCommands_getCommand(cmds, i), extra, nextra);
            if (out->count == before) {
                status = HM_SCAN_ENOTINDB;
                if (detail != NULL && detail_size > 0)
                    snprintf(detail, detail_size, "%s", files[f]);
            }
            free(want);
        }
        for (unsigned i = 0; i < ncmds; i++)
            free(paths[i]);
        free(paths);
    }
    clang_CompileCommands_dispose(cmds);
    clang_CompilationDatabase_dispose(db);
    if (status != HM_SCAN_OK)
        hm_scan_jobs_free(out);
    return status;
}

static bool is_cxx_file(const char *path) {
    static const char *const exts[] = {".cc",  ".cpp", ".cxx", ".c++", ".C",  ".hh",
                                       ".hpp", ".hxx", ".h++", ".H",   ".ii", NULL};
    const char *dot = strrchr(path, '.');
    if (dot == NULL)
        return false;
    for (int i = 0; exts[i]; i++)
        if (strcmp(dot, exts[i]) == 0)
            return true;
    return false;
}

hm_scan_status hm_scan_jobs_from_files(const char *const *files, size_t nfiles,
                                       const char *const *extra, size_t nextra, hm_scan_jobs *out) {
    memset(out, 0, sizeof *out);
    out->items = hm_xcalloc(nfiles, sizeof *out->items);
    char *cwd = hm_scan_path_absolute(".", NULL);
    for (size_t i = 0; i < nfiles; i++) {
        hm_scan_job *job = &out->items[out->count++];
        job->directory = hm_xstrdup(cwd);
        job->file = hm_xstrdup(files[i]);
        job->argv = hm_xcalloc(nextra + 3, sizeof *job->argv);
        job->argv[job->argc++] = hm_xstrdup(is_cxx_file(files[i]) ? "clang++" : "clang");
        for (size_t j = 0; j < nextra; j++)
            job->argv[job->argc++] = hm_xstrdup(extra[j]);
        job->argv[job->argc++] = hm_xstrdup(files[i]);
    }
    free(cwd);
    return HM_SCAN_OK;
}

void hm_scan_jobs_free(hm_scan_jobs *jobs) {
    for (size_t i = 0; i < jobs->count; i++) {
        hm_scan_job *job = &jobs->items[i];
        for (size_t j = 0; j < job->argc; j++)
            free(job->argv[j]);
        free(job->argv);
        free(job->directory);
        free(job->file);
    }
    free(jobs->items);
    memset(jobs, 0, sizeof *jobs);
}
