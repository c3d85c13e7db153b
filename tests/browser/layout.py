"""Every page of built kitei sites at phone and desktop width, in headless Chromium.

Usage: layout.py SCREENSHOT_DIR [--axe AXE_MIN_JS] SITE_DIR [SITE_DIR ...]

Serves each SITE_DIR on 127.0.0.1 and loads every page of it (the top-level pages and the
first page of each archived version under v/) at 360, 390 and 1280 CSS pixels. Fails on:
- horizontal overflow (`document.documentElement.scrollWidth > innerWidth`);
- on a phone: a navigation that is not collapsed behind its menu button, a home page whose
  "incident now?" box is not the first thing under the header or starts below 300 px, a
  stacked table (`table.stack`) that is still a grid or has a filled cell without its column's
  `data-label`, a 新旧対照表 row whose 改正後 is not above its 改正前 or that lost its marks;
- on the desktop: a navigation that is hidden behind the menu button.
With --axe (axe-core's axe.min.js), one page of each kind is also checked by axe-core in the
light colour scheme at 1280 px and in the dark one at 390 px (`prefers-color-scheme` emulated
through the DevTools protocol): any serious or critical violation (contrast below 4.5:1, a
control without a name, …) fails. Keyboard focus (Tab) must show an outline, and printing
must use the light palette even when the system is dark.
Prints one line per site with the page count and saves a few phone screenshots.
"""
import functools
import http.server
import os
import sys
import tempfile
import threading

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys


WIDTHS = [360, 390, 1280]
PHONE = 640  # the stylesheet's narrow-screen breakpoint (40rem)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory):
    handler = functools.partial(QuietHandler, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tempfile.mkdtemp()}", "--window-size=1280,1000"]:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def pages(site):
    """Every top-level page, and the first page (index.html) of each archived version."""
    found = sorted(f for f in os.listdir(site) if f.endswith(".html"))
    archive = os.path.join(site, "v")
    if os.path.isdir(archive):
        for version in sorted(os.listdir(archive)):
            if os.path.exists(os.path.join(archive, version, "index.html")):
                found.append(f"v/{version}/index.html")
    return found


def set_width(driver, width):
    # Headless windows have a minimum width; emulate the viewport instead.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": 844 if width < PHONE else 1000,
        "deviceScaleFactor": 2 if width < PHONE else 1, "mobile": width < PHONE})


# Everything measured in one round trip: returns a list of problems (strings).
PROBE = r"""
var phone = arguments[0], problems = [];
var doc = document.documentElement;
if (doc.scrollWidth > window.innerWidth) {
  var wide = [];
  document.querySelectorAll('body *').forEach(function (e) {
    var r = e.getBoundingClientRect();
    if (r.right > window.innerWidth + 0.5 && wide.length < 3) {
      wide.push(e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : '') + ' (right ' + Math.round(r.right) + ')');
    }
  });
  problems.push('overflows: scrollWidth ' + doc.scrollWidth + ' > ' + window.innerWidth + ': ' + wide.join(', '));
}
function shown(e) { return !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden'; }
var menu = document.querySelector('header .nav-menu');
if (!menu) { problems.push('no navigation menu in the header'); }
else {
  var summary = menu.querySelector('summary'), first = menu.querySelector('ul a');
  if (phone) {
    if (!shown(summary)) problems.push('phone: the menu button is not shown');
    if (menu.open) problems.push('phone: the menu is open on load');
    if (shown(first) && first.getBoundingClientRect().height > 0 && first.checkVisibility && first.checkVisibility({contentVisibilityAuto: true})) problems.push('phone: navigation links are shown before the menu is opened');
  } else {
    if (!(first && first.checkVisibility && first.checkVisibility({contentVisibilityAuto: true}) && first.getBoundingClientRect().height > 0)) problems.push('desktop: navigation links are hidden');
    if (shown(summary)) problems.push('desktop: the menu button is shown');
  }
}
var box = document.getElementById('incident-now');
if (box && phone) {
  var top = box.getBoundingClientRect().top + window.scrollY;
  if (top > 300) problems.push('phone: #incident-now starts at ' + Math.round(top) + ' px');
  var header = document.querySelector('header.site-header');
  var main = document.querySelector('main');
  var before = [];
  for (var e = main.firstElementChild; e && e !== box; e = e.nextElementSibling) {
    if (shown(e) && e.getBoundingClientRect().height > 1) before.push(e.tagName.toLowerCase());
  }
  if (before.length) problems.push('phone: ' + before.join(', ') + ' shown above #incident-now');
}
if (phone) {
  document.querySelectorAll('table.stack').forEach(function (table, n) {
    var tr = table.querySelector('tbody tr');
    if (tr && getComputedStyle(tr).display !== 'block') problems.push('table.stack #' + n + ' is not stacked');
    table.querySelectorAll('tbody td').forEach(function (td) {
      if (td.textContent.trim() && !td.hasAttribute('data-label') && !td.classList.contains('holders')) {
        problems.push('table.stack #' + n + ': a filled cell without data-label: ' + td.textContent.trim().slice(0, 30));
      }
    });
  });
  document.querySelectorAll('table.shinkyu tbody tr').forEach(function (tr, n) {
    var cells = tr.querySelectorAll('td');
    var a = cells[0].getBoundingClientRect(), b = cells[1].getBoundingClientRect();
    if (!(a.bottom <= b.top + 1 && Math.abs(a.left - b.left) < 2)) problems.push('新旧対照表 row ' + n + ': 改正後 is not above 改正前');
  });
  document.querySelectorAll('table.shinkyu u').forEach(function (u, n) {
    if (n < 5 && getComputedStyle(u).textDecorationLine.indexOf('underline') < 0) problems.push('新旧対照表: a mark lost its underline');
  });
}
return problems;
"""


TOP = """var b = document.getElementById('incident-now');
return b ? Math.round(b.getBoundingClientRect().top + window.scrollY) : null;"""


def color_scheme(driver, scheme, media=""):
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
        "media": media, "features": [{"name": "prefers-color-scheme", "value": scheme}]})


BACKGROUND = "return getComputedStyle(document.documentElement).backgroundColor"
DARK_BACKGROUND = "rgb(13, 17, 23)"
AXE_RUN = """var done = arguments[0];
axe.run(document, {resultTypes: ['violations']}).then(function (r) {
  done(r.violations.map(function (v) {
    return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(function (n) {
      var why = n.any.concat(n.all, n.none)[0];
      return n.target.join(' ') + (why ? ': ' + why.message : '');
    })};
  }));
}, function (e) { done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]); });"""


def accessibility(driver, base, all_pages, axe):
    """axe-core on one page of each kind, light at 1280 px and dark at 390 px; focus; print."""
    failures, counts = [], {"serious/critical": 0, "moderate/minor": 0}
    by_kind = {}
    for page in all_pages:
        by_kind.setdefault(page.split("-")[0].split(".")[0], page)
    driver.set_script_timeout(120)
    for scheme, width in [("light", 1280), ("dark", 390)]:
        set_width(driver, width)
        color_scheme(driver, scheme)
        for page in sorted(by_kind.values()):
            driver.get(base + page)
            background = driver.execute_script(BACKGROUND)
            if (background == DARK_BACKGROUND) != (scheme == "dark"):
                failures.append(f"{page} ({scheme}): background {background}: the colour scheme did not apply")
            driver.execute_script(axe)
            for v in driver.execute_async_script(AXE_RUN):
                if v["impact"] in ("serious", "critical"):
                    counts["serious/critical"] += 1
                    failures.append(f"{page} ({scheme}, {width}px): {v['impact']} {v['id']}: {v['help']}: " + " | ".join(v["nodes"]))
                else:
                    counts["moderate/minor"] += 1
    # Keyboard users: the first Tab reaches the skip link, which shows itself with an outline;
    # the next focus (the site name) has an outline too.
    set_width(driver, 1280)
    for scheme in ["light", "dark"]:
        color_scheme(driver, scheme)
        driver.get(base + "index.html")
        for n in range(2):
            ActionChains(driver).send_keys(Keys.TAB).perform()
            focus = driver.execute_script("""var e = document.activeElement, s = getComputedStyle(e), r = e.getBoundingClientRect();
                return {tag: e.tagName, cls: e.className, outline: s.outlineStyle, width: parseFloat(s.outlineWidth),
                        seen: r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth};""")
            if focus["outline"] == "none" or focus["width"] < 2 or not focus["seen"]:
                failures.append(f"index.html ({scheme}): Tab {n + 1} focuses {focus}: no visible focus")
            if n == 0 and "skip" not in focus["cls"]:
                failures.append(f"index.html: the first Tab reaches {focus}, not the skip link")
    # Paper is light, whatever the screen's scheme.
    color_scheme(driver, "dark", media="print")
    driver.get(base + "index.html")
    if driver.execute_script(BACKGROUND) == DARK_BACKGROUND:
        failures.append("index.html: printing in dark mode uses the dark palette")
    color_scheme(driver, "light")
    return failures, len(by_kind), counts


def main(shots, sites, axe=None):
    driver = browser()
    failures = []
    try:
        for site in sites:
            server = serve(site)
            base = f"http://127.0.0.1:{server.server_address[1]}/"
            all_pages = pages(site)
            kinds, tops = set(), []
            try:
                for width in WIDTHS:
                    set_width(driver, width)
                    for page in all_pages:
                        driver.get(base + page)
                        assert driver.execute_script("return window.innerWidth") == width, "emulation failed"
                        for p in driver.execute_script(PROBE, width < PHONE):
                            failures.append(f"{os.path.basename(site)}/{page} at {width}px: {p}")
                        if page == "index.html" and width < PHONE:
                            tops.append(f"{width}px: {driver.execute_script(TOP)}")
                        kind = page.split("-")[0].split(".")[0]
                        if width == 390 and kind not in kinds:
                            kinds.add(kind)
                            driver.save_screenshot(os.path.join(shots, f"phone-{kind}.png"))
                if axe:
                    found, n, counts = accessibility(driver, base, all_pages, axe)
                    failures += [f"{os.path.basename(site)}/{f}" for f in found]
                    print(f"{site}: axe-core on {n} page kinds x light/dark: {counts}")
            finally:
                server.shutdown()
            print(f"{site}: {len(all_pages)} pages x {len(WIDTHS)} widths ({', '.join(sorted(kinds))});"
                  f" #incident-now top at {', '.join(tops)}")
    finally:
        driver.quit()
    if failures:
        print("\n".join(failures))
        sys.exit(1)
    print("layout: ok")


if __name__ == "__main__":
    args = sys.argv[2:]
    axe = None
    if args[:1] == ["--axe"]:
        with open(args[1], encoding="utf-8") as f:
            axe = f.read()
        args = args[2:]
    main(sys.argv[1], args, axe)
