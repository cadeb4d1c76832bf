/* A main() for the fuzz targets in builds without libFuzzer: replay files and folders of inputs.
 *
 * Linked with one fuzz_<target>.c by tests/fuzz/fuzz.cmake, so the normal (gcc, ASan/UBSan) test
 * build runs every checked-in corpus input, the inputs that once crashed included, through the
 * same LLVMFuzzerTestOneInput as the fuzzer does. Arguments are files or folders (read one level
 * deep, in name order); it prints how many inputs ran and exits 1 when an argument is unreadable or
 * empty of inputs. A finding aborts, as under libFuzzer.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Run one file; returns 0, or -1 when it cannot be read. */
static int run_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    size_t cap = 4096, used = 0;
    uint8_t *buf = malloc(cap);
    while (buf != NULL) {
        used += fread(buf + used, 1, cap - used, f);
        if (used < cap)
            break;
        uint8_t *bigger = realloc(buf, cap * 2);
        if (bigger == NULL)
            free(buf);
        buf = bigger;
        cap *= 2;
    }
    int bad = buf == NULL || ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return -1;
    }
    /* an exact-size copy, so ASan sees reads past the input's end */
    uint8_t *input = malloc(used ? used : 1);
    if (input == NULL) {
        free(buf);
        return -1;
    }
    memcpy(input, buf, used);
    free(buf);
    LLVMFuzzerTestOneInput(input, used);
    free(input);
    return 0;
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run every regular file in `dir`; returns how many ran, or -1 on a read error. */
static int run_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue; /* ".", ".." and hidden files */
        char **more = realloc(names, (n + 1) * sizeof *names);
        if (more == NULL)
            break;
        names = more;
        names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
        if (names[n] != NULL)
            sprintf(names[n++], "%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    int ran = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (ran >= 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
            ran = run_file(names[i]) == 0 ? ran + 1 : -1;
        free(names[i]);
    }
    free(names);
    return ran;
}

int main(int argc, char **argv) {
    int total = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        int ran = stat(argv[i], &st) != 0 ? -1
                  : S_ISDIR(st.st_mode)   ? run_dir(argv[i])
                                          : (run_file(argv[i]) == 0 ? 1 : -1);
        if (ran <= 0) {
            fprintf(stderr, "%s: %s: cannot read, or no inputs\n", argv[0], argv[i]);
            return 1;
        }
        total += ran;
    }
    printf("%s: replayed %d inputs\n", argv[0], total);
    return total > 0 ? 0 : 1;
}
