/* libFuzzer target: heatmap.yaml parsing (hm_config_load_string) and selection against it.
 *
 * The input is a heatmap.yaml. When it loads, every function name and file path of a fixed set,
 * plus one name taken from the input's last line, is run through hm_config_select and through each
 * pattern alone (hm_config_pattern_matches), and each pattern is matched as a glob against that
 * name; the runtime: section's embedded text and the view: entries are checked too. When it does
 * not load, the diagnostic must name the file, as the contract in hm_config.h
 * says. Anything else the sanitizers catch (overflow, leak, undefined behaviour) is a finding.
 */
#include "hm_config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const NAMES[] = {"main",      "parse_line", "ns::Class::method",
                                    "operator*", "",           "MEM_alloc"};
static const char *const FILES[] = {"src/a.c",    "/abs/dir/b.c", "../up/c.c",
                                    "a//b/./c.h", "x.c",          NULL};

/* The last line of the input (at most 255 bytes), as a name to select and to match globs against.
 */
static void last_line(const uint8_t *data, size_t size, char out[256]) {
    size_t start = size;
    while (start > 0 && data[start - 1] != '\n')
        start--;
    size_t n = size - start < 255 ? size - start : 255;
    memcpy(out, data + start, n);
    out[n] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    hm_config *config = NULL;
    hm_config_error err = {{0}};
    if (hm_config_load_string((const char *)data, size, "fuzz.yaml", &config, &err) != 0) {
        if (config != NULL || strncmp(err.message, "fuzz.yaml:", 10) != 0 ||
            strstr(err.message, "error: ") == NULL)
            abort(); /* a failed load must leave *out NULL and say where */
        return 0;
    }
    char own[256];
    last_line(data, size, own);
    for (size_t f = 0; f < sizeof FILES / sizeof FILES[0]; f++) {
        for (size_t n = 0; n <= sizeof NAMES / sizeof NAMES[0]; n++) {
            const char *name = n < sizeof NAMES / sizeof NAMES[0] ? NAMES[n] : own;
            hm_selection s = hm_config_select(config, name, FILES[f]);
            if (s.selected && s.reason != HM_REASON_INCLUDED)
                abort(); /* a selected function is selected by an include (or the default) */
            if (s.rule != NULL && s.rule_line <= 0)
                abort(); /* a rule from the file has its line */
        }
    }
    size_t count = hm_config_pattern_count(config);
    for (size_t i = 0; i < count; i++) {
        hm_config_pattern p = hm_config_pattern_at(config, i);
        if (p.text == NULL || p.line <= 0 || hm_glob_check(p.text) != NULL)
            abort(); /* only valid patterns are accepted */
        (void)hm_glob_match(p.text, own);
        (void)hm_config_pattern_matches(config, i, own, own);
        (void)hm_config_pattern_matches(config, i, "main", "src/a.c");
    }
    (void)hm_config_trivial_threshold(config);
    (void)hm_config_instrument_point(config);
    /* runtime: the text the plugin embeds has the config line and one line per setting given
     * (a value never holds a line break); view: every entry has its position. */
    char *text = NULL;
    size_t settings = hm_config_runtime_count(config), lines = 0;
    if (hm_config_runtime_text(config, &text) != 0)
        abort();
    for (const char *c = text; c != NULL && *c; c++)
        lines += *c == '\n';
    if ((text == NULL) != (settings == 0) || (text != NULL && lines != settings + 1))
        abort();
    free(text);
    for (size_t i = 0; i < hm_config_view_count(config); i++) {
        hm_config_entry e = hm_config_view_at(config, i);
        if (e.key == NULL || e.value == NULL || e.line <= 0 || e.key_line <= 0)
            abort();
    }
    hm_config_free(config);
    return 0;
}
