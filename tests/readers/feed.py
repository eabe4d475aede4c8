#!/usr/bin/env python3
"""Reads a feed as a feed reader would (Universal Feed Parser, `feedparser` on PyPI)
and prints what it understood as JSON, for tests/it/findable.rs.

Usage: feed.py URL
"""
import json
import sys

import feedparser

d = feedparser.parse(sys.argv[1])
out = {
    "bozo": bool(d.bozo),
    "bozo_exception": str(d.get("bozo_exception", "")),
    "version": d.version,
    "status": d.get("status"),
    "feed": {
        "title": d.feed.get("title"),
        "link": d.feed.get("link"),
        "language": d.feed.get("language"),
        "updated": d.feed.get("updated"),
        "id": d.feed.get("id"),
        "links": [
            {"rel": l.get("rel"), "href": l.get("href"), "type": l.get("type")}
            for l in d.feed.get("links", [])
        ],
    },
    "entries": [],
}
for e in d.entries:
    out["entries"].append(
        {
            "id": e.get("id"),
            "title": e.get("title"),
            "title_lang": (e.get("title_detail") or {}).get("language"),
            "link": e.get("link"),
            "author": e.get("author"),
            "published": e.get("published"),
            "published_parsed": list(e.published_parsed[:6]) if e.get("published_parsed") else None,
            "updated_parsed": list(e.updated_parsed[:6]) if e.get("updated_parsed") else None,
            "summary": e.get("summary"),
            "content": [c.get("value") for c in e.get("content", [])],
            "tags": [t.get("term") for t in e.get("tags", [])],
            "enclosures": [
                {"href": x.get("href"), "length": x.get("length"), "type": x.get("type")}
                for x in e.get("enclosures", [])
            ],
            "comments": e.get("comments"),
            "slash_comments": e.get("slash_comments"),
        }
    )
print(json.dumps(out, ensure_ascii=False))
