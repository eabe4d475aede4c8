# Tribune — کوردیی ناوەندی (سۆرانی). وەرگێڕان بۆ ئەم پرۆژەیە نووسراوە؛ کۆ بەپێی CLDR:
# one و other. لە دوای ژمارە ناو بە تاک دێت («٣ لێدوان»).

## Times (dates and numbers themselves come from CLDR)
time-ago = { $unit ->
    [seconds] { PLURAL($count) ->
        [one] چرکەیەک لەمەوبەر
       *[other] { $count } چرکە لەمەوبەر
    }
    [minutes] { PLURAL($count) ->
        [one] خولەکێک لەمەوبەر
       *[other] { $count } خولەک لەمەوبەر
    }
    [hours] { PLURAL($count) ->
        [one] کاتژمێرێک لەمەوبەر
       *[other] { $count } کاتژمێر لەمەوبەر
    }
   *[days] { PLURAL($count) ->
        [one] دوێنێ
       *[other] { $count } ڕۆژ لەمەوبەر
    }
}
time-in = { $unit ->
    [seconds] { PLURAL($count) ->
        [one] لە چرکەیەکدا
       *[other] لە { $count } چرکەدا
    }
    [minutes] { PLURAL($count) ->
        [one] لە خولەکێکدا
       *[other] لە { $count } خولەکدا
    }
    [hours] { PLURAL($count) ->
        [one] لە کاتژمێرێکدا
       *[other] لە { $count } کاتژمێردا
    }
   *[days] { PLURAL($count) ->
        [one] سبەینێ
       *[other] لە { $count } ڕۆژدا
    }
}

## Site
skip-to-content = بازدان بۆ ناوەڕۆک
powered-by = بە Tribune بڵاوکراوەتەوە
latest-posts = دوایین بابەتەکان
page-n = پەڕەی { $n }
no-posts = هێشتا هیچ شتێک بڵاو نەکراوەتەوە.
continue-reading = خوێندنەوەی زیاتر
posts-navigation = بابەتی زیاتر
older-posts = → بابەتە کۆنەکان
newer-posts = بابەتە نوێکان ←
posted-on-by = بڵاوکراوەتەوە لە { $date } لەلایەن { $author }
comment-count = { PLURAL($count) ->
    [0] لێدوانێک بنووسە
    [one] یەک لێدوان
   *[other] { $count } لێدوان
}
not-found-title = پەڕەکە نەدۆزرایەوە
not-found-text = لەم ناونیشانەدا هیچ نییە. لەوانەیە گوازرابێتەوە، یان بەستەرەکە هەڵە نووسرابێت.
back-home = بڕۆ بۆ پەڕەی سەرەکی

## Comments
responses = { PLURAL($count) ->
    [0] هیچ وەڵامێک بۆ «{ $title }» نییە
    [one] یەک وەڵام بۆ «{ $title }»
   *[other] { $count } وەڵام بۆ «{ $title }»
}
awaiting-moderation = لێدوانەکەت چاوەڕێی پێداچوونەوەیە.
comment-type-pingback = پینگباک:
comment-type-trackback = تراکباک:
filed-under-category = پۆلەکان:
filed-under-tag = تاگەکان:
archive-category = پۆل: { $name }
archive-tag = تاگ: { $name }
reply = وەڵام
reply-to = وەڵامی { $name }
leave-a-reply = وەڵامێک بنووسە
leave-a-reply-to = وەڵامێک بۆ { $name } بنووسە
cancel-reply = هەڵوەشاندنەوەی وەڵام
email-not-published = ناونیشانی ئیمەیڵەکەت بڵاو ناکرێتەوە.
required-fields-marked = خانە پێویستەکان بە * دیاری کراون
field-body = لێدوان
field-name = ناو
field-email = ئیمەیڵ
field-url = ماڵپەڕ
post-comment = ناردنی لێدوان
comments-closed = لێدوان داخراوە.
comment-not-posted = لێدوانەکەت نەنێردرا. تکایە ئەمانە بپشکنە:

## Form problems
error-too-long = { $field } زۆر درێژە: { $len } پیت. سنوور { $max } پیتە.
error-body-required = تکایە لێدوانەکەت بنووسە.
error-name-required = تکایە ناوت بنووسە.
error-email-required = تکایە ناونیشانی ئیمەیڵەکەت بنووسە. هەرگیز پیشان نادرێت.
error-email-invalid = ئەم ئیمەیڵە دروست دیار نییە. هەڵەی نووسین بپشکنە.
error-url-invalid = ماڵپەڕ دەبێت ناونیشانێکی وێب بێت، وەک https://example.org.
error-rate-limited = زۆر خێرا دەینێریت. خولەکێک چاوەڕێ بکە و دووبارە بینێرەوە: لێدوانەکەت لێرە ماوە.
error-parent-invalid = ئەم فۆرمی وەڵامە لە ڕێگادا تێکچووە (ئەو لێدوانەی وەڵامی دەدەیتەوە ژمارە نییە). لێدوانەکەت لێرە ماوە؛ بابەتەکە دووبارە بکەرەوە و بینێرەوە.
error-duplicate = لێدوانی دووبارە دۆزرایەوە؛ وا دیارە پێشتر ئەمەت گوتووە. لە ڕێگادایە؛ پێویست ناکات دووبارە بینێریتەوە.
error-unavailable = ئێستا نەتوانرا لێدوانەکەت پاشەکەوت بکرێت: ماڵپەڕەکە سەرقاڵە یان لەم ساتەدا ناتوانێت بنووسێت. هیچ شتێک ون نەبووە؛ لە فۆرمەکەی خوارەوەدا ماوە. دوای خولەکێک دووبارە بینێرەوە.
error-not-stored = بەهۆی هەڵەیەک لە ماڵپەڕەکەدا لێدوانەکەت پاشەکەوت نەکرا. لە فۆرمەکەی خوارەوەدا ماوە؛ دووبارە هەوڵ بدەرەوە، ئەگەر هەر سەرنەکەوت ئەم ناسنامەی داواکارییە بە خاوەنی ماڵپەڕ بڵێ: { $id }.
error-parent-gone = ئەو لێدوانەی وەڵامی دەدەیتەوە چیتر بەردەست نییە. لێدوانەکەت لێرە ماوە؛ وەک لێدوانێکی نوێ بینێرە.
error-title-required = تکایە ناونیشانێک بۆ بابەتەکە دابنێ.
error-slug-invalid = ناوی کورت تەنها دەتوانێت پیت و ژمارە و - و _ی تێدا بێت.
error-slug-taken = بابەتێکی تر ئەم ناوە کورتە بەکاردەهێنێت. ناوێکی تر هەڵبژێرە.
error-lang-invalid = زمانێک لە لیستەکە هەڵبژێرە.
error-status-invalid = ڕەشنووس، بڵاوکراوە یان تایبەت هەڵبژێرە.
error-date-invalid = بەروار دەبێت بەم شێوەیە بێت: 2026-11-26T09:30.
error-site-title-required = تکایە ناونیشانێک بۆ ماڵپەڕەکە دابنێ.
error-display-name-required = تکایە ناوت بنووسە.
error-password-short = وشەی نهێنی دەبێت لانیکەم { $min } پیت بێت.
error-password-mismatch = دوو وشە نهێنییەکە وەک یەک نین.
error-login-failed = ئیمەیڵ یان وشەی نهێنی هەڵەیە.
error-site-url-invalid = ناونیشانی ماڵپەڕ دەبێت ناونیشانێکی وێب بێت، وەک https://example.org (بەبێ ? یان #).
error-login-slow-down = هەوڵی سەرنەکەوتووی چوونەژوورەوە زۆرن. { $unit ->
        [minutes] { PLURAL($count) ->
            [one] خولەکێک
           *[other] { $count } خولەک
        }
       *[seconds] { PLURAL($count) ->
            [one] چرکەیەک
           *[other] { $count } چرکە
        }
    } چاوەڕێ بکە پێش ئەوەی دووبارە هەوڵ بدەیتەوە.
error-login-locked = دوای هەوڵی سەرنەکەوتووی زۆر چوونەژوورەوە داخرا. دوای { $unit ->
        [minutes] { PLURAL($count) ->
            [one] خولەکێک
           *[other] { $count } خولەک
        }
       *[seconds] { PLURAL($count) ->
            [one] چرکەیەک
           *[other] { $count } چرکە
        }
    } دووبارە هەوڵ بدەرەوە. ئەگەر وشەی نهێنییەکەت لەبیر کردووە، داوا لە بەڕێوەبەرێک بکە وشەیەکی نوێ دابنێت.
error-number-range = { $field } دەبێت ژمارەیەک بێت لە { $min } تا { $max }.

## Administration
admin = بەڕێوەبردن
view-site = بینینی ماڵپەڕ
dashboard = داشبۆرد
welcome = بەخێربێیت، { $name }.
nav-posts = بابەتەکان
nav-comments = لێدوانەکان
nav-settings = ڕێکخستنەکان
log-in = چوونەژوورەوە
log-out-name = چوونەدەرەوە ({ $name })
pending-count = { PLURAL($count) ->
    [0] هیچ لێدوانێک چاوەڕێی پێداچوونەوە نییە
    [one] یەک لێدوان چاوەڕێی پێداچوونەوەیە
   *[other] { $count } لێدوان چاوەڕێی پێداچوونەوەن
}
pending-count-over = زیاتر لە { $count } لێدوان چاوەڕێی پێداچوونەوەن
count-over = { $count }+
setup-title = ماڵپەڕەکەت ڕێکبخە
setup-intro = هەژماری بەڕێوەبەر دروست بکە. دواتر دەتوانیت بە `tribune user add` کارمەندی تر زیاد بکەیت.
setup-submit = دروستکردنی ماڵپەڕ
field-site-title = ناونیشانی ماڵپەڕ
field-display-name = ناوت
field-password = وشەی نهێنی
field-password-again = دووبارەی وشەی نهێنی
password-hint = لانیکەم { $min } پیت.
new-post = بابەتی نوێ
edit-post = دەستکاریکردنی بابەت
post-saved = بابەتەکە پاشەکەوت کرا.
view-post = بینینی بابەت
post-not-saved = بابەتەکە پاشەکەوت نەکرا. تکایە ئەمانە بپشکنە:
preview = پێشبینین
save = پاشەکەوتکردن
field-title = ناونیشان
field-status = دۆخ
field-post-body = دەق
markdown-hint = بە Markdown بنووسە.
field-excerpt = کورتە
field-slug = ناوی کورت
slug-hint = کۆتا بەشی ناونیشانەکە. بە بەتاڵی بیهێڵەوە تا لە ناونیشانەکەوە دروست بکرێت.
field-lang = زمان
lang-hint = زمانی بابەتەکە: پەڕەکەی بەم زمانە و بەم ئاراستەیە پیشان دەدرێت.
field-published_at = بەرواری بڵاوکردنەوە (UTC)
date-hint = بۆ بڵاوکردنەوەی ئێستا بە بەتاڵی بیهێڵەوە. بەروارێکی داهاتوو بابەتەکە خشتە دەکات.
translation-group-hint = بابەتە بەستراوەکان وەرگێڕانی یەکترن: هەر پەڕەیەک بەستەری ئەوانی تری تێدایە و بە بزوێنەرەکانی گەڕانیش دەڵێت.
field-comments-open = ڕێگەدان بە لێدوان
author = نووسەر
column-date = بەروار
view = بینین
status-draft = ڕەشنووس
status-published = بڵاوکراوە
status-private = تایبەت
status-pending = چاوەڕێ
status-approved = پەسەندکراو
status-spam = سپام
status-trash = زبڵدان
comment-filters = پاڵاوتنی لێدوانەکان
tab-pending = چاوەڕێ
tab-approved = پەسەندکراو
tab-spam = سپام
tab-trash = زبڵدان
tab-all = هەموو
bulk-actions = کردارە بەکۆمەڵەکان
bulk-choose = کردارێک هەڵبژێرە
moderation-choose-action = پێش داگرتنی «جێبەجێکردن» کردارێک هەڵبژێرە (پەسەندکردن، لابردنی پەسەند، سپام یان زبڵدان). هیچ شتێک نەگۆڕدرا.
moderation-select-some = پێش داگرتنی «جێبەجێکردن» ئەو لێدوانانە دیاری بکە کە کاریان لەسەر دەکرێت. هیچ شتێک نەگۆڕدرا.
action-approve = پەسەندکردن
action-unapprove = لابردنی پەسەند
action-spam = سپام
action-trash = زبڵدان
apply = جێبەجێکردن
select = هەڵبژاردن
select-comment-by = هەڵبژاردنی لێدوانی { $name }
in-response-to = وەڵام بۆ
submitted-on = نێردراوە لە
in-reply-to = وەڵام بۆ لێدوانی { $id }
pages = پەڕەکان
newer = نوێتر
older = کۆنتر
no-comments-here = لێرە هیچ لێدوانێک نییە.
moderated-approved = { PLURAL($count) ->
    [one] یەک لێدوان پەسەند کرا.
   *[other] { $count } لێدوان پەسەند کران.
}
moderated-pending = { PLURAL($count) ->
    [one] پەسەندی یەک لێدوان لابرا.
   *[other] پەسەندی { $count } لێدوان لابرا.
}
moderated-spam = { PLURAL($count) ->
    [one] یەک لێدوان وەک سپام دیاری کرا.
   *[other] { $count } لێدوان وەک سپام دیاری کران.
}
moderated-trash = { PLURAL($count) ->
    [one] یەک لێدوان خرایە زبڵدانەوە.
   *[other] { $count } لێدوان خرانە زبڵدانەوە.
}
settings-saved = ڕێکخستنەکان پاشەکەوت کران.
settings-general = گشتی
settings-discussion = گفتوگۆ
field-tagline = دروشم
field-site-url = ناونیشانی ماڵپەڕ (URL)
site-url-hint = ئەو ناونیشانەی خوێنەران بەکاری دەهێنن، وەک https://example.org. بەستەرەکانی ئیمەیڵ و فیید و چوونەژوورەوە ئەمە بەکاردەهێنن.
site-url-from-config = لە ڕێکخستنی base_url دیاری کراوە (‎--base-url‎، ‏TRIBUNE_BASE_URL).
field-site-language = زمانی ماڵپەڕ
field-posts_per_page = بابەت لە هەر پەڕەیەکدا
field-hold-new-comments = لێدوانەکان دەبێت بە دەست پەسەند بکرێن
field-thread_depth = قووڵیی وەڵامەکان
field-max_comment_chars = درێژترین لێدوان (پیت)
field-avatars = وێنۆچکەکان
avatars-identicon = ئایکۆنەکانی Tribune خۆی (بێ داواکاری بۆ لایەنی تر)
avatars-gravatar = Gravatar
languages-nav = زمانەکان
all-languages = هەموو زمانەکان
translations-nav = وەرگێڕانەکان
also-in = هەروەها بە:
field-translations = وەرگێڕانەکان
unlink-translations = ئەم بابەتە وەرگێڕانی ئەمانە نییە
field-translation-of = بەستنەوە بە وەرگێڕانەکەی
translation-none = — هیچ —
site-lang-hint = لیستەکان و بەڕێوەبردن و ئیمەیڵەکان بەم زمانەن؛ پەڕەی هەر بابەتێک بە زمانی خۆی.
field-digits = ژمارەکان
digits-native = ژمارەی هەر زمانێک (١٢٣ لە عەرەبی و کوردیدا، ۱۲۳ لە فارسیدا)
digits-latin = لاتینی (0–9) لە هەموو زمانەکاندا
role-admin = بەڕێوەبەر
role-editor = سەرنووسەر
role-author = نووسەر
role-moderator = چاودێر
nav-profile = پرۆفایل
profile-saved = پرۆفایل پاشەکەوت کرا.
field-admin-language = زمانی پەڕەکانی بەڕێوەبردن و ئیمەیڵەکانت
admin-language-site = زمانی ماڵپەڕ ({ $language })
admin-language-hint = ئیمەیڵەکانی ئەو لێدوانانەی چاوەڕێی تۆن بەم زمانەش دەنووسرێن.

## Sign-in with an identity provider
fill-in-or-click-icon = زانیارییەکانت لە خوارەوە بنووسە یان بۆ چوونەژوورەوە کرتە لە ئایکۆنێک بکە:
sign-in-to-comment = بۆ لێدوان بچۆ ژوورەوە
sign-in-with = { $provider }
connecting-to = پەیوەندیکردن بە { $provider }…
continue-to = بەردەوامبوون بۆ { $provider }
commenting-using = بە هەژماری { $provider } لێدوان دەنووسیت.
log-out = چوونەدەرەوە
change = گۆڕین
auth-error-unknown = ئەم ڕێگەیەی چوونەژوورەوە لەم ماڵپەڕەدا بەردەست نییە. لێدوانەکەت لێرە ماوە.
auth-error-denied = ڕێگەت بە چوونەژوورەوە نەدا، بۆیە نەچوویتە ژوورەوە. لێدوانەکەت لێرە ماوە.
auth-error-state = ئەم چوونەژوورەوەیە لەم وێبگەڕەدا دەستی پێنەکردووە، یان پێشتر بەکارهاتووە. تکایە دووبارە هەوڵ بدەرەوە؛ لێدوانەکەت لێرە ماوە.
auth-error-expired = چوونەژوورەوە زۆری خایاند. تکایە دووبارە هەوڵ بدەرەوە؛ لێدوانەکەت لێرە ماوە.
auth-error-code = دابینکەر چوونەژوورەوەکەی قبووڵ نەکرد (لەوانەیە دوو جار بەکارهاتبێت). تکایە دووبارە هەوڵ بدەرەوە؛ لێدوانەکەت لێرە ماوە.
auth-error-token = وەڵامی دابینکەر پشتڕاست نەکرایەوە، بۆیە نەچوویتە ژوورەوە. لێدوانەکەت لێرە ماوە.
auth-error-down = نەتوانرا بگەینە دابینکەر. دواتر هەوڵ بدەرەوە، یان وەک میوان لێدوان بنووسە؛ لێدوانەکەت لێرە ماوە.
auth-error-profile = دابینکەر نەیگوت تۆ کێیت. ڕێگەیەکی تر تاقی بکەرەوە؛ لێدوانەکەت لێرە ماوە.
auth-error-nostaff = هیچ هەژمارێکی کارمەند ئیمەیڵە پشتڕاستکراوەکەی ئەم چوونەژوورەوەیە بەکارناهێنێت. داوا لە بەڕێوەبەرێک بکە زیادت بکات.
field-approve-returning = لێدوانووسە چووەژوورەوەکان کە لێدوانی پەسەندکراویان هەیە پێداچوونەوە تێدەپەڕێنن
settings-signin = دابینکەرانی چوونەژوورەوە
staff-sso = کارمەندانیش لێرەوە دەچنە ژوورەوە
providers-hint = ناسنامە و نهێنیی کڕیار بنووسە کە لە کاتی تۆمارکردنی ئەم ماڵپەڕە لای دابینکەرێک وەرتگرتووە؛ بۆ کوژاندنەوەی، ناسنامەی کڕیار بە بەتاڵی بهێڵەوە. دابینکەران دەکرێت لە tribune.toml یان گۆڕاوەکانی TRIBUNE_AUTH_*‎ یش دیاری بکرێن (docs/sign-in.md).
callback-address = ناونیشانی گەڕانەوە بۆ تۆمارکردن:
provider-configured = لە پەڕگەی ڕێکخستن یان ژینگەدا دیاری کراوە.
field-client-id = ناسنامەی کڕیار
field-client-secret = نهێنیی کڕیار
secret-unchanged = (نەگۆڕاوە)
error-provider-secret = { $provider } جگە لە ناسنامەی کڕیار پێویستی بە نهێنیی کڕیاریش هەیە.

## Email
email-held-subject = [{ $site }] تکایە پێیدا بچۆرەوە: «{ $title }»
email-held-intro = لێدوانێکی نوێ لەسەر «{ $title }» چاوەڕێی پەسەندکردنی تۆیە:
email-held-queue = هەموو ئەو لێدوانانەی چاوەڕێی پێداچوونەوەن:
email-digest-subject = [{ $site }] { PLURAL($count) ->
    [one] یەک لێدوان چاوەڕێی پێداچوونەوەیە
   *[other] { $count } لێدوان چاوەڕێی پێداچوونەوەن
}
email-digest-intro = { PLURAL($count) ->
    [one] یەک لێدوان چاوەڕێی پەسەندکردنی تۆیە:
   *[other] { $count } لێدوان چاوەڕێی پەسەندکردنی تۆن:
}
moderate-title = پێداچوونەوەی لێدوانێک
moderate-on = لەسەر «{ $title }»:
nav-jobs = کارەکان
nav-privacy = زانیاریی کەسی
privacy-intro = کەسێک پرسیویەتی ئەم ماڵپەڕە چی دەربارەی ئەو هەڵگرتووە، یان داوای کردووە لەبیر بکرێت. هەموو شتێک بە ناونیشانی ئیمەیڵەکەی دەدۆزرێتەوە: ئەو لێدوانانەی نووسیونی (لەگەڵ ناونیشانی IP و وێبگەڕ)، بەشداربوونەکانی ئیمەیڵ و ئەو هەژمارانەی پێیان چووەتە ژوورەوە.
privacy-bad-email = ناونیشانی ئیمەیڵی کەسەکە بنووسە، بۆ نموونە name@example.org.
privacy-pick-action = «داگرتن» یان یەکێک لە دوگمەکانی سڕینەوە هەڵبژێرە.
privacy-confirm-needed = سڕینەوە ناگەڕێتەوە: بۆ پشتڕاستکردنەوە خانەکە دیاری بکە، پاشان دووبارە دوگمەکە دابگرە.
privacy-export-legend = هەناردەکردن
privacy-export-help = پەڕگەیەکی JSON بە هەموو ئەوەی دەربارەی ئەم ناونیشانە هەڵگیراوە، بۆ ناردن بۆ کەسەکە.
privacy-export = داگرتنی زانیاریی کەسی (JSON)
privacy-erase-legend = سڕینەوە
privacy-erase-help = «بێناوکردن» لێدوانەکان دەهێڵێتەوە بەڵام ناو، ئیمەیڵ، ماڵپەڕ، ناونیشانی IP و وێبگەڕ لادەبات؛ «سڕینەوەی لێدوانەکان» لێدوانەکانیش لادەبات. بەشداربوونەکان، هەژمارەکانی چوونەژوورەوە و ئیمەیڵەکانی ئەم ناونیشانە لە هەردوو حاڵەتدا دەسڕێنەوە.
privacy-confirm = تێدەگەم ئەمە ناگەڕێتەوە
privacy-anonymise = بێناوکردن
privacy-delete = سڕینەوەی لێدوانەکان
privacy-anonymised = { PLURAL($count) ->
    [one] یەک لێدوان بێناو کرا.
   *[other] { $count } لێدوان بێناو کران.
}
privacy-deleted = { PLURAL($count) ->
    [one] یەک لێدوان سڕایەوە.
   *[other] { $count } لێدوان سڕانەوە.
}
privacy-removed = لابران: { $subscriptions } بەشداربوون، { $identities } هەژماری چوونەژوورەوە، { $emails } ئیمەیڵ.
privacy-staff-kept = هەژمارێکی کارمەند ئەم ناونیشانە بەکاردەهێنێت؛ هێڵرایەوە.
anonymous = بێناو
jobs-intro = ئیمەیڵ و کارەکانی تر کە Tribune لە پشتەوە دەیانکات. کارێک کە بەردەوام سەرناکەوێت لێرە لەگەڵ دوایین هەڵەکەی دەوەستێت.
job-kind = جۆر
job-status = دۆخ
job-attempts = هەوڵەکان
job-error = دوایین هەڵە
job-next = هەوڵی داهاتوو
retry = دووبارە هەوڵدانەوە
no-jobs = لێرە هیچ کارێک نییە.
job-retried = کارەکە دووبارە خرایە ڕیزەوە.
status-queued = لە ڕیزدا
status-running = لە کاردایە
status-done = تەواو بوو
status-failed = سەرنەکەوت
tab-failed = سەرنەکەوتوو
tab-queued = لە ڕیزدا
tab-done = تەواوبوو

## Subscriptions
notify-comments = بە ئیمەیڵ ئاگادارم بکەرەوە لە لێدوانە نوێیەکان.
notify-posts = بە ئیمەیڵ ئاگادارم بکەرەوە لە بابەتە نوێیەکان.
email-comment-subject = [{ $site }] لێدوانێکی نوێ لەسەر «{ $title }»
email-comment-intro = { $author } لێدوانی لەسەر «{ $title }» نووسی:
email-read-reply = بیخوێنەوە و وەڵامی بدەرەوە:
email-unsubscribe = وازهێنان لە بەشداربوون
email-manage = بەڕێوەبردنی بەشداربوونەکانت:
email-post-subject = [{ $site }] { $title }
email-post-intro = { $site } بابەتێکی نوێی بڵاو کردەوە:
email-confirm-subject = [{ $site }] تکایە بەشداربوونەکەت پشتڕاست بکەرەوە
email-confirm-intro = کەسێک، هیوادارین خۆت بیت، داوای لە { $site } کردووە دەربارەی «{ $title }» ئیمەیڵ بۆ ئەم ناونیشانە بنێرێت.
email-confirm-action = پشتڕاستکردنەوە:
email-confirm-ignore = ئەگەر تۆ نەبوویت، گوێ بەم ئیمەیڵە مەدە: هیچ شتێک نانێردرێت.
subs-title = بەشداربوونەکانی ئیمەیڵ
subs-for = بۆ { $email }
subs-confirm = پشتڕاستکردنەوە
subs-confirmed = سوپاس: بەشداربوونەکانت پشتڕاست کرانەوە.
subs-ended = بەشداربوونەکەت کۆتایی پێهات. چیتر ئیمەیڵت دەربارەی ئەوە بۆ نایەت.
subs-yours = بەشداربوونەکانت
subs-posts = بابەتە نوێیەکان
subs-comments-on = لێدوانە نوێیەکان لەسەر «{ $title }»
subs-unconfirmed = هێشتا پشتڕاست نەکراوەتەوە
subs-none = هیچ بەشداربوونێکی ترت نییە.
email-comment-digest-subject = [{ $site }] { PLURAL($count) ->
    [one] یەک لێدوانی نوێ لەسەر «{ $title }»
   *[other] { $count } لێدوانی نوێ لەسەر «{ $title }»
}
email-comment-digest-intro = { PLURAL($count) ->
    [one] یەک لێدوانی نوێ لەسەر «{ $title }»:
   *[other] { $count } لێدوانی نوێ لەسەر «{ $title }»:
}


## Errors
error-forbidden-title = ڕێگەپێنەدراوە
error-bad-request-title = ناتوانرێت وەڵامی ئەم داواکارییە بدرێتەوە
error-too-many-title = داواکاریی زۆر
error-too-many-text = داواکارییەکان خێراتر لەوەی ئەم ماڵپەڕە وەریدەگرێت دەنێریت. خولەکێک چاوەڕێ بکە و دووبارە هەوڵ بدەرەوە.
error-busy-title = سەرقاڵە
error-busy-text = ماڵپەڕەکە ئێستا ناتوانێت هیچ شتێک پاشەکەوت بکات. هیچ شتێک نەگۆڕدرا؛ بگەڕێوە و دوای خولەکێک دووبارە هەوڵ بدەرەوە.
error-internal-title = شتێک هەڵە ڕوویدا
error-internal-text = هەڵەکە تۆمار کرا. ئەگەر دووبارە بووەوە، ناسنامەی داواکارییەکەی خوارەوە بە خاوەنی ماڵپەڕ بڵێ.
error-request-id = ناسنامەی داواکاری:
error-unknown-list = لیستێکی لێدوانی وا نییە. یەکێک لە تابەکانی سەرەوە هەڵبژێرە.
error-already-set-up = ئەم ماڵپەڕە پێشتر ڕێکخراوە. لە جیاتی ئەوە لە ‎/admin/login‎ بچۆ ژوورەوە.
error-link-invalid = ئەم بەستەری پێداچوونەوەیە دروست نییە. ڕیزی لێدوانەکان لە ‎/admin/comments‎ بەکاربهێنە.
error-link-expired = ماوەی ئەم بەستەری پێداچوونەوەیە بەسەرچووە. ڕیزی لێدوانەکان لە ‎/admin/comments‎ بەکاربهێنە.
error-no-post = فۆرمی لێدوان نەیگوت سەر بە کام بابەتە. بگەڕێوە بۆ بابەتەکە و لەوێوە بینێرە.
error-subscription-gone = ئەم بەستەری بەشداربوونە چیتر دروست نییە: لەوانەیە بەشداربوونەکە پێشتر کۆتایی هاتبێت.
error-form-expired = ماوەی ئەم فۆرمە بەسەرچووە یان لەم ماڵپەڕەوە نەنێردراوە. بگەڕێوە، پەڕەکە نوێ بکەرەوە و دووبارە هەوڵ بدەرەوە.
error-cross-site-title = فۆرم لە ماڵپەڕێکی ترەوە نێردراوە
error-cross-site-text = ئەم فۆرمە لە پەڕەیەکی ماڵپەڕێکی ترەوە نێردراوە، بۆیە ڕەتکرایەوە. پەڕەکە لەم ماڵپەڕەدا بکەرەوە و لەوێوە بینێرە.
error-staff-provider = کارمەندان ناتوانن بەم دابینکەرە بچنە ژوورەوە.
error-signin-button = دوگمەی چوونەژوورەوە دەبێت لە فۆرمی لێدوانی بابەتێکەوە بەکاربهێنرێت.
error-role = ڕۆڵەکەت ({ $role }) ڕێگە بەمە نادات. داوا لە بەڕێوەبەرێک بکە.
error-bad-address-title = ناونیشانی هەڵە
error-bad-address-text = ئەم ناونیشانە پیتی تێدایە کە هیچ ناونیشانێکی پەڕە نییەتی. بەستەرەکە بپشکنە، یان لە پەڕەی سەرەکییەوە دەست پێبکە.
comment-lost-title = لێدوانەکەت پاشەکەوت نەکرا
comment-lost-text = ماڵپەڕەکە ئێستا ناتوانێت هیچ شتێک پاشەکەوت بکات. ئەمە ئەوەیە کە نووسیوتە؛ کۆپی بکە و دوای خولەکێک دووبارە بینێرەوە.
comment-lost-label = لێدوانەکەت

## Command line: moving in
import-posts = { $count } بابەت
import-pages = { $count } پەڕە
import-comments = { $count } لێدوان
import-users = { $count } بەکارهێنەر
import-terms = { $count } پۆل و تاگ
import-summary = هێنرایە ناوەوە: { $posts }، { $pages }، { $comments }، { $users }، { $terms }.
import-summary-dry = دەهێنرێتە ناوەوە: { $posts }، { $pages }، { $comments }، { $users }، { $terms }.
import-already = پێشتر لە هێنانێکی کۆنەوە هەیە (وەک خۆی مایەوە): { $count }.
import-skipped-heading = تێپەڕێنرا ({ $count }):
import-changed-heading = گۆڕدرا ({ $count }):
import-tally = { $count } × { $reason }
import-took = { $seconds } چرکەی خایاند ({ $rate } لێدوان/چرکە).
import-took-memory = { $seconds } چرکەی خایاند ({ $rate } لێدوان/چرکە)، بەرزترین بیرگە { $mb } مێگابایت.
import-skip-trash = لە زبڵدانی وۆردپرێس
import-skip-revision = پێداچوونەوە یان هاوپێچ
import-skip-attachment = هاوپێچ (فایلەکانی میدیا لە شوێنی خۆیان دەمێننەوە؛ بابەتەکان بەستەریان بۆ دەکەن)
import-skip-post-type = جۆری ناوەڕۆکی `{ $what }` شتێک نییە کە Tribune پیشانی بدات
import-skip-no-post-id = بڕگەیەک بێ <wp:post_id>
import-skip-no-comment-id = لێدوانێک بێ <wp:comment_id>
import-skip-no-dsq-id = لێدوانێک بێ dsq:id
import-skip-comment-type = جۆری لێدوانی `{ $what }` لێدوانی خوێنەرێک نییە
import-skip-empty-comment = لێدوانی بەتاڵ
import-skip-no-thread = لێدوان لەسەر گفتوگۆیەک کە لە فایلەکەدا نییە
import-skip-parent-skipped = لێدوان لەسەر بڕگەیەک کە تێپەڕێنرا
import-skip-unmatched-thread = لێدوان لەسەر گفتوگۆیەکی Disqus کە بابەتێکی هاوتای لێرە نییە
import-note-language = زمانی دۆزراوە لە دەقەکەدا: { $what }
import-note-no-date = بێ بەروار: بەرواری ئێستای دراوەتێ
import-note-orphan-reply = وەڵامێک کە لێدوانە سەرەکییەکەی لە فایلەکەدا نییە: لە ئاستی یەکەمدا پیشان دەدرێت
import-note-password = پارێزراو بە وشەی نهێنی: وەک تایبەت هێنرایە ناوەوە
import-note-slug-renamed = ناوی بەستەرەکە لێرە بەکارهاتووە: ناوی گۆڕدرا (بەستەری کۆنی ‎/?p=‎ هێشتا کار دەکات)
import-label-item = هێڵی { $line }: { $type } «{ $title }»
import-label-line = هێڵی { $line }: { $title }
import-label-comment = هێڵی { $line }: لێدوانی { $id }
import-label-comment-on = هێڵی { $line }: لێدوانی { $id } لەسەر «{ $title }»
import-label-comment-id = لێدوانی { $id }
import-label-renamed = { $label }: { $old } ← { $new }
import-label-thread = { $link } (لێدوانەکان: { $count })
import-cannot-open = ناتوانرێت { $path } بکرێتەوە: { $reason }
import-at-line = هێڵی { $line }، ستوونی { $column }: { $message }. هیچ شتێک نەهێنرایە ناوەوە.
import-nothing = { $message } هیچ شتێک نەهێنرایە ناوەوە.
import-database = بنکەدراوە هێنانەکەی ڕەتکردەوە ({ $reason }). هیچ شتێک نەهێنرایە ناوەوە.
import-format-wordpress = هەناردەیەکی وۆردپرێس
import-format-disqus = هەناردەیەکی Disqus
import-not-format = { $path } { $format } نییە: بە <{ $found }> دەست پێدەکات، بەڵام { $format } بە <{ $root }> دەست پێدەکات (هێڵی { $line }).
import-with-hint = { $message } { $hint }
import-hint-disqus = ئەمە هەناردەیەکی Disqus ـە: `tribune import disqus` بەکاربهێنە.
import-hint-wordpress = وا دیارە هەناردەیەکی وۆردپرێس بێت: `tribune import wordpress` بەکاربهێنە.
import-empty-file = { $path } بەتاڵە: { $format } بە <{ $root }> دەست پێدەکات
import-not-wxr = { $path } ‏<wp:wxr_version>ی تێدا نییە: فیدێکی RSS ـە، نەک هەناردەیەکی وۆردپرێس (لە وۆردپرێس: ئامرازەکان ← هەناردە ← هەموو ناوەڕۆک)
import-wxr-version = وەشانی WXR ‏{ $version } لەوانە نییە کە Tribune دەیخوێنێتەوە (1.0، 1.1، 1.2)
import-cut-short = فایلەکە لەناو <{ $name }> کۆتایی دێت (لە هێڵی { $line } کراوەتەوە): وا دیارە ناتەواوە؛ دووبارە هەناردەی بکە
import-bad-attribute = تایبەتمەندیی نادروست: { $detail }
import-bad-attribute-named = تایبەتمەندیی نادروستی `{ $name }`: { $detail }
import-bad-reference = ئاماژەی پیتی نادروست: { $detail }
import-text-not-utf8 = دەقەکە UTF-8 نییە: { $detail }
import-cdata-not-utf8 = CDATA ـەکە UTF-8 نییە: { $detail }
import-text-outside = دەق لە دەرەوەی هەموو توخمێک: ئەمە هەناردەیەکی XML نییە
import-mismatched-end = ‏</{ $found }> ‏<{ $expected }> دادەخات: فایلەکە XMLی ڕێکوپێک نییە
import-unmatched-end = ‏</{ $name }> توخمێک دادەخات کە هەرگیز نەکراوەتەوە
import-not-xml = XMLی ڕێکوپێک نییە: { $detail }

## Command line
cli-error = هەڵە: { $message }
cli-warning = ئاگاداری: { $message }
cli-no-site = هیچ ماڵپەڕێکی Tribune لە { $place } نییە: --data-dir یان --database-url بپشکنە، یان --create-site زیاد بکە بۆ دەستپێکردنی ماڵپەڕێکی نوێ لەوێ (`tribune serve`یش یەکێک دروست دەکات)
cli-cannot-create-dir = ناتوانرێت بوخچەی داتای { $path } دروست بکرێت
cli-cannot-open-database = ناتوانرێت بنکەدراوەی { $place } بکرێتەوە
cli-cannot-listen = ناتوانرێت گوێ لە { $bind } بگیرێت
cli-not-an-email = `{ $email }` ناونیشانی ئیمەیڵ نییە
cli-cannot-read-password = ناتوانرێت وشەی نهێنی لە تێچوونی ستاندارد بخوێنرێتەوە
cli-role = { $role ->
        [admin] بەڕێوەبەر
        [editor] سەرنووسەر
        [author] نووسەر
        [moderator] چاودێر
       *[other] { $role }
    }
cli-status = { $status ->
        [pending] چاوەڕێ
        [approved] پەسەندکراو
        [spam] سپام
        [trash] لە زبڵدان
       *[other] { $status }
    }
cli-user-added = { $role } { $email } زیادکرا (ناسنامە { $id })
cli-generated-password = وشەی نهێنی: { $password }
cli-user-exists = بەکارهێنەرێک بە ئیمەیڵی { $email } پێشتر هەیە
cli-column-id = ناسنامە
cli-column-role = ڕۆڵ
cli-column-email = ئیمەیڵ
cli-column-name = ناو
cli-column-status = دۆخ
cli-column-date = بەروار (UTC)
cli-column-author = نووسەر
cli-column-post = بابەت
cli-column-comment = لێدوان
cli-cannot-read-post = ناتوانرێت بابەتەکە لە تێچوونی ستاندارد بخوێنرێتەوە
cli-cannot-read = ناتوانرێت { $path } بخوێنرێتەوە
cli-cannot-create = ناتوانرێت { $path } دروست بکرێت
cli-cannot-write = ناتوانرێت { $path } بنووسرێت
cli-no-staff-account = هیچ هەژمارێکی ستاف بە ئیمەیڵی { $email } نییە
cli-no-admin = هێشتا هیچ بەڕێوەبەرێک نییە: سەرەتا `tribune user add --admin --email …` جێبەجێ بکە، یان --author بدە
cli-unknown-language = زمانی نەناسراو `{ $tag }`: یەکێک لەمانە بەکاربهێنە: { $tags }
cli-not-language-tag = `{ $tag }` کۆدی زمان نییە: کۆدێکی وەک en، ar یان ckb بەکاربهێنە
cli-slug-taken = ناوی بەستەری `{ $slug }` بابەتێکی تر بەکاری دەهێنێت؛ --slug بدە
cli-post-published = بابەتی { $id } لە { $path } بڵاوکرایەوە
cli-post-draft = ڕەشنووسی بابەتی { $id } پاشەکەوت کرا؛ لە ‎/admin/posts/{ $id } دەستکاری بکە
cli-no-comment = هیچ لێدوانێک بە ناسنامەی { $ids } نییە؛ هیچ شتێک نەگۆڕدرا
cli-moderated = { $status ->
        [approved] پەسەندکرا
        [spam] وەک سپام نیشانکرا
        [trash] گوازرایەوە بۆ زبڵدان
       *[other] ڕاگیرا
    }: { $count } لێدوان
cli-unknown-name = { $what }ی نەناسراو `{ $value }`: یەکێک لەمانە بەکاربهێنە: { $choices }
name-role = ڕۆڵ
name-comment-status = دۆخی لێدوان
name-post-status = دۆخی بابەت
name-post-type = جۆری ناوەڕۆک
name-comment-type = جۆری لێدوان
name-body-format = شێوازی دەق
name-job-kind = جۆری کار
name-job-status = دۆخی کار
name-subscription = بەشداریکردن
name-term-kind = جۆری پۆل
cli-bad-site-url = `{ $url }` ناونیشانی ماڵپەڕ نییە: بەم شێوەیە بینووسە http(s)://host[:port][/path]، بۆ نموونە https://example.org، بێ بەکارهێنەر، پرسیار یان بەشی دوای #
cli-bad-base-url = ناونیشانی بنەڕەتی `{ $url }` دەبێت ناونیشانێکی وەک https://example.org بێت
cli-no-base-url = ناونیشانی گشتیی ماڵپەڕەکە هێشتا نەزانراوە: --base-url https://example.org بدە (یان TRIBUNE_BASE_URL دابنێ)
cli-count-posts-pages = { $count } بابەت و پەڕە
cli-count-subscriptions = { $count } بەشداریکردن
cli-count-identities = { $count } ناسنامەی چوونەژوورەوە
cli-count-emails = { $count } ئیمەیڵ
cli-exported = هەناردە کرا: { $posts } لەگەڵ { $comments }.
cli-deleted = سڕایەوە: { $comments }.
cli-anonymised = بێناو کرا: { $comments }.
cli-removed = لابرا: { $subscriptions }، { $identities }، { $emails }.
cli-staff-kept = هەژمارێکی ستاف ئەم ناونیشانە بەکاردەهێنێت؛ هێڵرایەوە (هەژمارەکانی ستاف بە `tribune user` بەڕێوە دەبرێن).
cli-erase-needs-yes = سڕینەوە ناگەڕێندرێتەوە: --yes زیاد بکە بۆ سڕینەوەی داتاکانی { $email } بێ پرسیار
cli-erase-confirm = ئەمە ئەوەی دەربارەی { $email } هەڵگیراوە دەسڕێتەوە و ناگەڕێندرێتەوە. بۆ بەردەوامبوون ناونیشانەکە دووبارە بنووسە:
cli-erase-mismatch = ناونیشانی نووسراو یەکی نەگرتەوە؛ هیچ شتێک نەسڕایەوە
cli-importing = هێنان
cli-time-left = { $eta } ماوە
cli-dry-run-done = تاقیکردنەوە: هیچ شتێک نەنووسرا. بۆ هێنان بێ --dry-run دووبارە جێبەجێی بکە.
cli-backup-postgres = ئەم ماڵپەڕە لەسەر PostgreSQL ـە: بە pg_dump پاڵپشتی بکە، بۆ نموونە pg_dump --format=custom --file { $file } "$TRIBUNE_DATABASE_URL" (بڕوانە docs/operations.md)
cli-backup-exists = { $path } پێشتر هەیە: ناوێکی نوێ بۆ فایل هەڵبژێرە، پاڵپشتەکان هەرگیز لەسەر شتێک نانووسنەوە
cli-backup-damaged = لەبەرگرتنەوەکە لە پشکنینی تەندروستی دەرنەچوو ({ $problem })؛ هیچ شتێک نەهێڵرایەوە
cli-backup-cannot-check = ناتوانرێت لەبەرگرتنەوەکە بپشکنرێت
cli-backed-up = پاڵپشتی کرا: { $posts } و { $comments } بۆ { $path } ‏({ $mb } مێگابایت) لە { $seconds } چرکەدا.

## Command line: settings
config-base-url = ناونیشانی بنەڕەتی
config-bad-bind = ناونیشانی گوێگرتن `{ $bind }` بە شێوەی HOST:PORT نییە، بۆ نموونە 127.0.0.1:8080
config-bad-log-format = شێوازی تۆمار `{ $format }` نە text ـە نە json
config-no-theme = بوخچەی ڕووکاری { $path } بوونی نییە
config-cannot-read = ناتوانرێت فایلی ڕێکخستنی { $path } بخوێنرێتەوە: { $reason }
config-file-problem = فایلی ڕێکخستنی { $path }: { $reason }
config-unknown-setting = ڕێکخستنی نەناسراو `{ $setting }` لە فایلی ڕێکخستندا؛ پشتگوێ خرا
config-cannot-read-secret = ناتوانرێت { $name } ‏{ $path } بخوێنرێتەوە: { $reason }
config-preset-needs-both = { $section } هەردوو client_id و client_secretی پێویستە (یان { $env } و _CLIENT_SECRET)
config-oidc-bad-name = { $section }: ناوی دابینکەر پیتی بچووکی لاتینی، ژمارە و - ـە، و ناوی دابینکەرێکی ئامادە نییە
config-oidc-needs = { $section } issuer، client_id و client_secretی پێویستە
config-oidc-https = issuer ـی { $section } دەبێت ناونیشانێکی https://‎ بێت
config-oauth2-bad-name = { $section }: ناوی دابینکەر پیتی بچووکی لاتینی، ژمارە و - ـە، و تەنها یەک جار بەکاردێت
config-oauth2-needs = { $section } authorize_url، token_url، userinfo_url، client_id و client_secretی پێویستە
config-staff-provider = auth.staff_provider ‏`{ $name }` دەبێت ناوی دابینکەرێکی OpenID Connectی چالاک بێت

## Command line: arguments
cli-arg-unknown-command = هیچ فەرمانێکی `{ $command }` نییە
cli-arg-unknown-option = لێرە هیچ هەڵبژاردەیەکی `{ $option }` نییە
cli-arg-missing = ئەم فەرمانە { $options }ی پێویستە
cli-arg-invalid-value = `{ $value }` بەهایەک نییە کە { $option } وەریبگرێت
cli-arg-choices = { $message }: یەکێک لەمانە بەکاربهێنە: { $choices }
cli-arg-conflict = { $option } لەگەڵ { $other } بەکارنایەت
cli-arg-did-you-mean = { $message } (مەبەستت { $suggestion } بوو؟)
cli-arg-more = بۆ زانیاریی زیاتر، ‎--help تاقی بکەرەوە.

## Command line: WordPress types
import-type-post = بابەت
import-type-page = پەڕە
import-type-attachment = هاوپێچ

## Command line: help (English is the doc comments in src/cli.rs; a test keeps them equal)
help-tribune = Tribune: ڕاگەیەندراو و وتار بڵاو بکەرەوە، وەڵام وەربگرە.
help-tribune--config = ڕێکخستنەکان لەم فایلە بخوێنەوە [بنەڕەت: ./tribune.toml ئەگەر هەبێت]
help-tribune--data-dir = بوخچەی بنکەدراوەی SQLite و داتاکانی تر [بنەڕەت: ./tribune-data]
help-tribune--database-url = ئەو بنکەدراوەیەی بەکاردێت: sqlite://PATH یان postgres://USER@HOST/DB [بنەڕەت: SQLite لە بوخچەی داتادا]
help-tribune--create-site = ئەگەر ماڵپەڕێک لە بوخچەی داتا یان ناونیشانی بنکەدراوەدا نەبوو، ماڵپەڕێکی نوێی بەتاڵ دروست بکە (`serve` هەمیشە وا دەکات)
help-tribune-serve = ماڵپەڕەکە کارپێبکە (بە شێوەی بنەڕەت لە http://127.0.0.1:8080)
help-tribune-serve--bind = ئەو ناونیشانەی گوێی لێ دەگیرێت [بنەڕەت: 127.0.0.1:8080]
help-tribune-serve--base-url = ناونیشانی گشتیی ماڵپەڕ، بۆ نموونە https://example.org (بۆ بەستەرەکان و کوکیی پارێزراو)
help-tribune-serve--theme = بوخچەی ڕووکارێک کە templates/ و assets/ ـەکەی شوێنی ڕووکاری ناوخۆیی دەگرنەوە
help-tribune-serve--log-format = شێوازی تۆمار: text یان json [بنەڕەت: text]
help-tribune-serve--comments-per-minute = ژمارەی ئەو لێدوانانەی یەک ناونیشان لە خولەکێکدا دەتوانێت بینێرێت؛ 0 سنوورەکە لادەبات [بنەڕەت: 10]
help-tribune-serve--login-lockout-after = چوونەژوورەوەی شکستخواردووی ستاف (بۆ هەر هەژمار و هەر ناونیشان) پێش داخستنی 15 خولەکی؛ وەڵامی خاوتر لە سێیەکیەوە دەست پێدەکات؛ 0 لای دەبات [بنەڕەت: 10]
help-tribune-serve--trusted-proxies = ئەو پرۆکسییە پێچەوانانەی باوەڕ بە X-Forwarded-For / Forwarded / X-Forwarded-Proto ـیان دەکرێت، ناونیشان یان تۆڕ بە کۆما جیاکراو، بۆ نموونە 127.0.0.1,::1 [بنەڕەت: هیچ]
help-tribune-serve--smtp-url = ڕاژەکاری SMTP بۆ ئیمەیڵ، بۆ نموونە smtp://user:pass@host:587?tls=required [بنەڕەت: فایلی .eml لە DATA_DIR/mail]
help-tribune-serve--mail-from = نێرەری ئیمەیڵی ماڵپەڕ، بۆ نموونە "Ministry <news@example.org>" [بنەڕەت: Tribune <tribune@localhost>]
help-tribune-user = هەژمارەکانی ستاف بەڕێوە ببە
help-tribune-user-add = هەژمارێکی ستاف زیاد بکە
help-tribune-user-add--email = ئەو ناونیشانی ئیمەیڵەی پێی دەچیتە ژوورەوە
help-tribune-user-add--name = ئەو ناوەی لەسەر بابەتەکان پیشان دەدرێت [بنەڕەت: بەشی پێش @ ی ئیمەیڵەکە]
help-tribune-user-add--role = admin (بەڕێوەبەر)، editor (سەرنووسەر)، author (نووسەر) یان moderator (چاودێر)
help-tribune-user-add--admin = وەک --role admin
help-tribune-user-add--password-stdin = وشەی نهێنی لە یەکەم هێڵی تێچوونی ستاندارد بخوێنەوە (ئەگەرنا یەکێک دروست دەکرێت و چاپ دەکرێت)
help-tribune-user-list = لیستی هەژمارەکانی ستاف
help-tribune-post = بابەت بنووسە
help-tribune-post-new = بابەتێک لە فایلێکی Markdown دروست بکە (- تێچوونی ستاندارد دەخوێنێتەوە)
help-tribune-post-new--title = ناونیشانی بابەتەکە
help-tribune-post-new--file = فایلی Markdown کە دەقەکەی تێدایە
help-tribune-post-new--publish = ئێستا بڵاوی بکەرەوە لە جیاتی پاشەکەوتکردنی ڕەشنووس
help-tribune-post-new--slug = ناوی بەستەر [بنەڕەت: لە ناونیشانەکەوە دروست دەکرێت]
help-tribune-post-new--lang = زمانی بابەتەکە، کۆدێکی BCP 47 وەک en، ar، ckb [بنەڕەت: زمانی ماڵپەڕ]
help-tribune-post-new--excerpt = پوختەیەکی کورت بۆ لیستەکان
help-tribune-post-new--author = ئیمەیڵی نووسەر [بنەڕەت: یەکەم بەڕێوەبەر]
help-tribune-comments = لێدوانەکان چاودێری بکە
help-tribune-comments-list = لێدوانەکان پیشان بدە، نوێترین یەکەم
help-tribune-comments-list--status = pending (چاوەڕێ)، approved (پەسەندکراو)، spam (سپام) یان trash (زبڵدان) [بنەڕەت: pending و approved]
help-tribune-comments-list--post = تەنها لێدوانەکانی ئەم بابەتە (بە ناسنامە)
help-tribune-comments-list--limit = ئەم ژمارەیە بە زۆرترین
help-tribune-comments-approve = لێدوانەکان پەسەند بکە تا خوێنەران بیانبینن
help-tribune-comments-spam = لێدوانەکان وەک سپام نیشان بکە
help-tribune-comments-trash = لێدوانەکان بگوازەوە بۆ زبڵدان
help-tribune-import = بابەت و لێدوان لە وۆردپرێس یان Disqus ەوە بهێنە ناوەوە
help-tribune-import-wordpress = هەناردەیەکی وۆردپرێس بهێنە ناوەوە (WXR 1.0–1.2: ئامرازەکان ← هەناردە ← هەموو ناوەڕۆک)
help-tribune-import-wordpress--file = ئەو فایلە ‎.xml ـەی وۆردپرێس پێی دایت
help-tribune-import-wordpress--lang = زمانی هەموو بابەتێکی هێنراو، کۆدێکی BCP 47 وەک en، ar، ckb [بنەڕەت: زمانی خودی هەر بابەتێک (Polylang)، ئەگەرنا زمانی هەناردەکە، ئەگەرنا زمانی ماڵپەڕ]
help-tribune-import-wordpress--dry-run = هەموو فایلەکە بخوێنەوە و بڵێ چی دێتە ناوەوە، بێ نووسینی هیچ شتێک
help-tribune-import-disqus = هەناردەیەکی Disqus بهێنە ناوەوە، گفتوگۆکانی بە پێی بەستەر لەگەڵ بابەتەکانی ئێرە بگونجێنە
help-tribune-import-disqus--file = ئەو فایلە ‎.xml ـەی Disqus بۆی ناردیت (سەرەتا بە gunzip بیکەرەوە)
help-tribune-import-disqus--dry-run = هەموو فایلەکە بخوێنەوە و بڵێ چی دێتە ناوەوە، بێ نووسینی هیچ شتێک
help-tribune-export = هەموو ماڵپەڕەکە هەناردە بکە (WXR ی وۆردپرێس)
help-tribune-export-wordpress = هەموو ماڵپەڕەکە وەک WordPress eXtended RSS 1.2 بنووسە (بە شێوەی بنەڕەت بۆ دەرچوونی ستاندارد)
help-tribune-export-wordpress--output = لە جیاتی دەرچوونی ستاندارد لەم فایلەدا بنووسە
help-tribune-export-wordpress--base-url = ناونیشانی گشتیی ماڵپەڕ، بۆ بەستەرەکانی ناو فایلەکە [بنەڕەت: base_url لە ڕێکخستنەکان، ئەگەرنا ئەو ناونیشانەی لە کاتی دامەزراندن تۆمارکرا]
help-tribune-privacy = هەموو ئەوەی دەربارەی یەک ناونیشانی ئیمەیڵ هەڵگیراوە هەناردە بکە یان بیسڕەوە
help-tribune-privacy-export = هەموو ئەوەی دەربارەی ناونیشانێکی ئیمەیڵ هەڵگیراوە وەک JSON چاپ بکە
help-tribune-privacy-erase = داتاکانی ناونیشانێکی ئیمەیڵ بسڕەوە: لێدوانەکان بێناو دەکرێن (یان دەسڕێنەوە)، بەشداریکردن، ناسنامەکانی چوونەژوورەوە و ئیمەیڵەکان لادەبرێن. سەرەتا دەپرسێت، مەگەر --yes بدرێت
help-tribune-privacy-erase--delete-comments = لێدوانەکانی بسڕەوە لە جیاتی بێناوکردنیان
help-tribune-privacy-erase--yes = بێ پرسیار بسڕەوە (بۆ سکریپتەکان)
help-tribune-backup = هەموو ماڵپەڕەکە بە شێوەیەکی یەکگرتوو کۆپی بکە لە کاتێکدا کار دەکات (SQLite؛ PostgreSQL بە pg_dump)
help-tribune-backup--file = کۆپییەکە لە کوێ بنووسرێت (فایلی بنکەدراوەی SQLite؛ نابێت پێشتر هەبێت)
cli-help-usage = بەکارهێنان:
cli-help-commands = فەرمانەکان
cli-help-options = هەڵبژاردەکان
cli-help-arguments = ئارگومێنتەکان
cli-help-help = یارمەتی چاپ بکە
cli-help-version = وەشان چاپ بکە

## Command line: help around the lines
cli-help-default = بنەڕەت
cli-help-env = گۆڕاوی ژینگە
cli-help-subcommand = ئەم پەیامە یان یارمەتیی فەرمانە لاوەکییە دیاریکراوەکە چاپ بکە

## Administration: jobs
job-kind-email = ئیمەیڵ
job-kind-held_digest = کورتەی لێدوانە ڕاگیراوەکان
job-kind-comment_digest = کورتەی لێدوانە نوێیەکان
job-kind-comment_approved = لێدوانی پەسەندکراو
job-kind-post_published = بابەتی بڵاوکراوە
job-summary-email = { $subject } ← { $to }
job-summary-held-digest = لێدوانە ڕاگیراوەکان، بۆ { $to }
job-summary-comment-digest = لێدوانی نوێ لەسەر بابەتی { $post }، بۆ { $to }
job-summary-comment-approved = لێدوانی { $id }
job-summary-post-published = بابەتی { $id }

## Administration: jobs, how email leaves
jobs-transport-smtp = ئیمەیڵ بە SMTP دەنێردرێت
jobs-transport-files = ڕاژەکاری SMTP نییە: ئیمەیڵ وەک فایل لە { $dir } دەنووسرێت

## Administration: discussion rules
field-require-name-email = نووسەری لێدوان دەبێت ناو و ئیمەیڵ بنووسێت
field-close_after_days = لێدوان دابخە لەسەر بابەتە کۆنترەکان لە (ڕۆژ)
close-after-days-hint = 0 کراوەیان دەهێڵێتەوە.
field-max_links = لێدوان لە ڕیزدا ڕابگرە ئەگەر ئەم ژمارەیە بەستەر یان زیاتری تێدا بوو
max-links-hint = زۆری بەستەر خەسڵەتێکی باوی سپامە. 0 ئەمە ناچالاک دەکات.
field-moderation-keys = چاودێریی لێدوان: ئەو وشانەی لێدوان ڕادەگرن
moderation-keys-hint = لە هەر هێڵێکدا وشەیەک، دەستەواژەیەک یان ناونیشانێک، لە دەق، ناو، ئیمەیڵ، ماڵپەڕ، ناونیشانی IP یان وێبگەڕدا دەدۆزرێتەوە، تەنانەت لەناو وشەی تریشدا؛ /وشە/ بنووسە بۆ تەنها وشەی تەواو.
field-disallowed-keys = وشە قەدەغەکراوەکان: ئەو وشانەی لێدوان دەنێرن بۆ سپام
disallowed-keys-hint = وەک لیستەکەی سەرەوە یەک دەگرنەوە. لێدوانی وا دەچێتە سپام: لەوێ هەڵدەگیرێت، هەرگیز پیشان نادرێت و ئیمەیڵ بۆ کەس نانێردرێت.

## Administration: previously approved
field-previously-approved = نووسەری لێدوان دەبێت لێدوانێکی پێشتر پەسەندکراوی هەبێت

## Administration: why a rule decided
rule-links = یاسایەک ڕایگرت: { $count } بەستەر (سنوور { $max }).
rule-moderation-word = یاسایەک ڕایگرت: «{ $word }» وشەیەکی چاودێرییە (لە { $field }).
rule-disallowed-word = یاسایەک ناردی بۆ سپام: «{ $word }» وشەیەکی قەدەغەکراوە (لە { $field }).
rule-field-ip = ناونیشانی IP
rule-field-user-agent = وێبگەڕ

## Administration: where a rule matched
rule-field-body = دەق
rule-field-name = ناو
rule-field-email = ئیمەیڵ
rule-field-url = ماڵپەڕ

## Administration: rules from the configuration
discussion-fixed-hint = ئەو خانانەی بە ڕەنگی خۆڵەمێشی پیشان دەدرێن لە فایلی ڕێکخستندا دیاری کراون ([discussion] لە tribune.toml).

## Administration: the spam folder
action-not-spam = سپام نییە
empty-spam = سپام بەتاڵ بکە
empty-trash = زبڵدان بەتاڵ بکە
moderated-deleted = { PLURAL($count) ->
        [one] لێدوانێک بە یەکجاری سڕایەوە.
       *[other] { $count } لێدوان بە یەکجاری سڕانەوە.
    }

## Comment form: the honeypot
honeypot-label = ئەم خانەیە بە بەتاڵی بهێڵەوە

## Administration: why Tribune decided before a moderator
rule-blocked = نێردرا بۆ سپام: { $field } «{ $value }» لە لیستی بلۆکدایە.
trap-honeypot = تەڵەی بۆت ناردی بۆ سپام: ئەو خانە شاراوەیەی تەنها بەرنامەکان پڕی دەکەنەوە پڕکرابووەوە.
trap-forged = تەڵەی بۆت ناردی بۆ سپام: کاتی فۆرمەکە ئەم ماڵپەڕە واژۆی نەکردبوو.
trap-too-fast =
    تەڵەی بۆت ناردی بۆ سپام: { PLURAL($count) ->
        [one] { $count } چرکە
       *[other] { $count } چرکە
    } دوای پیشاندانی فۆرمەکە نێردرا.
trap-expired =
    ڕاگیرا: پەڕەکە { PLURAL($count) ->
        [one] { $count } کاتژمێر
       *[other] { $count } کاتژمێر
    } کراوە بوو پێش ناردنی لێدوانەکە.
trap-no-script = ڕاگیرا: بێ JavaScript نێردرا، بۆیە کاتی فۆرمەکە نەپشکنرا.
filter-score = پاڵێوەری سپام: { $score }٪ ئەگەری سپام. گرنگترین نیشانەکان: { $clues }

## Administration: blocking from the queue
block-email = بلۆککردنی ئیمەیڵ
block-ip = بلۆککردنی IP
block-name = بلۆککردنی ناو
moderated-blocked =
    { PLURAL($count) ->
        [one] { $count } تۆمار بلۆک کرا؛ لێدوانەکە لە سپامدایە.
       *[other] { $count } تۆمار بلۆک کران؛ لێدوانەکان لە سپامدان.
    }

## Administration: spam settings
settings-spam = سپام
settings-comments-display = لێدوانەکان لە پەڕەدا
field-block-list = لیستی بلۆک: ئەو ئیمەیڵ و ناونیشانی IP و ناوانەی لێدوانەکانیان دەچن بۆ سپام
block-list-hint = لە هەر هێڵێکدا یەک: email someone@example.org، ip 203.0.113.9 یان name ناو، بە تەواوی بەراورد دەکرێت، پیتی گەورە و بچووک جیاوازی نییە. دوگمەکانی بلۆک لە لێدوانەکاندا زیادی دەکەن.
filter-learned = پاڵێوەری سپام لە هەموو پەسەندکردن و سپام و سپام نییەیەک فێر دەبێت. تا ئێستا لە { $spam } سپام و { $ham } لێدوانی تر فێر بووە؛ کاتێک لە { $min } دانە لە هەر یەکێکیان فێر بوو بڕیار دەدات، و تا ئەو کاتە نمرە بە هەموو لێدوانێک دەدات.
field-spam_threshold = لێدوانی میوان بنێرە بۆ سپام لەم نمرەیەدا (٪) یان زیاتر
spam-threshold-hint = لێدوانەرانی چووەژوورەوە هەرگیز تەنها بەهۆی نمرەکەیانەوە نانێردرێن بۆ سپام: ڕادەگیرێن.
field-hold_threshold = لێدوان بۆ چاودێری ڕابگرە لەم نمرەیەدا (٪) یان زیاتر
hold-threshold-hint = 0 واتە نمرە هیچ ڕاناگرێت.
field-form_min_seconds = ئەو فۆرمەی زووتر لەم چەند چرکەیە دوای پیشاندانی بنێردرێت هی بۆتە
form-min-seconds-hint = ئەم لێدوانانە لە سپامدا دەمێننەوە و دەکرێت بگەڕێنرێنەوە. 0 ئەم پشکنینە ناچالاک دەکات.
field-spam_days = ئەو سپامانە بسڕەوە کە لەم چەند ڕۆژە کۆنترن
spam-days-hint = هەموو کاتژمێرێک دەپشکنرێت. 0 سپام دەهێڵێتەوە تا کەسێک بەتاڵی دەکاتەوە.

## Administration: the activity log
nav-activity = چالاکی
activity-intro = هەموو کردارێکی چاودێری و گۆڕانکارییەکی یاسا: کێ کردی، کەی، و لە کوێوە.
activity-from = لە
activity-any = هەر
activity-what = چی
activity-email = ئیمەیڵی لێدوانەر
activity-filter = پاڵاوتن
activity-when = کەی
activity-who = کێ
activity-comment = لێدوان
activity-detail = وردەکاری
activity-someone = کەسێک بە بەستەری ئیمەیڵەکە
activity-none = هێشتا هیچ تۆمار نەکراوە.
activity-source-admin = پەڕەکانی بەڕێوەبردن
activity-source-email = بەستەری ئیمەیڵ
activity-source-cli = هێڵی فەرمان
activity-source-filter = پاڵێوەری سپام
activity-source-rule = یاسای گفتوگۆ
activity-source-trap = تەڵەی بۆت
activity-source-job = کاری خشتەکراو
activity-source-service = خزمەتگوزاریی سپام (Akismet)
activity-action-approve = پەسەندکرا
activity-action-unapprove = پەسەندکردن لابرا
activity-action-spam = وەک سپام دیاریکرا
activity-action-not-spam = سپام نییە
activity-action-trash = نێردرا بۆ زبڵدان
activity-action-hold = ڕاگیرا
activity-action-delete = بە یەکجاری سڕایەوە
activity-action-block = بلۆک کرا
activity-action-settings = یاساکان گۆڕدران

## Jobs: spam
job-kind-purge_spam = پاککردنەوەی سپام
job-kind-spam_check = پشکنینی خزمەتگوزاریی سپام
job-kind-spam_report = ڕاپۆرت بۆ خزمەتگوزاریی سپام
job-kind-webmention_receive = ئاماژەی وێب گەیشت (Webmention)
job-kind-webmentions_send = ئاماژەی وێب بۆ ناردن (Webmention)
job-kind-webmention_send = ناردنی ئاماژەی وێب (Webmention)
job-summary-purge-spam = سپامی کۆن دەسڕێتەوە، پاشان دوای کاتژمێرێک دووبارە
job-summary-spam-check = لێدوانی { $id }
job-summary-spam-report-spam = لێدوانی { $id } سپامە
job-summary-spam-report-ham = لێدوانی { $id } سپام نییە

## Configuration: spam service and limits
config-akismet-endpoint = ناونیشانی خزمەتگوزاریی سپام `{ $endpoint }` ناونیشانێکی http:// یان https:// نییە ([akismet] endpoint، TRIBUNE_AKISMET_ENDPOINT)
config-env-number = { $key } بەهاکەی `{ $value }`ە، ژمارەیەکی تەواو نییە

## Command line: the activity log
cli-log-someone = (بەستەری ئیمەیڵ)
help-tribune-comments-not-spam = سپام نییە: دەگەڕێتەوە بۆ ڕیزی چاودێری، و پاڵێوەری سپام لێی فێر دەبێت
help-tribune-comments-log = تۆماری چالاکی: هەموو کردارێکی چاودێری و گۆڕانکارییەکی یاسا، نوێترین لە سەرەوە
help-tribune-comments-log--source = admin، email، cli، filter، rule، trap، job یان service
help-tribune-comments-log--action = approve، unapprove، spam، not-spam، trash، hold، delete، block یان settings
help-tribune-comments-log--email = تەنها ئەو تۆمارانەی دەربارەی ئیمەیڵی ئەم لێدوانەرەن
help-tribune-comments-log--limit = زۆرترین ئەم ژمارەیە

## Administration: a score with nothing to go on
filter-score-unknown = پاڵێوەری سپام: هێشتا هیچ شتێک لەم لێدوانەدا نییە کە لێی فێر بووبێت.

## Comment form: remember me
save-my-details = ناو و ئیمەیڵ و ماڵپەڕەکەم لەم وێبگەڕەدا پاشەکەوت بکە بۆ جاری داهاتوو کە لێدوان دەنووسم.

## Administration: staff accounts
nav-users = بەکارهێنەران
users-name = ناو
field-role = ڕۆڵ
users-state = دۆخ
users-actions = کردارەکان
users-you = تۆ
users-change-role = گۆڕینی ڕۆڵ
users-state-off = ناچالاککراو
users-state-invited = بانگهێشتکراو، هێشتا وشەی نهێنی نییە
users-state-active = چالاکە لە { $date }ەوە
users-resend = دووبارە ناردنی بانگهێشت
users-deactivate = ناچالاککردن
users-activate = چالاککردن
users-delete = سڕینەوە
users-invite = بانگهێشتکردنی کەسێک
users-invite-help = ئیمەیڵێکیان بۆ دێت بە بەستەرێک بۆ هەڵبژاردنی وشەی نهێنی. بەستەرەکە بۆ هەفتەیەک کار دەکات.
users-role-hint = بەڕێوەبەر هەموو شتێک بەڕێوە دەبات؛ سەرنووسەر هەموو بابەتەکان دەنووسێت و دەستکاری دەکات و چاودێری دەکات؛ نووسەر بابەتەکانی خۆی دەنووسێت؛ چاودێر ئاگای لە لێدوانەکانە.
users-send-invitation = ناردنی بانگهێشت
users-invited = بانگهێشتەکە نێردرا.
users-invitation-resent = بانگهێشتەکە دووبارە نێردرا.
users-invitation-wait = کەمتر لە خولەکێک لەمەوبەر ئیمەیڵێک بۆ ئەم ناونیشانە نێردرا. دوای خولەکێک دووبارە هەوڵ بدەرەوە.
users-role-changed = ڕۆڵەکە گۆڕدرا.
users-deactivated = هەژمارەکە ناچالاک کرا: ئیتر ناتوانێت بچێتە ژوورەوە و دانیشتنەکانی کۆتاییان هات. بابەتەکانی دەمێننەوە.
users-activated = هەژمارەکە دووبارە چالاکە.
users-removed = هەژمارەکە سڕایەوە.
users-delete-title = { $name } بسڕدرێتەوە؟
users-reassign = { PLURAL($count) ->
    [one] بابەتەکەی دەدرێت بە:
   *[other] { $count } بابەتەکەی دەدرێن بە:
}
users-no-posts = هیچ بابەتێکی نەنووسیوە.
users-delete-warning = دانیشتنەکانی کۆتاییان دێت و هەژمارەکە بۆ هەمیشە دەڕوات؛ تۆماری چالاکی ئەوەی کردوویەتی بە ناوی خۆیەوە دەپارێزێت.
users-delete-confirm = هەژمارەکە بسڕەوە
cancel = هەڵوەشاندنەوە
error-last-admin = ماڵپەڕەکە لانیکەم پێویستی بە یەک بەڕێوەبەری چالاک هەیە: سەرەتا کەسێکی تر بکە بە بەڕێوەبەر.
error-user-has-posts = ئەم هەژمارە هێشتا بابەتی هەیە: هەڵبژێرە کێ وەریاندەگرێت.
error-reassign-self = بابەتەکانی ناتوانرێت بدرێن بەو هەژمارەی دەسڕدرێتەوە: کەسێکی تر هەڵبژێرە.
error-not-yourself = لێرە ناتوانیت ئەمە بە هەژمارەکەی خۆت بکەیت: داوا لە بەڕێوەبەرێکی تر بکە، یان پرۆفایلەکەت بەکاربهێنە.
error-already-has-password = ئەم هەژمارە وشەی نهێنی هەیە؛ خاوەنەکەی دەتوانێت «وشەی نهێنیت لەبیر چووە؟» بەکاربهێنێت.
error-unknown-role = یەکێک لە ڕۆڵەکانی لیستەکە هەڵبژێرە.
error-unknown-action = ئەم کردارە لێرە نەناسراوە. بگەڕێوە و یەکێک لە دوگمەکانی پەڕەکە بەکاربهێنە.
error-user-exists = هەژمارێکی تر ئەم ئیمەیڵە بەکاردەهێنێت.
error-current-password = ئەمە وشەی نهێنیی ئێستات نییە.
name-account-link = بەستەری هەژمار

## Administration: lost password and emailed links
lost-password = وشەی نهێنیت لەبیر چووە؟
lost-password-link = وشەی نهێنیت لەبیر چووە؟
lost-password-help = ئیمەیڵی هەژماری ستافەکەت بنووسە. بەستەرێکت بۆ دێت بۆ هەڵبژاردنی وشەی نهێنیی نوێ.
lost-password-send = بەستەرێکم بۆ بنێرە
lost-password-sent = { PLURAL($count) ->
    [one] ئەگەر { $email } هی هەژمارێکی ستاف بێت، بەستەرێک بۆ هەڵبژاردنی وشەی نهێنیی نوێ بەڕێوەیە. تەنها یەک جار و بۆ ماوەی کاتژمێرێک کار دەکات.
   *[other] ئەگەر { $email } هی هەژمارێکی ستاف بێت، بەستەرێک بۆ هەڵبژاردنی وشەی نهێنیی نوێ بەڕێوەیە. تەنها یەک جار و بۆ ماوەی { $count } کاتژمێر کار دەکات.
}
back-to-login = گەڕانەوە بۆ چوونەژوورەوە
choose-password = وشەیەکی نهێنی هەڵبژێرە
choose-password-welcome = بەخێربێیت { $name }. ئەو وشە نهێنییە هەڵبژێرە کە پێی دەچیتە ژوورەوە.
choose-password-help = وشەیەکی نهێنیی نوێ هەڵبژێرە. هەموو دانیشتنەکانی ئەم هەژمارە کۆتاییان دێت؛ پاشان پێی بچۆ ژوورەوە.
field-new-password = وشەی نهێنیی نوێ
save-password = پاشەکەوتکردنی وشەی نهێنی
account-link-gone = ئەم بەستەرە ئیتر کار ناکات: ماوەکەی تەواو بووە یان پێشتر بەکارهاتووە. داوای یەکێکی نوێ بکە.
lost-password-again = داوای بەستەرێکی نوێ بکە
password-set-log-in = وشە نهێنییەکەت پاشەکەوت کرا. پێی بچۆ ژوورەوە.
email-reset-subject = [{ $site }] وشەیەکی نهێنیی نوێ هەڵبژێرە
email-reset-intro = کەسێک داوای ڕێکخستنەوەی وشەی نهێنیی هەژماری ستاف { $email }ی لە { $site } کردووە.
email-reset-action = وشەیەکی نهێنیی نوێ هەڵبژێرە:
email-reset-expires = { PLURAL($count) ->
    [one] بەستەرەکە یەک جار و بۆ ماوەی کاتژمێرێک کار دەکات.
   *[other] بەستەرەکە یەک جار و بۆ ماوەی { $count } کاتژمێر کار دەکات.
}
email-reset-ignore = ئەگەر داوات نەکردووە، گوێ بەم ئیمەیڵە مەدە: وشە نهێنییەکەت وەک خۆی دەمێنێتەوە.
email-invite-subject = [{ $site }] بانگهێشت کراویت
email-invite-intro = { $name } بانگهێشتی کردوویت بۆ یارمەتیدان لە بەڕێوەبردنی { $site }.
email-invite-action = وشە نهێنییەکەت هەڵبژێرە:
email-invite-expires = { PLURAL($count) ->
    [one] بەستەرەکە بۆ ماوەی ڕۆژێک کار دەکات.
   *[other] بەستەرەکە بۆ ماوەی { $count } ڕۆژ کار دەکات.
}
email-account-sign-in = دواتر بە { $email } بچۆ ژوورەوە لە

## Administration: your profile and sessions
profile-about = دەربارەی تۆ
field-current-password = وشەی نهێنیی ئێستا
profile-email-needs-password = تەنها بۆ گۆڕینی ئیمەیڵەکەت پێویستە.
profile-password = وشەی نهێنی
profile-password-signs-out = دانیشتنەکانی ترت کۆتاییان دێت.
profile-change-password = گۆڕینی وشەی نهێنی
profile-password-changed = وشەی نهێنی گۆڕدرا. دانیشتنەکانی ترت کۆتاییان هات.
profile-signed-out-others = لە هەموو شوێنەکانی تر چوویتە دەرەوە.
profile-signed-out-one = ئەو دانیشتنە کۆتایی هات.
profile-sessions = لە کوێ چوویتە ژوورەوە
profile-sessions-help = هەموو ئەو وێبگەڕانەی چوونەتە ناو ئەم هەژمارە. هەر یەکێک کە نایناسیتەوە کۆتایی پێبهێنە.
session-browser = وێبگەڕ
session-address = ناونیشان
session-started = چووەتە ژوورەوە
session-this = ئەم وێبگەڕە
session-sign-out = چوونەدەرەوە
sign-out-others = لە هەموو شوێنەکانی تر بچۆ دەرەوە
sign-out-everywhere = لە هەموو شوێنێک بچۆ دەرەوە

## Command line: staff accounts
cli-password-set = وشەی نهێنی بۆ { $email } دانرا؛ دانیشتنەکانی کۆتاییان هات
cli-role-changed = { $email } ئێستا { $role }ە
cli-user-removed = { $email } سڕایەوە
cli-posts-reassigned = { PLURAL($count) ->
    [one] بابەتێک ئێستا هی { $email }ە
   *[other] { $count } بابەت ئێستا هی { $email }ن
}
help-tribune-user-passwd = وشەی نهێنیی ئەندامێکی ستاف دابنێ و لە هەموو شوێنێک دەریبکە
help-tribune-user-passwd--user = ئیمەیڵ یان ناسنامەکەی
help-tribune-user-passwd--password-stdin = وشەی نهێنی لە یەکەم هێڵی تێچوونی ستاندارد بخوێنەوە (ئەگەرنا یەکێک دروست دەکرێت و چاپ دەکرێت)
help-tribune-user-role = ڕۆڵی ئەندامێکی ستاف بگۆڕە
help-tribune-user-role--user = ئیمەیڵ یان ناسنامەکەی
help-tribune-user-role--role = admin (بەڕێوەبەر)، editor (سەرنووسەر)، author (نووسەر) یان moderator (چاودێر)
help-tribune-user-remove = هەژمارێکی ستاف بسڕەوە
help-tribune-user-remove--user = ئیمەیڵ یان ناسنامەکەی
help-tribune-user-remove--reassign = بابەتەکانی بدە بەم ئەندامەی ستاف (ئیمەیڵ یان ناسنامە)

## Comment pages
comment-pages = پەڕەکانی لێدوان
comment-pages-below = لە ژێر لێدوانەکان
comment-page-of = پەڕەی لێدوانی { $page } لە { $count }
older-comments = لێدوانە کۆنترەکان
newer-comments = لێدوانە نوێترەکان
field-page_comments = لێدوانەکان بکە بە چەند پەڕەیەک
field-comments_per_page = ژمارەی لێدوانی سەرەکی لە هەر پەڕەیەک
field-default_comments_page = ئەو پەڕەیەی یەکەم جار پیشان دەدرێت
comments-page-newest = دوا پەڕە (نوێترین لێدوانەکان)
comments-page-oldest = یەکەم پەڕە (کۆنترین لێدوانەکان)
field-comment_order = لە سەرەوەی هەر پەڕەیەک
comment-order-asc = کۆنترین لێدوان
comment-order-desc = نوێترین لێدوان
field-edit_minutes = لێدوانەر دەتوانێت لێدوانەکەی دەستکاری بکات یان بیسڕێتەوە بۆ ماوەی (خولەک)
edit-minutes-hint = لەو وێبگەڕەی پێی نووسراوە. 0: هەرگیز.

## Comments: editing your own
edit-your-comment = لێدوانەکەت دەستکاری بکە
edit-comment-on = لەسەر «{ $title }»
back-to-post = گەڕانەوە بۆ بابەتەکە
edit-until = { PLURAL($count) ->
    [one] دەتوانیت تا { $until } بیگۆڕیت یان بیسڕیتەوە (نزیکەی خولەکێک ماوە).
   *[other] دەتوانیت تا { $until } بیگۆڕیت یان بیسڕیتەوە (نزیکەی { $count } خولەک ماوە).
}
save-changes = پاشەکەوتکردنی گۆڕانکارییەکان
delete-my-comment = لێدوانەکەم بسڕەوە
edit-my-comment = دەستکاری یان سڕینەوە
edit-for-a-while = (لێدوانەکەت، بۆ چەند خولەکێک لەم وێبگەڕەوە)
error-edit-window-over = ئیتر ناتوانرێت ئەم لێدوانە لەم وێبگەڕەوە بگۆڕدرێت: کاتی دەستکاریکردن تەواو بووە، یان لە شوێنێکی ترەوە نووسراوە.
activity-source-author = لێدوانەر
activity-action-edit = لەلایەن نووسەرەکەیەوە دەستکاری کرا

## Staff on the public site
staff-bar = ستاف
staff-bar-dashboard = داشبۆرد
staff-bar-new-post = بابەتی نوێ
staff-bar-edit-post = دەستکاریی ئەم بابەتە بکە
staff-bar-waiting = { PLURAL($count) ->
    [one] لێرە یەک لێدوان چاوەڕێیە
   *[other] لێرە { $count } لێدوان چاوەڕێن
}
action-edit = دەستکاری
edit-comment = دەستکاریکردنی لێدوان

## Administration: editing a comment
comment-edited = لێدوانەکە پاشەکەوت کرا.

## Administration: the posts list
posts-filters = بابەتەکان بەپێی دۆخ
posts-tab-all = هەموو
posts-tab-published = بڵاوکراوە
posts-tab-draft = ڕەشنووسەکان
posts-tab-private = تایبەت
posts-tab-trash = زبڵدان
posts-search = گەڕان لە بابەتەکان
posts-any = هەر کامێک
posts-category = پۆل
posts-filter = پاڵاوتن
posts-found = { PLURAL($count) ->
    [one] یەک بابەت
   *[other] { $count } بابەت
}
posts-restore = گەڕاندنەوە
posts-delete = بۆ هەمیشە بسڕەوە
posts-trashed = بابەتەکە گوازرایەوە بۆ زبڵدان.
posts-restored = بابەتەکە لە زبڵدانەوە گەڕێندرایەوە.
posts-deleted = بابەتەکە لەگەڵ لێدوانەکانی بۆ هەمیشە سڕایەوە.
posts-pages = پەڕەکانی بابەت
posts-newer = بابەتە نوێترەکان
posts-older = بابەتە کۆنترەکان
posts-page-of = پەڕەی { $page } لە { $count }
status-scheduled = خشتەکراو

## Administration: the editor
post-published = بابەتەکە بڵاوکرایەوە.
post-scheduled = بابەتەکە خشتە کرا.
field-new-category = پۆلی نوێ
field-tags = تاگەکان
terms-hint = بە کۆما لێکیان جیا بکەرەوە.
update-post = نوێکردنەوە
save-draft = پاشەکەوتکردنی ڕەشنووس
publish-post = بڵاوکردنەوە
schedule-post = خشتەکردن

## Administration: revisions and autosave
revisions = پێداچوونەوەکان
revisions-of = پێداچوونەوەکانی «{ $title }»
revisions-count = { PLURAL($count) ->
    [one] یەک پێداچوونەوە
   *[other] { $count } پێداچوونەوە
}
back-to-editor = گەڕانەوە بۆ دەستکاریکەر
compare-title = پێداچوونەوەی { $date } لە تەنیشت بابەتەکە وەک ئێستا
compare-part-excerpt = کورتە
compare-part-body = دەق
revision-by = پاشەکەوتکراو لەلایەن
revision-autosave = پاشەکەوتی خۆکار
revision-current = ئێستا
revision-compare = بەراوردی بکە لەگەڵ ئێستا
revision-restore = ئەم پێداچوونەوەیە بگەڕێنەرەوە
revision-restored = پێداچوونەوەکە گەڕێندرایەوە.
error-revision-invalid = ئەم پێداچوونەوەیە وەک خۆی ناگەڕێندرێتەوە: دەستکاریکەر بکەرەوە و دەقەکەی بلکێنە.
error-autosave-incomplete = هێشتا بە خۆکار پاشەکەوت نەکراوە: بابەتەکە ناونیشانی پێویستە.
autosaved-at = ڕەشنووس لە { $time } پاشەکەوت کرا.

## Administration: revisions, the parts compared
compare-part-title = ناونیشان

## Administration: the editor, filing
categories-and-tags = پۆل و تاگەکان

## Administration: media
nav-media = میدیا
media-uploaded = بارکرا بۆ کتێبخانە.
media-deleted = فایلەکە سڕایەوە.
media-choose-files = فایلەکان بۆ بارکردن
media-limits = وێنەی JPEG، PNG، WebP یان GIF و فایلی PDF، هەتا { $max } مێگابایت بۆ هەر یەکێک. SVG وەرناگیرێت.
media-alt = دەقی جێگرەوە
media-alt-hint = وێنەکە بۆ ئەو کەسانە وەسف بکە کە ناتوانن بیبینن. تەنها ئەگەر وێنەکە بۆ جوانکاری بێت بەتاڵی بهێڵەوە.
media-upload = بارکردن
media-search = گەڕان لە کتێبخانە
media-kind = جۆر
media-kind-image = وێنەکان
media-kind-pdf = فایلەکانی PDF
media-unused = تەنها ئەو فایلانەی هیچ بابەتێک بەکاریان نایەنێت
media-found =
    { PLURAL($count) ->
        [one] ١ فایل
        *[other] { $count } فایل
    }
media-no-alt = دەقی جێگرەوە نییە
media-used-count =
    { PLURAL($count) ->
        [one] لە ١ بابەتدا بەکارهاتووە
        *[other] لە { $count } بابەتدا بەکارهاتووە
    }
media-unused-label = بەکارنەهاتووە
media-none = هێشتا هیچ فایلێک نییە. یەکەمیان لە سەرەوە بار بکە.
media-saved = پاشەکەوت کرا.
media-open-pdf = PDFەکە بکەرەوە
media-address = ناونیشان
media-size = قەبارە
media-uploaded-on = بارکرا
media-markdown = لە بابەتێکدا
media-used-in = بەکارهاتووە لە
media-delete-when-unused = فایلێک دەسڕدرێتەوە کاتێک هیچ بابەتێک نیشانی نەدات: سەرەتا لەم بابەتانە لای ببە.
media-used-nowhere = هیچ بابەتێک ئەم فایلە بەکارناهێنێت.
media-delete = بە یەکجاری بیسڕەوە
media-size-kb = { $size } کیلۆبایت
media-size-mb = { $size } مێگابایت
media-error-empty = فایلەکە بەتاڵە.
media-error-too-large = فایلەکە { $size } مێگابایتە؛ سنوور { $max } مێگابایتە. بچووکی بکەرەوە (وێنەیەک بە پانی ٢٠٠٠ پیکسڵ بەسە) و دووبارە باری بکە.
media-error-svg = وێنەی SVG وەرناگیرێت: دەتوانێت سکریپت هەڵبگرێت کە لەم ماڵپەڕەدا کار بکات. وێنەکە وەک PNG دەربکە و ئەوە بار بکە.
media-error-type = ئەم جۆرە فایلە وەرناگیرێت. وێنەی JPEG، PNG، WebP یان GIF، یان فایلی PDF بار بکە.
media-error-pixels = وێنەکە { $width }×{ $height } پیکسڵە؛ سنوور { $max } مێگاپیکسڵە. بچووکی بکەرەوە و دووبارە باری بکە.
media-error-unreadable = فایلەکە وەک فایلێکی { $kind } دەست پێدەکات بەڵام ناخوێنرێتەوە: لەوانەیە تێکچووبێت یان ناتەواو بێت. دووبارە پاشەکەوتی بکە و باری بکە.
media-error-broken-upload = بارکردنەکە بە تەواوی نەگەیشت. دووبارە هەوڵ بدەرەوە.
media-error-no-file = سەرەتا فایلێک بۆ بارکردن هەڵبژێرە.
media-error-storage = ئێستا فایلەکە هەڵنەگیرا؛ هیچ شتێک نەمایەوە. کەمێکی تر دووبارە هەوڵ بدەرەوە.
media-error-in-use = ئەم فایلە لە بابەتێکدا نیشان دەدرێت، بۆیە نەسڕایەوە. سەرەتا لەو بابەتانەی خوارەوە لای ببە.
media-uploading = بار دەکرێت
media-inserted = زیادکرا:
media-open-library = وێنە و فایلەکان لە کتێبخانەی میدیا بار بکە (لە تابێکی نوێدا دەکرێتەوە)، پاشان Markdownەکەیان لێرە دابنێ.
media-add = میدیا زیاد بکە
media-from-library = لە کتێبخانەوە
media-drop-hint = یان وێنەکان بخە ناو دەقەکە یان لێی دابنێ
media-alt-for = دەقی جێگرەوە بۆ
media-alt-save = دەقی جێگرەوە پاشەکەوت بکە
media-insert = دایبنێ
media-set-featured = بیکە بە وێنەی دیار
close = داخستن
featured-image = وێنەی دیار
featured-image-choose = ئەو وێنەیەی لە سەرووی بابەتەکە و لە پێشبینینی بەستەرەکاندا نیشان دەدرێت
featured-image-none = هیچ
config-s3-endpoint = ناونیشانی سەتڵی میدیا `{ $endpoint }` ناونیشانێکی http:// یان https:// نییە ([media] s3_endpoint، TRIBUNE_S3_ENDPOINT)
config-s3-incomplete = سەتڵێکی S3 بۆ میدیا پێویستی بە هەموو s3_endpoint، s3_bucket، s3_access_key و s3_secret_key هەیە ([media] یان TRIBUNE_S3_*)

## Moving in: media
help-tribune-import-wordpress--fetch-media = وێنە و فایلەکانی هەناردەکە بهێنە ناو کتێبخانەی میدیا (لە ناونیشانەکانیان لە هەناردەکەدا) و لێرەوە نیشانیان بدە
import-label-attachment = هێڵی { $line }: { $url }
import-note-media-failed = هاوپێچێک نەهێنرا ({ $reason })؛ بابەتەکان هێشتا بەستەر بۆ ناونیشانە کۆنەکەی دەدەن
import-media =
    { PLURAL($count) ->
        [one] { $count } فایل هێنرایە ناو کتێبخانەی میدیا.
        *[other] { $count } فایل هێنرانە ناو کتێبخانەی میدیا.
    }

## Administration: media, back
media-back = → میدیا

## Feeds
feed-comments-title = لێدوانەکانی { $site }
feed-post-comments-title = لێدوانەکان لەسەر: { $title }
feed-comment-by = لەلایەن: { $author }
feed-comment-on = لێدوانی { $author } لەسەر { $title }
feed-posts-link = { $site } » فید
feed-comments-link = { $site } » فیدی لێدوانەکان
feed-archive-link = { $site } » فیدی { $name }
feed-post-comments-link = { $site } » فیدی لێدوانەکانی { $title }
field-posts_per_rss = ژمارەی بابەتەکان لە هەر فیدێکدا
field-rss_use_excerpt = هەر بابەتێک لە فیددا پیشان دەدات
feed-full-text = دەقی تەواو
feed-summary = پوختە
feed-follow = بە فید بەدوای بکەوە

## Search
search-label = گەڕان
search-button = بگەڕێ
search-placeholder = لەم ماڵپەڕەدا بگەڕێ
search-title = ئەنجامەکانی گەڕان بۆ «{ $query }»
search-count =
    { PLURAL($count) ->
        [one] یەک ئەنجام.
       *[other] { $count } ئەنجام.
    }
search-count-more = زیاتر لە { $count } ئەنجام.
search-slow-down = لەم خولەکەدا زۆر جار گەڕاویت. دوای خولەکێک دووبارە هەوڵ بدەرەوە.
search-nothing = هیچ شتێک لەگەڵ ئەم وشانەدا ناگونجێت. وشەی کەمتر یان ڕێنووسێکی تر تاقی بکەرەوە.
search-more = ئەنجامی زیاتر
search-back = ئەنجامەکانی پێشوو

## Webmention
comment-type-webmention = ئاماژە:
webmention-accepted = وەرگیرا. سەرچاوەکە دەپشکنرێت، و ئاماژەکە دوای پەسەندکردنی لەلایەن چاودێرێکەوە پیشان دەدرێت.
webmention-bad-urls = سەرچاوە و ئامانج وەک ناونیشانی http یان https بنێرە.
webmention-same = سەرچاوە و ئامانج هەمان ناونیشانن.
webmention-not-here = ئامانجەکە لەسەر ئەم ماڵپەڕە نییە.
webmention-no-post = ئامانجەکە بابەت یان پەڕەیەکی بڵاوکراوەی ئێرە نییە.
webmention-closed = ئەم بابەتە چیتر وەڵام وەرناگرێت.
webmention-slow-down = ئاماژەی زۆر لە ناونیشانەکەتەوە؛ دوای خولەکێک دووبارە هەوڵ بدەرەوە.
job-summary-webmention-receive = پشکنینی ئاماژەیەک بۆ بابەتی { $id } لەلایەن { $source }
job-summary-webmentions-send = دۆزینەوەی ئەو پەڕانەی بابەتی { $id } بەستەری بۆیان هەیە، بۆ ئاگادارکردنەوەیان
job-summary-webmention-send = ئاگادارکردنەوەی { $target } کە بابەتی { $id } بەستەری بۆی هەیە
