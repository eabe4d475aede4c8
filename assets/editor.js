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

// Media in the editor: "Add media" (a file chooser), files dropped on or pasted into
// the text, and "From the library" (a picker). Each file goes to /admin/media as the
// library's upload form would send it; the answer's Markdown is put where the cursor
// was. After an image, its alt text is asked for and saved to the library and the text.
(function () {
  "use strict";
  var form = document.querySelector("form.editor");
  var tools = document.getElementById("media-tools");
  if (!form || !tools || !window.fetch || !window.FormData) return;
  var body = form.elements.body;
  var statusLine = document.getElementById("media-status");
  var chooser = document.getElementById("media-file");
  var altBox = document.getElementById("media-alt");
  var altText = document.getElementById("media-alt-text");
  var altName = document.getElementById("media-alt-name");
  var dialog = document.getElementById("media-dialog");
  var featured = form.elements.featured_media;
  tools.querySelector(".with-script").hidden = false;
  tools.querySelector(".no-script-hint").hidden = true;
  var say = function (text, isError) {
    statusLine.textContent = text;
    statusLine.className = isError ? "field-error" : "";
    statusLine.setAttribute("role", isError ? "alert" : "status");
  };
  var insert = function (text) {
    var start = body.selectionStart, end = body.selectionEnd;
    if (typeof start !== "number") { start = end = body.value.length; }
    var before = body.value.slice(0, start), after = body.value.slice(end);
    var lead = before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? "\n" : "\n\n") : "";
    var trail = after && !/^\n/.test(after) ? "\n\n" : "";
    body.value = before + lead + text + trail + after;
    var at = (before + lead + text).length;
    body.setSelectionRange(at, at);
    body.dispatchEvent(new Event("input", { bubbles: true }));
  };
  var asked = null;
  var askAlt = function (item) {
    if (item.kind !== "image") return;
    asked = item;
    altName.textContent = item.name;
    altText.value = item.alt || "";
    altBox.hidden = false;
    altText.focus();
  };
  document.getElementById("media-alt-save").addEventListener("click", function () {
    if (!asked) return;
    var item = asked, alt = altText.value.trim();
    var data = new URLSearchParams();
    data.append("csrf", form.elements.csrf.value);
    data.append("do", "save");
    data.append("alt", alt);
    data.append("title", item.title || "");
    window.fetch("/admin/media/" + item.id, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (res) {
        if (!res.ok) throw new Error();
        var old = item.markdown, neu = "![" + alt.replace(/[\[\]\n\r]/g, " ") + "](" + item.url + ")";
        if (body.value.indexOf(old) >= 0) body.value = body.value.replace(old, neu);
        item.markdown = neu; item.alt = alt;
        altBox.hidden = true; asked = null;
        say(tools.getAttribute("data-done"), false);
        body.focus();
      })
      .catch(function () { say(tools.getAttribute("data-failed"), true); });
  });
  var queue = Promise.resolve();
  var upload = function (file) {
    queue = queue.then(function () {
      say(tools.getAttribute("data-uploading") + " " + file.name, false);
      var data = new FormData();
      data.append("csrf", form.elements.csrf.value);
      data.append("file", file, file.name || "pasted.png");
      return window.fetch("/admin/media", { method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (res) {
          return res.json().then(function (answer) { return { ok: res.ok, answer: answer }; },
            function () { return { ok: false, answer: { error: tools.getAttribute("data-failed") } }; });
        })
        .then(function (r) {
          if (!r.ok) { say(r.answer.error || tools.getAttribute("data-failed"), true); return; }
          insert(r.answer.markdown);
          say(tools.getAttribute("data-done") + " " + r.answer.name, false);
          addFeaturedChoice(r.answer);
          askAlt(r.answer);
        })
        .catch(function () { say(tools.getAttribute("data-failed"), true); });
    });
  };
  var addFeaturedChoice = function (item) {
    if (!featured || item.kind !== "image") return;
    for (var i = 0; i < featured.options.length; i++) if (featured.options[i].value === String(item.id)) return;
    var option = document.createElement("option");
    option.value = String(item.id);
    option.textContent = item.name;
    option.setAttribute("data-thumb", item.thumb);
    featured.insertBefore(option, featured.options[1] || null);
  };
  var showFeatured = function () {
    if (!featured) return;
    var preview = document.getElementById("featured-preview");
    var option = featured.options[featured.selectedIndex];
    var thumb = option && option.getAttribute("data-thumb");
    if (!thumb) { if (preview) preview.remove(); return; }
    if (!preview) {
      preview = document.createElement("img");
      preview.id = "featured-preview";
      preview.className = "featured-preview";
      preview.alt = "";
      featured.closest("fieldset").appendChild(preview);
    }
    preview.src = thumb;
  };
  if (featured) featured.addEventListener("change", showFeatured);
  var files = function (list) { for (var i = 0; i < list.length; i++) upload(list[i]); };
  document.getElementById("media-add").addEventListener("click", function () { chooser.click(); });
  chooser.addEventListener("change", function () { files(chooser.files); chooser.value = ""; });
  var hasFiles = function (e) {
    return e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types || [], "Files") >= 0;
  };
  body.addEventListener("dragover", function (e) {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
    body.classList.add("dropping");
  });
  body.addEventListener("dragleave", function () { body.classList.remove("dropping"); });
  body.addEventListener("drop", function (e) {
    body.classList.remove("dropping");
    if (!hasFiles(e) || !e.dataTransfer.files.length) return;
    e.preventDefault();
    body.focus();
    files(e.dataTransfer.files);
  });
  body.addEventListener("paste", function (e) {
    var list = e.clipboardData && e.clipboardData.files;
    if (!list || !list.length) return;
    e.preventDefault();
    files(list);
  });
  // The picker: the library's newest files, searched as one types.
  var grid = document.getElementById("media-dialog-items");
  var search = document.getElementById("media-dialog-search");
  var load = function () {
    window.fetch("/admin/media/pick?s=" + encodeURIComponent(search.value), { credentials: "same-origin" })
      .then(function (res) { return res.json(); })
      .then(function (answer) {
        grid.textContent = "";
        answer.items.forEach(function (item) {
          var li = document.createElement("li");
          li.className = "media-cell";
          if (item.kind === "image") {
            var img = document.createElement("img");
            img.src = item.thumb; img.alt = item.alt || ""; img.loading = "lazy";
            li.appendChild(img);
          }
          var name = document.createElement("span");
          name.className = "media-name"; name.dir = "auto"; name.textContent = item.name;
          li.appendChild(name);
          var add = document.createElement("button");
          add.type = "button"; add.textContent = grid.getAttribute("data-insert");
          add.addEventListener("click", function () { dialog.close(); body.focus(); insert(item.markdown); askAlt(item); });
          li.appendChild(add);
          if (item.kind === "image" && featured) {
            var feature = document.createElement("button");
            feature.type = "button"; feature.textContent = grid.getAttribute("data-feature");
            feature.addEventListener("click", function () {
              addFeaturedChoice(item);
              featured.value = String(item.id);
              showFeatured();
              dialog.close();
            });
            li.appendChild(feature);
          }
          grid.appendChild(li);
        });
      });
  };
  var typing = null;
  search.addEventListener("input", function () { window.clearTimeout(typing); typing = window.setTimeout(load, 250); });
  document.getElementById("media-browse").addEventListener("click", function () {
    load();
    if (dialog.showModal) dialog.showModal(); else dialog.setAttribute("open", "");
  });
  document.getElementById("media-dialog-close").addEventListener("click", function () { dialog.close(); });
})();
