/* A strict, fast JSON reader for the loaders of results/: one document in one flat array.
 *
 * jansson allocates every value, copies every string and keeps a hash table per object; reading a
 * fleet's results files (hundreds of MB) spent nine tenths of its time there. This reader parses a
 * whole text into a tape: one 24-byte hm_json per value in document order, plus one table of
 * offsets from each array to its elements and from each object to its keys (a member's value
 * follows its key on the tape). Strings are unescaped in place inside the text, which the document
 * owns, and NUL-terminated there. A document's arrays are reused by the next parse, so reading many
 * files one after another allocates almost nothing.
 *
 * It accepts exactly what jansson accepts with JSON_REJECT_DUPLICATES (RFC 8259, an object or array
 * at the top level, valid UTF-8, no "\u0000", integers within int64_t, depth <= 2048, duplicate
 * keys refused), so the loaders' checks and messages stay as they were. The accessors have the
 * meaning of jansson's: they take NULL or a value of the wrong type and answer NULL, 0 or false.
 *
 * A document is used by one thread at a time (hm_json_get keeps a hint in the object it searches);
 * values are valid until the next parse or free.
 */
#ifndef HEATMAP_JSON_READ_H
#define HEATMAP_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum hm_json_type {
    HM_JSON_OBJECT,
    HM_JSON_ARRAY,
    HM_JSON_STRING,
    HM_JSON_INTEGER,
    HM_JSON_REAL,
    HM_JSON_TRUE,
    HM_JSON_FALSE,
    HM_JSON_NULL,
} hm_json_type;

typedef struct hm_json {
    uint32_t type; /* hm_json_type */
    uint32_t len;  /* string: bytes; array: elements; object: members */
    union {
        const char *s;        /* string: NUL-terminated, inside the document's text */
        const uint32_t *kids; /* array, object: tape offsets from this value to each element/key */
        size_t at;            /* while parsing: the first offset in the document's table */
    } p;
    union {
        int64_t i; /* integer (for a string its first 8 bytes, for an object where hm_json_get
                    * looks first: the reader's own) */
        double d;  /* real */
    } n;
} hm_json;

typedef struct hm_json_doc {
    hm_json *v;
    size_t nv, capv;
    uint32_t *kids;
    size_t nkids, capkids;
    uint32_t *pending; /* elements of the open containers, innermost last */
    size_t npending, cappending;
    char *text; /* the parsed text (owned; strings point into it) */
} hm_json_doc;

/* Why a parse failed: where (1-based line and column of the byte at fault), what, and whether the
 * text simply ended too early (a file cut short). */
typedef struct hm_json_error {
    int line, column;
    bool premature_end;
    char text[160];
} hm_json_error;

/* Parse text[0..len) into doc, which takes ownership of text (a malloc'd buffer it changes in
 * place and frees later; freed at once on failure). Returns the root value (an object or array),
 * or NULL with *error filled. Earlier values of doc become invalid. doc starts zeroed. */
const hm_json *hm_json_parse(hm_json_doc *doc, char *text, size_t len, hm_json_error *error);

/* Release the document's text and arrays; doc can be parsed into again afterwards. */
void hm_json_doc_free(hm_json_doc *doc);

/* ---- Accessors (NULL-safe, as jansson's) ---------------------------------------------------- */

static inline hm_json_type hm_json_typeof(const hm_json *v) {
    return (hm_json_type)v->type;
}
static inline bool hm_json_is_object(const hm_json *v) {
    return v != NULL && v->type == HM_JSON_OBJECT;
}
static inline bool hm_json_is_array(const hm_json *v) {
    return v != NULL && v->type == HM_JSON_ARRAY;
}
static inline bool hm_json_is_string(const hm_json *v) {
    return v != NULL && v->type == HM_JSON_STRING;
}
static inline bool hm_json_is_integer(const hm_json *v) {
    return v != NULL && v->type == HM_JSON_INTEGER;
}

/* Elements of an array, members of an object; 0 for anything else. */
static inline size_t hm_json_size(const hm_json *v) {
    return v != NULL && (v->type == HM_JSON_ARRAY || v->type == HM_JSON_OBJECT) ? v->len : 0;
}

/* Element i of an array, or NULL. */
static inline const hm_json *hm_json_at(const hm_json *v, size_t i) {
    return hm_json_is_array(v) && i < v->len ? v + v->p.kids[i] : NULL;
}

/* The integer, or 0 when v is not one. */
static inline int64_t hm_json_int(const hm_json *v) {
    return hm_json_is_integer(v) ? v->n.i : 0;
}

/* The string, or NULL when v is not one. */
static inline const char *hm_json_string(const hm_json *v) {
    return hm_json_is_string(v) ? v->p.s : NULL;
}

/* Member `key` of an object, or NULL (also when obj is not an object). */
const hm_json *hm_json_get(const hm_json *obj, const char *key);

/* Member i of an object (0 <= i < hm_json_size): its key in *key, its value returned. */
const hm_json *hm_json_member(const hm_json *obj, size_t i, const char **key);

#endif /* HEATMAP_JSON_READ_H */
