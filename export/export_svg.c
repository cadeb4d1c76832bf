/* svg export: a flame graph of the merged call paths, written directly (see export.h).
 *
 * Layout as in Brendan Gregg's flamegraph.pl: the root ("all") at the bottom, each node a frame of
 * one row above its parent, its width proportional to its total time, children left to right in
 * the tree's order (by function name). Widths are computed in nanoseconds and scaled once, so the
 * children of a frame never stick out of it (a child whose total exceeds what is left of its
 * parent, which only rounding in the runtime could cause, is clipped). Every node gets a frame,
 * even one narrower than a pixel, so the picture holds the whole tree. Colours come from heat.h,
 * the TUI's gradient: a frame's colour is its function's self time relative to the largest function
 * self time, so the same function has the same colour everywhere and in the TUI's bar view.
 * A small script (no library) zooms: a click on a frame widens it and its descendants to the full
 * width and keeps its ancestors; a click on "all" shows everything again. The picture is complete
 * without the script (tooltips are <title> elements), e.g. in an image viewer.
 */
#include "export.h"
#include "export_text.h"

#include "heat.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum {
    FRAME_H = 16, /* px per row */
    PAD_X = 10,
    PAD_TOP = 40, /* title */
    PAD_BOTTOM = 10,
    FONT_PX = 12,
};
#define CHAR_W (0.6 * FONT_PX) /* average advance of the monospace font */

static size_t code_points(const char *s) {
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static double percent(uint64_t part, uint64_t whole) {
    return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* One frame: a group with its tooltip, rectangle and clipped label. */
static void put_frame(FILE *out, const char *cls, const char *name, const hm_path_function *f,
                      const hm_path_node *n, uint64_t all_total, uint64_t all_self, double x,
                      double y, double w, uint32_t rgb) {
    char self[24], total[24];
    fprintf(out, "<g class=\"%s\" data-n=\"", cls);
    hm_export_xml_text(out, name, SIZE_MAX);
    fputs("\"><title>", out);
    hm_export_xml_text(out, name, SIZE_MAX);
    if (f != NULL && f->file[0] != '\0') {
        fputs(" (", out);
        hm_export_xml_text(out, f->file, SIZE_MAX);
        if (f->line)
            fprintf(out, ":%u", f->line);
        putc(')', out);
    }
    fprintf(out, "\ncalls: %" PRIu64 " | self: %s (%.2f%%) | total: %s (%.2f%%)</title>", n->count,
            hm_export_duration(n->self_ns, self), percent(n->self_ns, all_self),
            hm_export_duration(n->total_ns, total), percent(n->total_ns, all_total));
    fprintf(out,
            "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.3f\" height=\"%d\" fill=\"#%06" PRIx32
            "\" rx=\"2\" ry=\"2\"/>",
            x, y, w, FRAME_H - 1, rgb);
    size_t fits = w > 6 ? (size_t)((w - 6) / CHAR_W) : 0;
    fprintf(out, "<text x=\"%.2f\" y=\"%.1f\">", x + 3, y + FRAME_H - 4.5);
    if (fits >= 3 && code_points(name) <= fits) {
        hm_export_xml_text(out, name, SIZE_MAX);
    } else if (fits >= 3) {
        hm_export_xml_text(out, name, fits - 1);
        fputs("…", out);
    }
    fputs("</text></g>\n", out);
}

/* Click to zoom (see the top of the file). Frames keep their first geometry in g.ox/ow/oy. */
static void put_script(FILE *out, unsigned width) {
    fprintf(out,
            "<script type=\"text/ecmascript\"><![CDATA[\n"
            "(function () {\n"
            "  var L = %d, W = %u, CW = %.2f;\n",
            PAD_X, width - 2 * PAD_X, CHAR_W);
    fputs("  var frames = Array.prototype.slice.call(document.querySelectorAll('g.f, g.root'));\n"
          "  function label(g, x, w) {\n"
          "    var t = g.querySelector('text'), name = Array.from(g.getAttribute('data-n'));\n"
          "    var fits = w > 6 ? Math.floor((w - 6) / CW) : 0;\n"
          "    t.setAttribute('x', x + 3);\n"
          "    t.textContent = fits < 3 ? '' : name.length <= fits ? name.join('')\n"
          "                  : name.slice(0, fits - 1).join('') + '\\u2026';\n"
          "  }\n"
          "  function zoom(z) {\n"
          "    var s = W / (z.ow || 1), eps = 0.02; /* px: positions are rounded */\n"
          "    frames.forEach(function (g) {\n"
          "      var r = g.querySelector('rect'), x = L, w = W, show;\n"
          "      if (g.oy >= z.oy) { /* z and its ancestors: full width */\n"
          "        show = g.ox <= z.ox + eps && g.ox + g.ow >= z.ox + z.ow - eps;\n"
          "      } else { /* z's descendants, scaled */\n"
          "        show = g.ox >= z.ox - eps && g.ox + g.ow <= z.ox + z.ow + eps;\n"
          "        x = L + (g.ox - z.ox) * s;\n"
          "        w = g.ow * s;\n"
          "      }\n"
          "      g.style.display = show ? '' : 'none';\n"
          "      if (show) {\n"
          "        r.setAttribute('x', x);\n"
          "        r.setAttribute('width', w);\n"
          "        label(g, x, w);\n"
          "      }\n"
          "    });\n"
          "  }\n"
          "  frames.forEach(function (g) {\n"
          "    var r = g.querySelector('rect');\n"
          "    g.ox = +r.getAttribute('x');\n"
          "    g.ow = +r.getAttribute('width');\n"
          "    g.oy = +r.getAttribute('y');\n"
          "    g.style.cursor = 'pointer';\n"
          "    g.addEventListener('click', function () { zoom(g); });\n"
          "  });\n"
          "})();\n"
          "]]></script>\n",
          out);
}

int hm_export_svg(FILE *out, const hm_paths *p, const hm_svg_opts *opts, char *err, size_t errlen) {
    unsigned width = opts && opts->width ? opts->width : 1200;
    const char *title = opts && opts->title ? opts->title : "Flame graph";
    uint64_t *start = calloc(p->nnodes, sizeof *start);   /* ns from the left edge */
    uint64_t *span = calloc(p->nnodes, sizeof *span);     /* ns wide, after clipping */
    uint64_t *cursor = calloc(p->nnodes, sizeof *cursor); /* next free ns inside a node */
    if (start == NULL || span == NULL || cursor == NULL) {
        free(start), free(span), free(cursor);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    uint32_t depth = 0;
    uint64_t max_self = 0, all_self = hm_paths_node_self_ns(p);
    for (size_t f = 0; f < p->nfunctions; f++)
        if (p->functions[f].self_ns > max_self)
            max_self = p->functions[f].self_ns;
    span[HM_PATH_ROOT] = p->nodes[HM_PATH_ROOT].total_ns;
    for (size_t i = 1; i < p->nnodes; i++) { /* pre-order: the parent is placed first */
        const hm_path_node *n = &p->nodes[i];
        uint64_t room = start[n->parent] + span[n->parent] - cursor[n->parent];
        start[i] = cursor[i] = cursor[n->parent];
        span[i] = n->total_ns < room ? n->total_ns : room;
        cursor[n->parent] += span[i];
        if (n->depth > depth)
            depth = n->depth;
    }
    double scale =
        span[HM_PATH_ROOT] ? (double)(width - 2 * PAD_X) / (double)span[HM_PATH_ROOT] : 0.0;
    unsigned height = PAD_TOP + (depth + 1) * FRAME_H + PAD_BOTTOM;

    fprintf(out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%u\" "
            "height=\"%u\" viewBox=\"0 0 %u %u\">\n"
            "<style>text { font-family: monospace; font-size: %dpx; fill: #000; } "
            "rect { stroke: #fff; stroke-width: 0.5; } g:hover rect { stroke: #000; }</style>\n"
            "<rect x=\"0\" y=\"0\" width=\"100%%\" height=\"100%%\" fill=\"#f8f8f8\"/>\n"
            "<text x=\"%u\" y=\"24\" text-anchor=\"middle\" style=\"font-size: 17px\">",
            width, height, width, height, FONT_PX, width / 2);
    hm_export_xml_text(out, title, SIZE_MAX);
    fprintf(out, "</text>\n");
    char note[160], total[24];
    snprintf(note, sizeof note,
             "width: total time per call path (%s); colour: function self time, red = most; "
             "click a frame to zoom, \"all\" to reset",
             hm_export_duration(p->nodes[HM_PATH_ROOT].total_ns, total));
    fprintf(out, "<text x=\"%d\" y=\"36\" style=\"font-size: 10px\">", PAD_X);
    hm_export_xml_text(out, note, SIZE_MAX);
    fputs("</text>\n", out);

    double base_y = PAD_TOP + depth * FRAME_H; /* the root's row */
    put_frame(out, "root", "all", NULL, &p->nodes[HM_PATH_ROOT], p->nodes[HM_PATH_ROOT].total_ns,
              all_self, PAD_X, base_y, (double)span[HM_PATH_ROOT] * scale, 0xc8c8c8);
    for (size_t i = 1; i < p->nnodes; i++) {
        const hm_path_node *n = &p->nodes[i];
        const hm_path_function *f = &p->functions[n->function];
        double fraction = max_self ? (double)f->self_ns / (double)max_self : 0.0;
        put_frame(out, "f", f->name, f, n, p->nodes[HM_PATH_ROOT].total_ns, all_self,
                  PAD_X + (double)start[i] * scale, base_y - (double)n->depth * FRAME_H,
                  (double)span[i] * scale, hm_heat_rgb(fraction));
    }
    put_script(out, width);
    fputs("</svg>\n", out);
    free(start), free(span), free(cursor);
    return 0;
}
