//! Languages, as readers of each see them: a post's page speaks the post's language
//! whatever the site's, listings per language, linked translations, staff choosing
//! their own language, emails in their recipient's language, refusals and error pages
//! in the reader's language, digits as the site chose.

use reqwest::StatusCode;
use tribune::domain::job::{Job, JobKind};
use tribune::mail::OutgoingEmail;

use crate::each_backend;
use crate::support::{client, comment_id_of, TestServer};

fn encoded(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            percent_encoding::utf8_percent_encode(seg, percent_encoding::NON_ALPHANUMERIC)
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The emails queued so far.
async fn emails(s: &TestServer) -> Vec<OutgoingEmail> {
    let mut jobs = s.store.jobs(None, 1000).await.unwrap();
    jobs.sort_by_key(|j| j.id);
    jobs.into_iter()
        .filter(|j| j.kind == JobKind::Email.as_str())
        .filter_map(|j| match j.job() {
            Ok(Job::Email(e)) => Some(e),
            _ => None,
        })
        .collect()
}

each_backend!(
    an_arabic_post_speaks_arabic_on_an_english_site,
    arabic_post_on_english_site
);

async fn arabic_post_on_english_site(s: &TestServer) {
    s.setup_admin().await;
    let (ar_id, ar_link) = s
        .publish_in("ar", "بيان بشأن الميزانية", "نص البيان.")
        .await;
    let (_, en_link) = s.publish_in("en", "Statement on the Budget", "Text.").await;
    let reader = client();

    let page = s.get_with(&reader, &encoded(&ar_link)).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("<html lang=\"ar\" dir=\"rtl\">")
        .assert_contains("اترك تعليقًا")
        .assert_contains("لن يُنشر عنوان بريدك الإلكتروني.")
        .assert_contains("أرسل التعليق")
        .assert_contains("نُشر في")
        .assert_lacks("Leave a Reply");
    // The date in Arabic, with Arabic-Indic digits.
    assert!(page.body.contains("٢٠٢"), "Arabic digits in the date");
    // One page for every anonymous reader, whatever language their browser asks for:
    // the post's language decides, so the page cache keeps one copy.
    for asked in ["en-GB,en;q=0.9", "ckb", "fr"] {
        let other = client()
            .get(s.url(&encoded(&ar_link)))
            .header("accept-language", asked)
            .send()
            .await
            .unwrap();
        let other = crate::support::Response::new(other).await;
        assert_eq!(other.body, page.body, "Accept-Language: {asked}");
    }

    // A refused comment comes back in Arabic, with the text kept.
    let res = s
        .post_with(
            &reader,
            "/comments",
            &[
                ("comment_post_ID", &ar_id.to_string()),
                ("comment_parent", "0"),
                ("author", ""),
                ("email", "x"),
                ("comment", "نص محفوظ"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("لم يُنشر تعليقك")
        .assert_contains("يُرجى إدخال اسمك.")
        .assert_contains("نص محفوظ");
    // A held comment shows its notice in Arabic.
    let held = s.comment(&reader, ar_id, 0, "أمينة", "شكرًا").await;
    // Back to the post (its address percent-encoded), not to the home page.
    assert_eq!(held.status, StatusCode::SEE_OTHER);
    let back = percent_encoding::percent_decode_str(&held.location())
        .decode_utf8()
        .unwrap()
        .into_owned();
    assert!(
        held.location().is_ascii() && back.starts_with(&format!("{ar_link}?unapproved=")),
        "{back}"
    );
    let mine = s.get_with(&reader, &held.location()).await;
    mine.assert_contains("تعليقك بانتظار المراجعة.");

    // The English post and the home page stay English.
    s.get_with(&reader, &en_link)
        .await
        .assert_contains("<html lang=\"en\" dir=\"ltr\">")
        .assert_contains("Leave a Reply");
    let home = s.get_with(&reader, "/").await;
    home.assert_contains("<html lang=\"en\" dir=\"ltr\">")
        .assert_contains("<article class=\"entry\" lang=\"ar\" dir=\"rtl\">");
}

each_backend!(
    each_language_has_its_listing_in_its_own_interface,
    language_listings
);

async fn language_listings(s: &TestServer) {
    s.setup_admin().await;
    s.publish_in("ckb", "ڕاگەیەندراو", "دەق.").await;
    s.publish_in("kmr", "Daxuyanî", "Nivîs.").await;
    s.publish_in("en", "Statement", "Text.").await;
    let ckb = s.get_with(&client(), "/ckb/").await;
    assert_eq!(ckb.status, StatusCode::OK);
    ckb.assert_contains("<html lang=\"ckb\" dir=\"rtl\">")
        .assert_contains("ڕاگەیەندراو")
        .assert_lacks(">Statement<")
        .assert_contains("خوێندنەوەی زیاتر")
        // The switcher names each language in its own script.
        .assert_contains(">Kurmancî</a>")
        .assert_contains(">English</a>");
    let kmr = s.get_with(&client(), "/kmr/").await;
    kmr.assert_contains("<html lang=\"kmr\" dir=\"ltr\">")
        .assert_contains("Xwendinê bidomîne")
        .assert_contains("Daxuyanî");
    // Page 1 has one address; a language Tribune does not ship is not a listing.
    let first = s.get_with(&client(), "/ckb/page/1/").await;
    assert_eq!(first.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(first.location(), "/ckb/");
    assert_eq!(
        s.get_with(&client(), "/xx/page/2/").await.status,
        StatusCode::NOT_FOUND
    );
}

each_backend!(linked_translations_point_at_each_other, linked_translations);

async fn linked_translations(s: &TestServer) {
    s.setup_admin().await;
    let (en_id, en_link) = s.publish_in("en", "Statement on the Budget", "Text.").await;
    let (ar_id, ar_link) = s.publish_in("ar", "بيان بشأن الميزانية", "نص.").await;
    // Link the Arabic one to the English one from the editor.
    let editor = s.get(&format!("/admin/posts/{ar_id}")).await;
    editor.assert_contains(&format!("<option value=\"{en_id}\""));
    let csrf = s.admin_csrf().await;
    let res = s
        .post(
            &format!("/admin/posts/{ar_id}"),
            &[
                ("csrf", &csrf),
                ("title", "بيان بشأن الميزانية"),
                ("body", "نص."),
                ("lang", "ar"),
                ("status", "published"),
                ("comments_open", "on"),
                ("translation_of", &en_id.to_string()),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let en = s.get_with(&client(), &en_link).await;
    let ar = s.get_with(&client(), &encoded(&ar_link)).await;
    for page in [&en, &ar] {
        page.assert_contains("<link rel=\"alternate\" hreflang=\"en\" href=\"http")
            .assert_contains("<link rel=\"alternate\" hreflang=\"ar\" href=\"http")
            .assert_contains(&format!(
                "<link rel=\"alternate\" hreflang=\"x-default\" href=\"{}{}\">",
                s.base, en_link
            ));
    }
    // "Also in", each language named in its own script, in the page's language.
    en.assert_contains("Also in:")
        .assert_contains("lang=\"ar\" dir=\"rtl\" rel=\"alternate\"")
        .assert_contains(">العربية</a>");
    ar.assert_contains("متوفر أيضًا بـ:")
        .assert_contains(">English</a>");
    // The editor lists the translation; unlinking takes the post out of the group.
    s.get(&format!("/admin/posts/{en_id}"))
        .await
        .assert_contains("بيان بشأن الميزانية");
    let group = s
        .store
        .post_by_id(ar_id)
        .await
        .unwrap()
        .unwrap()
        .translation_group;
    assert!(group.is_some());
    assert_eq!(
        s.store
            .post_by_id(en_id)
            .await
            .unwrap()
            .unwrap()
            .translation_group,
        group
    );
}

each_backend!(
    staff_and_readers_get_their_own_language,
    staff_and_reader_languages
);

async fn staff_and_reader_languages(s: &TestServer) {
    s.setup_admin().await;
    // The administrator reads the administration in Sorani.
    let csrf = s.admin_csrf().await;
    let res = s
        .post("/admin/profile", &[("csrf", &csrf), ("ui_lang", "ckb")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    s.get("/admin/")
        .await
        .assert_contains("<html lang=\"ckb\" dir=\"rtl\">")
        .assert_contains("پرۆفایل");
    let (ar_id, _) = s.publish_in("ar", "بيان", "نص.").await;
    // A guest comments on the Arabic post and ticks "notify me".
    let res = s
        .post_with(
            &client(),
            "/comments",
            &[
                ("comment_post_ID", &ar_id.to_string()),
                ("comment_parent", "0"),
                ("author", "سارا"),
                ("email", "sara@example.net"),
                ("comment", "سؤال"),
                ("subscribe_comments", "on"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let queued = emails(s).await;
    let moderation = queued
        .iter()
        .find(|e| e.to == "ada@example.org")
        .expect("the moderator hears of it");
    // In the moderator's administration language (Sorani), not the site's.
    assert!(
        moderation.subject.contains("تکایە پێیدا بچۆرەوە"),
        "{}",
        moderation.subject
    );
    assert!(moderation.html.contains("lang=\"ckb\" dir=\"rtl\""));
    let confirm = queued
        .iter()
        .find(|e| e.to == "sara@example.net")
        .expect("the guest is asked to confirm");
    // In the language of the page where she subscribed.
    assert!(
        confirm.subject.contains("يُرجى تأكيد اشتراكك"),
        "{}",
        confirm.subject
    );
    assert!(confirm.text.contains("للتأكيد:"), "{}", confirm.text);
    let _ = comment_id_of(&res.location());
    // Admin → Comments says how long ago, Admin → Jobs what each job is, in Sorani.
    s.get("/admin/comments")
        .await
        .assert_contains("لەمەوبەر")
        .assert_lacks(" ago");
    let mut jobs = String::new();
    // Both emails (the moderator's, the guest's confirmation) sent, however busy the
    // machine is.
    for _ in 0..200 {
        jobs = s.get("/admin/jobs?status=done").await.body;
        if jobs.contains("<td>ئیمەیڵ<br>") && jobs.contains(" ← sara@example.net") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(jobs.contains("<td>ئیمەیڵ<br>"), "{jobs}");
    assert!(jobs.contains(" ← sara@example.net"), "{jobs}");
    assert!(!jobs.contains(">Email<"), "{jobs}");
}

each_backend!(
    refusals_speak_the_site_language_and_digits_follow_the_setting,
    site_language_and_digits
);

async fn site_language_and_digits(s: &TestServer) {
    s.setup_admin().await;
    let (_, link) = s.publish_in("ar", "بيان", "نص.").await;
    let settings = |lang: &'static str, digits: &'static str| async move {
        let csrf = s.admin_csrf().await;
        let res = s
            .post(
                "/admin/settings",
                &[
                    ("csrf", &csrf),
                    ("title", "Ministry of Examples"),
                    ("tagline", ""),
                    ("site_url", &s.base),
                    ("language", lang),
                    ("digits", digits),
                    ("thread_depth", "5"),
                    ("posts_per_page", "10"),
                    ("max_comment_chars", "10000"),
                    ("avatars", "identicon"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    };
    settings("ar", "native").await;
    // A refused moderation link, in the site's language now Arabic.
    let bad = s
        .get_with(&client(), "/moderate/1/approve?exp=1&sig=0")
        .await;
    assert_eq!(bad.status, StatusCode::FORBIDDEN);
    bad.assert_contains("<html lang=\"ar\" dir=\"rtl\">")
        .assert_contains("غير مسموح");
    let page = s.get_with(&client(), &encoded(&link)).await;
    assert!(page.body.contains("٢٠٢"), "Arabic-Indic digits by default");
    settings("ar", "latin").await;
    let page = s.get_with(&client(), &encoded(&link)).await;
    assert!(
        !page.body.contains("٢٠٢"),
        "Latin digits when the site asks"
    );
    assert!(page.body.contains(" 202"), "the year in Latin digits");
    // The site language is one of the shipped ones, not free text.
    let csrf = s.admin_csrf().await;
    let res = s
        .post(
            "/admin/settings",
            &[
                ("csrf", &csrf),
                ("title", "Ministry of Examples"),
                ("language", "klingon"),
                ("thread_depth", "5"),
                ("posts_per_page", "10"),
                ("max_comment_chars", "10000"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
}
