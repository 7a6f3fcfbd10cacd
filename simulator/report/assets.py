"""The report page's style sheet and its one script, inlined into every report (the file
must open from disk with nothing to fetch)."""

from __future__ import annotations

__all__ = ["SCRIPT", "STYLE"]

STYLE = """
:root { --ok: #2e7d32; --bad: #c62828; --muted: #616161; --line: #e0e0e0; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #212121;
       margin: 0; background: #fafafa; }
header, section { max-width: 1200px; margin: 0 auto; padding: 12px 24px; }
header { border-bottom: 1px solid var(--line); background: #fff; max-width: none; }
h1 { font-size: 22px; margin: 4px 0; } h2 { font-size: 19px; margin: 20px 0 4px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
section.scenario { background: #fff; border: 1px solid var(--line); border-radius: 6px;
                   margin: 16px auto; }
.pass { color: var(--ok); font-weight: 600; } .fail { color: var(--bad); font-weight: 600; }
.muted { color: var(--muted); }
table { border-collapse: collapse; font-size: 13px; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--line);
         vertical-align: top; }
th { background: #f5f5f5; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.grid.wide { grid-template-columns: repeat(auto-fit, minmax(540px, 1fr)); }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(270px, 1fr)); gap: 12px; }
.legend { display: flex; flex-wrap: wrap; gap: 12px; font-size: 12px; margin: 4px 0; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px;
            vertical-align: -2px; border-radius: 2px; }
tr.mismatch td { background: #ffebee; }
tr.failed-check td { background: #fff3e0; }
.filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 6px 0; }
.filters select, .filters input { font: inherit; padding: 2px 4px; }
.scroll { max-height: 480px; overflow: auto; border: 1px solid var(--line); }
.scroll thead th { position: sticky; top: 0; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
details > summary { cursor: pointer; color: var(--muted); }
"""

# Filters the per-message tables: every control of a `.filters` block narrows the rows of the
# table it names (data-table); a row's data-* attributes carry what is filtered on.
SCRIPT = """
(function () {
  document.querySelectorAll('.filters').forEach(function (box) {
    var table = document.getElementById(box.dataset.table);
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var text = rows.map(function (r) { return r.textContent.toLowerCase(); });
    var shown = box.querySelector('.shown');
    function apply() {
      var want = {};
      box.querySelectorAll('select').forEach(function (s) { want[s.name] = s.value; });
      var needle = box.querySelector('input[type=search]').value.toLowerCase();
      var odd = box.querySelector('input[type=checkbox]').checked;
      var n = 0;
      rows.forEach(function (row, i) {
        var ok = (!odd || row.classList.contains('mismatch')) &&
          (!needle || text[i].indexOf(needle) >= 0);
        for (var key in want) { if (want[key] && row.dataset[key] !== want[key]) ok = false; }
        row.style.display = ok ? '' : 'none';
        if (ok) n += 1;
      });
      shown.textContent = n + ' of ' + rows.length + ' shown';
    }
    box.addEventListener('input', apply);
    box.addEventListener('change', apply);
    apply();
  });
})();
"""
