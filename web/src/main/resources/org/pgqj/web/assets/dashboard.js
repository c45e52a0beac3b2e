// pgqj dashboard: live queue numbers from server-sent events, and select-all boxes. No inline script anywhere
// (the Content-Security-Policy forbids it); every value goes into the page as text, never as HTML.
(function () {
  'use strict';
  var base = document.body.getAttribute('data-base') || '';

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

  function sizeRow(r) {
    var tr = document.createElement('tr');
    var name = document.createElement('td');
    var link = document.createElement('a');
    link.href = base + '/jobs?entrypoint=' + encodeURIComponent(r.entrypoint);
    link.textContent = r.entrypoint;
    name.appendChild(link);
    tr.appendChild(name);
    tr.appendChild(cell(r.queued, 'num'));
    tr.appendChild(cell(r.picked, 'num'));
    tr.appendChild(cell(r.failed, 'num'));
    tr.appendChild(cell(r.total, 'num'));
    return tr;
  }

  function show(snapshot) {
    text('live-queued', snapshot.queued);
    text('live-picked', snapshot.picked);
    text('live-failed', snapshot.failed);
    text('n-queued', snapshot.queued);
    text('n-picked', snapshot.picked);
    text('n-failed', snapshot.failed);
    var body = document.getElementById('sizes-body');
    if (body) {
      var rows = snapshot.entrypoints.map(sizeRow);
      if (rows.length === 0) {
        var tr = document.createElement('tr');
        tr.className = 'empty';
        var td = cell('The queue is empty.');
        td.colSpan = 5;
        tr.appendChild(td);
        rows.push(tr);
      }
      body.replaceChildren.apply(body, rows);
    }
    text('live-state', 'live, ' + new Date(snapshot.at).toISOString().substring(11, 19) + ' UTC');
    var n = parseInt(document.body.getAttribute('data-live-events'), 10) || 0;
    document.body.setAttribute('data-live-events', String(n + 1));
  }

  if (window.EventSource) {
    var events = new EventSource(base + '/events');
    events.addEventListener('queue', function (e) { show(JSON.parse(e.data)); });
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
})();
