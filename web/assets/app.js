// lsconf search page: talks to the JSON API of the same server only.
"use strict";

const $ = (id) => document.getElementById(id);
const palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
const SVGNS = "http://www.w3.org/2000/svg";
let info = null;
let view = { cx: 0, cy: 0, half: 1.5 };
let queryMark = null;

function setStatus(msg, isError) {
  const s = $("status");
  s.textContent = msg || "";
  s.className = isError ? "error" : "";
}

function params(extra) {
  const p = new URLSearchParams(extra || {});
  p.set("k", $("k").value || "10");
  const c = $("collection").value;
  if (c) p.set("collection", c);
  return p;
}

async function api(url, opts) {
  const r = await fetch(url, opts);
  let body = null;
  try { body = await r.json(); } catch (e) { body = { error: "HTTP " + r.status }; }
  if (!r.ok) throw new Error(body.error || ("HTTP " + r.status));
  return body;
}

function classColor(label) {
  if (!info || !info.classes) return "#999";
  const i = info.classes.indexOf(label);
  return i < 0 ? "#999" : palette[i % palette.length];
}

async function loadInfo() {
  info = await api("/api/info");
  if (info.empty) {
    $("model").textContent = "empty index";
    setStatus(info.message, true);
    return;
  }
  const partial = info.collections.filter((c) => c.partial).map((c) => c.name);
  $("model").textContent = `model ${info.model_id} · ${info.records} images · ${info.collections.length} collection(s) · encoder ${info.encoder}` +
    (info.image_search ? "" : " · image upload disabled (no --run)") +
    (partial.length ? ` · partial (indexing not finished): ${partial.join(", ")}` : "");
  const sel = $("collection");
  for (const c of info.collections) {
    const o = document.createElement("option");
    o.value = c.name;
    o.textContent = c.partial ? `${c.name} (${c.count} of ${c.expected}, partial: indexing not finished)` : `${c.name} (${c.count})`;
    sel.appendChild(o);
  }
  if (info.known_words) $("known").textContent = info.known_words.join(", ") +
    ' · forms: "between A and B", "0.7 A + 0.3 B", "random A"';
  if (info.examples && info.examples.length) $("text").placeholder = "words: " + info.examples.map((e) => `"${e}"`).join(", ");
  $("projection").textContent = "view: " + info.view.name;
  $("file").disabled = !info.image_search;
  const legend = $("legend");
  legend.textContent = "";
  info.classes.forEach((c) => {
    const sw = document.createElement("span");
    sw.className = "swatch";
    sw.style.background = classColor(c);
    legend.appendChild(sw);
    legend.appendChild(document.createTextNode(c));
  });
  let m = 0;
  for (const c of info.view.centers) m = Math.max(m, Math.hypot(c[0], c[1]));
  view.half = Math.max(1, m + info.layout.R_d * 0.8);
  await loadScatter();
}

function toScreen(x, y) {
  return [200 + (x - view.cx) / view.half * 190, 200 - (y - view.cy) / view.half * 190];
}

function fromScreen(px, py) {
  return [view.cx + (px - 200) / 190 * view.half, view.cy - (py - 200) / 190 * view.half];
}

function el(name, attrs, parent) {
  const e = document.createElementNS(SVGNS, name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
}

async function loadScatter() {
  const svg = $("scatter");
  svg.textContent = "";
  el("line", { x1: 0, y1: 200, x2: 400, y2: 200, stroke: "#eee" }, svg);
  el("line", { x1: 200, y1: 0, x2: 200, y2: 400, stroke: "#eee" }, svg);
  const p = new URLSearchParams();
  if ($("collection").value) p.set("collection", $("collection").value);
  let pts;
  try {
    pts = await api("/api/points?" + p);
  } catch (e) {
    setStatus(e.message, true);
    return;
  }
  $("scattersum").textContent = `(${pts.shown} of ${pts.total} points)`;
  const g = el("g", { id: "points" }, svg);
  for (const pt of pts.points) {
    const [x, y] = toScreen(pt.z[0], pt.z[1]);
    el("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: 2, fill: classColor(pt.label), "fill-opacity": 0.6 }, g);
  }
  const scale = 190 / view.half;
  info.view.centers.forEach((c, i) => {
    const [x, y] = toScreen(c[0], c[1]);
    el("circle", { cx: x, cy: y, r: info.layout.radii[i] * scale, fill: "none", stroke: "#333", "stroke-dasharray": "4 3" }, svg);
    el("circle", { cx: x, cy: y, r: 3.5, fill: "#000", class: "centre" }, svg);
    const t = el("text", { x: x + 6, y: y - 6, "font-size": 11, fill: "#333" }, svg);
    t.textContent = info.classes[i];
  });
  queryMark = el("g", { id: "querymark" }, svg);
  showPicks(pts.points);
}

// showPicks offers a few indexed images (spread over the labels) as queries.
function showPicks(points) {
  const box = $("picks");
  box.textContent = "";
  const byLabel = new Map();
  for (const p of points) {
    const l = p.label || p.collection;
    if (!byLabel.has(l)) byLabel.set(l, []);
    byLabel.get(l).push(p);
  }
  const chosen = [];
  for (let round = 0; chosen.length < 12 && round < 12; round++) {
    for (const list of byLabel.values()) {
      const i = Math.floor(round * list.length / 3);
      if (round < 3 && i < list.length && chosen.length < 12) chosen.push(list[i]);
    }
  }
  for (const p of chosen) {
    const img = document.createElement("img");
    img.src = "/api/image/" + p.id;
    img.alt = p.label || "indexed image";
    img.title = `record ${p.id}` + (p.label ? ` (${p.label})` : "");
    img.className = "pick";
    img.addEventListener("click", () => searchRecord(p.id, p.label));
    box.appendChild(img);
  }
}

function markQuery(point) {
  if (!queryMark) return;
  queryMark.textContent = "";
  if (!point) return;
  const [x, y] = toScreen(...project(point));
  el("path", { d: `M${x - 7},${y} L${x + 7},${y} M${x},${y - 7} L${x},${y + 7}`, stroke: "#e00", "stroke-width": 3 }, queryMark);
  el("circle", { cx: x, cy: y, r: 9, fill: "none", stroke: "#e00", "stroke-width": 1.5 }, queryMark);
}

function showResults(res, queryLabel, queryImg) {
  const qv = $("queryview");
  qv.textContent = "";
  if (queryImg) {
    const img = document.createElement("img");
    img.src = queryImg;
    img.alt = "query";
    qv.appendChild(img);
  }
  const d = document.createElement("div");
  let txt = "Query: " + queryLabel;
  if (res.query.point) txt += ` at (${res.query.point.map((x) => x.toFixed(3)).join(", ")})`;
  if (res.query.target) txt += " → " + res.query.target.terms.map((t) => `${t.weight.toFixed(2)} ${t.class}`).join(" + ") + (res.query.target.random ? " (random point)" : "");
  d.textContent = txt;
  qv.appendChild(d);
  $("summary").textContent = `top ${res.results.length} of ${res.searched} in ${res.ms} ms`;
  const box = $("results");
  box.textContent = "";
  for (const h of res.results) {
    const div = document.createElement("div");
    div.className = "hit";
    div.title = `record ${h.id} · ${h.collection}` + (h.label ? ` · ${h.label}` : "");
    div.dataset.id = h.id;
    const img = document.createElement("img");
    img.src = "/api/image/" + h.id;
    img.alt = h.label || "result";
    img.loading = "lazy";
    const sc = document.createElement("div");
    sc.className = "score";
    sc.textContent = h.score.toFixed(4) + (h.outside ? " · outside" : "");
    if (h.outside) div.classList.add("outside");
    div.title += ` · open-set score ${h.outside_score.toFixed(2)}` + (h.distance !== undefined ? ` · distance ${h.distance.toFixed(3)}` : "");
    const lb = document.createElement("div");
    lb.className = "label";
    lb.textContent = `#${h.rank} ${h.label || h.collection}`;
    div.append(img, sc, lb);
    div.addEventListener("click", () => searchRecord(h.id, h.label));
    box.appendChild(div);
  }
  markQuery(res.query.point);
  const notes = [res.query.target && res.query.target.note, res.query.note].filter(Boolean);
  setStatus(res.results.length ? notes.join("; ") : "no results", false);
}

async function guarded(f) {
  setStatus("searching…", false);
  try {
    await f();
  } catch (e) {
    setStatus(e.message, true);
  }
}

function searchImage(file) {
  return guarded(async () => {
    const fd = new FormData();
    fd.append("image", file);
    const res = await api("/api/search/image?" + params(), { method: "POST", body: fd });
    showResults(res, file.name, URL.createObjectURL(file));
  });
}

function searchText(text) {
  return guarded(async () => {
    const extra = { q: text };
    if ($("random").checked) { extra.random = "1"; extra.seed = String(Math.floor(Math.random() * 1e9)); }
    const res = await api("/api/search/text?" + params(extra));
    showResults(res, `"${text}"`, null);
  });
}

function searchRecord(id, label) {
  return guarded(async () => {
    const res = await api("/api/search/record?" + params({ id: String(id) }));
    showResults(res, `record ${id}` + (label ? ` (${label})` : ""), "/api/image/" + id);
  });
}

// project draws an LS point in the view plane (info.view: axes u, v).
function project(z) {
  let x = 0, y = 0;
  z.forEach((c, i) => { x += c * info.view.u[i]; y += c * info.view.v[i]; });
  return [x, y];
}

// searchPoint searches at a point of the view plane: x u + y v in the LS.
function searchPoint(xy) {
  return guarded(async () => {
    const full = info.view.u.map((u, i) => xy[0] * u + xy[1] * info.view.v[i]);
    const zs = full.map((x) => x.toFixed(4)).join(",");
    const res = await api("/api/search/point?" + params({ z: zs }));
    // With a decoder, the query view shows what the model makes of the point.
    showResults(res, info.decoder ? "LS point (decoded image)" : "LS point", info.decoder ? "/api/decode?z=" + zs : null);
  });
}

$("file").addEventListener("change", (e) => {
  const f = e.target.files[0];
  if (f) searchImage(f);
});
$("textform").addEventListener("submit", (e) => {
  e.preventDefault();
  const t = $("text").value.trim();
  if (t) searchText(t);
});
$("collection").addEventListener("change", () => loadScatter());
$("scatter").addEventListener("click", (e) => {
  const svg = $("scatter");
  const r = svg.getBoundingClientRect();
  const px = (e.clientX - r.left) / r.width * 400;
  const py = (e.clientY - r.top) / r.height * 400;
  searchPoint(fromScreen(px, py));
});

loadInfo().catch((e) => setStatus(e.message, true));
