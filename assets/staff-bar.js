// Staff on the public site: the bar and each comment's moderation buttons. The page is
// the same cached bytes for every reader; only a browser with a staff session (its
// hint cookie) asks for these, and the server answers only for a session.
(function () {
  "use strict";
  if (!window.fetch || document.cookie.split("; ").indexOf("tribune_staff=1") < 0) return;
  var article = document.querySelector("article.post[id^='post-']");
  var post = article ? article.id.slice(5) : "";
  window.fetch("/admin/bar" + (post ? "?post=" + encodeURIComponent(post) : ""), {
    credentials: "same-origin",
    cache: "no-store"
  }).then(function (res) {
    return res.status === 200 ? res.json() : null;
  }).then(function (data) {
    if (!data) {
      // The session ended (elsewhere): forget the hint.
      document.cookie = "tribune_staff=; Max-Age=0; Path=/";
      return;
    }
    var holder = document.createElement("div");
    holder.innerHTML = data.bar;
    if (holder.firstElementChild) document.body.insertBefore(holder.firstElementChild, document.body.firstChild);
    document.body.classList.add("has-staff-bar");
    if (!data.comment_tools) return;
    var items = document.querySelectorAll(".comment-list li[id^='comment-']:not(.comment-pending)");
    Array.prototype.forEach.call(items, function (li) {
      var id = li.id.slice(8);
      var body = li.querySelector(":scope > .comment-body");
      if (!/^[0-9]+$/.test(id) || !body) return;
      var tools = document.createElement("div");
      tools.innerHTML = data.comment_tools.split("__ID__").join(id);
      var form = tools.firstElementChild;
      form.querySelector("input[name=return_to]").value = window.location.pathname;
      body.appendChild(form);
    });
  }).catch(function () {});
})();
