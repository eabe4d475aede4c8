// Moves the comment form under the comment being answered, as WordPress does.
// Without JavaScript the Reply link opens ?replytocom=ID#respond, which works too.
(function () {
  "use strict";
  // The time the form was shown, signed by the server: the page is the same cached
  // bytes for everyone, so it is fetched here. A form sent without it (no script) is
  // held for a moderator; one sent a second after the page was drawn is a bot's.
  var shown = document.getElementById("tribune_shown");
  var postField = document.getElementById("comment_post_ID");
  if (shown && postField && !shown.value && window.fetch) {
    window.fetch("/comments/shown?post=" + encodeURIComponent(postField.value), {
      credentials: "same-origin",
      cache: "no-store"
    }).then(function (res) {
      return res.ok ? res.text() : "";
    }).then(function (token) {
      if (!shown.value) shown.value = token.trim();
    }).catch(function () {});
  }
  // A refused comment comes back at #respond: put the reader on what went wrong (after
  // the browser has scrolled to #respond, which would otherwise take the focus back).
  var problem = document.getElementById("comment-errors") || document.getElementById("comment-notice");
  if (problem) {
    window.addEventListener("load", function () {
      window.setTimeout(function () { problem.focus(); }, 0);
    });
  }
  // "Save my name, email, and website in this browser for the next time I comment":
  // kept in this browser's storage, filled in here, never sent until the form is — so
  // the page stays the same cached bytes for everyone.
  var consent = document.getElementById("wp-comment-cookies-consent");
  var commentForm = document.getElementById("commentform");
  var storeKey = "tribune-commenter";
  var remembered = ["author", "email", "url"];
  if (consent && commentForm) {
    var storage = null;
    try { storage = window.localStorage; } catch (e) { storage = null; }
    if (storage) {
      var saved = null;
      try { saved = JSON.parse(storage.getItem(storeKey) || "null"); } catch (e) { saved = null; }
      if (saved) {
        remembered.forEach(function (name) {
          var field = commentForm.elements[name];
          if (field && !field.value && typeof saved[name] === "string") field.value = saved[name];
        });
        consent.checked = true;
      }
      commentForm.addEventListener("submit", function () {
        try {
          if (consent.checked) {
            var details = {};
            remembered.forEach(function (name) {
              var field = commentForm.elements[name];
              details[name] = field ? field.value : "";
            });
            storage.setItem(storeKey, JSON.stringify(details));
          } else {
            storage.removeItem(storeKey);
          }
        } catch (e) { /* storage full or refused: the comment is sent all the same */ }
      });
    }
  }

  var respond = document.getElementById("respond");
  var parentField = document.getElementById("comment_parent");
  var cancel = document.getElementById("cancel-comment-reply-link");
  var title = respond && respond.querySelector(".reply-title-text");
  if (!respond || !parentField || !cancel || !title) return;
  var home = document.createElement("div");
  home.id = "respond-home";
  home.hidden = true;
  respond.parentNode.insertBefore(home, respond);

  function setTitle(name) {
    title.textContent = name
      ? title.getAttribute("data-reply-pattern").replace("%s", name)
      : title.getAttribute("data-default");
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".comment-reply-link");
    if (!link) return;
    event.preventDefault();
    var id = link.getAttribute("data-commentid");
    var body = document.getElementById("div-comment-" + id);
    if (!body) return;
    body.parentNode.insertBefore(respond, body.nextSibling);
    parentField.value = id;
    cancel.hidden = false;
    setTitle(link.getAttribute("data-author"));
    document.getElementById("comment").focus();
  });

  // "Connecting to Google…" while the sign-in runs.
  Array.prototype.forEach.call(document.querySelectorAll(".signin-providers .provider"), function (button) {
    button.addEventListener("click", function () {
      var note = document.createElement("p");
      note.className = "connecting";
      note.setAttribute("role", "status");
      note.textContent = button.getAttribute("data-connecting");
      button.parentNode.appendChild(note);
    });
  });

  cancel.addEventListener("click", function (event) {
    event.preventDefault();
    home.parentNode.insertBefore(respond, home);
    parentField.value = "0";
    cancel.hidden = true;
    setTitle(null);
    document.getElementById("comment").focus();
  });
  // The reader's own comments, still open to change from this browser: the cookie
  // (written when each was stored, signed, checked again on the server) lists them.
  var tools = document.getElementById("own-comment-tools");
  var own = document.cookie.split("; ").filter(function (c) {
    return c.indexOf("tribune_own=") === 0;
  })[0];
  if (tools && own && tools.content) {
    var now = Date.now() / 1000;
    own.slice("tribune_own=".length).split("~").forEach(function (entry) {
      var parts = entry.split(".");
      var id = parseInt(parts[0], 10), until = parseInt(parts[1], 10);
      var body = document.getElementById("div-comment-" + id);
      if (!id || !(until > now) || !body || body.querySelector(".comment-own")) return;
      var node = tools.content.firstElementChild.cloneNode(true);
      var link = node.querySelector("a");
      link.setAttribute("href", "/comments/" + id + "/edit");
      body.appendChild(node);
    });
  }
})();
