// Run the flame graph's zoom script (export_svg.c) against a minimal stand-in for the DOM: click
// each frame and check that exactly it, its ancestors and its descendants stay visible, that it
// then spans the full width, and that a click on "all" restores every frame.
// usage: node svg_zoom.js FILE.svg      (exit 0 ok, 1 failure)
'use strict';
const fs = require('fs');
const svg = fs.readFileSync(process.argv[2], 'utf8');

function element(attrs) {
  return {
    attrs, textContent: '',
    getAttribute(k) { return this.attrs[k]; },
    setAttribute(k, v) { this.attrs[k] = String(v); },
    hasAttribute(k) { return k in this.attrs; },
  };
}
const frames = [];
const re = /<g class="(f|root)" data-n="([^"]*)">[\s\S]*?<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"[\s\S]*?<\/g>/g;
for (let m; (m = re.exec(svg));) {
  const rect = element({x: m[3], y: m[4], width: m[5]});
  const text = element({});
  const g = element({'data-n': m[2], class: m[1]});
  g.style = {display: ''};
  g.listeners = {};
  g.addEventListener = (ev, f) => { g.listeners[ev] = f; };
  g.querySelector = (sel) => (sel === 'rect' ? rect : text);
  g.rect = rect;
  g.orig = {x: +m[3], y: +m[4], w: +m[5]};
  frames.push(g);
}
global.document = {querySelectorAll: () => frames};
const script = svg.split('<![CDATA[')[1].split(']]>')[0];
eval(script);

function fail(msg) {
  console.error('FAIL: ' + msg);
  process.exit(1);
}
const eps = 0.02;
const rowH = 16;
// ancestors: frames one row down (greater y) covering it, recursively
function related(a, b) { // b is a or an ancestor or a descendant of a
  const inside = (c, p) => c.x >= p.x - eps && c.x + c.w <= p.x + p.w + eps;
  if (b.orig.y >= a.orig.y) return inside(a.orig, b.orig);
  return inside(b.orig, a.orig);
}
const root = frames.find((g) => g.attrs.class === 'root');
if (!root) fail('no root frame');
for (const z of frames) {
  if (z.orig.w < 0.5) continue; // too thin to click
  z.listeners.click();
  for (const g of frames) {
    const shown = g.style.display !== 'none';
    if (shown !== related(z, g))
      fail(`zoom on ${z.attrs['data-n']}: ${g.attrs['data-n']} shown=${shown}`);
  }
  if (Math.abs(+z.rect.attrs.width - root.orig.w) > 0.01) fail('zoomed frame is not full width');
  const label = z.querySelector('text').textContent;
  if (label && !z.attrs['data-n'].startsWith(label.replace(/\u2026$/, '')))
    fail(`label ${label} of ${z.attrs['data-n']}`);
}
root.listeners.click();
for (const g of frames) {
  if (g.style.display === 'none') fail('reset left a frame hidden');
  if (Math.abs(+g.rect.attrs.width - g.orig.w) > 0.01) fail('reset changed a width');
}
console.log(`ok: svg zoom, ${frames.length} frames`);
