/* Builds without the interactive view: hm_tui_run always declines, silently. */
#include "tui.h"

int hm_tui_run(hm_model *m, const hm_tui_opts *o, char *why, size_t whylen) {
    (void)m;
    (void)o;
    if (whylen > 0)
        why[0] = '\0';
    return -1;
}
