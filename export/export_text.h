/* Text helpers the export encoders share: JSON strings, XML character data, ASCII durations.
 *
 * Each writes to a stdio stream and checks nothing itself: the caller (hm_export_run) looks at
 * ferror() once at the end. Stateless, so safe from any thread on different streams.
 */
#ifndef HEATMAP_VIEWER_EXPORT_TEXT_H
#define HEATMAP_VIEWER_EXPORT_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* s as a JSON string literal, quotes included. */
void hm_export_json_string(FILE *out, const char *s);
/* s as XML character data (& < > " ' escaped, control characters dropped). At most `max_chars`
 * code points are written (SIZE_MAX = all); returns the code points written. */
size_t hm_export_xml_text(FILE *out, const char *s, size_t max_chars);
/* "µs"-free duration text for tooltips: "1.25ms" (hm_format_duration in ASCII). */
const char *hm_export_duration(uint64_t ns, char buf[24]);

#endif /* HEATMAP_VIEWER_EXPORT_TEXT_H */
