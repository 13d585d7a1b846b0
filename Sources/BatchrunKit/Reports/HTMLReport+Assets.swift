/// The page's stylesheet and script, inline: the page loads nothing.
extension HTMLReport {
  /// The page's style sheet.
  static let css = """
    :root{--ok:#2f9e5f;--fail:#d64541;--timeout:#e8912d;--cancel:#8e8e93;--skip:#c8c8cc;--unknown:#6b7fd7;
    --fg:#1d1d1f;--muted:#6e6e73;--bg:#fff;--panel:#f5f5f7;--line:#e3e3e8;--lane:26px}
    @media (prefers-color-scheme:dark){:root{--fg:#f2f2f7;--muted:#a1a1a6;--bg:#1c1c1e;--panel:#2c2c2e;
    --line:#3a3a3c;--skip:#5a5a5e}}
    *{box-sizing:border-box}
    body{margin:0;padding:20px 24px 48px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
    color:var(--fg);background:var(--bg)}
    code,pre{font-family:ui-monospace,"SF Mono",Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12px}
    h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:26px 0 8px}
    .meta,.note,.hint{color:var(--muted)}.meta{margin:0 0 14px}
    .badge{display:inline-block;white-space:nowrap;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;font-weight:600;
    vertical-align:middle;background:var(--c)}
    .st-succeeded{--c:var(--ok)}.st-failed{--c:var(--fail)}.st-timed_out{--c:var(--timeout)}
    .st-cancelled{--c:var(--cancel)}.st-skipped{--c:var(--skip)}.st-up_to_date{--c:var(--ok);opacity:.6}.st-incomplete,.st-unknown{--c:var(--unknown)}
    .facts{display:flex;flex-wrap:wrap;gap:8px 32px;margin:0 0 12px}.facts dt{color:var(--muted);font-size:12px}
    .facts dd{margin:0;font-size:18px;font-weight:600}.facts .time{font-size:14px;font-weight:400;line-height:27px}
    .counts,.legend{display:flex;flex-wrap:wrap;gap:6px 18px;list-style:none;padding:0;margin:0 0 8px}
    .counts .zero{color:var(--muted)}.legend{margin-top:8px;font-size:12px}
    .swatch{display:inline-block;width:12px;height:12px;border-radius:3px;background:var(--c);margin-right:6px;
    vertical-align:-1px}
    .af .swatch,.b.af{background-image:repeating-linear-gradient(135deg,transparent 0 3px,
    rgba(255,255,255,.5) 3px 6px)}
    .cp-key .swatch{background:transparent;box-shadow:inset 0 0 0 2px var(--fg)}
    .critical code{background:var(--panel);padding:0 4px;border-radius:3px}
    .toolbar{display:flex;gap:6px;align-items:center;margin-bottom:6px}
    .toolbar button{font:inherit;min-width:30px;padding:1px 8px;border:1px solid var(--line);border-radius:4px;
    background:var(--panel);color:var(--fg);cursor:pointer}
    .hint{margin-left:auto;font-size:12px}
    .timeline{display:flex;border:1px solid var(--line);border-radius:6px;overflow:hidden}
    .gutter{flex:none;width:40px;border-right:1px solid var(--line);background:var(--panel)}
    .axis-space,.axis{height:22px;border-bottom:1px solid var(--line)}
    .lane-label{height:var(--lane);line-height:var(--lane);font-size:11px;color:var(--muted);text-align:center}
    .scroll{flex:1;min-width:0;overflow-x:auto;overflow-y:hidden}
    .canvas{position:relative;width:100%;min-width:100%;overflow:hidden}
    .tick{position:absolute;top:0;bottom:0;border-left:1px solid var(--line);pointer-events:none}
    .tick span{position:absolute;top:3px;left:3px;font-size:11px;color:var(--muted);white-space:nowrap}
    .lane{position:relative;height:var(--lane)}
    .b{position:absolute;top:4px;bottom:4px;min-width:3px;border-radius:3px;background-color:var(--c);
    border-right:1px solid var(--bg);cursor:pointer}
    .b.cp{box-shadow:inset 0 0 0 2px rgba(0,0,0,.45)}
    .b:hover,.b.pinned{outline:2px solid var(--fg);outline-offset:1px;z-index:2}
    .band{position:absolute;top:11px;height:4px;border-radius:2px;background:var(--line)}
    table{border-collapse:collapse;width:100%}
    th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
    th{font-size:12px;color:var(--muted);font-weight:600;position:sticky;top:0;background:var(--bg)}
    .c-id .id{font-weight:600;cursor:pointer}.c-description{display:block;color:var(--muted);font-size:12px}
    tr.cp .c-id .id{text-decoration:underline 2px var(--muted)}
    .c-command code{white-space:pre-wrap;overflow-wrap:anywhere}
    td.c-duration,td.c-attempts,td.c-start{text-align:right;font-variant-numeric:tabular-nums}
    .log-row td{padding-top:0}.log-row summary{cursor:pointer;color:var(--muted);font-size:12px}
    pre{margin:4px 0;padding:8px;background:var(--panel);border-radius:4px;overflow:auto;max-height:360px;
    white-space:pre-wrap;overflow-wrap:anywhere}
    #details{position:fixed;right:16px;bottom:16px;width:min(520px,calc(100vw - 32px));max-height:60vh;
    overflow:auto;background:var(--bg);border:1px solid var(--line);border-radius:8px;
    box-shadow:0 6px 24px rgba(0,0,0,.2);padding:12px 14px;z-index:10}
    #details[hidden],#details pre[hidden]{display:none}
    #details h3{margin:0 0 6px;font-size:15px;padding-right:24px;overflow-wrap:anywhere}
    #details dl{display:grid;grid-template-columns:auto 1fr;gap:2px 12px;margin:0}
    #details dt{color:var(--muted)}#details dd{margin:0;overflow-wrap:anywhere;white-space:pre-wrap}
    #details .attempts{margin:6px 0;padding-left:18px}#details .current{font-weight:600}
    #details dd.c-command{font-family:ui-monospace,"SF Mono",Menlo,Consolas,"DejaVu Sans Mono",monospace;
    font-size:12px}
    #details-close{position:absolute;top:6px;right:8px;border:0;background:none;font-size:18px;cursor:pointer;
    color:var(--muted)}

    """

  /// The page's script: details of a bar on hover (pinned on click, or from the address:
  /// `report.html#pin=JOB`), zoom, and `data-rendered` on `<body>`: how many bars the
  /// browser laid out.
  static let script = """
    (function () {
      "use strict";
      var canvas = document.getElementById("canvas");
      var panel = document.getElementById("details");
      var fields = [["status", "c-status"], ["exit", "c-exit"], ["duration", "c-duration"],
        ["attempts", "c-attempts"], ["worker", "c-worker"], ["start", "c-start"], ["reason", "c-reason"],
        ["description", "c-description"], ["command", "c-command"]];
      var pinned = null;
      var zoom = 1;
      function text(row, name) {
        var found = row.querySelector("." + name);
        return found ? found.textContent : "";
      }
      function barsOf(job) {
        return canvas ? canvas.querySelectorAll('.b[data-j="' + job + '"]') : [];
      }
      function show(bar) {
        var job = bar.getAttribute("data-j");
        var row = document.getElementById("job-" + job);
        if (!row) return;
        panel.querySelector("h3").textContent = text(row, "id");
        var list = panel.querySelector("dl");
        list.textContent = "";
        fields.forEach(function (field) {
          var value = text(row, field[1]);
          if (!value) return;
          var term = document.createElement("dt");
          term.textContent = field[0];
          var data = document.createElement("dd");
          data.textContent = value;
          data.className = field[1];
          list.appendChild(term);
          list.appendChild(data);
        });
        var attempts = panel.querySelector(".attempts");
        attempts.textContent = "";
        var bars = barsOf(job);
        for (var i = 0; bars.length > 1 && i < bars.length; i++) {
          var item = document.createElement("li");
          item.textContent = bars[i].title;
          if (bars[i] === bar) item.className = "current";
          attempts.appendChild(item);
        }
        var log = document.getElementById("log-" + job);
        var tail = panel.querySelector(".tail");
        tail.textContent = log ? log.textContent : "";
        tail.hidden = !log;
        panel.hidden = false;
      }
      function pin(bar) {
        if (pinned) pinned.classList.remove("pinned");
        pinned = bar;
        if (bar) {
          bar.classList.add("pinned");
          show(bar);
        } else {
          panel.hidden = true;
        }
      }
      if (canvas) {
        canvas.addEventListener("mouseover", function (event) {
          var bar = event.target.closest(".b");
          if (bar && !pinned) show(bar);
        });
        canvas.addEventListener("mouseleave", function () {
          if (!pinned) panel.hidden = true;
        });
        canvas.addEventListener("click", function (event) {
          var bar = event.target.closest(".b");
          pin(bar && bar !== pinned ? bar : null);
        });
      }
      document.getElementById("details-close").addEventListener("click", function () { pin(null); });
      document.addEventListener("keydown", function (event) {
        if (event.key === "Escape") pin(null);
      });
      function pinJob(row, scroll) {
        var bars = barsOf(row.id.slice(4));
        if (!bars.length) return;
        var last = bars[bars.length - 1];
        pin(last);
        if (scroll) last.scrollIntoView({ block: "center", inline: "center" });
      }
      document.getElementById("jobs").addEventListener("click", function (event) {
        var id = event.target.closest(".id");
        if (id) pinJob(id.closest("tr"), true);
      });
      // report.html#pin=JOB opens with JOB's details pinned.
      if (location.hash.indexOf("#pin=") === 0) {
        var wanted = decodeURIComponent(location.hash.slice(5));
        document.querySelectorAll("#jobs .id").forEach(function (id) {
          if (id.textContent === wanted) pinJob(id.closest("tr"), false);
        });
      }
      document.querySelectorAll("[data-zoom]").forEach(function (button) {
        button.addEventListener("click", function () {
          var factor = Number(button.getAttribute("data-zoom"));
          zoom = factor ? Math.min(Math.max(zoom * factor, 1), 512) : 1;
          if (canvas) canvas.style.width = zoom * 100 + "%";
        });
      });
      var all = canvas ? canvas.querySelectorAll(".b") : [];
      var drawn = 0;
      for (var k = 0; k < all.length; k++) {
        var box = all[k].getBoundingClientRect();
        if (box.width > 0 && box.height > 0) drawn++;
      }
      var lanes = canvas ? canvas.querySelectorAll(".lane").length : 0;
      document.body.setAttribute("data-rendered", String(drawn));
      document.getElementById("timeline-status").textContent = drawn + " bar" + (drawn === 1 ? "" : "s") +
        " drawn on " + lanes + " worker lane" + (lanes === 1 ? "" : "s");
    })();

    """
}
