// What the map draws on the canvas around vis-network's markers: the layer bands (behind), the
// node labels and gap-count badges (on top), and the fit that keeps labels in view. Labels are
// wrapped to the slot the server's layout gave each node (label_width), so at the first fit no two
// overlap; zoomed out on a big map, the lower-priority label of a colliding pair is left out.
"use strict";
window.obligraphCanvas = function (network, nodes, getData, isShown) {
  var FONT = 14, LINE = FONT * 1.2, BADGE_FONT = 11;
  var MAX_FIT_SCALE = 1.6;
  var wrapped = {}; // node id -> lines, for the current data
  var drawnLabels = []; // the last frame's label boxes, canvas coordinates
  var hiddenLabels = 0;
  var priority = function () { return 0; };

  function font(size, bold) { return (bold ? "600 " : "") + size + "px system-ui, sans-serif"; }

  function wrap(ctx, text, width, maxLines) {
    var words = String(text).split(/\s+/).filter(Boolean);
    var lines = [], line = "";
    function fits(t) { return ctx.measureText(t).width <= width; }
    function hardCut(t) { // a word wider than the slot: cut it (CJK names have no spaces)
      var cut = t;
      while (cut.length > 1 && !fits(cut)) cut = cut.slice(0, -1);
      return cut;
    }
    for (var i = 0; i < words.length; i++) {
      var next = line ? line + " " + words[i] : words[i];
      if (fits(next)) { line = next; continue; }
      if (line) { lines.push(line); line = ""; }
      var word = words[i];
      while (!fits(word)) {
        var part = hardCut(word);
        lines.push(part);
        word = word.slice(part.length);
        if (!word) break;
      }
      line = word;
    }
    if (line) lines.push(line);
    if (lines.length > maxLines) {
      var last = lines[maxLines - 1] + "…";
      while (last.length > 1 && !fits(last)) last = last.slice(0, -2) + "…";
      lines = lines.slice(0, maxLines - 1).concat([last]);
    }
    return lines;
  }

  function linesOf(ctx, node) {
    var key = node.id;
    if (!wrapped[key]) {
      ctx.font = font(FONT);
      var width = node.label_width || 110;
      var lines = wrap(ctx, node.name || node.id, width, 2);
      if (node.counts_line) lines = lines.concat(wrap(ctx, node.counts_line, width, 1));
      wrapped[key] = lines;
    }
    return wrapped[key];
  }

  function labelBox(node, lines) {
    var width = node.label_width || 110;
    var top = node.y + (node.size || 12) + 5;
    return { x0: node.x - width / 2, x1: node.x + width / 2, y0: top, y1: top + lines.length * LINE };
  }

  function overlaps(a, b) { return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1; }

  network.on("beforeDrawing", function (ctx) {
    var data = getData();
    if (!data.bands || !data.bands.length) return;
    // Bands span the widest one, behind everything.
    var left = Math.min.apply(null, data.bands.map(function (b) { return b.left; })) - 20;
    var right = Math.max.apply(null, data.bands.map(function (b) { return b.right; })) + 20;
    data.bands.forEach(function (band) {
      ctx.fillStyle = data.palette.layers[band.layer].band;
      ctx.fillRect(left, band.top, right - left, band.bottom - band.top);
    });
  });

  // Each band's title sits in the gap above its first row, over the edges (a halo in its tint).
  function drawBandTitles(ctx, data) {
    (data.bands || []).forEach(function (band) {
      var look = data.palette.layers[band.layer];
      ctx.font = font(FONT + 2, true);
      ctx.textAlign = "left";
      ctx.textBaseline = "top";
      ctx.lineWidth = 5;
      ctx.strokeStyle = look.band;
      ctx.strokeText(look.title, band.left - 14, band.top + 6);
      ctx.fillStyle = data.palette.ink;
      ctx.fillText(look.title, band.left - 14, band.top + 6);
    });
  }

  network.on("afterDrawing", function (ctx) {
    var data = getData();
    drawBandTitles(ctx, data);
    var scale = network.getScale();
    var view = network.DOMtoCanvas({ x: 0, y: 0 });
    var box = network.body.container.getBoundingClientRect();
    var far = network.DOMtoCanvas({ x: box.width, y: box.height });
    var onScreen = { x0: view.x, y0: view.y, x1: far.x, y1: far.y };
    var candidates = [];
    nodes.forEach(function (node) {
      if (!isShown(node)) return;
      var pos = network.getPosition(node.id); // the drawn position (a dragged node moves)
      var placed = { id: node.id, x: pos.x, y: pos.y, size: node.size, label_width: node.label_width };
      candidates.push({ node: node, at: placed });
    });
    candidates.sort(function (a, b) { return priority(b.node) - priority(a.node); });
    var taken = [];
    drawnLabels = [];
    hiddenLabels = 0;
    var readable = FONT * scale >= 6;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    candidates.forEach(function (item) {
      var node = item.node, at = item.at;
      drawBadge(ctx, node, at, data, scale);
      var lines = linesOf(ctx, node);
      var rect = labelBox(at, lines);
      if (!overlaps(rect, onScreen)) return;
      var forced = priority(node) >= 1e9; // highlighted or selected
      if (!readable && !forced) { hiddenLabels++; return; }
      for (var i = 0; i < taken.length; i++) {
        if (overlaps(rect, taken[i])) { hiddenLabels++; return; }
      }
      taken.push(rect);
      ctx.font = font(FONT);
      ctx.lineWidth = 4;
      ctx.strokeStyle = "rgba(255,255,255,0.85)"; // a halo keeps text legible over edges
      ctx.fillStyle = node.dim ? "#757575" : data.palette.ink;
      lines.forEach(function (line, n) {
        ctx.strokeText(line, at.x, rect.y0 + n * LINE);
        ctx.fillText(line, at.x, rect.y0 + n * LINE);
      });
      drawnLabels.push({ id: node.id, lines: lines, x0: rect.x0, x1: rect.x1, y0: rect.y0, y1: rect.y1 });
    });
  });

  function drawBadge(ctx, node, at, data, scale) {
    var count = node.badge === undefined ? node.gap_count : node.badge;
    if (!count || node.dim || scale < 0.25) return;
    var text = String(count);
    ctx.font = font(BADGE_FONT, true);
    var w = Math.max(16, ctx.measureText(text).width + 8), h = 15;
    var x = at.x + (at.size || 12) * 0.7, y = at.y - (at.size || 12) - 2;
    ctx.fillStyle = data.palette.badge;
    ctx.strokeStyle = data.palette.ink;
    ctx.lineWidth = 1;
    ctx.beginPath();
    if (ctx.roundRect) ctx.roundRect(x, y, w, h, 7); else ctx.rect(x, y, w, h);
    ctx.fill();
    ctx.stroke();
    ctx.fillStyle = data.palette.ink;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText(text, x + w / 2, y + h / 2 + 0.5);
    ctx.textBaseline = "top";
  }

  // Fit the given nodes (default: every shown one) with their labels, and the band titles.
  function fit(ids) {
    var data = getData();
    var list = ids ? ids.map(function (id) { return nodes.get(id); }).filter(Boolean)
                   : nodes.get({ filter: isShown });
    if (!list.length) return;
    var x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    list.forEach(function (node) {
      var pos = network.getPosition(node.id);
      var half = Math.max(node.size || 12, (node.label_width || 110) / 2);
      x0 = Math.min(x0, pos.x - half); x1 = Math.max(x1, pos.x + half);
      y0 = Math.min(y0, pos.y - (node.size || 12) - 18);
      y1 = Math.max(y1, pos.y + (node.size || 12) + 6 + (node.counts_line ? 3 : 2) * LINE);
    });
    if (!ids && data.bands) { // the titles of the bands in view, above their first rows
      var layers = {};
      list.forEach(function (node) { layers[node.layer] = true; });
      data.bands.filter(function (b) { return layers[b.layer]; }).forEach(function (b) {
        x0 = Math.min(x0, b.left - 16);
        y0 = Math.min(y0, b.top);
      });
    }
    var box = network.body.container.getBoundingClientRect();
    var scale = Math.min(box.width / (x1 - x0 + 16), box.height / (y1 - y0 + 16), MAX_FIT_SCALE);
    network.moveTo({ position: { x: (x0 + x1) / 2, y: (y0 + y1) / 2 }, scale: scale, animation: false });
  }

  return {
    fit: fit,
    reset: function () { wrapped = {}; },
    setPriority: function (fn) { priority = fn; },
    // For tests and the node list: the labels drawn in the last frame, in page coordinates.
    labelBoxes: function () {
      var box = network.body.container.getBoundingClientRect();
      return {
        hidden: hiddenLabels,
        fontPx: FONT * network.getScale(),
        boxes: drawnLabels.map(function (l) {
          var a = network.canvasToDOM({ x: l.x0, y: l.y0 }), b = network.canvasToDOM({ x: l.x1, y: l.y1 });
          return { id: l.id, lines: l.lines, left: box.left + a.x, top: box.top + a.y,
                   right: box.left + b.x, bottom: box.top + b.y };
        }),
      };
    },
  };
};
