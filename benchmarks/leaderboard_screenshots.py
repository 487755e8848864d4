"""Screenshots of the leaderboard page at a laptop's and a phone's width (needs Chromium).

    python benchmarks/leaderboard_screenshots.py [leaderboard/index.html] [--out DIR]

Writes ``laptop.png`` (1366 px wide) and ``phone.png`` (390 px) with headless Chromium, and
reports, from the page as laid out at each width, whether the page scrolls sideways (it must
not: a wide table scrolls inside its wrapper) and whether any numeric cell wraps onto a second
line (none must). Exit 1 when either happens, 2 when no browser is found. The tests check the
markup and the style rules instead (tests/leaderboard/test_board_page.py); this needs a browser.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

WIDTHS = {"laptop": (1366, 900), "phone": (390, 844)}
#: Headless Chromium will not make a window narrower than this: narrower widths are shown in
#: an iframe of that width inside a wider window.
MIN_WINDOW = 500

#: Appended to a copy of the page: measures the layout once it is drawn and writes the answer
#: into the document's title, which ``--dump-dom`` prints.
PROBE = """<script>
window.addEventListener("load", () => {
  const doc = document.documentElement;
  const wrapped = [...document.querySelectorAll("td.num")].filter(td => {
    if (!td.textContent.trim()) return false;
    const range = document.createRange();
    range.selectNodeContents(td);
    const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    return tops.size > 1;
  }).length;
  const seen = "PROBE" + JSON.stringify({page: doc.scrollWidth, view: doc.clientWidth,
                                         wrapped: wrapped});
  document.title = seen;
  if (window.parent !== window) window.parent.postMessage(seen, "*");
});
</script>"""


def browser() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        if found := shutil.which(name):
            return found
    return None


def run(exe: str, *args: str) -> str:
    done = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu",
                           "--hide-scrollbars", *args], capture_output=True, text=True,
                          timeout=120)
    return done.stdout


def framed(page: Path, width: int, height: int) -> str:
    """A page showing ``page`` in an iframe ``width`` px wide; the probe's answer becomes its
    title."""
    return (f'<!DOCTYPE html><html><head><title></title></head><body style="margin:0">'
            f'<iframe src="{page.as_uri()}" style="border:0;width:{width}px;height:{height}px">'
            '</iframe><script>window.addEventListener("message", e => '
            "{ document.title = e.data; });</script></body></html>")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("page", nargs="?", default="leaderboard/index.html")
    p.add_argument("--out", default="leaderboard-screenshots")
    args = p.parse_args(argv)
    exe = browser()
    if exe is None:
        print("no Chromium found (apt-get install chromium)", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    page = Path(args.page).resolve()
    bad = False
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe.html"
        probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                         encoding="utf-8")
        for name, (w, h) in WIDTHS.items():
            shot = out / f"{name}.png"
            show, measure = page.as_uri(), probe.as_uri()
            if w < MIN_WINDOW:
                for src, dst in ((page, "show.html"), (probe, "measure.html")):
                    (Path(tmp) / dst).write_text(framed(src, w, h), encoding="utf-8")
                show, measure = ((Path(tmp) / "show.html").as_uri(),
                                 (Path(tmp) / "measure.html").as_uri())
            size = f"--window-size={max(w, MIN_WINDOW)},{h}"
            run(exe, size, f"--screenshot={shot.resolve()}", show)
            dom = run(exe, size, "--virtual-time-budget=5000", "--dump-dom", measure)
            m = re.search(r"PROBE(\{.*?\})</title>", dom)
            if m is None:
                print(f"{name}: could not measure the layout", file=sys.stderr)
                bad = True
                continue
            seen = json.loads(m[1])
            sideways = seen["page"] > seen["view"]
            print(f"{name} ({w} px): page {seen['page']} px wide in a {seen['view']} px view"
                  f"{' (scrolls sideways!)' if sideways else ''}; numeric cells wrapped: "
                  f"{seen['wrapped']}; {shot}")
            bad |= sideways or seen["wrapped"] > 0
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
