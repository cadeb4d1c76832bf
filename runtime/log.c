/* The runtime's one way to speak: a "heatmap: ..." line on stderr.
 *
 * Written with write(2) piece by piece, so it works in a signal handler and before anything else of
 * the runtime is set up. Layer 1 (rt_base.h): calls nothing of the runtime; called by every layer.
 */
#include <string.h>
#include <unistd.h>

#include "rt_base.h"

void hm_log(const char *a, const char *b, const char *c, const char *d) {
    const char *parts[] = {"heatmap: ", a, b, c, d, "\n"};
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
        if (parts[i] && write(STDERR_FILENO, parts[i], strlen(parts[i])) < 0)
            return;
}
