"""CSS inlined into the widget, the "not published" page and the methodology page.

Colours meet WCAG 2.1 AA contrast (4.5:1) for text; the score-band colours carry white text and are
checked in ``tests/service/test_render.py``. Sizes are in rem/px so the widget stays readable in a
300 px wide iframe.
"""

FONT_STACK = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, '
    '"DejaVu Sans", sans-serif'
)

WIDGET_CSS = """
*,*::before,*::after{box-sizing:border-box}
html{font-family:__FONT__;font-size:14px;line-height:1.4;color:#1d2433;background:transparent;
 -webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0}
.w{max-width:520px;padding:14px 16px 12px;border:1px solid #d5dae3;border-radius:10px;background:#fff}
.vh{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);
 white-space:nowrap;border:0}
h1,h2,p,ul{margin:0;padding:0}
.eyebrow{font-size:.8rem;font-weight:600;color:#4a5565;text-transform:uppercase;letter-spacing:.03em}
h1{font-size:1.35rem;line-height:1.2;margin-top:2px;overflow-wrap:anywhere}
.score{display:flex;align-items:center;gap:12px;margin:12px 0 6px}
.dial{flex:none;width:76px;height:76px;border-radius:50%;display:flex;flex-direction:column;
 align-items:center;justify-content:center;color:#fff;background:var(--band)}
.dial .num{font-size:2rem;font-weight:700;line-height:1}
.dial .of{font-size:.72rem;opacity:.95}
.summary{min-width:0}
.band{display:inline-block;font-weight:700;color:var(--band)}
.int{font-size:.86rem;color:#4a5565}
.bar{position:relative;height:10px;margin:6px 3px 4px;background:#e7eaf0;border-radius:5px}
.bar .fill{position:absolute;left:0;top:0;bottom:0;border-radius:5px;background:var(--band)}
.bar .rng{position:absolute;top:-3px;bottom:-3px;border:2px solid #1d2433;border-radius:4px;opacity:.55;
 min-width:4px}
h2{font-size:.95rem;margin:10px 0 2px}
.pillars{list-style:none}
.pillars li{padding:4px 0 3px;border-top:1px solid #eef0f4}
.row{display:flex;justify-content:space-between;align-items:baseline;gap:8px}
.row .name{font-weight:600}
.row .val{font-weight:700;font-variant-numeric:tabular-nums}
.meta{font-size:.78rem;color:#4a5565}
footer{margin-top:8px;padding-top:7px;border-top:1px solid #d5dae3;font-size:.78rem;color:#4a5565}
footer p+p{margin-top:2px}
a{color:#1849a9;text-decoration:underline;text-underline-offset:2px}
a:focus-visible{outline:3px solid #1849a9;outline-offset:2px;border-radius:2px}
.low{--band:#b42318}.moderate{--band:#9a4d05}.good{--band:#2b6f31}.high{--band:#05603a}
@media (max-width:330px){.w{padding:12px}.dial{width:66px;height:66px}.dial .num{font-size:1.7rem}}
""".replace("__FONT__", FONT_STACK)

PAGE_CSS = """
*,*::before,*::after{box-sizing:border-box}
html{font-family:__FONT__;font-size:16px;line-height:1.5;color:#1d2433;background:#fff}
body{margin:0 auto;max-width:60rem;padding:1.5rem 1rem 3rem}
h1{font-size:1.6rem;line-height:1.25;margin:0 0 .5rem}
h2{font-size:1.25rem;margin:2rem 0 .5rem}
h3{font-size:1.05rem;margin:1.5rem 0 .4rem}
.lead{color:#4a5565}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.92rem}
caption{text-align:left;font-weight:600;padding:.3rem 0;color:#4a5565}
th,td{border-bottom:1px solid #d5dae3;padding:.4rem .5rem;text-align:left;vertical-align:top}
thead th{background:#f3f5f8}
tbody th{font-weight:600;min-width:14rem}
.why{display:block;font-weight:400;font-size:.85rem;color:#4a5565;margin-top:.15rem}
code{font-size:.8em;font-weight:400;color:#4a5565}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
a{color:#1849a9}
""".replace("__FONT__", FONT_STACK)
