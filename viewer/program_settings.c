/* Read a program's embedded runtime settings (see program_settings.h).
 *
 * libelf does the file: elf_begin reads the ELF header, elf_getshdrstrndx and gelf_getshdr the
 * section headers, elf_rawdata the section's bytes; each refuses an offset or size beyond the file
 * with an error of its own (elf_errmsg), which the message passes on. The bytes are then walked
 * with include/heatmap/settings.h's hm_settings_next, the walk the runtime makes over the same
 * records in memory.
 */
#define _POSIX_C_SOURCE 200809L
#include "program_settings.h"

#include "hm_results.h"

#include <heatmap/abi.h>
#include <heatmap/settings.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is_file(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* PROGRAM itself, or the first PATH directory that holds it (a name without '/' that is not a file
 * here); malloc'd, NULL when out of memory. */
static char *find_program(const char *program) {
    const char *path = getenv("PATH");
    if (strchr(program, '/') != NULL || is_file(program) || path == NULL)
        return strdup(program);
    for (const char *dir = path; *dir;) {
        size_t n = strcspn(dir, ":");
        size_t size = n + strlen(program) + 3;
        char *candidate = malloc(size);
        if (candidate == NULL)
            return NULL;
        snprintf(candidate, size, "%.*s/%s", (int)n, n ? dir : ".", program);
        if (is_file(candidate))
            return candidate;
        free(candidate);
        dir += n + (dir[n] == ':');
    }
    return strdup(program);
}

/* Walk the section's bytes into *out. */
static int read_records(const unsigned char *data, size_t size, hm_program_settings *out, char *err,
                        size_t errlen) {
    hm_settings_walk w = {data, size, 0, NULL};
    const char *text;
    uint32_t version;
    while ((text = hm_settings_next(&w, &version)) != NULL) {
        if (version != HM_SETTINGS_VERSION) {
            out->other_versions++;
            continue;
        }
        out->records++;
        if (out->text == NULL) {
            out->text = strdup(text);
            if (out->text == NULL)
                return hm_errorf(err, errlen, "out of memory");
        } else if (!hm_settings_text_same(out->text, text)) {
            out->differ++;
        }
    }
    if (w.error != NULL)
        return hm_errorf(err, errlen, "%s: malformed %s section: %s", out->path,
                         HM_SETTINGS_SECTION, w.error);
    return 0;
}

/* The section header table lies inside the file (libelf reads a table cut short by a truncated
 * file as no sections at all, which would read as "no settings"). */
static int check_headers(Elf *elf, uint64_t file_size, hm_program_settings *out, char *err,
                         size_t errlen) {
    GElf_Ehdr ehdr;
    size_t count;
    if (gelf_getehdr(elf, &ehdr) == NULL || elf_getshdrnum(elf, &count) != 0)
        return hm_errorf(err, errlen, "%s: malformed ELF file: %s", out->path, elf_errmsg(-1));
    if (ehdr.e_shoff == 0)
        return hm_errorf(err, errlen,
                         "%s: the ELF file has no section headers (stripped with sstrip?), so "
                         "its embedded settings cannot be found",
                         out->path);
    uint64_t entry = ehdr.e_shentsize ? ehdr.e_shentsize : 1, shown = count ? count : ehdr.e_shnum;
    if (ehdr.e_shoff > file_size || (file_size - ehdr.e_shoff) / entry < (shown ? shown : 1))
        return hm_errorf(err, errlen,
                         "%s: malformed ELF file: its %llu section headers at byte %llu run "
                         "past the end of the file (%llu bytes; truncated?)",
                         out->path, (unsigned long long)shown, (unsigned long long)ehdr.e_shoff,
                         (unsigned long long)file_size);
    return 0;
}

/* The heatmap_settings section of the open ELF file, walked. */
static int read_elf(Elf *elf, uint64_t file_size, hm_program_settings *out, char *err,
                    size_t errlen) {
    if (elf_kind(elf) != ELF_K_ELF)
        return hm_errorf(err, errlen,
                         "%s: not an ELF file (--show-settings reads the settings a program "
                         "built with the heatmap plugin carries)",
                         out->path);
    size_t names;
    (void)elf_errno(); /* clear: the loop's end asks whether it stopped at an error */
    if (check_headers(elf, file_size, out, err, errlen) != 0)
        return -1;
    if (elf_getshdrstrndx(elf, &names) != 0)
        return hm_errorf(err, errlen, "%s: malformed ELF file: %s", out->path, elf_errmsg(-1));
    for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn != NULL; scn = elf_nextscn(elf, scn)) {
        GElf_Shdr shdr;
        if (gelf_getshdr(scn, &shdr) == NULL)
            return hm_errorf(err, errlen, "%s: malformed ELF file: %s", out->path, elf_errmsg(-1));
        const char *name = elf_strptr(elf, names, shdr.sh_name);
        if (name == NULL || strcmp(name, HM_SETTINGS_SECTION) != 0)
            continue;
        out->has_section = true;
        if (shdr.sh_type == SHT_NOBITS)
            return hm_errorf(err, errlen, "%s: malformed %s section: it has no contents", out->path,
                             HM_SETTINGS_SECTION);
        if (shdr.sh_offset > file_size || shdr.sh_size > file_size - shdr.sh_offset)
            return hm_errorf(err, errlen,
                             "%s: malformed ELF file: the %s section runs past the end of the "
                             "file (truncated?)",
                             out->path, HM_SETTINGS_SECTION);
        Elf_Data *data = elf_rawdata(scn, NULL);
        if (data == NULL)
            return hm_errorf(err, errlen, "%s: malformed ELF file: %s section: %s", out->path,
                             HM_SETTINGS_SECTION, elf_errmsg(-1));
        return read_records(data->d_buf, data->d_size, out, err, errlen);
    }
    if (elf_errno() != 0)
        return hm_errorf(err, errlen, "%s: malformed ELF file: %s", out->path, elf_errmsg(-1));
    return 0;
}

int hm_program_settings_read(const char *program, hm_program_settings *out, char *err,
                             size_t errlen) {
    memset(out, 0, sizeof *out);
    out->path = find_program(program);
    if (out->path == NULL)
        return hm_errorf(err, errlen, "out of memory");
    int fd = open(out->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return hm_errorf(err, errlen, "%s: cannot open: %s", out->path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return hm_errorf(err, errlen, "%s: not a regular file", out->path);
    }
    if (elf_version(EV_CURRENT) == EV_NONE) {
        close(fd);
        return hm_errorf(err, errlen, "libelf: %s", elf_errmsg(-1));
    }
    Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
    int rc;
    if (elf == NULL)
        rc = hm_errorf(err, errlen, "%s: malformed ELF file: %s", out->path, elf_errmsg(-1));
    else
        rc = read_elf(elf, (uint64_t)st.st_size, out, err, errlen);
    elf_end(elf);
    close(fd);
    return rc;
}

void hm_program_settings_free(hm_program_settings *ps) {
    free(ps->path);
    free(ps->text);
    ps->path = ps->text = NULL;
}
