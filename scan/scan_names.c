/* Function names as the plugin matches them, and glob patterns that select exactly them.
 *
 * libclang gives the mangled name of every non-dependent function (clang_Cursor_getMangling). The
 * name is made from it by the config library's hm_display_name (config/names.c), which the plugin
 * uses too: demangle with __cxa_demangle, drop ABI tags, qualifiers, the parameter list and a
 * template's return type. Sharing the code rather than copying the algorithm means heatmap-scan
 * and the plugin cannot disagree on a name ("bar[abi:cxx11]" vs "bar", "A::operator int").
 */
#include "scan_internal.h"

#include "hm_config.h"

#include <stdlib.h>
#include <string.h>

char *hm_scan_function_name(const char *mangled) {
    if (mangled == NULL || mangled[0] == '\0')
        return NULL;
    char *name = hm_display_name(mangled, strlen(mangled));
    if (name == NULL) /* hm_display_name fails only when memory runs out */
        hm_xoom();
    return name;
}

void hm_scan_glob_escape_into(hm_strbuf *buf, const char *text) {
    for (; *text; text++) {
        if (strchr("*?[\\", *text) != NULL)
            hm_strbuf_addc(buf, '\\');
        hm_strbuf_addc(buf, *text);
    }
}

char *hm_scan_glob_escape(const char *name) {
    hm_strbuf buf = {0};
    hm_scan_glob_escape_into(&buf, name);
    return hm_strbuf_take(&buf);
}
