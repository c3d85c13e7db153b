/* kitei: marks the number to call now in every list of channels with opening hours
 * (`ol.call-list`, the home page's "incident now?" box). Each item carries `data-open`:
 * spans "start-end" of minutes of the week (0 = Monday 00:00) in the regulation's time zone,
 * whose offset from UTC in minutes is the list's `data-utc-offset`. The first item open now
 * gets the class `open-now`, `aria-current` and the list's `data-now-label` as a badge.
 * Without scripts the page lists every channel with its hours, in order. */
(function () {
  "use strict";
  function minuteOfWeek(offset) {
    var local = new Date(Date.now() + offset * 60000);
    var day = (local.getUTCDay() + 6) % 7; /* Monday = 0 */
    return day * 1440 + local.getUTCHours() * 60 + local.getUTCMinutes();
  }
  function isOpen(spans, minute) {
    return spans.split(",").some(function (span) {
      var se = span.split("-");
      return Number(se[0]) <= minute && minute < Number(se[1]);
    });
  }
  function mark() {
    var lists = document.querySelectorAll("ol.call-list[data-utc-offset]");
    Array.prototype.forEach.call(lists, function (list) {
      var minute = minuteOfWeek(Number(list.getAttribute("data-utc-offset")));
      var found = false;
      Array.prototype.forEach.call(list.querySelectorAll("li[data-open]"), function (li) {
        var old = li.querySelector(".now-badge");
        if (old) { old.parentNode.removeChild(old); }
        li.classList.remove("open-now");
        li.removeAttribute("aria-current");
        if (!found && isOpen(li.getAttribute("data-open"), minute)) {
          found = true;
          li.classList.add("open-now");
          li.setAttribute("aria-current", "true");
          var badge = document.createElement("strong");
          badge.className = "now-badge";
          badge.textContent = list.getAttribute("data-now-label");
          li.insertBefore(badge, li.firstChild);
        }
      });
      list.setAttribute("data-now", String(minute));
    });
  }
  mark();
  setInterval(mark, 60000);
})();
