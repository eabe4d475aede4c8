#!/usr/bin/env python3
"""Writes a large, valid WordPress export (WXR 1.2) for import tests and benchmarks.

    python3 bench/gen_wxr.py --posts 2000 --comments 20 --big-post-comments 5000 --out large.xml

Every post gets --comments comments (every third one a reply to the one before), and one
extra post gets --big-post-comments. Text mixes Latin, Kurdish (Arabic script) and emoji,
with CDATA terminators and entities, so the file exercises what real exports contain.
Written as a stream: the generator itself uses little memory whatever the size.
"""
import argparse
import sys

WORDS = ("water council statement we call on everyone ئاو مافی هەمووانە "
         "people city river 💧 clean public health & safety").split()


def text(seed, n):
    return " ".join(WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(n))


def cdata(s):
    return "<![CDATA[" + s.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def comment(out, cid, parent, day, seed):
    body = text(seed, 60) + "\n\nA second paragraph with ]]> inside and <em>emphasis</em>."
    out.write(
        "\t\t<wp:comment>\n"
        f"\t\t\t<wp:comment_id>{cid}</wp:comment_id>\n"
        f"\t\t\t<wp:comment_author>{cdata('Reader ' + str(seed % 977))}</wp:comment_author>\n"
        f"\t\t\t<wp:comment_author_email>{cdata('reader' + str(seed % 977) + '@example.org')}</wp:comment_author_email>\n"
        "\t\t\t<wp:comment_author_url>https://reader.example.org/</wp:comment_author_url>\n"
        f"\t\t\t<wp:comment_author_IP>{cdata('192.0.2.' + str(seed % 250))}</wp:comment_author_IP>\n"
        f"\t\t\t<wp:comment_date>{cdata(day + ' 12:00:00')}</wp:comment_date>\n"
        f"\t\t\t<wp:comment_date_gmt>{cdata(day + ' 09:00:00')}</wp:comment_date_gmt>\n"
        f"\t\t\t<wp:comment_content>{cdata(body)}</wp:comment_content>\n"
        f"\t\t\t<wp:comment_approved>{cdata('1' if seed % 10 else '0')}</wp:comment_approved>\n"
        f"\t\t\t<wp:comment_type>{cdata('comment')}</wp:comment_type>\n"
        f"\t\t\t<wp:comment_parent>{parent}</wp:comment_parent>\n"
        "\t\t\t<wp:comment_user_id>0</wp:comment_user_id>\n"
        "\t\t</wp:comment>\n"
    )


SYLLABLES = "ka lo mi su te ra no vi de pa".split()
ARABIC = "بيان حول الأحداث في المدينة والمجلسُ البلديُّ".split()


def topic(k):
    """The k-th made-up word of the --topics vocabulary (four syllables, unique)."""
    return "".join(SYLLABLES[(k // 10 ** i) % 10] for i in range(4))


def topics(pid, n):
    """Three words of n for post pid, spread evenly: each word is in about 3/n of posts."""
    return [topic(pid * 7919 % n), topic(pid * 104729 % n), topic(pid % n)]


def post(out, pid, ncomments, next_cid, ntopics=0):
    day = f"{2010 + pid % 15:04d}-{1 + pid % 12:02d}-{1 + pid % 28:02d}"
    body = "\n\n".join(text(pid + k, 40) for k in range(8))
    title = f"Statement number {pid} &amp; more"
    if ntopics:
        words = topics(pid, ntopics)
        title += " on " + words[0]
        body += "\n\n" + " ".join(words)
        if pid % 10 == 0:
            body += "\n\n" + " ".join(ARABIC)
    out.write(
        "\t<item>\n"
        f"\t\t<title>{title}</title>\n"
        f"\t\t<link>https://big.example/{day.replace('-', '/')}/statement-{pid}/</link>\n"
        "\t\t<dc:creator><![CDATA[ada]]></dc:creator>\n"
        f"\t\t<content:encoded>{cdata(body)}</content:encoded>\n"
        "\t\t<excerpt:encoded><![CDATA[]]></excerpt:encoded>\n"
        f"\t\t<wp:post_id>{pid}</wp:post_id>\n"
        f"\t\t<wp:post_date>{cdata(day + ' 12:00:00')}</wp:post_date>\n"
        f"\t\t<wp:post_date_gmt>{cdata(day + ' 09:00:00')}</wp:post_date_gmt>\n"
        "\t\t<wp:comment_status><![CDATA[open]]></wp:comment_status>\n"
        f"\t\t<wp:post_name>{cdata('statement-' + str(pid))}</wp:post_name>\n"
        "\t\t<wp:status><![CDATA[publish]]></wp:status>\n"
        "\t\t<wp:post_type><![CDATA[post]]></wp:post_type>\n"
        "\t\t<wp:post_password><![CDATA[]]></wp:post_password>\n"
        f"\t\t<category domain=\"post_tag\" nicename=\"tag-{pid % 50}\">{cdata('Tag ' + str(pid % 50))}</category>\n"
        "\t\t<wp:postmeta><wp:meta_key><![CDATA[_plugin]]></wp:meta_key><wp:meta_value><![CDATA[x]]></wp:meta_value></wp:postmeta>\n"
    )
    for i in range(ncomments):
        cid = next_cid + i
        parent = cid - 1 if i % 3 == 2 else 0
        comment(out, cid, parent, day, cid)
    out.write("\t</item>\n")
    return next_cid + ncomments


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--posts", type=int, default=1000)
    p.add_argument("--comments", type=int, default=20)
    p.add_argument("--big-post-comments", type=int, default=0)
    p.add_argument("--out", default="-")
    p.add_argument("--topics", type=int, default=0,
                   help="give each post three of this many made-up words (and every tenth an Arabic sentence), for search")
    a = p.parse_args()
    out = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8", buffering=1 << 20)
    out.write(
        '<?xml version="1.0" encoding="UTF-8" ?>\n'
        '<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">\n'
        "<channel>\n\t<title>Big site</title>\n\t<link>https://big.example</link>\n"
        "\t<language>en</language>\n\t<wp:wxr_version>1.2</wp:wxr_version>\n"
        "\t<wp:base_site_url>https://big.example</wp:base_site_url>\n"
        "\t<wp:author><wp:author_login><![CDATA[ada]]></wp:author_login>"
        "<wp:author_email><![CDATA[ada@big.example]]></wp:author_email>"
        "<wp:author_display_name><![CDATA[Ada]]></wp:author_display_name></wp:author>\n"
    )
    cid = 1
    for pid in range(1, a.posts + 1):
        cid = post(out, pid, a.comments, cid, a.topics)
    if a.big_post_comments:
        post(out, a.posts + 1, a.big_post_comments, cid)
    out.write("</channel>\n</rss>\n")
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
