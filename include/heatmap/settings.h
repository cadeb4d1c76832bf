/* heatmap runtime settings: the one list of them, their validators, the precedence rule, and the
 * text a program carries them in.
 *
 * Every runtime setting is one line of HM_RUNTIME_SETTINGS below: its environment variable, its
 * key under heatmap.yaml's `runtime:` section, its kind, default and accepted values. Three parts
 * expand it, so none can drift from another:
 *   - the runtime (runtime/lifecycle.c) builds its flag table from it and resolves each setting
 *     with hm_settings_resolve(): default < embedded in the program < environment;
 *   - config/ validates heatmap.yaml's `runtime:` section with hm_settings_check(), the rule the
 *     runtime applies, so a value the runtime would refuse is a compile-time error with its
 *     FILE:LINE:COL, and makes the text the plugin embeds (hm_config_runtime_text);
 *   - heatmap-view --show-settings PROGRAM reads the program's embedded text and resolves each
 *     setting with the same hm_settings_resolve() in the viewer's environment.
 * docs/config.md lists every setting (tests/unit/test_settings.c checks it row by row).
 *
 * The embedded text (the record's layout is part of the ABI: abi.h, hm_settings_record) is lines
 * of "VARIABLE=VALUE\n" in the order of the list, after one "#config=PATH\n" line naming the
 * heatmap.yaml they came from; '#' lines are comments. A value never holds a line break (config/
 * refuses one).
 *
 * Header-only, C11 and libc only, because the runtime includes it: nothing here allocates, takes a
 * lock or keeps state, so every function is async-signal-safe and thread-safe.
 */
#ifndef HEATMAP_SETTINGS_H
#define HEATMAP_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "heatmap/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How a value is checked (hm_settings_check):
 *   BOOL    on/off, also 1/0, true/false, yes/no, in any case
 *   STRING  any text up to MAX bytes; empty only when the default is empty
 *   CHOICE  one of ACCEPTED's '|'-separated words
 *   UINT    decimal digits, MIN..MAX
 *   PORT    a TCP port, decimal digits 0..65535 (text up to MAX bytes)
 *   LIST    a comma list of ACCEPTED's words (spaces around items and empty items are ignored),
 *           up to MAX bytes
 * PORT and LIST are read by the runtime as text (length checked) and checked where they are used,
 * item by item (an unknown profile type is skipped with a warning, the others kept) and when the
 * server starts (a bad port: one line, no server): the environment cannot stop a program. In
 * heatmap.yaml the whole rule applies at compile time. */
typedef enum hm_setting_kind {
    HM_SETTING_BOOL,
    HM_SETTING_STRING,
    HM_SETTING_CHOICE,
    HM_SETTING_UINT,
    HM_SETTING_PORT,
    HM_SETTING_LIST,
} hm_setting_kind;

/* The profile types of HEATMAP_PROFILE_TYPE, as the runtime's warning lists them (profiles.c
 * takes this text for it; its table gives each type its meaning). */
#define HM_SETTINGS_PROFILE_TYPES                                                                  \
    "cpu, block, mutex, heap, allocs, goroutine, threads, threadcreate, trace"

/* X(ID, VARIABLE, KEY, KIND, DEFAULT, MIN, MAX, ACCEPTED): one line per runtime setting, in the
 * order the runtime reads them and the embedded text lists them.
 *   ID        the suffix of its HM_SETTING_ID_* index
 *   VARIABLE  the environment variable
 *   KEY       its key under heatmap.yaml's `runtime:` section
 *   KIND      hm_setting_kind without HM_SETTING_
 *   DEFAULT   as text
 *   MIN, MAX  UINT: the range; STRING, CHOICE, PORT, LIST: MAX is the longest text in bytes
 *   ACCEPTED  what the messages say is accepted; CHOICE: '|'-separated words, LIST: ", "-separated
 */
#define HM_RUNTIME_SETTINGS(X)                                                                     \
    X(ENABLED, "HEATMAP", "enabled", BOOL, "on", 0, 0, "on|off")                                   \
    X(OUTPUT, "HEATMAP_OUTPUT", "output", STRING, "heatmap.json", 0, 1023,                         \
      "a file path; %p pid, %h host, %t time")                                                     \
    X(SUMMARY, "HEATMAP_SUMMARY", "summary", BOOL, "off", 0, 0, "on|off")                          \
    X(VERBOSE, "HEATMAP_VERBOSE", "verbose", BOOL, "off", 0, 0, "on|off")                          \
    X(CLOCK, "HEATMAP_CLOCK", "clock", CHOICE, "auto", 0, 15, "auto|tsc|monotonic")                \
    X(COMPENSATE, "HEATMAP_COMPENSATE", "compensate", BOOL, "on", 0, 0, "on|off")                  \
    X(SIGNALS, "HEATMAP_SIGNALS", "signals", BOOL, "on", 0, 0, "on|off")                           \
    X(PATHS, "HEATMAP_PATHS", "paths", BOOL, "on", 0, 0, "on|off")                                 \
    X(PATHS_MAX, "HEATMAP_PATHS_MAX", "paths_max", UINT, "65536", 2, 16777216,                     \
      "an integer 2..16777216 (nodes per thread)")                                                 \
    X(THREADS_MAX, "HEATMAP_THREADS_MAX", "threads_max", UINT, "64", 2, 16777216,                  \
      "an integer 2..16777216 (threads listed)")                                                   \
    X(TRACE, "HEATMAP_TRACE", "trace", BOOL, "off", 0, 0, "on|off")                                \
    X(TRACE_EVENTS, "HEATMAP_TRACE_EVENTS", "trace_events", UINT, "1000000", 2, 16777216,          \
      "an integer 2..16777216 (events per thread)")                                                \
    X(THROTTLE, "HEATMAP_THROTTLE", "throttle", BOOL, "on", 0, 0, "on|off")                        \
    X(THROTTLE_CALLS, "HEATMAP_THROTTLE_CALLS", "throttle_calls", UINT, "10000", 2, 16777216,      \
      "an integer 2..16777216 (timed calls before a function may be throttled)")                   \
    X(THROTTLE_NS, "HEATMAP_THROTTLE_NS", "throttle_ns", UINT, "200", 2, 16777216,                 \
      "an integer 2..16777216 (average self-time below which it is)")                              \
    X(PROFILE_TYPE, "HEATMAP_PROFILE_TYPE", "profile_type", LIST, "", 0, 255,                      \
      HM_SETTINGS_PROFILE_TYPES)                                                                   \
    X(PROFILE_FILE, "HEATMAP_PROFILE_FILE", "profile_file", STRING, "heatmap.%k.pb.gz", 0, 1023,   \
      "a file path; %k the profile type")                                                          \
    X(CPU_HZ, "HEATMAP_CPU_HZ", "cpu_hz", UINT, "100", 1, 10000,                                   \
      "an integer 1..10000 (samples per CPU second)")                                              \
    X(HEAP, "HEATMAP_HEAP", "heap", BOOL, "on", 0, 0, "on|off")                                    \
    X(HEAP_PEAK, "HEATMAP_HEAP_PEAK", "heap_peak", BOOL, "on", 0, 0, "on|off")                     \
    X(EXPORT_LIB, "HEATMAP_EXPORT_LIB", "export_lib", STRING, "", 0, 1023,                         \
      "a path to libheatmap-export")                                                               \
    X(PROFILER, "HEATMAP_PROFILER", "profiler", BOOL, "off", 0, 0, "on|off")                       \
    X(PROFILER_HOST, "HEATMAP_PROFILER_HOST", "profiler_host", STRING, "127.0.0.1", 0, 255,        \
      "a host name or address")                                                                    \
    X(PROFILER_PORT, "HEATMAP_PROFILER_PORT", "profiler_port", PORT, "6060", 0, 15,                \
      "a port number 0..65535 (0: any free port)")

typedef enum hm_setting_id {
#define HM_SETTINGS_X_ID(id, var, key, kind, def, min, max, acc) HM_SETTING_ID_##id,
    HM_RUNTIME_SETTINGS(HM_SETTINGS_X_ID)
#undef HM_SETTINGS_X_ID
        HM_SETTINGS_COUNT
} hm_setting_id;

typedef struct hm_setting_def {
    const char *variable; /* HEATMAP_OUTPUT */
    const char *key;      /* output (under runtime:) */
    hm_setting_kind kind;
    const char *fallback; /* the default, as text */
    uint32_t min, max;
    const char *accepted;
} hm_setting_def;

/* The list as a table, indexed by hm_setting_id. */
static const hm_setting_def hm_settings_defs[HM_SETTINGS_COUNT] = {
#define HM_SETTINGS_X_DEF(id, var, key, kind, def, min, max, acc)                                  \
    {var, key, HM_SETTING_##kind, def, min, max, acc},
    HM_RUNTIME_SETTINGS(HM_SETTINGS_X_DEF)
#undef HM_SETTINGS_X_DEF
};

/* ---- Validators ------------------------------------------------------------------------------ */

/* 1 for on/1/true/yes, 0 for off/0/false/no (any case), -1 for anything else. */
static inline int hm_settings_parse_bool(const char *v) {
    static const char *const words[] = {"1", "on", "true", "yes", "0", "off", "false", "no"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        const char *w = words[i];
        size_t k = 0;
        while (w[k] && (v[k] >= 'A' && v[k] <= 'Z' ? v[k] + ('a' - 'A') : v[k]) == w[k])
            k++;
        if (w[k] == '\0' && v[k] == '\0')
            return i < 4 ? 1 : 0;
    }
    return -1;
}

/* Whether decimal `v` (digits only, not empty) lies in min..max; the number in *out when it does
 * (out may be NULL). */
static inline bool hm_settings_parse_uint(const char *v, uint32_t min, uint32_t max,
                                          uint32_t *out) {
    uint64_t n = 0;
    if (*v == '\0')
        return false;
    for (const char *p = v; *p; p++) {
        if (*p < '0' || *p > '9' || n > UINT32_MAX)
            return false;
        n = n * 10 + (uint64_t)(*p - '0');
    }
    if (n < min || n > max)
        return false;
    if (out)
        *out = (uint32_t)n;
    return true;
}

/* Whether the `len` bytes at `s` are one of the words of `list`, separated by '|' or by ',' and
 * spaces ("auto|tsc|monotonic", "cpu, block"). */
static inline bool hm_settings_in_list(const char *list, const char *s, size_t len) {
    for (const char *p = list; *p;) {
        size_t word = strcspn(p, "|,");
        if (word == len && len > 0 && strncmp(p, s, len) == 0)
            return true;
        p += word;
        p += strspn(p, "|, ");
    }
    return false;
}

/* The next item of the comma list at *p, spaces and tabs around it trimmed: its start, its length
 * in *len, and *p moved past it and its comma; NULL at the end. Empty items are skipped. The one
 * way a comma list is split: by the runtime (HEATMAP_PROFILE_TYPE, profiles.c) and config/. */
static inline const char *hm_settings_list_next(const char **p, size_t *len) {
    while (**p) {
        size_t n = strcspn(*p, ",");
        const char *s = *p;
        size_t k = n;
        while (k && (*s == ' ' || *s == '\t'))
            s++, k--;
        while (k && (s[k - 1] == ' ' || s[k - 1] == '\t'))
            k--;
        *p += n + ((*p)[n] == ',');
        if (k) {
            *len = k;
            return s;
        }
    }
    return NULL;
}

/* The first item of comma list `v` that is not a word of `list`: its start, its length in *len;
 * NULL when every item is one. */
static inline const char *hm_settings_list_unknown(const char *list, const char *v, size_t *len) {
    const char *s;
    while ((s = hm_settings_list_next(&v, len)) != NULL)
        if (!hm_settings_in_list(list, s, *len))
            return s;
    return NULL;
}

/* What hm_settings_check found wrong with a value. */
typedef enum hm_setting_problem {
    HM_SETTING_OK = 0,
    HM_SETTING_BAD_VALUE, /* not a value of its kind (BOOL, UINT, CHOICE; PORT when strict) */
    HM_SETTING_BAD_ITEM,  /* LIST, strict: an item that is not one of ACCEPTED's words */
    HM_SETTING_EMPTY,     /* empty while the default is not */
    HM_SETTING_TOO_LONG,  /* longer than MAX bytes */
} hm_setting_problem;

/* Whether `v` is a valid value of `d`, by the rule of its kind (above). `strict` adds the checks
 * the runtime makes where PORT and LIST values are used (heatmap.yaml and heatmap-view apply them
 * at once); without it they are checked as text, as the runtime reads them. */
static inline hm_setting_problem hm_settings_check(const hm_setting_def *d, const char *v,
                                                   bool strict) {
    size_t len = strlen(v), bad = 0;
    switch (d->kind) {
    case HM_SETTING_BOOL:
        return hm_settings_parse_bool(v) < 0 ? HM_SETTING_BAD_VALUE : HM_SETTING_OK;
    case HM_SETTING_UINT:
        return hm_settings_parse_uint(v, d->min, d->max, NULL) ? HM_SETTING_OK
                                                               : HM_SETTING_BAD_VALUE;
    case HM_SETTING_CHOICE:
        return hm_settings_in_list(d->accepted, v, len) ? HM_SETTING_OK : HM_SETTING_BAD_VALUE;
    case HM_SETTING_PORT:
        if (strict && !hm_settings_parse_uint(v, 0, 65535, NULL))
            return HM_SETTING_BAD_VALUE;
        break;
    case HM_SETTING_LIST:
        if (strict && hm_settings_list_unknown(d->accepted, v, &bad))
            return HM_SETTING_BAD_ITEM;
        break;
    case HM_SETTING_STRING:
        break;
    }
    if (len == 0 && d->fallback[0] != '\0')
        return HM_SETTING_EMPTY;
    return len > d->max ? HM_SETTING_TOO_LONG : HM_SETTING_OK;
}

/* ---- Precedence ------------------------------------------------------------------------------ */

typedef enum hm_setting_source {
    HM_SETTING_FROM_DEFAULT = 0,
    HM_SETTING_FROM_EMBEDDED, /* heatmap.yaml's runtime:, embedded in the program by the plugin */
    HM_SETTING_FROM_ENVIRONMENT,
} hm_setting_source;

#define HM_SETTING_EMBEDDED_REFUSED 1u    /* the embedded value failed hm_settings_check */
#define HM_SETTING_ENVIRONMENT_REFUSED 2u /* the environment's value did */

/* The runtime's rule for one setting: the default, then the embedded value (NULL: none), then
 * the environment's (NULL: unset), each later one winning when hm_settings_check (not strict)
 * accepts it. Returns the value that applies (one of the three pointers), its source in *source,
 * and in *refused the HM_SETTING_*_REFUSED bits of the values skipped. */
static inline const char *hm_settings_resolve(const hm_setting_def *d, const char *embedded,
                                              const char *environment, hm_setting_source *source,
                                              unsigned *refused) {
    const char *v = d->fallback;
    *source = HM_SETTING_FROM_DEFAULT;
    *refused = 0;
    if (embedded && hm_settings_check(d, embedded, false) == HM_SETTING_OK) {
        v = embedded;
        *source = HM_SETTING_FROM_EMBEDDED;
    } else if (embedded) {
        *refused |= HM_SETTING_EMBEDDED_REFUSED;
    }
    if (environment && hm_settings_check(d, environment, false) == HM_SETTING_OK) {
        v = environment;
        *source = HM_SETTING_FROM_ENVIRONMENT;
    } else if (environment) {
        *refused |= HM_SETTING_ENVIRONMENT_REFUSED;
    }
    return v;
}

/* ---- The embedded text and its records ------------------------------------------------------- */

/* The first comment line of an embedded text: "#config=" and the heatmap.yaml's absolute path. */
#define HM_SETTINGS_CONFIG_LINE "#config="

/* Find `name`'s line in text `t` ("NAME=VALUE\n" lines; a last line may lack its '\n'): the value
 * and its length, or NULL. `name` is a variable ("HEATMAP_OUTPUT") or, for the comment line,
 * HM_SETTINGS_CONFIG_LINE without its '='. */
static inline const char *hm_settings_text_find(const char *t, const char *name, size_t *len) {
    size_t n = strlen(name);
    for (const char *line = t; *line;) {
        size_t end = strcspn(line, "\n");
        if (end > n && strncmp(line, name, n) == 0 && line[n] == '=') {
            *len = end - n - 1;
            return line + n + 1;
        }
        line += end + (line[end] == '\n');
    }
    return NULL;
}

/* Whether texts `a` and `b` hold the same settings: equal once their comment lines are skipped
 * (the plugin writes the settings in the list's order, so equal settings are equal text). */
static inline bool hm_settings_text_same(const char *a, const char *b) {
    for (;;) {
        while (*a == '#')
            a += strcspn(a, "\n"), a += *a == '\n';
        while (*b == '#')
            b += strcspn(b, "\n"), b += *b == '\n';
        if (*a == '\0' || *b == '\0')
            return *a == *b;
        size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
        if (la != lb || strncmp(a, b, la) != 0)
            return false;
        a += la + (a[la] == '\n');
        b += lb + (b[lb] == '\n');
    }
}

/* A walk over the records of a heatmap_settings section (HM_SETTINGS_SECTION), `size` bytes at
 * `data`, as the linker laid them out: each hm_settings_record at a 4-byte boundary, zero padding
 * between them (a zero word where a version would be is skipped). Reads with memcpy, so `data`
 * needs no alignment. */
typedef struct hm_settings_walk {
    const unsigned char *data;
    size_t size, offset;
    const char *error; /* set when the walk stopped at a malformed record; NULL otherwise */
} hm_settings_walk;

/* The next record's text (NUL-terminated, inside the section) and its version in *version, or
 * NULL at the end. A record of a version this header does not know is returned too (the caller
 * skips it: every version keeps the two leading words). A malformed record (its size beyond the
 * section, or text without its NUL) ends the walk with w->error set. */
static inline const char *hm_settings_next(hm_settings_walk *w, uint32_t *version) {
    while (w->offset + 8 <= w->size) {
        uint32_t head[2];
        memcpy(head, w->data + w->offset, sizeof head);
        if (head[0] == 0) { /* padding: no record has version 0 */
            w->offset += 4;
            continue;
        }
        size_t start = w->offset + 8;
        if (head[1] == 0 || head[1] > w->size - start || w->data[start + head[1] - 1] != '\0') {
            w->error = "a record's size runs past the section or its text has no end";
            w->offset = w->size;
            return NULL;
        }
        w->offset = (start + head[1] + 3) & ~(size_t)3;
        *version = head[0];
        return (const char *)w->data + start;
    }
    return NULL;
}

#ifdef __cplusplus
}
#endif
#endif /* HEATMAP_SETTINGS_H */
