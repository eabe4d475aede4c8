// The post editor's autosave: every 30 seconds, while the title, text or excerpt
// changed, what is in the editor is sent to /admin/posts/autosave. A new post becomes
// a draft on its first autosave (the form then updates that draft); a published
// post's autosave is kept aside, never shown to readers.
(function () {
  "use strict";
  var form = document.querySelector("form.editor");
  var status = document.getElementById("autosave-status");
  if (!form || !status || !window.fetch || !window.FormData) return;
  var fields = ["title", "body", "excerpt"];
  var value = function () {
    return fields.map(function (n) { return form.elements[n] ? form.elements[n].value : ""; }).join("\u0000");
  };
  var last = value();
  var busy = false;
  window.setInterval(function () {
    var now = value();
    if (busy || now === last || !form.elements.title.value.trim()) return;
    busy = true;
    var data = new FormData();
    data.append("csrf", form.elements.csrf.value);
    fields.forEach(function (n) { if (form.elements[n]) data.append(n, form.elements[n].value); });
    var id = form.getAttribute("data-post-id");
    if (id) data.append("post_id", id);
    window.fetch("/admin/posts/autosave", { method: "POST", body: new URLSearchParams(data), credentials: "same-origin" })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (answer) {
        busy = false;
        if (!answer) return;
        last = now;
        status.textContent = answer.said;
        if (!id && answer.id) {
          form.setAttribute("data-post-id", String(answer.id));
          form.setAttribute("action", "/admin/posts/" + answer.id);
          if (window.history && window.history.replaceState) window.history.replaceState(null, "", "/admin/posts/" + answer.id);
        }
      })
      .catch(function () { busy = false; });
  }, 30000);
})();
