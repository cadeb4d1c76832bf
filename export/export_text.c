/* Text helpers the export encoders share (see export_text.h).
 *
 * The escaping follows the target format's own rules (RFC 8259 for JSON strings, XML 1.0 for
 * character data) byte by byte, so names pass through as UTF-8 unchanged; durations use the one
 * duration rule of results/ in its ASCII form.
 */
#include "export_text.h"

#include "hm_results.h"

#include <stdbool.h>
#include <string.h>

void hm_export_json_string(FILE *out, const char *s) {
    putc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            putc(*p, out);
    putc('"', out);
}

/* The characters XML text and attributes escape, and their entities, in the same order. */
static const char xml_special[] = "&<>\"'";
static const char *const xml_entities[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};

size_t hm_export_xml_text(FILE *out, const char *s, size_t max_chars) {
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        bool starts_char = (*p & 0xC0) != 0x80;
        if (starts_char && chars == max_chars)
            break;
        chars += starts_char;
        const char *special = strchr(xml_special, *p); /* *p is not the terminator here */
        if (special != NULL)
            fputs(xml_entities[special - xml_special], out);
        else if (*p >= 0x20 || *p == '\n' || *p == '\t')
            putc(*p, out);
        else
            chars--; /* XML 1.0 has no other control characters */
    }
    return chars;
}

const char *hm_export_duration(uint64_t ns, char buf[24]) {
    return hm_format_duration(ns, HM_FMT_ASCII, buf);
}
