/* The runtime settings a program carries: its heatmap_settings section, read from the file.
 *
 * The plugin embeds heatmap.yaml's runtime: section into every instrumented object
 * (include/heatmap/abi.h, hm_settings_record); the linker gathers the records into one ELF section
 * of the program. heatmap-view --show-settings PROGRAM reads that section with libelf (elfutils),
 * which checks every offset and size against the file, so a truncated or non-ELF file is an error
 * message, never a crash; the records are then walked with settings.h's hm_settings_next, which
 * checks each record against the section.
 */
#ifndef HEATMAP_VIEWER_PROGRAM_SETTINGS_H
#define HEATMAP_VIEWER_PROGRAM_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct hm_program_settings {
    char *path;            /* the file read: PROGRAM, or found on PATH (malloc'd) */
    bool has_section;      /* the program has a heatmap_settings section */
    char *text;            /* the first version-1 record's text (malloc'd), NULL when none */
    size_t records;        /* version-1 records in the section */
    size_t differ;         /* ... of them, how many hold other settings than the first */
    size_t other_versions; /* records of a version this heatmap-view does not read */
} hm_program_settings;

/* Read PROGRAM's embedded settings into *out (zeroed first). A PROGRAM without '/' that is not a
 * file in the working directory is looked up on PATH, as a shell would run it. Returns 0 (a
 * program without the section is not an error: has_section is false), or -1 with a message
 * naming the file and what is wrong in err ("not an ELF file", "malformed ELF file: ...", a
 * malformed section). Call hm_program_settings_free() on either return. */
int hm_program_settings_read(const char *program, hm_program_settings *out, char *err,
                             size_t errlen);

void hm_program_settings_free(hm_program_settings *ps);

#endif /* HEATMAP_VIEWER_PROGRAM_SETTINGS_H */
