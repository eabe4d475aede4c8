# Tribune — فارسی. ترجمه برای همین پروژه نوشته شده است؛ جمع به قاعدهٔ CLDR: one و other.
# در فارسی اسم پس از عدد مفرد می‌آید («۳ دیدگاه»).

## Times (dates and numbers themselves come from CLDR)
time-ago = { $unit ->
    [seconds] { PLURAL($count) ->
        [one] چند لحظه پیش
       *[other] { $count } ثانیه پیش
    }
    [minutes] { PLURAL($count) ->
        [one] یک دقیقه پیش
       *[other] { $count } دقیقه پیش
    }
    [hours] { PLURAL($count) ->
        [one] یک ساعت پیش
       *[other] { $count } ساعت پیش
    }
   *[days] { PLURAL($count) ->
        [one] دیروز
       *[other] { $count } روز پیش
    }
}
time-in = { $unit ->
    [seconds] { PLURAL($count) ->
        [one] چند لحظهٔ دیگر
       *[other] { $count } ثانیهٔ دیگر
    }
    [minutes] { PLURAL($count) ->
        [one] یک دقیقهٔ دیگر
       *[other] { $count } دقیقهٔ دیگر
    }
    [hours] { PLURAL($count) ->
        [one] یک ساعت دیگر
       *[other] { $count } ساعت دیگر
    }
   *[days] { PLURAL($count) ->
        [one] فردا
       *[other] { $count } روز دیگر
    }
}

## Site
skip-to-content = پرش به محتوا
powered-by = منتشرشده با Tribune
latest-posts = تازه‌ترین نوشته‌ها
page-n = برگهٔ { $n }
no-posts = هنوز چیزی منتشر نشده است.
continue-reading = ادامهٔ مطلب
posts-navigation = نوشته‌های بیشتر
older-posts = → نوشته‌های قدیمی‌تر
newer-posts = نوشته‌های تازه‌تر ←
posted-on-by = منتشرشده در { $date } به قلم { $author }
comment-count = { PLURAL($count) ->
    [0] دیدگاهی بنویسید
    [one] یک دیدگاه
   *[other] { $count } دیدگاه
}
not-found-title = برگه پیدا نشد
not-found-text = در این نشانی چیزی نیست. شاید جابه‌جا شده یا پیوند اشتباه نوشته شده است.
back-home = رفتن به صفحهٔ اصلی

## Comments
responses = { PLURAL($count) ->
    [0] هیچ پاسخی به «{ $title }» نیست
    [one] یک پاسخ به «{ $title }»
   *[other] { $count } پاسخ به «{ $title }»
}
awaiting-moderation = دیدگاه شما در انتظار بررسی است.
comment-type-pingback = پینگ‌بک:
comment-type-trackback = ترک‌بک:
filed-under-category = دسته‌ها:
filed-under-tag = برچسب‌ها:
archive-category = دسته: { $name }
archive-tag = برچسب: { $name }
reply = پاسخ
reply-to = پاسخ به { $name }
leave-a-reply = دیدگاهتان را بنویسید
leave-a-reply-to = پاسخ به { $name } را بنویسید
cancel-reply = لغو پاسخ
email-not-published = نشانی ایمیل شما منتشر نخواهد شد.
required-fields-marked = بخش‌های موردنیاز علامت‌گذاری شده‌اند *
field-body = دیدگاه
field-name = نام
field-email = ایمیل
field-url = وب‌سایت
post-comment = فرستادن دیدگاه
comments-closed = دیدگاه‌ها بسته شده‌اند.
comment-not-posted = دیدگاه شما فرستاده نشد. لطفاً این‌ها را بررسی کنید:

## Form problems
error-too-long = { $field } بیش از اندازه بلند است: { $len } نویسه. سقف آن { $max } است.
error-body-required = لطفاً دیدگاهتان را بنویسید.
error-name-required = لطفاً نامتان را وارد کنید.
error-email-required = لطفاً نشانی ایمیلتان را وارد کنید. هرگز نمایش داده نمی‌شود.
error-email-invalid = این نشانی ایمیل درست به نظر نمی‌رسد. غلط تایپی را بررسی کنید.
error-url-invalid = وب‌سایت باید نشانی وب باشد، مانند https://example.org.
error-rate-limited = خیلی تند می‌فرستید. یک دقیقه صبر کنید و دوباره بفرستید: دیدگاهتان همین‌جا مانده است.
error-parent-invalid = فرم پاسخ در راه آسیب دیده است (دیدگاهی که به آن پاسخ می‌دهید عدد نیست). دیدگاهتان همین‌جاست؛ نوشته را دوباره بارگذاری کنید و آن را بفرستید.
error-duplicate = دیدگاه تکراری است؛ گویا این را پیش‌تر گفته‌اید. در راه است و نیازی به فرستادن دوباره نیست.
error-unavailable = اکنون نشد دیدگاهتان را ذخیره کنیم: سایت سرش شلوغ است یا فعلاً نمی‌تواند بنویسد. چیزی از دست نرفته؛ در فرم پایین هست. یک دقیقهٔ دیگر دوباره بفرستید.
error-not-stored = به‌خاطر خطایی در سایت نشد دیدگاهتان را ذخیره کنیم. در فرم پایین هست؛ دوباره امتحان کنید، و اگر باز هم نشد، این شناسهٔ درخواست را به صاحب سایت بگویید: { $id }.
error-parent-gone = دیدگاهی که به آن پاسخ می‌دهید دیگر در دسترس نیست. دیدگاهتان همین‌جاست؛ آن را به‌عنوان دیدگاهی تازه بفرستید.
error-title-required = لطفاً برای نوشته عنوانی بنویسید.
error-slug-invalid = نامک فقط می‌تواند حرف، رقم، - و _ داشته باشد.
error-slug-taken = نوشتهٔ دیگری این نامک را دارد. نامک دیگری برگزینید.
error-lang-invalid = زبانی از فهرست برگزینید.
error-status-invalid = پیش‌نویس، منتشرشده یا خصوصی را برگزینید.
error-date-invalid = تاریخ باید به این شکل باشد: 2026-11-26T09:30.
error-site-title-required = لطفاً برای سایت عنوانی بنویسید.
error-display-name-required = لطفاً نامتان را وارد کنید.
error-password-short = گذرواژه باید دست‌کم { $min } نویسه باشد.
error-password-mismatch = دو گذرواژه یکسان نیستند.
error-login-failed = ایمیل یا گذرواژه نادرست است.
error-site-url-invalid = نشانی سایت باید نشانی وب باشد، مانند https://example.org (بدون ? یا #).
error-login-slow-down = تلاش‌های ناموفق ورود بسیار است. { $unit ->
        [minutes] { PLURAL($count) ->
            [one] یک دقیقه
           *[other] { $count } دقیقه
        }
       *[seconds] { PLURAL($count) ->
            [one] یک ثانیه
           *[other] { $count } ثانیه
        }
    } صبر کنید و دوباره امتحان کنید.
error-login-locked = ورود پس از تلاش‌های ناموفق بسیار قفل شده است. { $unit ->
        [minutes] { PLURAL($count) ->
            [one] یک دقیقهٔ
           *[other] { $count } دقیقهٔ
        }
       *[seconds] { PLURAL($count) ->
            [one] یک ثانیهٔ
           *[other] { $count } ثانیهٔ
        }
    } دیگر دوباره امتحان کنید. اگر گذرواژه‌تان را فراموش کرده‌اید، از یک مدیر بخواهید گذرواژهٔ تازه‌ای بگذارد.
error-number-range = { $field } باید عددی از { $min } تا { $max } باشد.

## Administration
admin = مدیریت
view-site = دیدن سایت
dashboard = پیشخوان
welcome = { $name }، خوش آمدید.
nav-posts = نوشته‌ها
nav-comments = دیدگاه‌ها
nav-settings = تنظیمات
log-in = ورود
log-out-name = خروج ({ $name })
pending-count = { PLURAL($count) ->
    [0] هیچ دیدگاهی در انتظار بررسی نیست
    [one] یک دیدگاه در انتظار بررسی
   *[other] { $count } دیدگاه در انتظار بررسی
}
pending-count-over = بیش از { $count } دیدگاه در انتظار بررسی
count-over = { $count }+
setup-title = سایتتان را راه بیندازید
setup-intro = حساب مدیر را بسازید. بعداً می‌توانید با `tribune user add` همکاران دیگری بیفزایید.
setup-submit = ساختن سایت
field-site-title = عنوان سایت
field-display-name = نام شما
field-password = گذرواژه
field-password-again = تکرار گذرواژه
password-hint = دست‌کم { $min } نویسه.
new-post = نوشتهٔ تازه
edit-post = ویرایش نوشته
post-saved = نوشته ذخیره شد.
view-post = دیدن نوشته
post-not-saved = نوشته ذخیره نشد. لطفاً این‌ها را بررسی کنید:
preview = پیش‌نمایش
save = ذخیره
field-title = عنوان
field-status = وضعیت
field-post-body = متن
markdown-hint = با Markdown بنویسید.
field-excerpt = چکیده
field-slug = نامک
slug-hint = بخش پایانی نشانی. خالی بگذارید تا از عنوان ساخته شود.
field-lang = زبان
lang-hint = زبان نوشته: برگهٔ آن به همین زبان و در همین جهت نمایش داده می‌شود.
field-published_at = تاریخ انتشار (UTC)
date-hint = برای انتشار همین حالا خالی بگذارید. تاریخ آینده نوشته را زمان‌بندی می‌کند.
translation-group-hint = نوشته‌های پیوندخورده ترجمهٔ یکدیگرند: هر برگه به بقیه پیوند می‌دهد و این را به موتورهای جست‌وجو هم می‌گوید.
field-comments-open = اجازهٔ دیدگاه
author = نویسنده
column-date = تاریخ
view = دیدن
status-draft = پیش‌نویس
status-published = منتشرشده
status-private = خصوصی
status-pending = در انتظار بررسی
status-approved = تأییدشده
status-spam = هرزنامه
status-trash = زباله‌دان
comment-filters = پالایش دیدگاه‌ها
tab-pending = در انتظار
tab-approved = تأییدشده
tab-spam = هرزنامه
tab-trash = زباله‌دان
tab-all = همه
bulk-actions = کارهای دسته‌جمعی
bulk-choose = کاری برگزینید
moderation-choose-action = پیش از زدن «اعمال» کاری برگزینید (تأیید، لغو تأیید، هرزنامه یا زباله‌دان). چیزی تغییر نکرد.
moderation-select-some = پیش از زدن «اعمال» دیدگاه‌های موردنظر را تیک بزنید. چیزی تغییر نکرد.
action-approve = تأیید
action-unapprove = لغو تأیید
action-spam = هرزنامه
action-trash = زباله‌دان
apply = اعمال
select = گزینش
select-comment-by = گزینش دیدگاه { $name }
in-response-to = در پاسخ به
submitted-on = فرستاده‌شده در
in-reply-to = در پاسخ به دیدگاه { $id }
pages = برگه‌ها
newer = تازه‌تر
older = قدیمی‌تر
no-comments-here = دیدگاهی اینجا نیست.
moderated-approved = { PLURAL($count) ->
    [one] یک دیدگاه تأیید شد.
   *[other] { $count } دیدگاه تأیید شد.
}
moderated-pending = { PLURAL($count) ->
    [one] تأیید یک دیدگاه لغو شد.
   *[other] تأیید { $count } دیدگاه لغو شد.
}
moderated-spam = { PLURAL($count) ->
    [one] یک دیدگاه هرزنامه شناخته شد.
   *[other] { $count } دیدگاه هرزنامه شناخته شد.
}
moderated-trash = { PLURAL($count) ->
    [one] یک دیدگاه به زباله‌دان رفت.
   *[other] { $count } دیدگاه به زباله‌دان رفت.
}
settings-saved = تنظیمات ذخیره شد.
settings-general = همگانی
settings-discussion = گفت‌وگو
field-tagline = معرفی کوتاه
field-site-url = نشانی سایت (URL)
site-url-hint = نشانی‌ای که خوانندگان به کار می‌برند، مانند https://example.org. پیوندهای ایمیل‌ها، خوراک‌ها و ورود از آن استفاده می‌کنند.
site-url-from-config = با base_url در پیکربندی تعیین شده است (‎--base-url‎، ‏TRIBUNE_BASE_URL).
field-site-language = زبان سایت
field-posts_per_page = نوشته در هر برگه
field-hold-new-comments = دیدگاه‌ها باید دستی تأیید شوند
field-thread_depth = ژرفای پاسخ‌ها
field-max_comment_chars = بلندترین دیدگاه (نویسه)
field-avatars = آواتارها
avatars-identicon = آیکون‌هایی که Tribune می‌کشد (بی درخواست به جای دیگر)
avatars-gravatar = Gravatar
languages-nav = زبان‌ها
all-languages = همهٔ زبان‌ها
translations-nav = ترجمه‌ها
also-in = به زبان‌های دیگر:
field-translations = ترجمه‌ها
unlink-translations = این نوشته ترجمهٔ این‌ها نیست
field-translation-of = پیوند به ترجمه‌اش
translation-none = — هیچ —
site-lang-hint = فهرست‌ها، بخش مدیریت و ایمیل‌ها به این زبان‌اند؛ برگهٔ هر نوشته به زبان خود آن نوشته است.
field-digits = رقم‌ها
digits-native = رقم‌های هر زبان (١٢٣ در عربی و کردی، ۱۲۳ در فارسی)
digits-latin = لاتین (0–9) در همهٔ زبان‌ها
role-admin = مدیر
role-editor = ویراستار
role-author = نویسنده
role-moderator = ناظر
nav-profile = نمایه
profile-saved = نمایه ذخیره شد.
field-admin-language = زبان برگه‌های مدیریت و ایمیل‌های شما
admin-language-site = زبان سایت ({ $language })
admin-language-hint = ایمیل‌های دیدگاه‌هایی که در انتظار شمایند هم به همین زبان نوشته می‌شوند.

## Sign-in with an identity provider
fill-in-or-click-icon = جزئیات خود را در زیر وارد کنید یا برای ورود روی یک آیکون کلیک کنید:
sign-in-to-comment = برای دیدگاه گذاشتن وارد شوید
sign-in-with = { $provider }
connecting-to = در حال اتصال به { $provider }…
continue-to = ادامه به { $provider }
commenting-using = با حساب { $provider } خود دیدگاه می‌گذارید.
log-out = خروج
change = تغییر
auth-error-unknown = این روش ورود در این سایت در دسترس نیست. دیدگاهتان همین‌جاست.
auth-error-denied = اجازهٔ ورود ندادید، پس وارد نشدید. دیدگاهتان همین‌جاست.
auth-error-state = این ورود در این مرورگر آغاز نشده یا پیش‌تر به کار رفته است. لطفاً دوباره امتحان کنید؛ دیدگاهتان همین‌جاست.
auth-error-expired = ورود بیش از اندازه طول کشید. لطفاً دوباره امتحان کنید؛ دیدگاهتان همین‌جاست.
auth-error-code = ارائه‌دهنده ورود را نپذیرفت (شاید دو بار به کار رفته باشد). لطفاً دوباره امتحان کنید؛ دیدگاهتان همین‌جاست.
auth-error-token = پاسخ ارائه‌دهنده وارسی نشد، پس وارد نشدید. دیدگاهتان همین‌جاست.
auth-error-down = به ارائه‌دهنده دسترسی نبود. بعداً امتحان کنید، یا مهمان دیدگاه بگذارید؛ دیدگاهتان همین‌جاست.
auth-error-profile = ارائه‌دهنده نگفت شما کیستید. روش دیگری را امتحان کنید؛ دیدگاهتان همین‌جاست.
auth-error-nostaff = هیچ حساب کارکنانی ایمیل تأییدشدهٔ این ورود را ندارد. از یک مدیر بخواهید شما را بیفزاید.
field-approve-returning = دیدگاه‌گذاران واردشده‌ای که دیدگاه تأییدشده دارند از بررسی می‌گذرند
settings-signin = ارائه‌دهندگان ورود
staff-sso = کارکنان هم از اینجا وارد می‌شوند
providers-hint = شناسه و رمز مشتری را که هنگام ثبت این سایت نزد ارائه‌دهنده گرفتید وارد کنید؛ برای خاموش کردن، شناسه را خالی بگذارید. ارائه‌دهندگان را در tribune.toml یا متغیرهای TRIBUNE_AUTH_*‎ هم می‌توان تعیین کرد (docs/sign-in.md).
callback-address = نشانی بازگشت برای ثبت:
provider-configured = در پروندهٔ پیکربندی یا محیط تعیین شده است.
field-client-id = شناسهٔ مشتری
field-client-secret = رمز مشتری
secret-unchanged = (بدون تغییر)
error-provider-secret = { $provider } افزون بر شناسهٔ مشتری به رمز مشتری هم نیاز دارد.

## Email
email-held-subject = [{ $site }] لطفاً بررسی کنید: «{ $title }»
email-held-intro = دیدگاهی تازه بر «{ $title }» در انتظار تأیید شماست:
email-held-queue = همهٔ دیدگاه‌های در انتظار بررسی:
email-digest-subject = [{ $site }] { PLURAL($count) ->
    [one] یک دیدگاه در انتظار بررسی است
   *[other] { $count } دیدگاه در انتظار بررسی است
}
email-digest-intro = { PLURAL($count) ->
    [one] یک دیدگاه در انتظار تأیید شماست:
   *[other] { $count } دیدگاه در انتظار تأیید شماست:
}
moderate-title = بررسی یک دیدگاه
moderate-on = بر «{ $title }»:
nav-jobs = کارها
nav-privacy = داده‌های شخصی
privacy-intro = کسی پرسیده این سایت چه چیزهایی دربارهٔ او نگه می‌دارد، یا خواسته فراموش شود. همه‌چیز با نشانی ایمیلش پیدا می‌شود: دیدگاه‌هایی که نوشته (با نشانی IP و مرورگر)، اشتراک‌های ایمیلی‌اش و حساب‌هایی که با آن‌ها وارد شده است.
privacy-bad-email = نشانی ایمیل آن شخص را وارد کنید، مثلاً name@example.org.
privacy-pick-action = «بارگیری» یا یکی از دکمه‌های پاک کردن را برگزینید.
privacy-confirm-needed = پاک کردن برگشت‌پذیر نیست: برای تأیید تیک بزنید و دوباره دکمه را بزنید.
privacy-export-legend = برون‌بری
privacy-export-help = پرونده‌ای JSON با همهٔ آنچه دربارهٔ این نشانی ذخیره شده، برای فرستادن به آن شخص.
privacy-export = بارگیری داده‌های شخصی (JSON)
privacy-erase-legend = پاک کردن
privacy-erase-help = «ناشناس کردن» دیدگاه‌ها را نگه می‌دارد ولی نام، ایمیل، وب‌سایت، نشانی IP و مرورگر را برمی‌دارد؛ «پاک کردن دیدگاه‌ها» خود دیدگاه‌ها را هم برمی‌دارد. اشتراک‌ها، حساب‌های ورود و ایمیل‌های این نشانی در هر دو حالت پاک می‌شوند.
privacy-confirm = می‌دانم که این برگشت‌پذیر نیست
privacy-anonymise = ناشناس کردن
privacy-delete = پاک کردن دیدگاه‌ها
privacy-anonymised = { PLURAL($count) ->
    [one] یک دیدگاه ناشناس شد.
   *[other] { $count } دیدگاه ناشناس شد.
}
privacy-deleted = { PLURAL($count) ->
    [one] یک دیدگاه پاک شد.
   *[other] { $count } دیدگاه پاک شد.
}
privacy-removed = برداشته شد: { $subscriptions } اشتراک، { $identities } حساب ورود، { $emails } ایمیل.
privacy-staff-kept = حسابی از کارکنان این نشانی را دارد؛ نگه داشته شد.
anonymous = ناشناس
jobs-intro = ایمیل و کارهای دیگری که Tribune در پس‌زمینه انجام می‌دهد. کاری که پیوسته شکست بخورد با آخرین خطایش اینجا می‌ماند.
job-kind = گونه
job-status = وضعیت
job-attempts = تلاش‌ها
job-error = آخرین خطا
job-next = تلاش بعدی
retry = تلاش دوباره
no-jobs = کاری اینجا نیست.
job-retried = کار دوباره در صف گذاشته شد.
status-queued = در صف
status-running = در حال انجام
status-done = انجام‌شده
status-failed = ناموفق
tab-failed = ناموفق
tab-queued = در صف
tab-done = انجام‌شده

## Subscriptions
notify-comments = دیدگاه‌های تازه را با ایمیل به من خبر بده.
notify-posts = نوشته‌های تازه را با ایمیل به من خبر بده.
email-comment-subject = [{ $site }] دیدگاهی تازه بر «{ $title }»
email-comment-intro = { $author } بر «{ $title }» دیدگاه نوشت:
email-read-reply = بخوانید و پاسخ دهید:
email-unsubscribe = لغو اشتراک
email-manage = مدیریت اشتراک‌هایتان:
email-post-subject = [{ $site }] { $title }
email-post-intro = { $site } نوشته‌ای تازه منتشر کرد:
email-confirm-subject = [{ $site }] لطفاً اشتراکتان را تأیید کنید
email-confirm-intro = کسی، که امیدواریم خودتان باشید، از { $site } خواسته است دربارهٔ «{ $title }» به این نشانی ایمیل بفرستد.
email-confirm-action = تأیید:
email-confirm-ignore = اگر شما نبودید، این ایمیل را نادیده بگیرید: چیزی فرستاده نخواهد شد.
subs-title = اشتراک‌های ایمیلی
subs-for = برای { $email }
subs-confirm = تأیید
subs-confirmed = سپاس: اشتراک‌هایتان تأیید شد.
subs-ended = اشتراکتان لغو شد. دیگر ایمیلی در این باره نمی‌آید.
subs-yours = اشتراک‌های شما
subs-posts = نوشته‌های تازه
subs-comments-on = دیدگاه‌های تازه بر «{ $title }»
subs-unconfirmed = هنوز تأیید نشده
subs-none = اشتراک دیگری ندارید.
email-comment-digest-subject = [{ $site }] { PLURAL($count) ->
    [one] یک دیدگاه تازه بر «{ $title }»
   *[other] { $count } دیدگاه تازه بر «{ $title }»
}
email-comment-digest-intro = { PLURAL($count) ->
    [one] یک دیدگاه تازه بر «{ $title }»:
   *[other] { $count } دیدگاه تازه بر «{ $title }»:
}


## Errors
error-forbidden-title = مجاز نیست
error-bad-request-title = نمی‌توان به این درخواست پاسخ داد
error-too-many-title = درخواست‌های بیش از اندازه
error-too-many-text = درخواست‌ها را تندتر از آنچه این سایت می‌پذیرد می‌فرستید. یک دقیقه صبر کنید و دوباره امتحان کنید.
error-busy-title = سرشلوغ
error-busy-text = سایت اکنون نمی‌تواند چیزی ذخیره کند. چیزی تغییر نکرد؛ برگردید و یک دقیقهٔ دیگر دوباره امتحان کنید.
error-internal-title = مشکلی پیش آمد
error-internal-text = خطا ثبت شد. اگر باز هم پیش آمد، شناسهٔ درخواست زیر را به صاحب سایت بگویید.
error-request-id = شناسهٔ درخواست:
error-unknown-list = چنین فهرستی از دیدگاه‌ها نیست. یکی از زبانه‌های بالا را برگزینید.
error-already-set-up = این سایت پیش‌تر راه افتاده است. به‌جای آن از ‎/admin/login‎ وارد شوید.
error-link-invalid = این پیوند بررسی معتبر نیست. از صف دیدگاه‌ها در ‎/admin/comments‎ استفاده کنید.
error-link-expired = این پیوند بررسی منقضی شده است. از صف دیدگاه‌ها در ‎/admin/comments‎ استفاده کنید.
error-no-post = فرم دیدگاه نگفت از آنِ کدام نوشته است. به نوشته برگردید و از آنجا بفرستید.
error-subscription-gone = این پیوند اشتراک دیگر معتبر نیست: شاید اشتراک پیش‌تر پایان یافته باشد.
error-form-expired = این فرم منقضی شده یا از این سایت فرستاده نشده است. برگردید، برگه را دوباره بارگذاری کنید و دوباره امتحان کنید.
error-cross-site-title = فرم از سایت دیگری فرستاده شده است
error-cross-site-text = این فرم از برگه‌ای در سایت دیگری فرستاده شده، پس پذیرفته نشد. برگه را در این سایت باز کنید و از آنجا بفرستید.
error-staff-provider = کارکنان نمی‌توانند با این ارائه‌دهنده وارد شوند.
error-signin-button = دکمهٔ ورود باید از فرم دیدگاه یک نوشته به کار رود.
error-role = نقش شما ({ $role }) اجازهٔ این کار را نمی‌دهد. از یک مدیر بخواهید.
error-bad-address-title = نشانی نادرست
error-bad-address-text = این نشانی نویسه‌هایی دارد که هیچ نشانی برگه‌ای ندارد. پیوند را بررسی کنید یا از صفحهٔ اصلی آغاز کنید.
comment-lost-title = دیدگاه شما ذخیره نشد
comment-lost-text = سایت اکنون نمی‌تواند چیزی ذخیره کند. این چیزی است که نوشتید؛ رونوشت بگیرید و یک دقیقهٔ دیگر دوباره بفرستید.
comment-lost-label = دیدگاه شما

## Command line: moving in
import-posts = { $count } نوشته
import-pages = { $count } برگه
import-comments = { $count } دیدگاه
import-users = { $count } کاربر
import-terms = { $count } دسته و برچسب
import-summary = درون‌ریزی شد: { $posts }، { $pages }، { $comments }، { $users }، { $terms }.
import-summary-dry = درون‌ریزی خواهد شد: { $posts }، { $pages }، { $comments }، { $users }، { $terms }.
import-already = از درون‌ریزی پیشین موجود است (دست‌نخورده ماند): { $count }.
import-skipped-heading = کنار گذاشته شد ({ $count }):
import-changed-heading = تغییر کرد ({ $count }):
import-tally = { $count } × { $reason }
import-took = { $seconds } ثانیه طول کشید ({ $rate } دیدگاه در ثانیه).
import-took-memory = { $seconds } ثانیه طول کشید ({ $rate } دیدگاه در ثانیه)، بیشینهٔ حافظه { $mb } مگابایت.
import-skip-trash = در زباله‌دان وردپرس
import-skip-revision = یک نسخهٔ بازبینی یا پیوست
import-skip-attachment = پیوست (پرونده‌های رسانه سر جایشان می‌مانند؛ نوشته‌ها به آن‌ها پیوند می‌دهند)
import-skip-post-type = نوع محتوای `{ $what }` چیزی نیست که Tribune نشان دهد
import-skip-no-post-id = موردی بدون <wp:post_id>
import-skip-no-comment-id = دیدگاهی بدون <wp:comment_id>
import-skip-no-dsq-id = دیدگاهی بدون dsq:id
import-skip-comment-type = نوع دیدگاه `{ $what }` دیدگاه یک خواننده نیست
import-skip-empty-comment = دیدگاه خالی
import-skip-no-thread = دیدگاه روی گفتگویی که در پرونده نیست
import-skip-parent-skipped = دیدگاه روی موردی که رد شد
import-skip-unmatched-thread = دیدگاه‌هایی روی گفتگویی در Disqus که اینجا نوشتهٔ متناظری ندارد
import-note-language = زبانِ یافته در متن: { $what }
import-note-no-date = بدون تاریخ: تاریخ اکنون گذاشته شد
import-note-orphan-reply = پاسخی که دیدگاه والدش در پرونده نیست: در سطح نخست نمایش داده می‌شود
import-note-password = با گذرواژه محافظت شده: خصوصی درون‌ریزی شد
import-note-slug-renamed = نامک از پیش اینجا به کار رفته: تغییر نام یافت (پیوند قدیمی ‎/?p=‎ همچنان کار می‌کند)
import-label-item = خط { $line }: { $type } «{ $title }»
import-label-line = خط { $line }: { $title }
import-label-comment = خط { $line }: دیدگاه { $id }
import-label-comment-on = خط { $line }: دیدگاه { $id } روی «{ $title }»
import-label-comment-id = دیدگاه { $id }
import-label-renamed = { $label }: { $old } ← { $new }
import-label-thread = { $link } (دیدگاه‌ها: { $count })
import-cannot-open = نمی‌توان { $path } را باز کرد: { $reason }
import-at-line = خط { $line }، ستون { $column }: { $message }. هیچ چیزی درون‌ریزی نشد.
import-nothing = { $message } هیچ چیزی درون‌ریزی نشد.
import-database = پایگاه داده درون‌ریزی را نپذیرفت ({ $reason }). هیچ چیزی درون‌ریزی نشد.
import-format-wordpress = یک برون‌بری وردپرس
import-format-disqus = یک برون‌بری Disqus
import-not-format = { $path } { $format } نیست: با <{ $found }> آغاز می‌شود، حال آن‌که { $format } با <{ $root }> آغاز می‌شود (خط { $line }).
import-with-hint = { $message } { $hint }
import-hint-disqus = این یک برون‌بری Disqus است: از `tribune import disqus` استفاده کنید.
import-hint-wordpress = به نظر یک برون‌بری وردپرس است: از `tribune import wordpress` استفاده کنید.
import-empty-file = { $path } خالی است: { $format } با <{ $root }> آغاز می‌شود
import-not-wxr = { $path } ‏<wp:wxr_version> ندارد: یک خوراک RSS است، نه برون‌بری وردپرس (در وردپرس: ابزارها ← برون‌بری ← همهٔ محتوا)
import-wxr-version = نسخهٔ WXR ‏{ $version } از نسخه‌هایی نیست که Tribune می‌خواند (1.0، 1.1، 1.2)
import-cut-short = پرونده درون <{ $name }> (بازشده در خط { $line }) تمام می‌شود: به نظر ناقص است؛ دوباره برون‌بری کنید
import-bad-attribute = ویژگی نادرست: { $detail }
import-bad-attribute-named = ویژگی نادرست `{ $name }`: { $detail }
import-bad-reference = ارجاع نویسه‌ای نادرست: { $detail }
import-text-not-utf8 = متن UTF-8 نیست: { $detail }
import-cdata-not-utf8 = CDATA ‏UTF-8 نیست: { $detail }
import-text-outside = متن بیرون از هر عنصر: این یک برون‌بری XML نیست
import-mismatched-end = ‏</{ $found }> ‏<{ $expected }> را می‌بندد: پرونده XML خوش‌ساخت نیست
import-unmatched-end = ‏</{ $name }> عنصری را می‌بندد که هرگز باز نشده بود
import-not-xml = XML خوش‌ساخت نیست: { $detail }

## Command line
cli-error = خطا: { $message }
cli-warning = هشدار: { $message }
cli-no-site = هیچ سایت Tribune در { $place } نیست: --data-dir یا --database-url را بررسی کنید، یا --create-site را بیفزایید تا سایت تازه‌ای آنجا ساخته شود (`tribune serve` هم یکی می‌سازد)
cli-cannot-create-dir = نمی‌توان پوشهٔ داده { $path } را ساخت
cli-cannot-open-database = نمی‌توان پایگاه دادهٔ { $place } را باز کرد
cli-cannot-listen = نمی‌توان روی { $bind } گوش داد
cli-not-an-email = `{ $email }` نشانی ایمیل نیست
cli-cannot-read-password = نمی‌توان گذرواژه را از ورودی استاندارد خواند
cli-role = { $role ->
        [admin] مدیر
        [editor] ویراستار
        [author] نویسنده
        [moderator] ناظر
       *[other] { $role }
    }
cli-status = { $status ->
        [pending] در انتظار
        [approved] تأییدشده
        [spam] هرزنامه
        [trash] در زباله‌دان
       *[other] { $status }
    }
cli-user-added = { $role } { $email } افزوده شد (شناسه { $id })
cli-generated-password = گذرواژه: { $password }
cli-user-exists = کاربری با ایمیل { $email } از پیش وجود دارد
cli-column-id = شناسه
cli-column-role = نقش
cli-column-email = ایمیل
cli-column-name = نام
cli-column-status = وضعیت
cli-column-date = تاریخ (UTC)
cli-column-author = نویسنده
cli-column-post = نوشته
cli-column-comment = دیدگاه
cli-cannot-read-post = نمی‌توان نوشته را از ورودی استاندارد خواند
cli-cannot-read = نمی‌توان { $path } را خواند
cli-cannot-create = نمی‌توان { $path } را ساخت
cli-cannot-write = نمی‌توان در { $path } نوشت
cli-no-staff-account = هیچ حساب کارکنی با ایمیل { $email } نیست
cli-no-admin = هنوز مدیری نیست: نخست `tribune user add --admin --email …` را اجرا کنید، یا --author را بدهید
cli-unknown-language = زبان ناشناخته `{ $tag }`: یکی از این‌ها را به کار ببرید: { $tags }
cli-not-language-tag = `{ $tag }` کد زبان نیست: کدی مانند en، ar یا ckb به کار ببرید
cli-slug-taken = نامک `{ $slug }` را نوشتهٔ دیگری به کار برده؛ --slug را بدهید
cli-post-published = نوشتهٔ { $id } در { $path } منتشر شد
cli-post-draft = پیش‌نویس نوشتهٔ { $id } ذخیره شد؛ در ‎/admin/posts/{ $id } ویرایشش کنید
cli-no-comment = دیدگاهی با شناسهٔ { $ids } نیست؛ چیزی تغییر نکرد
cli-moderated = { $status ->
        [approved] تأیید شد
        [spam] هرزنامه علامت خورد
        [trash] به زباله‌دان رفت
       *[other] نگه داشته شد
    }: { $count } دیدگاه
cli-unknown-name = { $what } ناشناخته `{ $value }`: یکی از این‌ها را به کار ببرید: { $choices }
name-role = نقش
name-comment-status = وضعیت دیدگاه
name-post-status = وضعیت نوشته
name-post-type = نوع محتوا
name-comment-type = نوع دیدگاه
name-body-format = قالب متن
name-job-kind = نوع کار
name-job-status = وضعیت کار
name-subscription = اشتراک
name-term-kind = نوع دسته
cli-bad-site-url = `{ $url }` نشانی سایت نیست: آن را به شکل http(s)://host[:port][/path] بنویسید، مانند https://example.org، بدون کاربر، پرسمان یا بخش پس از #
cli-bad-base-url = نشانی پایهٔ `{ $url }` باید نشانی‌ای مانند https://example.org باشد
cli-no-base-url = نشانی عمومی سایت هنوز دانسته نیست: --base-url https://example.org را بدهید (یا TRIBUNE_BASE_URL را تنظیم کنید)
cli-count-posts-pages = { $count } نوشته و برگه
cli-count-subscriptions = { $count } اشتراک
cli-count-identities = { $count } هویت ورود
cli-count-emails = { $count } ایمیل
cli-exported = برون‌بری شد: { $posts } با { $comments }.
cli-deleted = پاک شد: { $comments }.
cli-anonymised = بی‌نام شد: { $comments }.
cli-removed = حذف شد: { $subscriptions }، { $identities }، { $emails }.
cli-staff-kept = یک حساب کارکنان این نشانی را به کار می‌برد؛ نگه داشته شد (حساب‌های کارکنان با `tribune user` مدیریت می‌شوند).
cli-erase-needs-yes = پاک‌کردن برگشت‌پذیر نیست: --yes را بیفزایید تا داده‌های { $email } بی‌پرسش پاک شود
cli-erase-confirm = این کار آنچه دربارهٔ { $email } نگه‌داری شده را پاک می‌کند و برگشت‌پذیر نیست. برای ادامه نشانی را دوباره بنویسید:
cli-erase-mismatch = نشانی نوشته‌شده یکی نبود؛ چیزی پاک نشد
cli-importing = درون‌ریزی
cli-time-left = { $eta } مانده
cli-dry-run-done = اجرای آزمایشی: چیزی نوشته نشد. برای درون‌ریزی، بدون --dry-run دوباره اجرا کنید.
cli-backup-postgres = این سایت روی PostgreSQL است: با pg_dump پشتیبان بگیرید، مانند pg_dump --format=custom --file { $file } "$TRIBUNE_DATABASE_URL" (نگاه کنید به docs/operations.md)
cli-backup-exists = { $path } از پیش وجود دارد: نام پروندهٔ تازه‌ای برگزینید، پشتیبان‌ها هرگز روی پرونده‌ای نمی‌نویسند
cli-backup-damaged = رونوشت در بررسی درستی رد شد ({ $problem })؛ چیزی نگه داشته نشد
cli-backup-cannot-check = نمی‌توان رونوشت را بررسی کرد
cli-backed-up = پشتیبان گرفته شد: { $posts } و { $comments } در { $path } ‏({ $mb } مگابایت) در { $seconds } ثانیه.

## Command line: settings
config-base-url = نشانی پایه
config-bad-bind = نشانی شنود `{ $bind }` به شکل HOST:PORT نیست، مانند 127.0.0.1:8080
config-bad-log-format = قالب گزارش `{ $format }` نه text است نه json
config-no-theme = پوشهٔ پوستهٔ { $path } وجود ندارد
config-cannot-read = نمی‌توان پروندهٔ پیکربندی { $path } را خواند: { $reason }
config-file-problem = پروندهٔ پیکربندی { $path }: { $reason }
config-unknown-setting = تنظیم ناشناختهٔ `{ $setting }` در پروندهٔ پیکربندی؛ نادیده گرفته شد
config-cannot-read-secret = نمی‌توان { $name } ‏{ $path } را خواند: { $reason }
config-preset-needs-both = { $section } هم client_id و هم client_secret می‌خواهد (یا { $env } و _CLIENT_SECRET)
config-oidc-bad-name = { $section }: نام فراهم‌کننده از حروف کوچک لاتین، رقم و - است و نام یک فراهم‌کنندهٔ آماده نیست
config-oidc-needs = { $section } به issuer، client_id و client_secret نیاز دارد
config-oidc-https = issuer در { $section } باید نشانی https://‎ باشد
config-oauth2-bad-name = { $section }: نام فراهم‌کننده از حروف کوچک لاتین، رقم و - است و یک بار به کار می‌رود
config-oauth2-needs = { $section } به authorize_url، token_url، userinfo_url، client_id و client_secret نیاز دارد
config-staff-provider = auth.staff_provider ‏`{ $name }` باید نام یک فراهم‌کنندهٔ فعال OpenID Connect باشد

## Command line: arguments
cli-arg-unknown-command = فرمانی به نام `{ $command }` نیست
cli-arg-unknown-option = اینجا گزینه‌ای به نام `{ $option }` نیست
cli-arg-missing = این فرمان به { $options } نیاز دارد
cli-arg-invalid-value = `{ $value }` مقداری نیست که { $option } بپذیرد
cli-arg-choices = { $message }: یکی از این‌ها را به کار ببرید: { $choices }
cli-arg-conflict = { $option } را نمی‌توان با { $other } به کار برد
cli-arg-did-you-mean = { $message } (منظورتان { $suggestion } بود؟)
cli-arg-more = برای آگاهی بیشتر، ‎--help را بیازمایید.

## Command line: WordPress types
import-type-post = نوشته
import-type-page = برگه
import-type-attachment = پیوست

## Command line: help (English is the doc comments in src/cli.rs; a test keeps them equal)
help-tribune = Tribune: بیانیه‌ها و نوشته‌ها را منتشر کنید و پاسخ بگیرید.
help-tribune--config = تنظیمات را از این پرونده بخوان [پیش‌فرض: ./tribune.toml اگر باشد]
help-tribune--data-dir = پوشهٔ پایگاه دادهٔ SQLite و دیگر داده‌ها [پیش‌فرض: ./tribune-data]
help-tribune--database-url = پایگاه دادهٔ مورد استفاده: sqlite://PATH یا postgres://USER@HOST/DB [پیش‌فرض: SQLite در پوشهٔ داده]
help-tribune--create-site = اگر سایتی در پوشهٔ داده یا نشانی پایگاه داده نیست، سایت تازه و خالی بساز (`serve` همیشه چنین می‌کند)
help-tribune-serve = سایت را اجرا کن (به‌طور پیش‌فرض روی http://127.0.0.1:8080)
help-tribune-serve--bind = نشانی‌ای که روی آن گوش داده می‌شود [پیش‌فرض: 127.0.0.1:8080]
help-tribune-serve--base-url = نشانی عمومی سایت، مانند https://example.org (برای پیوندها و کوکی‌های امن)
help-tribune-serve--theme = پوشهٔ پوسته‌ای که templates/ و assets/ آن جای پوستهٔ درونی را می‌گیرند
help-tribune-serve--log-format = قالب گزارش: text یا json [پیش‌فرض: text]
help-tribune-serve--comments-per-minute = شمار دیدگاه‌هایی که یک نشانی در دقیقه می‌فرستد؛ 0 محدودیت را برمی‌دارد [پیش‌فرض: 10]
help-tribune-serve--login-lockout-after = ورودهای ناموفق کارکنان (برای هر حساب و هر نشانی) پیش از قفل ۱۵ دقیقه‌ای؛ پاسخ‌های کندتر از یک‌سوم آن آغاز می‌شود؛ 0 آن را برمی‌دارد [پیش‌فرض: 10]
help-tribune-serve--trusted-proxies = پراکسی‌های معکوسی که X-Forwarded-For / Forwarded / X-Forwarded-Proto آن‌ها باور می‌شود، نشانی‌ها یا شبکه‌های جداشده با ویرگول، مانند 127.0.0.1,::1 [پیش‌فرض: هیچ]
help-tribune-serve--smtp-url = سرور SMTP برای ایمیل، مانند smtp://user:pass@host:587?tls=required [پیش‌فرض: پرونده‌های .eml در DATA_DIR/mail]
help-tribune-serve--mail-from = فرستندهٔ ایمیل سایت، مانند "Ministry <news@example.org>" [پیش‌فرض: Tribune <tribune@localhost>]
help-tribune-user = حساب‌های کارکنان را مدیریت کن
help-tribune-user-add = یک حساب کارکن بیفزا
help-tribune-user-add--email = نشانی ایمیلی که با آن وارد می‌شوید
help-tribune-user-add--name = نامی که روی نوشته‌ها نشان داده می‌شود [پیش‌فرض: بخش پیش از @ در ایمیل]
help-tribune-user-add--role = admin (مدیر)، editor (ویراستار)، author (نویسنده) یا moderator (ناظر)
help-tribune-user-add--admin = همانند --role admin
help-tribune-user-add--password-stdin = گذرواژه را از نخستین خط ورودی استاندارد بخوان (وگرنه یکی ساخته و چاپ می‌شود)
help-tribune-user-list = فهرست حساب‌های کارکنان
help-tribune-post = نوشته بنویس
help-tribune-post-new = از یک پروندهٔ Markdown نوشته‌ای بساز (- ورودی استاندارد را می‌خواند)
help-tribune-post-new--title = عنوان نوشته
help-tribune-post-new--file = پروندهٔ Markdown که متن در آن است
help-tribune-post-new--publish = اکنون منتشر کن به جای ذخیرهٔ پیش‌نویس
help-tribune-post-new--slug = نامک نشانی [پیش‌فرض: از عنوان ساخته می‌شود]
help-tribune-post-new--lang = زبان نوشته، یک کد BCP 47 مانند en، ar، ckb [پیش‌فرض: زبان سایت]
help-tribune-post-new--excerpt = چکیده‌ای کوتاه برای فهرست‌ها
help-tribune-post-new--author = ایمیل نویسنده [پیش‌فرض: نخستین مدیر]
help-tribune-comments = دیدگاه‌ها را بررسی کن
help-tribune-comments-list = دیدگاه‌ها را فهرست کن، تازه‌ترین نخست
help-tribune-comments-list--status = pending (در انتظار)، approved (تأییدشده)، spam (هرزنامه) یا trash (زباله‌دان) [پیش‌فرض: pending و approved]
help-tribune-comments-list--post = فقط دیدگاه‌های این نوشته (با شناسه)
help-tribune-comments-list--limit = حداکثر این شمار
help-tribune-comments-approve = دیدگاه‌ها را تأیید کن تا خوانندگان ببینند
help-tribune-comments-spam = دیدگاه‌ها را هرزنامه علامت بزن
help-tribune-comments-trash = دیدگاه‌ها را به زباله‌دان ببر
help-tribune-import = نوشته‌ها و دیدگاه‌ها را از وردپرس یا Disqus درون‌ریزی کن
help-tribune-import-wordpress = یک برون‌بری وردپرس را درون‌ریزی کن (WXR 1.0–1.2: ابزارها ← برون‌بری ← همهٔ محتوا)
help-tribune-import-wordpress--file = پروندهٔ ‎.xml که وردپرس به شما داد
help-tribune-import-wordpress--lang = زبان همهٔ نوشته‌های درون‌ریزی‌شده، یک کد BCP 47 مانند en، ar، ckb [پیش‌فرض: زبان خود هر نوشته (Polylang)، وگرنه زبان برون‌بری، وگرنه زبان سایت]
help-tribune-import-wordpress--dry-run = کل پرونده را بخوان و بگو چه چیزی درون‌ریزی می‌شود، بی‌آنکه چیزی بنویسی
help-tribune-import-disqus = یک برون‌بری Disqus را درون‌ریزی کن و گفتگوهایش را بر پایهٔ نشانی با نوشته‌های اینجا جفت کن
help-tribune-import-disqus--file = پروندهٔ ‎.xml که Disqus برایتان فرستاد (نخست با gunzip بازش کنید)
help-tribune-import-disqus--dry-run = کل پرونده را بخوان و بگو چه چیزی درون‌ریزی می‌شود، بی‌آنکه چیزی بنویسی
help-tribune-export = کل سایت را برون‌بری کن (WXR وردپرس)
help-tribune-export-wordpress = کل سایت را به شکل WordPress eXtended RSS 1.2 بنویس (به‌طور پیش‌فرض در خروجی استاندارد)
help-tribune-export-wordpress--output = به جای خروجی استاندارد در این پرونده بنویس
help-tribune-export-wordpress--base-url = نشانی عمومی سایت، برای پیوندهای درون پرونده [پیش‌فرض: base_url از پیکربندی، وگرنه نشانی ثبت‌شده هنگام راه‌اندازی]
help-tribune-privacy = هر آنچه دربارهٔ یک نشانی ایمیل نگه‌داری شده را برون‌بری یا پاک کن
help-tribune-privacy-export = هر آنچه دربارهٔ یک نشانی ایمیل نگه‌داری شده را به شکل JSON چاپ کن
help-tribune-privacy-erase = داده‌های یک نشانی ایمیل را پاک کن: دیدگاه‌ها بی‌نام (یا پاک) می‌شوند، اشتراک‌ها، هویت‌های ورود و ایمیل‌ها حذف می‌شوند. نخست می‌پرسد، مگر با --yes
help-tribune-privacy-erase--delete-comments = دیدگاه‌هایش را پاک کن به جای بی‌نام کردن
help-tribune-privacy-erase--yes = بی‌پرسش پاک کن (برای اسکریپت‌ها)
help-tribune-backup = کل سایت را هنگام کار، به‌طور سازگار رونوشت کن (SQLite؛ PostgreSQL با pg_dump)
help-tribune-backup--file = رونوشت کجا نوشته شود (پروندهٔ پایگاه دادهٔ SQLite؛ نباید از پیش باشد)
cli-help-usage = کاربرد:
cli-help-commands = فرمان‌ها
cli-help-options = گزینه‌ها
cli-help-arguments = آرگومان‌ها
cli-help-help = راهنما را چاپ کن
cli-help-version = نسخه را چاپ کن

## Command line: help around the lines
cli-help-default = پیش‌فرض
cli-help-env = متغیر محیطی
cli-help-subcommand = این پیام یا راهنمای زیرفرمان داده‌شده را چاپ کن

## Administration: jobs
job-kind-email = ایمیل
job-kind-held_digest = چکیدهٔ دیدگاه‌های نگه‌داشته
job-kind-comment_digest = چکیدهٔ دیدگاه‌های تازه
job-kind-comment_approved = دیدگاه تأییدشده
job-kind-post_published = نوشتهٔ منتشرشده
job-summary-email = { $subject } ← { $to }
job-summary-held-digest = دیدگاه‌های نگه‌داشته، به { $to }
job-summary-comment-digest = دیدگاه‌های تازه روی نوشتهٔ { $post }، به { $to }
job-summary-comment-approved = دیدگاه { $id }
job-summary-post-published = نوشتهٔ { $id }

## Administration: jobs, how email leaves
jobs-transport-smtp = ایمیل با SMTP فرستاده می‌شود
jobs-transport-files = سرور SMTP نیست: ایمیل به شکل پرونده در { $dir } نوشته می‌شود

## Administration: discussion rules
field-require-name-email = نویسندهٔ دیدگاه باید نام و ایمیل را بنویسد
field-close_after_days = بستن دیدگاه‌ها روی نوشته‌های قدیمی‌تر از (روز)
close-after-days-hint = 0 آن‌ها را باز نگه می‌دارد.
field-max_links = دیدگاهی را که این تعداد پیوند یا بیشتر دارد در صف نگه دار
max-links-hint = پیوندهای فراوان نشانهٔ رایج هرزنامه است. 0 این را خاموش می‌کند.
field-moderation-keys = بررسی دیدگاه: واژه‌هایی که دیدگاه را نگه می‌دارند
moderation-keys-hint = در هر خط یک واژه، عبارت یا نشانی؛ در متن، نام، ایمیل، وب‌سایت، نشانی IP یا مرورگر جست‌وجو می‌شود، حتی درون واژه‌های دیگر («press» با «WordPress» جور است)؛ برای تنها واژهٔ کامل ‎/press/‎ بنویسید.
field-disallowed-keys = واژه‌های ممنوع: واژه‌هایی که دیدگاه را به هرزنامه می‌فرستند
disallowed-keys-hint = مانند فهرست بالا جور می‌شوند. چنین دیدگاهی به هرزنامه می‌رود: آنجا نگه داشته می‌شود، هرگز نمایش داده نمی‌شود و به کسی ایمیل نمی‌رود.

## Administration: previously approved
field-previously-approved = نویسندهٔ دیدگاه باید دیدگاه تأییدشدهٔ پیشین داشته باشد

## Administration: why a rule decided
rule-links = یک قاعده نگهش داشت: { $count } پیوند (سقف { $max }).
rule-moderation-word = یک قاعده نگهش داشت: «{ $word }» واژهٔ بررسی است (در { $field }).
rule-disallowed-word = یک قاعده به هرزنامه فرستادش: «{ $word }» واژهٔ ممنوع است (در { $field }).
rule-field-ip = نشانی IP
rule-field-user-agent = مرورگر

## Administration: where a rule matched
rule-field-body = متن
rule-field-name = نام
rule-field-email = ایمیل
rule-field-url = وب‌سایت

## Administration: rules from the configuration
discussion-fixed-hint = فیلدهای خاکستری در پروندهٔ پیکربندی تنظیم شده‌اند ([discussion] در tribune.toml).

## Administration: the spam folder
action-not-spam = هرزنامه نیست
empty-spam = خالی کردن هرزنامه
empty-trash = خالی کردن زباله‌دان
moderated-deleted = { PLURAL($count) ->
        [one] یک دیدگاه برای همیشه پاک شد.
       *[other] { $count } دیدگاه برای همیشه پاک شد.
    }

## Comment form: the honeypot
honeypot-label = این خانه را خالی بگذارید

## Administration: why Tribune decided before a moderator
rule-blocked = به هرزنامه رفت: { $field } «{ $value }» در فهرست مسدودها است.
trap-honeypot = تلهٔ ربات به هرزنامه فرستادش: خانهٔ پنهانی که فقط برنامه‌ها پر می‌کنند پر شده بود.
trap-forged = تلهٔ ربات به هرزنامه فرستادش: زمان فرم را این سایت امضا نکرده بود.
trap-too-fast =
    تلهٔ ربات به هرزنامه فرستادش: { PLURAL($count) ->
        [one] { $count } ثانیه
       *[other] { $count } ثانیه
    } پس از نمایش فرم فرستاده شد.
trap-expired =
    نگه داشته شد: صفحه { PLURAL($count) ->
        [one] { $count } ساعت
       *[other] { $count } ساعت
    } باز بود تا دیدگاه فرستاده شد.
trap-no-script = نگه داشته شد: بدون جاوااسکریپت فرستاده شد، پس زمان فرم بررسی نشد.
filter-score = پالایهٔ هرزنامه: { $score }٪ احتمال هرزنامه. گویاترین نشانه‌ها: { $clues }

## Administration: blocking from the queue
block-email = مسدود کردن ایمیل
block-ip = مسدود کردن IP
block-name = مسدود کردن نام
moderated-blocked =
    { PLURAL($count) ->
        [one] { $count } مورد مسدود شد؛ دیدگاه در هرزنامه است.
       *[other] { $count } مورد مسدود شد؛ دیدگاه‌ها در هرزنامه‌اند.
    }

## Administration: spam settings
settings-spam = هرزنامه
settings-comments-display = دیدگاه‌ها در صفحه
field-block-list = فهرست مسدودها: ایمیل‌ها، نشانی‌های IP و نام‌هایی که دیدگاهشان به هرزنامه می‌رود
block-list-hint = در هر خط یکی: email someone@example.org، ip 203.0.113.9 یا name نام؛ به‌طور کامل و بی‌توجه به بزرگی و کوچکی حروف مقایسه می‌شود. دکمه‌های مسدود کردن در دیدگاه‌ها به آن می‌افزایند.
filter-learned = پالایهٔ هرزنامه از هر «پذیرفتن»، «هرزنامه» و «هرزنامه نیست» می‌آموزد. تاکنون از { $spam } هرزنامه و { $ham } دیدگاه دیگر آموخته است؛ وقتی از هر کدام { $min } مورد آموخت تصمیم می‌گیرد و تا آن زمان به هر دیدگاه امتیاز می‌دهد.
field-spam_threshold = دیدگاه مهمان را در این امتیاز (٪) یا بالاتر به هرزنامه بفرست
spam-threshold-hint = نظردهندگانِ واردشده هرگز تنها با امتیازشان به هرزنامه نمی‌روند: نگه داشته می‌شوند.
field-hold_threshold = دیدگاه را در این امتیاز (٪) یا بالاتر برای بررسی نگه دار
hold-threshold-hint = 0 یعنی امتیاز چیزی را نگه نمی‌دارد.
field-form_min_seconds = فرمی که زودتر از این چند ثانیه پس از نمایش فرستاده شود از ربات است
form-min-seconds-hint = این دیدگاه‌ها در هرزنامه می‌مانند و می‌توان بازشان گرداند. 0 این بررسی را خاموش می‌کند.
field-spam_days = هرزنامه‌های قدیمی‌تر از این چند روز را پاک کن
spam-days-hint = هر ساعت بررسی می‌شود. 0 هرزنامه را نگه می‌دارد تا کسی خالی‌اش کند.

## Administration: the activity log
nav-activity = فعالیت
activity-intro = هر کار بررسی و هر تغییر قاعده: چه کسی، کی و از کجا.
activity-from = از
activity-any = همه
activity-what = چه کاری
activity-email = ایمیل نظردهنده
activity-filter = پالایش
activity-when = کی
activity-who = چه کسی
activity-comment = دیدگاه
activity-detail = جزئیات
activity-someone = کسی با پیوند ایمیل
activity-none = هنوز چیزی ثبت نشده است.
activity-source-admin = صفحه‌های مدیریت
activity-source-email = پیوند ایمیل
activity-source-cli = خط فرمان
activity-source-filter = پالایهٔ هرزنامه
activity-source-rule = قاعدهٔ گفت‌وگو
activity-source-trap = تلهٔ ربات
activity-source-job = کار زمان‌بندی‌شده
activity-source-service = سرویس هرزنامه (Akismet)
activity-action-approve = پذیرفته شد
activity-action-unapprove = پذیرش لغو شد
activity-action-spam = هرزنامه شد
activity-action-not-spam = هرزنامه نیست
activity-action-trash = به زباله‌دان رفت
activity-action-hold = نگه داشته شد
activity-action-delete = برای همیشه پاک شد
activity-action-block = مسدود شد
activity-action-settings = قاعده‌ها تغییر کرد

## Jobs: spam
job-kind-purge_spam = پاک‌سازی هرزنامه
job-kind-spam_check = بررسی سرویس هرزنامه
job-kind-spam_report = گزارش به سرویس هرزنامه
job-kind-webmention_receive = اشارهٔ وب دریافتی (Webmention)
job-kind-webmentions_send = اشاره‌های وب برای فرستادن (Webmention)
job-kind-webmention_send = فرستادن اشارهٔ وب (Webmention)
job-summary-purge-spam = هرزنامهٔ کهنه پاک می‌شود، سپس یک ساعت بعد دوباره
job-summary-spam-check = دیدگاه { $id }
job-summary-spam-report-spam = دیدگاه { $id } هرزنامه است
job-summary-spam-report-ham = دیدگاه { $id } هرزنامه نیست

## Configuration: spam service and limits
config-akismet-endpoint = نشانی سرویس هرزنامه `{ $endpoint }` نشانی http:// یا https:// نیست ([akismet] endpoint، TRIBUNE_AKISMET_ENDPOINT)
config-env-number = { $key } برابر `{ $value }` است، نه یک عدد صحیح

## Command line: the activity log
cli-log-someone = (پیوند ایمیل)
help-tribune-comments-not-spam = هرزنامه نیست: به صف بررسی برمی‌گردد و پالایهٔ هرزنامه از آن می‌آموزد
help-tribune-comments-log = گزارش فعالیت: هر کار بررسی و هر تغییر قاعده، تازه‌ترین نخست
help-tribune-comments-log--source = admin، email، cli، filter، rule، trap، job یا service
help-tribune-comments-log--action = approve، unapprove، spam، not-spam، trash، hold، delete، block یا settings
help-tribune-comments-log--email = فقط موارد مربوط به ایمیل این نظردهنده
help-tribune-comments-log--limit = حداکثر این تعداد

## Administration: a score with nothing to go on
filter-score-unknown = پالایهٔ هرزنامه: هنوز چیزی در این دیدگاه نیست که از آن آموخته باشد.

## Comment form: remember me
save-my-details = نام، ایمیل و وب‌سایت مرا در این مرورگر برای دفعهٔ بعد که دیدگاه می‌نویسم ذخیره کن.

## Administration: staff accounts
nav-users = کاربران
users-name = نام
field-role = نقش
users-state = وضعیت
users-actions = کارها
users-you = شما
users-change-role = تغییر نقش
users-state-off = غیرفعال
users-state-invited = دعوت‌شده، هنوز گذرواژه ندارد
users-state-active = فعال از { $date }
users-resend = ارسال دوبارهٔ دعوت
users-deactivate = غیرفعال کن
users-activate = فعال کن
users-delete = حذف
users-invite = دعوت از کسی
users-invite-help = ایمیلی با پیوندی برای انتخاب گذرواژه دریافت می‌کند. پیوند یک هفته کار می‌کند.
users-role-hint = مدیر همه‌چیز را اداره می‌کند؛ ویراستار همهٔ نوشته‌ها را می‌نویسد و ویرایش می‌کند و دیدگاه‌ها را بررسی می‌کند؛ نویسنده نوشته‌های خودش را می‌نویسد؛ ناظر به دیدگاه‌ها رسیدگی می‌کند.
users-send-invitation = ارسال دعوت
users-invited = دعوت فرستاده شد.
users-invitation-resent = دعوت دوباره فرستاده شد.
users-invitation-wait = کمتر از یک دقیقه پیش ایمیلی به این نشانی رفت. یک دقیقهٔ دیگر دوباره امتحان کنید.
users-role-changed = نقش تغییر کرد.
users-deactivated = حساب غیرفعال شد: دیگر نمی‌تواند وارد شود و نشست‌هایش پایان یافت. نوشته‌هایش می‌مانند.
users-activated = حساب دوباره فعال است.
users-removed = حساب حذف شد.
users-delete-title = { $name } حذف شود؟
users-reassign = { PLURAL($count) ->
    [one] نوشته‌اش به این کس می‌رسد:
   *[other] { $count } نوشته‌اش به این کس می‌رسد:
}
users-no-posts = هیچ نوشته‌ای ننوشته است.
users-delete-warning = نشست‌هایش پایان می‌یابد و حساب برای همیشه می‌رود؛ گزارش فعالیت کارهایش را با نام خودش نگه می‌دارد.
users-delete-confirm = حساب را حذف کن
cancel = انصراف
error-last-admin = سایت دست‌کم یک مدیر فعال لازم دارد: نخست کس دیگری را مدیر کنید.
error-user-has-posts = این حساب هنوز نوشته دارد: انتخاب کنید به چه کسی برسد.
error-reassign-self = نوشته‌هایش نمی‌تواند به حسابی برسد که حذف می‌شود: کس دیگری را انتخاب کنید.
error-not-yourself = این کار را این‌جا نمی‌توانید با حساب خودتان بکنید: از مدیر دیگری بخواهید، یا از نمایه‌تان استفاده کنید.
error-already-has-password = این حساب گذرواژه دارد؛ صاحبش می‌تواند از «گذرواژه را فراموش کرده‌اید؟» استفاده کند.
error-unknown-role = یکی از نقش‌های فهرست را انتخاب کنید.
error-unknown-action = این کار این‌جا شناخته نیست. برگردید و یکی از دکمه‌های صفحه را به کار ببرید.
error-user-exists = حساب دیگری این نشانی ایمیل را به کار می‌برد.
error-current-password = این گذرواژهٔ کنونی شما نیست.
name-account-link = پیوند حساب

## Administration: lost password and emailed links
lost-password = گذرواژه را فراموش کرده‌اید؟
lost-password-link = گذرواژه را فراموش کرده‌اید؟
lost-password-help = نشانی ایمیل حساب کارمندی‌تان را وارد کنید. پیوندی برای انتخاب گذرواژهٔ تازه دریافت می‌کنید.
lost-password-send = پیوندی برایم بفرست
lost-password-sent = { PLURAL($count) ->
    [one] اگر { $email } از آنِ حساب کارمندی باشد، پیوندی برای انتخاب گذرواژهٔ تازه در راه است. فقط یک بار و تا یک ساعت کار می‌کند.
   *[other] اگر { $email } از آنِ حساب کارمندی باشد، پیوندی برای انتخاب گذرواژهٔ تازه در راه است. فقط یک بار و تا { $count } ساعت کار می‌کند.
}
back-to-login = بازگشت به ورود
choose-password = گذرواژه‌ای انتخاب کنید
choose-password-welcome = خوش آمدید { $name }. گذرواژه‌ای را که با آن وارد می‌شوید انتخاب کنید.
choose-password-help = گذرواژهٔ تازه‌ای انتخاب کنید. همهٔ نشست‌های این حساب پایان می‌یابد؛ سپس با آن وارد شوید.
field-new-password = گذرواژهٔ تازه
save-password = ذخیرهٔ گذرواژه
account-link-gone = این پیوند دیگر کار نمی‌کند: زمانش گذشته یا پیش‌تر به کار رفته است. پیوند تازه‌ای بخواهید.
lost-password-again = پیوند تازه بخواهید
password-set-log-in = گذرواژه‌تان ذخیره شد. با آن وارد شوید.
email-reset-subject = [{ $site }] گذرواژهٔ تازه‌ای انتخاب کنید
email-reset-intro = کسی خواسته است گذرواژهٔ حساب کارمندی { $email } در { $site } بازنشانی شود.
email-reset-action = گذرواژهٔ تازه‌ای انتخاب کنید:
email-reset-expires = { PLURAL($count) ->
    [one] پیوند یک بار و تا یک ساعت کار می‌کند.
   *[other] پیوند یک بار و تا { $count } ساعت کار می‌کند.
}
email-reset-ignore = اگر شما نخواسته‌اید، این ایمیل را نادیده بگیرید: گذرواژه‌تان همان می‌ماند.
email-invite-subject = [{ $site }] شما دعوت شده‌اید
email-invite-intro = { $name } شما را دعوت کرده است تا در گرداندن { $site } کمک کنید.
email-invite-action = گذرواژه‌تان را انتخاب کنید:
email-invite-expires = { PLURAL($count) ->
    [one] پیوند یک روز کار می‌کند.
   *[other] پیوند { $count } روز کار می‌کند.
}
email-account-sign-in = پس از آن با { $email } وارد شوید در

## Administration: your profile and sessions
profile-about = دربارهٔ شما
field-current-password = گذرواژهٔ کنونی
profile-email-needs-password = فقط برای تغییر نشانی ایمیل لازم است.
profile-password = گذرواژه
profile-password-signs-out = نشست‌های دیگرتان پایان می‌یابد.
profile-change-password = تغییر گذرواژه
profile-password-changed = گذرواژه تغییر کرد. نشست‌های دیگرتان پایان یافت.
profile-signed-out-others = از همهٔ جاهای دیگر خارج شدید.
profile-signed-out-one = آن نشست پایان یافت.
profile-sessions = کجا وارد شده‌اید
profile-sessions-help = همهٔ مرورگرهایی که وارد این حساب شده‌اند. هر کدام را که نمی‌شناسید پایان دهید.
session-browser = مرورگر
session-address = نشانی
session-started = ورود
session-this = همین مرورگر
session-sign-out = خروج
sign-out-others = خروج از همهٔ جاهای دیگر
sign-out-everywhere = خروج از همه‌جا

## Command line: staff accounts
cli-password-set = گذرواژهٔ { $email } تعیین شد؛ نشست‌هایش پایان یافت
cli-role-changed = { $email } اکنون { $role } است
cli-user-removed = { $email } حذف شد
cli-posts-reassigned = { PLURAL($count) ->
    [one] یک نوشته اکنون از آنِ { $email } است
   *[other] { $count } نوشته اکنون از آنِ { $email } است
}
help-tribune-user-passwd = گذرواژهٔ یکی از کارکنان را تعیین کن و او را از همه‌جا خارج کن
help-tribune-user-passwd--user = نشانی ایمیل یا شناسه‌اش
help-tribune-user-passwd--password-stdin = گذرواژه را از نخستین خط ورودی استاندارد بخوان (وگرنه یکی ساخته و چاپ می‌شود)
help-tribune-user-role = نقش یکی از کارکنان را تغییر بده
help-tribune-user-role--user = نشانی ایمیل یا شناسه‌اش
help-tribune-user-role--role = admin (مدیر)، editor (ویراستار)، author (نویسنده) یا moderator (ناظر)
help-tribune-user-remove = حساب یکی از کارکنان را حذف کن
help-tribune-user-remove--user = نشانی ایمیل یا شناسه‌اش
help-tribune-user-remove--reassign = نوشته‌هایش را به این کارمند بده (نشانی ایمیل یا شناسه)

## Comment pages
comment-pages = صفحه‌های دیدگاه
comment-pages-below = زیر دیدگاه‌ها
comment-page-of = صفحهٔ دیدگاه { $page } از { $count }
older-comments = دیدگاه‌های قدیمی‌تر
newer-comments = دیدگاه‌های تازه‌تر
field-page_comments = دیدگاه‌ها را صفحه‌بندی کن
field-comments_per_page = شمار دیدگاه‌های سطح بالا در هر صفحه
field-default_comments_page = صفحه‌ای که نخست نشان داده می‌شود
comments-page-newest = آخرین صفحه (تازه‌ترین دیدگاه‌ها)
comments-page-oldest = نخستین صفحه (قدیمی‌ترین دیدگاه‌ها)
field-comment_order = در بالای هر صفحه
comment-order-asc = قدیمی‌ترین دیدگاه
comment-order-desc = تازه‌ترین دیدگاه
field-edit_minutes = نویسندهٔ دیدگاه می‌تواند دیدگاهش را ویرایش یا حذف کند تا (دقیقه)
edit-minutes-hint = از همان مرورگری که با آن نوشته شده است. 0: هرگز.

## Comments: editing your own
edit-your-comment = ویرایش دیدگاه شما
edit-comment-on = دربارهٔ «{ $title }»
back-to-post = بازگشت به نوشته
edit-until = { PLURAL($count) ->
    [one] تا { $until } می‌توانید آن را تغییر دهید یا حذف کنید (حدود یک دقیقه مانده است).
   *[other] تا { $until } می‌توانید آن را تغییر دهید یا حذف کنید (حدود { $count } دقیقه مانده است).
}
save-changes = ذخیرهٔ تغییرها
delete-my-comment = دیدگاهم را حذف کن
edit-my-comment = ویرایش یا حذف
edit-for-a-while = (دیدگاه شما، برای چند دقیقه از همین مرورگر)
error-edit-window-over = این دیدگاه دیگر از این مرورگر تغییر نمی‌کند: زمان ویرایشش گذشته، یا جای دیگری نوشته شده است.
activity-source-author = نویسندهٔ دیدگاه
activity-action-edit = نویسنده‌اش ویرایشش کرد

## Staff on the public site
staff-bar = کارکنان
staff-bar-dashboard = پیشخوان
staff-bar-new-post = نوشتهٔ تازه
staff-bar-edit-post = ویرایش این نوشته
staff-bar-waiting = { PLURAL($count) ->
    [one] این‌جا یک دیدگاه در انتظار است
   *[other] این‌جا { $count } دیدگاه در انتظار است
}
action-edit = ویرایش
edit-comment = ویرایش دیدگاه

## Administration: editing a comment
comment-edited = دیدگاه ذخیره شد.

## Administration: the posts list
posts-filters = نوشته‌ها بر پایهٔ وضعیت
posts-tab-all = همه
posts-tab-published = منتشرشده
posts-tab-draft = پیش‌نویس‌ها
posts-tab-private = خصوصی
posts-tab-trash = زباله‌دان
posts-search = جست‌وجو در نوشته‌ها
posts-any = همه
posts-category = دسته
posts-filter = پالایش
posts-found = { PLURAL($count) ->
    [one] یک نوشته
   *[other] { $count } نوشته
}
posts-restore = بازگردانی
posts-delete = حذف برای همیشه
posts-trashed = نوشته به زباله‌دان رفت.
posts-restored = نوشته از زباله‌دان بازگشت.
posts-deleted = نوشته همراه دیدگاه‌هایش برای همیشه حذف شد.
posts-pages = صفحه‌های نوشته‌ها
posts-newer = نوشته‌های تازه‌تر
posts-older = نوشته‌های قدیمی‌تر
posts-page-of = صفحهٔ { $page } از { $count }
status-scheduled = زمان‌بندی‌شده

## Administration: the editor
post-published = نوشته منتشر شد.
post-scheduled = نوشته زمان‌بندی شد.
field-new-category = دسته‌های تازه
field-tags = برچسب‌ها
terms-hint = با ویرگول جدا کنید.
update-post = به‌روزرسانی
save-draft = ذخیرهٔ پیش‌نویس
publish-post = انتشار
schedule-post = زمان‌بندی

## Administration: revisions and autosave
revisions = بازبینی‌ها
revisions-of = بازبینی‌های «{ $title }»
revisions-count = { PLURAL($count) ->
    [one] یک بازبینی
   *[other] { $count } بازبینی
}
back-to-editor = بازگشت به ویرایشگر
compare-title = بازبینی { $date } در کنار نوشته آن‌گونه که اکنون هست
compare-part-excerpt = چکیده
compare-part-body = متن
revision-by = ذخیره‌شده به دست
revision-autosave = ذخیرهٔ خودکار
revision-current = کنونی
revision-compare = مقایسه با اکنون
revision-restore = بازگردانی این بازبینی
revision-restored = بازبینی بازگردانده شد.
error-revision-invalid = این بازبینی همان‌گونه که هست بازگردانده نمی‌شود: ویرایشگر را باز کنید و متنش را بچسبانید.
error-autosave-incomplete = هنوز خودکار ذخیره نشده است: نوشته عنوان لازم دارد.
autosaved-at = پیش‌نویس در { $time } ذخیره شد.

## Administration: revisions, the parts compared
compare-part-title = عنوان

## Administration: the editor, filing
categories-and-tags = دسته‌ها و برچسب‌ها

## Administration: media
nav-media = رسانه
media-uploaded = در کتابخانه بارگذاری شد.
media-deleted = پرونده حذف شد.
media-choose-files = پرونده‌ها برای بارگذاری
media-limits = تصویرهای JPEG، PNG، WebP یا GIF و پرونده‌های PDF، هر کدام تا { $max } مگابایت. SVG پذیرفته نمی‌شود.
media-alt = متن جایگزین
media-alt-hint = تصویر را برای کسانی که نمی‌توانند آن را ببینند توصیف کنید. فقط اگر تصویر تزئینی است خالی بگذارید.
media-upload = بارگذاری
media-search = جستجو در کتابخانه
media-kind = نوع
media-kind-image = تصویرها
media-kind-pdf = پرونده‌های PDF
media-unused = فقط پرونده‌هایی که هیچ نوشته‌ای به کار نمی‌برد
media-found =
    { PLURAL($count) ->
        [one] ۱ پرونده
        *[other] { $count } پرونده
    }
media-no-alt = بدون متن جایگزین
media-used-count =
    { PLURAL($count) ->
        [one] در ۱ نوشته به کار رفته
        *[other] در { $count } نوشته به کار رفته
    }
media-unused-label = استفاده نشده
media-none = هنوز پرونده‌ای نیست. نخستین را از بالا بارگذاری کنید.
media-saved = ذخیره شد.
media-open-pdf = باز کردن PDF
media-address = نشانی
media-size = اندازه
media-uploaded-on = بارگذاری
media-markdown = در نوشته
media-used-in = به کار رفته در
media-delete-when-unused = پرونده‌ای را وقتی می‌توان حذف کرد که هیچ نوشته‌ای آن را نشان ندهد: نخست آن را از این نوشته‌ها بردارید.
media-used-nowhere = هیچ نوشته‌ای این پرونده را به کار نمی‌برد.
media-delete = حذف همیشگی
media-size-kb = { $size } کیلوبایت
media-size-mb = { $size } مگابایت
media-error-empty = پرونده خالی است.
media-error-too-large = پرونده { $size } مگابایت است؛ حد { $max } مگابایت است. کوچک‌ترش کنید (عکسی با پهنای ۲۰۰۰ پیکسل کافی است) و دوباره بارگذاری کنید.
media-error-svg = تصویرهای SVG پذیرفته نمی‌شوند: ممکن است اسکریپت‌هایی داشته باشند که روی این سایت اجرا شوند. تصویر را به PNG صادر و آن را بارگذاری کنید.
media-error-type = این نوع پرونده پذیرفته نمی‌شود. تصویرهای JPEG، PNG، WebP یا GIF، یا پرونده‌های PDF بارگذاری کنید.
media-error-pixels = تصویر { $width }×{ $height } پیکسل است؛ حد { $max } مگاپیکسل است. کوچک‌ترش کنید و دوباره بارگذاری کنید.
media-error-unreadable = پرونده مانند یک پرونده { $kind } آغاز می‌شود اما خوانده نمی‌شود: شاید آسیب دیده یا ناقص باشد. دوباره ذخیره و بارگذاری کنید.
media-error-broken-upload = بارگذاری کامل نرسید. دوباره تلاش کنید.
media-error-no-file = نخست پرونده‌ای برای بارگذاری برگزینید.
media-error-storage = اکنون پرونده ذخیره نشد؛ چیزی نگه داشته نشد. کمی بعد دوباره تلاش کنید.
media-error-in-use = این پرونده در نوشته‌ای نشان داده می‌شود، پس حذف نشد. نخست آن را از نوشته‌های زیر بردارید.
media-uploading = در حال بارگذاری
media-inserted = افزوده شد:
media-open-library = تصویرها و پرونده‌ها را در کتابخانه رسانه بارگذاری کنید (در زبانه‌ای تازه باز می‌شود)، سپس Markdown آن‌ها را این‌جا بچسبانید.
media-add = افزودن رسانه
media-from-library = از کتابخانه
media-drop-hint = یا تصویرها را در متن رها کنید یا بچسبانید
media-alt-for = متن جایگزین برای
media-alt-save = ذخیره متن جایگزین
media-insert = درج
media-set-featured = تنظیم به‌عنوان تصویر شاخص
close = بستن
featured-image = تصویر شاخص
featured-image-choose = تصویری که بالای نوشته و در پیش‌نمایش پیوندها نشان داده می‌شود
featured-image-none = هیچ
config-s3-endpoint = نشانی سطل رسانه `{ $endpoint }` نشانی http:// یا https:// نیست ([media] s3_endpoint، TRIBUNE_S3_ENDPOINT)
config-s3-incomplete = سطل S3 برای رسانه به همه‌ی s3_endpoint، s3_bucket، s3_access_key و s3_secret_key نیاز دارد ([media] یا TRIBUNE_S3_*)

## Moving in: media
help-tribune-import-wordpress--fetch-media = تصویرها و پرونده‌های برون‌بُرد را به کتابخانه رسانه بیاور (از نشانی‌هایشان در برون‌بُرد) و از این‌جا نشان بده
import-label-attachment = خط { $line }: { $url }
import-note-media-failed = پیوستی آورده نشد ({ $reason })؛ نوشته‌ها همچنان به نشانی پیشین آن پیوند می‌دهند
import-media =
    { PLURAL($count) ->
        [one] { $count } پرونده به کتابخانه رسانه آورده شد.
        *[other] { $count } پرونده به کتابخانه رسانه آورده شد.
    }

## Administration: media, back
media-back = → رسانه

## Feeds
feed-comments-title = دیدگاه‌های { $site }
feed-post-comments-title = دیدگاه‌ها دربارهٔ: { $title }
feed-comment-by = از: { $author }
feed-comment-on = دیدگاه { $author } دربارهٔ { $title }
feed-posts-link = { $site } » خوراک
feed-comments-link = { $site } » خوراک دیدگاه‌ها
feed-archive-link = { $site } » خوراک { $name }
feed-post-comments-link = { $site } » خوراک دیدگاه‌های { $title }
field-posts_per_rss = تعداد نوشته‌ها در هر خوراک
field-rss_use_excerpt = هر نوشته در خوراک نشان می‌دهد
feed-full-text = متن کامل
feed-summary = خلاصه
feed-follow = دنبال کردن با خوراک

## Search
search-label = جست‌وجو
search-button = جست‌وجو
search-placeholder = جست‌وجو در این سایت
search-title = نتایج جست‌وجو برای «{ $query }»
search-count =
    { PLURAL($count) ->
        [one] یک نتیجه.
       *[other] { $count } نتیجه.
    }
search-count-more = بیش از { $count } نتیجه.
search-slow-down = در این دقیقه بارها جست‌وجو کرده‌اید. یک دقیقهٔ دیگر دوباره امتحان کنید.
search-nothing = چیزی با این واژه‌ها پیدا نشد. واژه‌های کمتر یا املای دیگری را امتحان کنید.
search-more = نتایج بیشتر
search-back = نتایج قبلی

## Webmention
comment-type-webmention = اشاره:
webmention-accepted = دریافت شد. منبع بررسی می‌شود و اشاره پس از تأیید یک ناظر نمایش داده می‌شود.
webmention-bad-urls = منبع و مقصد را به صورت نشانی http یا https بفرستید.
webmention-same = منبع و مقصد یک نشانی‌اند.
webmention-not-here = مقصد در این سایت نیست.
webmention-no-post = مقصد نوشته یا برگه‌ای منتشرشده در اینجا نیست.
webmention-closed = این نوشته دیگر پاسخ نمی‌پذیرد.
webmention-slow-down = اشاره‌های زیادی از نشانی شما رسیده؛ یک دقیقه دیگر دوباره امتحان کنید.
job-summary-webmention-receive = بررسی اشارهٔ { $source } به نوشتهٔ { $id }
job-summary-webmentions-send = یافتن صفحه‌هایی که نوشتهٔ { $id } به آن‌ها پیوند دارد، برای خبر دادن
job-summary-webmention-send = خبر دادن به { $target } که نوشتهٔ { $id } به آن پیوند دارد
