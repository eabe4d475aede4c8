#!/usr/bin/env python3
"""Posts RATE guest comments a second to one post for SECONDS, each approved at once
(the site is set to approve guests), and checks how soon each shows on the post's
public page. Prints one line: posted, approved, held, and the delays in ms.

    comment_writer.py BASE POST_ID POST_PATH RATE SECONDS
"""
import http.client
import sys
import time
import urllib.parse


def main():
    base, post_id, path, rate, seconds = sys.argv[1:6]
    host = urllib.parse.urlsplit(base)
    rate, seconds = float(rate), float(seconds)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
    reader = http.client.HTTPConnection(host.hostname, host.port, timeout=10)

    def get(c, p):
        c.request("GET", p)
        r = c.getresponse()
        return r.status, r.read().decode("utf-8", "replace")

    _, shown = get(conn, f"/comments/shown?post={post_id}")
    time.sleep(3.2)  # the form time must be older than form_min_seconds
    posted = approved = held = 0
    delays = []
    start = time.monotonic()
    n = 0
    while time.monotonic() - start < seconds:
        n += 1
        due = start + n / rate
        text = f"Benchmark comment number {n} at {time.time():.3f}"
        form = urllib.parse.urlencode({
            "comment_post_ID": post_id, "comment_parent": "0",
            "author": f"Writer {n}", "email": f"writer{n}@example.org", "url": "",
            "comment": text, "tribune_shown": shown.strip(),
        })
        conn.request("POST", "/comments", form,
                     {"Content-Type": "application/x-www-form-urlencoded"})
        r = conn.getresponse()
        r.read()
        posted += 1
        at = time.monotonic()
        if "unapproved=" in (r.getheader("Location") or "") or r.status != 303:
            held += 1
        else:
            approved += 1
            while True:
                _, body = get(reader, path)
                if text in body:
                    delays.append((time.monotonic() - at) * 1000)
                    break
                if time.monotonic() - at > 5:
                    delays.append(float("inf"))
                    break
                time.sleep(0.01)
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    delays.sort()
    worst = delays[-1] if delays else float("nan")
    median = delays[len(delays) // 2] if delays else float("nan")
    print(f"{posted} {approved} {held} {median:.1f} {worst:.1f}")


if __name__ == "__main__":
    main()
