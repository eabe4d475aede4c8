#!/usr/bin/env python3
"""Reads a page as a link-preview service does: fetches it, extracts Open Graph,
Twitter card and JSON-LD metadata with `extruct` (PyPI), then fetches the image the
preview would show. Prints JSON, for tests/it/findable.rs.

Usage: preview.py URL
"""
import json
import sys
import urllib.request

import extruct
from w3lib.html import get_base_url

url = sys.argv[1]
req = urllib.request.Request(url, headers={"User-Agent": "facebookexternalhit/1.1"})
with urllib.request.urlopen(req, timeout=10) as res:
    html = res.read().decode("utf-8")
    final = res.geturl()
data = extruct.extract(html, base_url=get_base_url(html, final), syntaxes=["opengraph", "json-ld"], uniform=True)
og = data["opengraph"][0] if data["opengraph"] else {}
# Twitter's tags are <meta name=…>, which Open Graph parsers skip: read them as a card
# validator does.
from lxml import html as lhtml

doc = lhtml.fromstring(html)
twitter = {m.get("name"): m.get("content") for m in doc.xpath("//meta[starts-with(@name, 'twitter:')]")}
canonical = doc.xpath("//link[@rel='canonical']/@href")
image = None
if og.get("og:image"):
    with urllib.request.urlopen(og["og:image"], timeout=10) as res:
        body = res.read()
        image = {"status": res.status, "type": res.headers.get("Content-Type"), "bytes": len(body)}
print(json.dumps({"og": og, "twitter": twitter, "json_ld": data["json-ld"], "canonical": canonical, "image": image}, ensure_ascii=False))
