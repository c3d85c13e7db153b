"""End-to-end test of a built kitei site in headless Chromium (Debian's chromium + chromedriver).

Usage: e2e.py SITE_DIR SCREENSHOT_DIR

Serves SITE_DIR on 127.0.0.1 (a free port), opens the home page, checks the incident-now box,
follows a link to a runbook, types a Japanese query into the search box and waits for a
result (over HTTP and again from file://), and saves screenshots at desktop and phone width.
Exits non-zero on any failure.
"""
import functools
import http.server
import os
import sys
import tempfile
import threading

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait


# Replaces Date before the page's scripts run: the clock stands at a fixed instant.
FIXED_CLOCK = """(function () {
  var Real = Date, fixed = Real.parse("%s");
  function Fixed() { return arguments.length ? new (Function.prototype.bind.apply(Real, [null].concat([].slice.call(arguments))))() : new Real(fixed); }
  Fixed.prototype = Real.prototype; Fixed.now = function () { return fixed; };
  Fixed.UTC = Real.UTC; Fixed.parse = Real.parse; window.Date = Fixed;
})();"""


def iso_utc(iso):
    from datetime import datetime, timezone
    t = datetime.fromisoformat(iso).astimezone(timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory):
    handler = functools.partial(QuietHandler, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def browser(width, height):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tempfile.mkdtemp()}", f"--window-size={width},{height}"]:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def main(site, shots):
    server = serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    driver = browser(1280, 1400)
    wait = WebDriverWait(driver, 15)
    try:
        driver.get(base + "index.html")
        box = driver.find_element(By.ID, "incident-now")
        assert box.find_elements(By.CSS_SELECTOR, "a[href^='tel:']"), "incident-now box has no tel: link"
        assert len(box.find_elements(By.CSS_SELECTOR, ".incident-now-steps ol li")) == 3, "incident-now box lacks three steps"
        driver.save_screenshot(os.path.join(shots, "home-desktop.png"))

        # Follow a link to a runbook.
        link = driver.find_element(By.CSS_SELECTOR, "#runbooks a[href^='runbook-']")
        link.click()
        wait.until(EC.url_contains("runbook-"))
        assert driver.find_elements(By.CSS_SELECTOR, "#detection"), "runbook page has no detection phase"
        assert driver.find_elements(By.CSS_SELECTOR, "input[type=checkbox]"), "runbook steps are not checklists"
        driver.save_screenshot(os.path.join(shots, "runbook-desktop.png"))

        # Japanese search: no spaces between words.
        query = driver.find_element(By.ID, "search-q")
        query.send_keys("個人情報")
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results li a"))
        results = driver.find_elements(By.CSS_SELECTOR, "#search-results li a")
        assert results and results[0].get_attribute("href"), "search returned no link"
        driver.save_screenshot(os.path.join(shots, "search-desktop.png"))
        assert driver.find_element(By.ID, "search-results").get_attribute("data-ms"), "no data-ms"
        # The index is loaded piecemeal: the page list, the shards of the query's bigrams and
        # some text chunks, never a whole-site file.
        loaded = driver.execute_script(
            "return performance.getEntriesByType('resource').map(function (e) { return e.name; })"
            ".filter(function (n) { return n.indexOf('/assets/search/') >= 0; })")
        assert any(n.endswith("/assets/search/pages.js") for n in loaded), loaded
        assert any("/assets/search/g/" in n for n in loaded), loaded
        # Spelling variants: 漏洩 finds the pages 漏えい finds (the example spells it 漏えい).
        def found(q):
            query = driver.find_element(By.ID, "search-q")
            query.clear()
            query.send_keys(q)
            wait.until(lambda d: d.find_element(By.ID, "search-results").get_attribute("data-q") == q)
            return sorted(a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "#search-results li a"))
        leak = found("漏えい")
        assert leak, "漏えい finds nothing"
        assert found("漏洩") == leak, "漏洩 does not find the pages 漏えい finds"
        assert found("ｳｲﾙｽ") == found("ウィルス") != [], "half-width and variant katakana differ"
        # An exact title hit comes first.
        found("緊急連絡網")
        first = driver.find_element(By.CSS_SELECTOR, "#search-results li a")
        assert first.text.strip() == "緊急連絡網", first.text
        results = driver.find_elements(By.CSS_SELECTOR, "#search-results li a")
        results[0].click()
        wait.until(lambda d: d.find_elements(By.TAG_NAME, "main"))

        # The same search from file:// (script tags only: no fetch, no XHR).
        driver.get("file://" + os.path.abspath(os.path.join(site, "index.html")))
        query = driver.find_element(By.ID, "search-q")
        query.send_keys("個人情報")
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results li a"))
        hrefs = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "#search-results li a")]
        assert hrefs and all(h.startswith("file://") for h in hrefs), hrefs
        snippets = driver.find_elements(By.CSS_SELECTOR, "#search-results li small")
        assert any("個人情報" in s.text for s in snippets), "no snippet shows the term"
    finally:
        driver.quit()

    # The number to call now: a Wednesday morning and a Saturday night in Tokyo (the example's
    # zone) highlight different channels; without the script none is highlighted. The contact
    # sheet's wallet card marks the same number (the same script).
    def highlighted(iso):
        d = browser(1280, 1000)
        try:
            d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": FIXED_CLOCK % iso})
            marked = []
            for page, box in [("index.html", "#incident-now"), ("contacts.html", "#wallet-card")]:
                d.get(base + page)
                assert d.execute_script("return new Date().toISOString()") == iso_utc(iso), "clock not set"
                items = d.find_elements(By.CSS_SELECTOR, f"{box} ol.call-list li")
                assert len(items) >= 2, f"{page}: {box} lists fewer than two channels"
                lit = [li for li in items if "open-now" in li.get_attribute("class").split()]
                assert len(lit) == 1, f"{page}: {len(lit)} channels highlighted at {iso}"
                assert lit[0].get_attribute("aria-current") == "true"
                assert lit[0].find_elements(By.CSS_SELECTOR, ".now-badge"), "no badge"
                marked.append(lit[0].find_element(By.CSS_SELECTOR, ".call").text)
            assert marked[0] == marked[1], f"the home box marks {marked[0]}, the wallet card {marked[1]}"
            return marked[0]
        finally:
            d.quit()
    weekday = highlighted("2026-12-02T10:00:00+09:00")
    saturday_night = highlighted("2026-12-05T23:30:00+09:00")
    assert weekday != saturday_night, f"the same channel is highlighted on a Saturday night: {weekday}"
    print(f"call now: Wednesday 10:00 -> {weekday}, Saturday 23:30 -> {saturday_night}")

    # Printed, the wallet card is business-card size (91 x 55 mm), at the top of the sheet.
    d = browser(1280, 1000)
    try:
        d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        d.get(base + "contacts.html")
        card = d.execute_script("""var r = document.getElementById('wallet-card').getBoundingClientRect();
            var h = document.querySelector('main h2:not(#wallet-card-title)').getBoundingClientRect();
            return {w: r.width, h: r.height, bottom: r.bottom, next: h.top};""")
        mm = 25.4 / 96
        width, height = card["w"] * mm, card["h"] * mm
        print(f"wallet card printed: {width:.1f} x {height:.1f} mm")
        assert width <= 91.5 and height <= 55.5, f"the wallet card prints at {width:.1f} x {height:.1f} mm, larger than 91 x 55 mm"
        assert card["bottom"] <= card["next"], "the wallet card is not above the contact tables"
    finally:
        d.quit()

    phone = browser(390, 844)
    try:
        # Headless windows have a minimum width; emulate the phone's viewport instead.
        phone.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                              {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
        phone.get(base + "index.html")
        viewport = phone.execute_script("return window.innerWidth")
        width = phone.execute_script("return document.documentElement.scrollWidth")
        assert viewport == 390, f"phone emulation failed (viewport {viewport}px)"
        assert width <= viewport, f"page is wider than the phone ({width}px > {viewport}px): not responsive"
        assert phone.find_element(By.ID, "incident-now").is_displayed()
        phone.save_screenshot(os.path.join(shots, "home-phone.png"))
    finally:
        phone.quit()
        server.shutdown()
    print("browser e2e: ok")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
