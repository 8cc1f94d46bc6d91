// The staff console's one script (issue 15), same-origin under the CSP (script-src 'self'; no inline script).
// On pages marked data-live (the queue, the handoff list): every 20 s ask /staff/live.json what changed; when
// something did, reload the page (its filters are in the address, so they are kept) unless someone is typing;
// for a new urgent item, raise a browser notification once the person allowed it.
(function () {
  "use strict";
  var body = document.body;
  var url = body && body.getAttribute("data-live");
  if (!url) { return; }
  var PERIOD = 20000;
  var signature = null;
  var known = null;

  function typing() {
    var el = document.activeElement;
    if (el && (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && el.type !== "submit"))) { return true; }
    var fields = document.querySelectorAll("textarea");
    for (var i = 0; i < fields.length; i++) { if (fields[i].value) { return true; } }
    return false;
  }

  function notify(fresh) {
    if (!fresh.length || !("Notification" in window) || Notification.permission !== "granted") { return; }
    try {
      new Notification("Helpline: urgent", { body: fresh.length + " new urgent item(s) need a person", tag: "helpline-urgent" });
    } catch (e) { /* some browsers allow notifications only from a service worker */ }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var fresh = known === null ? [] : data.urgent.filter(function (id) { return known.indexOf(id) < 0; });
        known = data.urgent;
        notify(fresh);
        if (signature !== null && data.signature !== signature && !typing()) {
          window.location.reload();
          return;
        }
        signature = data.signature;
      })
      .catch(function () { /* offline for a moment: try again next time */ });
  }

  var button = document.getElementById("enable-alerts");
  if (button && "Notification" in window) {
    if (Notification.permission === "default") {
      button.hidden = false;
      button.addEventListener("click", function () {
        Notification.requestPermission().then(function () { button.hidden = true; });
      });
    }
  }
  poll();
  window.setInterval(poll, PERIOD);
})();
