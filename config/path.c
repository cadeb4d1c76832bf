/* Lexical path handling: normalisation, absolute paths, containment, finding heatmap.yaml.
 *
 * Public (hm_config.h) because the config's file rules and heatmap-scan's file lists must see a
 * path the same way.
 * Paths are treated as strings, the way the compiler saw them: "." and ".." are folded lexically
 * and symlinks are never resolved, so a rule written against "src/a.c" keeps matching whatever the
 * directory layout behind it. The only file system calls are getcwd() and, in
 * hm_config_find_upward(), stat() on each candidate heatmap.yaml.
 */
#define _POSIX_C_SOURCE 200809L

#include "hm_config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HM_CONFIG_FILE_NAME "heatmap.yaml"

char *hm_path_current_dir(void) {
    size_t size = 256;
    for (;;) {
        char *buf = malloc(size);
        if (buf == NULL)
            return NULL;
        if (getcwd(buf, size) != NULL)
            return buf;
        free(buf);
        if (errno != ERANGE || size > ((size_t)1 << 20))
            return NULL;
        size *= 2;
    }
}

/* Remove the last component of path[0..*len), never going below `floor`. */
static void drop_last_component(char *path, size_t *len, size_t floor) {
    size_t i = *len;
    while (i > floor && path[i - 1] != '/')
        i--;
    /* i is just past the separating '/', or at floor; drop the '/' too unless it is the root. */
    if (i > floor)
        i--;
    *len = i;
}

void hm_path_normalize(char *path) {
    bool absolute = path[0] == '/';
    size_t len = absolute ? 1 : 0; /* output written so far, always at or behind the input */
    size_t floor = len;            /* ".." never pops below this */
    const char *in = path + len;

    while (*in != '\0') {
        while (*in == '/')
            in++;
        if (*in == '\0')
            break;
        const char *segment = in;
        while (*in != '\0' && *in != '/')
            in++;
        size_t n = (size_t)(in - segment);
        if (n == 1 && segment[0] == '.')
            continue;
        bool dotdot = n == 2 && segment[0] == '.' && segment[1] == '.';
        if (dotdot && len > floor) {
            drop_last_component(path, &len, floor);
            continue;
        }
        if (dotdot && absolute)
            continue;
        if (len > 0 && path[len - 1] != '/')
            path[len++] = '/';
        memmove(path + len, segment, n);
        len += n;
        if (dotdot)
            floor = len;
    }
    if (len == 0)
        path[len++] = '.';
    path[len] = '\0';
}

/* `parts` joined with '/' (NULL parts skipped) and normalised, malloc'd; NULL when out of memory.
 */
static char *join_normalized(const char *const *parts, size_t nparts) {
    size_t size = 2; /* a '\0', and room for the "." an empty path becomes */
    for (size_t i = 0; i < nparts; i++)
        size += parts[i] != NULL ? strlen(parts[i]) + 1 : 0;
    char *out = malloc(size);
    if (out == NULL)
        return NULL;
    size_t len = 0;
    for (size_t i = 0; i < nparts; i++) {
        if (parts[i] == NULL)
            continue;
        if (len > 0)
            out[len++] = '/';
        size_t n = strlen(parts[i]);
        memcpy(out + len, parts[i], n);
        len += n;
    }
    out[len] = '\0';
    hm_path_normalize(out);
    return out;
}

char *hm_path_absolute(const char *path, const char *base) {
    if (path[0] == '/' || base == NULL)
        return join_normalized(&path, 1);
    /* A relative base is relative to the working directory (a compile command's "directory" may
     * be), so the result is absolute whenever the working directory is known. */
    char *cwd = base[0] != '/' ? hm_path_current_dir() : NULL;
    const char *parts[3] = {cwd, base, path};
    char *out = join_normalized(parts, 3);
    free(cwd);
    return out;
}

const char *hm_path_inside(const char *path, const char *dir) {
    size_t dir_len = strlen(dir);
    if (strcmp(dir, "/") == 0)
        return path[0] == '/' && path[1] != '\0' ? path + 1 : NULL;
    if (strcmp(dir, ".") == 0) {
        bool relative_inside = path[0] != '/' && strcmp(path, ".") != 0 &&
                               strcmp(path, "..") != 0 && strncmp(path, "../", 3) != 0;
        return relative_inside ? path : NULL;
    }
    if (strncmp(path, dir, dir_len) != 0 || path[dir_len] != '/' || path[dir_len + 1] == '\0')
        return NULL;
    return path + dir_len + 1;
}

/* True when `path` names a regular file (following symlinks). */
static bool is_regular_file(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *hm_config_find_upward(const char *source_path) {
    if (source_path == NULL || source_path[0] == '\0')
        return NULL;
    char *cwd = hm_path_current_dir();
    char *dir = hm_path_absolute(source_path, cwd);
    free(cwd);
    if (dir == NULL || dir[0] != '/') {
        free(dir);
        return NULL;
    }
    size_t dir_len = strlen(dir);
    char *candidate = malloc(dir_len + sizeof("/" HM_CONFIG_FILE_NAME));
    if (candidate == NULL) {
        free(dir);
        return NULL;
    }
    /* Walk from the source file's directory up to the root: drop one component per step. */
    while (strcmp(dir, "/") != 0) {
        drop_last_component(dir, &dir_len, 1);
        memcpy(candidate, dir, dir_len);
        size_t at = dir_len == 1 ? 0 : dir_len; /* under the root, no doubled '/' */
        memcpy(candidate + at, "/" HM_CONFIG_FILE_NAME, sizeof("/" HM_CONFIG_FILE_NAME));
        dir[dir_len] = '\0';
        if (is_regular_file(candidate)) {
            free(dir);
            return candidate;
        }
    }
    free(dir);
    free(candidate);
    return NULL;
}
