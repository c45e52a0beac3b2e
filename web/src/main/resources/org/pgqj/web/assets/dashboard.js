// pgqj dashboard: live queue numbers and the live throughput chart from server-sent events, select-all boxes, and
// a question before every cancel. No inline script anywhere (the Content-Security-Policy forbids it); every value
// goes into the page as text or as an SVG attribute, never as HTML.
(function () {
  'use strict';
  var base = document.body.getAttribute('data-base') || '';
  var SVG = 'http://www.w3.org/2000/svg';

  function text(id, value) {
    var el = document.getElementById(id);
    if (el) { el.textContent = String(value); }
  }

  function cell(value, cls) {
    var td = document.createElement('td');
    if (cls) { td.className = cls; }
    td.textContent = String(value);
    return td;
  }

  // "3 min 12 s", as the server writes spans (Format.duration)
  function span(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    if (s < 60) { return s + ' s'; }
    if (s < 3600) { return Math.floor(s / 60) + ' min' + (s % 60 ? ' ' + (s % 60) + ' s' : ''); }
    if (s < 86400) { return Math.floor(s / 3600) + ' h' + (Math.floor(s % 3600 / 60) ? ' ' + Math.floor(s % 3600 / 60) + ' min' : ''); }
    return Math.floor(s / 86400) + ' d' + (Math.floor(s % 86400 / 3600) ? ' ' + Math.floor(s % 86400 / 3600) + ' h' : '');
  }

  // the one row of an empty table, spanning its columns
  function emptyRow(message, columns) {
    var tr = document.createElement('tr');
    tr.className = 'empty';
    var td = cell(message);
    td.colSpan = columns;
    tr.appendChild(td);
    return tr;
  }

  function sizeRow(r) {
    var tr = document.createElement('tr');
    var name = document.createElement('td');
    var link = document.createElement('a');
    link.href = base + '/jobs?entrypoint=' + encodeURIComponent(r.entrypoint);
    link.textContent = r.entrypoint;
    name.appendChild(link);
    tr.appendChild(name);
    tr.appendChild(cell(r.due, 'num'));
    tr.appendChild(cell(r.later, 'num'));
    tr.appendChild(cell(r.picked, 'num'));
    tr.appendChild(cell(r.failed, 'num'));
    tr.appendChild(cell(r.total, 'num'));
    tr.appendChild(cell(r.oldestDueSeconds === undefined ? '–' : span(r.oldestDueSeconds), 'num'));
    return tr;
  }

  function show(snapshot) {
    ['due', 'later', 'picked', 'failed'].forEach(function (k) {
      text('live-' + k, snapshot[k]);
      text('n-' + k, snapshot[k]);
    });
    text('n-oldest-due', snapshot.oldestDueSeconds === undefined ? '–' : span(snapshot.oldestDueSeconds));
    var body = document.getElementById('sizes-body');
    if (body) {
      var rows = snapshot.entrypoints.map(sizeRow);
      if (rows.length === 0) {
        rows.push(emptyRow('The queue is empty.', 7));
      }
      body.replaceChildren.apply(body, rows);
    }
    text('live-state', 'live, ' + new Date(snapshot.at).toISOString().substring(11, 19) + ' UTC');
    count('data-live-events');
  }

  function count(attribute) {
    var n = parseInt(document.body.getAttribute(attribute), 10) || 0;
    document.body.setAttribute(attribute, String(n + 1));
  }

  // ---- the throughput chart: one line per entrypoint, finished jobs and failures on scales of their own ----

  function el(name, attrs, parent) {
    var e = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    if (parent) { parent.appendChild(e); }
    return e;
  }

  function hhmm(ms) {
    return new Date(ms).toISOString().substring(11, 16);
  }

  function niceMax(v) {
    if (v <= 1) { return 1; }
    var p = Math.pow(10, Math.floor(Math.log10(v)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) {
      if (steps[i] * p >= v) { return steps[i] * p; }
    }
    return 10 * p;
  }

  function lineChart(svg, data, key, emptyText) {
    if (!svg) { return; }
    var box = svg.viewBox.baseVal;
    var w = box.width, h = box.height, left = 44, right = 8, top = 8, bottom = 18;
    var n = data.minutes, max = 0;
    data.series.forEach(function (s) { s[key].forEach(function (v) { max = Math.max(max, v); }); });
    svg.replaceChildren();
    var top_ = niceMax(max);
    var x = function (i) { return left + (w - left - right) * i / Math.max(1, n - 1); };
    var y = function (v) { return h - bottom - (h - top - bottom) * v / top_; };
    [0, 0.5, 1].forEach(function (f) {
      el('line', { x1: left, x2: w - right, y1: y(top_ * f), y2: y(top_ * f), 'class': 'grid' }, svg);
      el('text', { x: left - 4, y: y(top_ * f) + 3, 'class': 'tick y' }, svg).textContent = String(top_ * f);
    });
    for (var i = 0; i < n; i += 15) {
      el('text', { x: x(i), y: h - 4, 'class': 'tick' }, svg).textContent = hhmm(data.first + i * 60000);
    }
    el('text', { x: x(n - 1), y: h - 4, 'class': 'tick end' }, svg).textContent = 'now';
    if (max === 0) {
      el('text', { x: (left + w) / 2, y: (top + h - bottom) / 2, 'class': 'none' }, svg).textContent = emptyText;
      return;
    }
    data.series.forEach(function (s, k) {
      if (s[key].every(function (v) { return v === 0; })) { return; }
      var points = s[key].map(function (v, i) { return x(i).toFixed(1) + ',' + y(v).toFixed(1); }).join(' ');
      var g = el('g', { 'class': 'series s' + (k % 8), 'data-entrypoint': s.entrypoint }, svg);
      el('title', {}, g).textContent = s.entrypoint;
      el('polyline', { points: points }, g);
      s[key].forEach(function (v, i) {
        if (v > 0) {
          var dot = el('circle', { cx: x(i).toFixed(1), cy: y(v).toFixed(1), r: 2.2 }, g);
          el('title', {}, dot).textContent = hhmm(data.first + i * 60000) + ' UTC ' + s.entrypoint + ': ' + v;
        }
      });
    });
  }

  function totals(data) {
    var table = document.getElementById('throughput-totals');
    if (!table) { return; }
    var body = table.tBodies[0];
    var rows = data.series.map(function (s, k) {
      var sum = function (a) { return a.reduce(function (x, y) { return x + y; }, 0); };
      var tr = document.createElement('tr');
      tr.setAttribute('data-entrypoint', s.entrypoint);
      var name = cell(s.entrypoint);
      var swatch = document.createElement('span');
      swatch.className = 'swatch s' + (k % 8);
      name.insertBefore(swatch, name.firstChild);
      tr.appendChild(name);
      tr.appendChild(cell(sum(s.finished), 'num'));
      tr.appendChild(cell(sum(s.failures), 'num'));
      return tr;
    });
    if (rows.length === 0) {
      rows.push(emptyRow('No job finished in the last hour.', 3));
    }
    body.replaceChildren.apply(body, rows);
    var all = function (key) {
      return data.series.reduce(function (t, s) { return t + s[key].reduce(function (x, y) { return x + y; }, 0); }, 0);
    };
    text('throughput-total', all('finished'));
    text('throughput-failures', all('failures'));
  }

  function drawThroughput(data) {
    lineChart(document.getElementById('chart-finished'), data, 'finished', 'no job finished in the last hour');
    lineChart(document.getElementById('chart-failures'), data, 'failures', 'no failures in the last hour');
    totals(data);
  }

  var chart = document.getElementById('throughput');
  if (chart) {
    drawThroughput(JSON.parse(chart.getAttribute('data-throughput')));
  }

  if (window.EventSource) {
    var events = new EventSource(base + '/events' + (chart ? '?charts=1' : ''));
    events.addEventListener('queue', function (e) { show(JSON.parse(e.data)); });
    events.addEventListener('throughput', function (e) {
      drawThroughput(JSON.parse(e.data));
      count('data-chart-events');
    });
    events.addEventListener('offline', function () { text('live-state', 'database connection lost, reconnecting…'); });
    events.onerror = function () { text('live-state', 'reconnecting…'); };
  } else {
    text('live-state', 'no live updates in this browser');
  }

  Array.prototype.forEach.call(document.querySelectorAll('input[data-select-all]'), function (box) {
    box.addEventListener('change', function () {
      Array.prototype.forEach.call(box.form.querySelectorAll('input[name=ids]'), function (c) { c.checked = box.checked; });
    });
  });

  // Cancel deletes jobs (a running one is stopped by its worker): ask first, naming how many.
  Array.prototype.forEach.call(document.querySelectorAll('button[data-confirm=cancel]'), function (button) {
    button.addEventListener('click', function (e) {
      var form = button.form;
      var boxes = form.querySelectorAll('input[type=checkbox][name=ids]');
      var n = boxes.length === 0 ? form.querySelectorAll('input[name=ids]').length
        : Array.prototype.filter.call(boxes, function (c) { return c.checked; }).length;
      if (n === 0) { return; } // the server says "select at least one job"
      var what = n === 1 ? 'this job' : 'these ' + n + ' jobs';
      if (!window.confirm('Cancel ' + what + '? A queued or held job is deleted and logged canceled; a running one is '
          + 'stopped by its worker. This cannot be undone.')) {
        e.preventDefault();
      }
    });
  });
})();
