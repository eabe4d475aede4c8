# Tribune — العربية. الترجمة مكتوبة لهذا المشروع؛ صيغ الجمع الست حسب CLDR:
# zero و one و two و few (٣–١٠) و many (١١–٩٩) و other.

## Times (dates and numbers themselves come from CLDR)
time-ago = { $unit ->
    [seconds] { PLURAL($count) ->
        [0] الآن
        [one] منذ ثانية
        [two] منذ ثانيتين
        [few] منذ { $count } ثوانٍ
        [many] منذ { $count } ثانية
       *[other] منذ { $count } ثانية
    }
    [minutes] { PLURAL($count) ->
        [0] الآن
        [one] منذ دقيقة
        [two] منذ دقيقتين
        [few] منذ { $count } دقائق
        [many] منذ { $count } دقيقة
       *[other] منذ { $count } دقيقة
    }
    [hours] { PLURAL($count) ->
        [0] الآن
        [one] منذ ساعة
        [two] منذ ساعتين
        [few] منذ { $count } ساعات
        [many] منذ { $count } ساعة
       *[other] منذ { $count } ساعة
    }
   *[days] { PLURAL($count) ->
        [0] اليوم
        [one] أمس
        [two] منذ يومين
        [few] منذ { $count } أيام
        [many] منذ { $count } يومًا
       *[other] منذ { $count } يوم
    }
}
time-in = { $unit ->
    [seconds] { PLURAL($count) ->
        [0] الآن
        [one] خلال ثانية
        [two] خلال ثانيتين
        [few] خلال { $count } ثوانٍ
        [many] خلال { $count } ثانية
       *[other] خلال { $count } ثانية
    }
    [minutes] { PLURAL($count) ->
        [0] الآن
        [one] خلال دقيقة
        [two] خلال دقيقتين
        [few] خلال { $count } دقائق
        [many] خلال { $count } دقيقة
       *[other] خلال { $count } دقيقة
    }
    [hours] { PLURAL($count) ->
        [0] الآن
        [one] خلال ساعة
        [two] خلال ساعتين
        [few] خلال { $count } ساعات
        [many] خلال { $count } ساعة
       *[other] خلال { $count } ساعة
    }
   *[days] { PLURAL($count) ->
        [0] اليوم
        [one] غدًا
        [two] بعد يومين
        [few] خلال { $count } أيام
        [many] خلال { $count } يومًا
       *[other] خلال { $count } يوم
    }
}

## Site
skip-to-content = انتقل إلى المحتوى
powered-by = منشور بواسطة Tribune
latest-posts = أحدث المقالات
page-n = الصفحة { $n }
no-posts = لم يُنشر شيء بعد.
continue-reading = تابع القراءة
posts-navigation = مزيد من المقالات
older-posts = → مقالات أقدم
newer-posts = مقالات أحدث ←
posted-on-by = نُشر في { $date } بواسطة { $author }
comment-count = { PLURAL($count) ->
    [0] اترك تعليقًا
    [one] تعليق واحد
    [two] تعليقان
    [few] { $count } تعليقات
    [many] { $count } تعليقًا
   *[other] { $count } تعليق
}
not-found-title = الصفحة غير موجودة
not-found-text = لا يوجد شيء على هذا العنوان. ربما نُقل، أو كُتب الرابط خطأً.
back-home = اذهب إلى الصفحة الرئيسية

## Comments
responses = { PLURAL($count) ->
    [0] لا توجد ردود على «{ $title }»
    [one] رد واحد على «{ $title }»
    [two] ردّان على «{ $title }»
    [few] { $count } ردود على «{ $title }»
    [many] { $count } ردًا على «{ $title }»
   *[other] { $count } رد على «{ $title }»
}
awaiting-moderation = تعليقك بانتظار المراجعة.
comment-type-pingback = إشارة:
comment-type-trackback = تعقيب:
filed-under-category = التصنيفات:
filed-under-tag = الوسوم:
archive-category = التصنيف: { $name }
archive-tag = الوسم: { $name }
reply = رد
reply-to = الرد على { $name }
leave-a-reply = اترك تعليقًا
leave-a-reply-to = اترك ردًا على { $name }
cancel-reply = إلغاء الرد
email-not-published = لن يُنشر عنوان بريدك الإلكتروني.
required-fields-marked = الحقول الإلزامية مشار إليها بـ *
field-body = التعليق
field-name = الاسم
field-email = البريد الإلكتروني
field-url = الموقع الإلكتروني
post-comment = أرسل التعليق
comments-closed = التعليقات مغلقة.
comment-not-posted = لم يُنشر تعليقك. يُرجى التحقق من:

## Form problems
error-too-long = { $field } طويل جدًا: { $len } حرفًا. الحد الأقصى { $max }.
error-body-required = يُرجى كتابة تعليقك.
error-name-required = يُرجى إدخال اسمك.
error-email-required = يُرجى إدخال عنوان بريدك الإلكتروني. لن يظهر أبدًا.
error-email-invalid = يبدو أن عنوان البريد الإلكتروني غير صحيح. تحقّق من الأخطاء المطبعية.
error-url-invalid = يجب أن يكون الموقع عنوانًا على الويب مثل https://example.org.
error-rate-limited = أنت تنشر بسرعة كبيرة. انتظر دقيقة ثم أرسله مرة أخرى: تعليقك ما زال هنا.
error-parent-invalid = تضرّر نموذج الرد في الطريق (التعليق الذي تردّ عليه ليس رقمًا). تعليقك ما زال هنا؛ أعد تحميل المقالة وأرسله مرة أخرى.
error-duplicate = تعليق مكرر؛ يبدو أنك قلت هذا من قبل. إنه في طريقه بالفعل، ولا حاجة إلى إرساله مرة أخرى.
error-unavailable = تعذّر حفظ تعليقك الآن: الموقع مشغول أو لا يستطيع الكتابة في هذه اللحظة. لم يضِع شيء؛ ما زال في النموذج أدناه. أرسله مرة أخرى بعد دقيقة.
error-not-stored = تعذّر حفظ تعليقك بسبب خطأ في الموقع. ما زال في النموذج أدناه؛ حاول مرة أخرى، وإن استمر الخطأ فأخبر صاحب الموقع برقم الطلب هذا: { $id }.
error-parent-gone = التعليق الذي تردّ عليه لم يعد متاحًا. تعليقك ما زال هنا؛ أرسله تعليقًا جديدًا.
error-title-required = يُرجى إعطاء المقالة عنوانًا.
error-slug-invalid = لا يحتوي الاسم اللطيف إلا على حروف وأرقام و- و_.
error-slug-taken = مقالة أخرى تستخدم هذا الاسم اللطيف. اختر اسمًا آخر.
error-lang-invalid = اختر لغة من القائمة.
error-status-invalid = اختر مسودة أو منشور أو خاص.
error-date-invalid = يجب أن يكون التاريخ بالشكل 2026-11-26T09:30.
error-site-title-required = يُرجى إعطاء الموقع عنوانًا.
error-display-name-required = يُرجى إدخال اسمك.
error-password-short = يجب أن تتكوّن كلمة المرور من { $min } حروف على الأقل.
error-password-mismatch = كلمتا المرور غير متطابقتين.
error-login-failed = البريد الإلكتروني أو كلمة المرور غير صحيحة.
error-site-url-invalid = يجب أن يكون عنوان الموقع عنوانًا على الويب مثل https://example.org (بلا ? أو #).
error-login-slow-down = محاولات دخول فاشلة كثيرة. انتظر { $unit ->
        [minutes] { PLURAL($count) ->
            [one] دقيقة
            [two] دقيقتين
            [few] { $count } دقائق
           *[other] { $count } دقيقة
        }
       *[seconds] { PLURAL($count) ->
            [one] ثانية
            [two] ثانيتين
            [few] { $count } ثوانٍ
           *[other] { $count } ثانية
        }
    } قبل أن تحاول مرة أخرى.
error-login-locked = قُفل تسجيل الدخول بعد محاولات فاشلة كثيرة. حاول مرة أخرى بعد { $unit ->
        [minutes] { PLURAL($count) ->
            [one] دقيقة
            [two] دقيقتين
            [few] { $count } دقائق
           *[other] { $count } دقيقة
        }
       *[seconds] { PLURAL($count) ->
            [one] ثانية
            [two] ثانيتين
            [few] { $count } ثوانٍ
           *[other] { $count } ثانية
        }
    }. إن نسيت كلمة المرور فاطلب من مدير الموقع تعيين كلمة جديدة.
error-number-range = يجب أن يكون { $field } رقمًا من { $min } إلى { $max }.

## Administration
admin = الإدارة
view-site = عرض الموقع
dashboard = لوحة التحكم
welcome = مرحبًا يا { $name }.
nav-posts = المقالات
nav-comments = التعليقات
nav-settings = الإعدادات
log-in = تسجيل الدخول
log-out-name = تسجيل الخروج ({ $name })
pending-count = { PLURAL($count) ->
    [0] لا توجد تعليقات بانتظار المراجعة
    [one] تعليق واحد بانتظار المراجعة
    [two] تعليقان بانتظار المراجعة
    [few] { $count } تعليقات بانتظار المراجعة
    [many] { $count } تعليقًا بانتظار المراجعة
   *[other] { $count } تعليق بانتظار المراجعة
}
pending-count-over = أكثر من { $count } تعليق بانتظار المراجعة
count-over = { $count }+
setup-title = أعدّ موقعك
setup-intro = أنشئ حساب المدير. يمكنك إضافة فريق العمل لاحقًا بالأمر `tribune user add`.
setup-submit = أنشئ الموقع
field-site-title = عنوان الموقع
field-display-name = اسمك
field-password = كلمة المرور
field-password-again = كلمة المرور مرة أخرى
password-hint = { $min } حروف على الأقل.
new-post = مقالة جديدة
edit-post = تحرير المقالة
post-saved = حُفظت المقالة.
view-post = عرض المقالة
post-not-saved = لم تُحفظ المقالة. يُرجى التحقق من:
preview = معاينة
save = حفظ
field-title = العنوان
field-status = الحالة
field-post-body = النص
markdown-hint = اكتب بصيغة Markdown.
field-excerpt = المقتطف
field-slug = الاسم اللطيف
slug-hint = الجزء الأخير من العنوان. اتركه فارغًا ليُصنع من العنوان.
field-lang = اللغة
lang-hint = لغة المقالة: تتبعها لغة صفحتها واتجاهها.
field-published_at = تاريخ النشر (UTC)
date-hint = اتركه فارغًا للنشر الآن. التاريخ المستقبلي يجدول المقالة.
translation-group-hint = المقالات المترابطة ترجمات بعضها لبعض: كل صفحة تربط بالأخريات وتُعلم محركات البحث بذلك.
field-comments-open = السماح بالتعليقات
author = الكاتب
column-date = التاريخ
view = عرض
status-draft = مسودة
status-published = منشور
status-private = خاص
status-pending = بانتظار المراجعة
status-approved = موافق عليه
status-spam = مزعج
status-trash = المهملات
comment-filters = تصفية التعليقات
tab-pending = بانتظار المراجعة
tab-approved = الموافق عليها
tab-spam = المزعجة
tab-trash = المهملات
tab-all = الكل
bulk-actions = إجراءات جماعية
bulk-choose = اختر إجراءً
moderation-choose-action = اختر إجراءً (موافقة أو إلغاء الموافقة أو مزعج أو نقل إلى المهملات) قبل الضغط على «تطبيق». لم يتغير شيء.
moderation-select-some = ضع علامة على التعليقات المطلوبة قبل الضغط على «تطبيق». لم يتغير شيء.
action-approve = موافقة
action-unapprove = إلغاء الموافقة
action-spam = مزعج
action-trash = نقل إلى المهملات
apply = تطبيق
select = تحديد
select-comment-by = تحديد تعليق { $name }
in-response-to = ردًا على
submitted-on = أُرسل في
in-reply-to = ردًا على التعليق { $id }
pages = الصفحات
newer = الأحدث
older = الأقدم
no-comments-here = لا توجد تعليقات هنا.
moderated-approved = { PLURAL($count) ->
    [one] تمت الموافقة على تعليق واحد.
    [two] تمت الموافقة على تعليقين.
    [few] تمت الموافقة على { $count } تعليقات.
    [many] تمت الموافقة على { $count } تعليقًا.
   *[other] تمت الموافقة على { $count } تعليق.
}
moderated-pending = { PLURAL($count) ->
    [one] أُلغيت الموافقة على تعليق واحد.
    [two] أُلغيت الموافقة على تعليقين.
    [few] أُلغيت الموافقة على { $count } تعليقات.
    [many] أُلغيت الموافقة على { $count } تعليقًا.
   *[other] أُلغيت الموافقة على { $count } تعليق.
}
moderated-spam = { PLURAL($count) ->
    [one] عُلِّم تعليق واحد بأنه مزعج.
    [two] عُلِّم تعليقان بأنهما مزعجان.
    [few] عُلِّمت { $count } تعليقات بأنها مزعجة.
    [many] عُلِّم { $count } تعليقًا بأنها مزعجة.
   *[other] عُلِّم { $count } تعليق بأنها مزعجة.
}
moderated-trash = { PLURAL($count) ->
    [one] نُقل تعليق واحد إلى المهملات.
    [two] نُقل تعليقان إلى المهملات.
    [few] نُقلت { $count } تعليقات إلى المهملات.
    [many] نُقل { $count } تعليقًا إلى المهملات.
   *[other] نُقل { $count } تعليق إلى المهملات.
}
settings-saved = حُفظت الإعدادات.
settings-general = عام
settings-discussion = النقاش
field-tagline = الشعار
field-site-url = عنوان الموقع (URL)
site-url-hint = العنوان الذي يستخدمه القرّاء، مثل https://example.org. تستخدمه الروابط في الرسائل والخلاصات وتسجيل الدخول.
site-url-from-config = محدّد بـ base_url في الإعدادات (‎--base-url‎، ‏TRIBUNE_BASE_URL).
field-site-language = لغة الموقع
field-posts_per_page = عدد المقالات في الصفحة
field-hold-new-comments = يجب الموافقة على التعليقات يدويًا
field-thread_depth = عمق الردود
field-max_comment_chars = أطول تعليق (بالحروف)
field-avatars = الصور الرمزية
avatars-identicon = أيقونات يرسمها Tribune (بلا طلبات إلى أطراف أخرى)
avatars-gravatar = Gravatar
languages-nav = اللغات
all-languages = كل اللغات
translations-nav = الترجمات
also-in = متوفر أيضًا بـ:
field-translations = الترجمات
unlink-translations = هذه المقالة ليست ترجمة لهذه المقالات
field-translation-of = اربطها بترجمتها
translation-none = — لا شيء —
site-lang-hint = تتحدث بها القوائم والإدارة والرسائل؛ وصفحة كل مقالة تتحدث بلغة المقالة.
field-digits = الأرقام
digits-native = أرقام كل لغة (١٢٣ في العربية والكردية، ۱۲۳ في الفارسية)
digits-latin = اللاتينية (0–9) في كل اللغات
role-admin = مدير
role-editor = محرر
role-author = كاتب
role-moderator = مشرف
nav-profile = الملف الشخصي
profile-saved = حُفظ الملف الشخصي.
field-admin-language = لغة صفحات الإدارة ورسائلك
admin-language-site = لغة الموقع ({ $language })
admin-language-hint = تُكتب بها أيضًا رسائل التعليقات التي تنتظرك.

## Sign-in with an identity provider
fill-in-or-click-icon = املأ بياناتك أدناه أو اضغط على أيقونة لتسجيل الدخول:
sign-in-to-comment = سجّل الدخول للتعليق
sign-in-with = { $provider }
connecting-to = جارٍ الاتصال بـ { $provider }…
continue-to = تابع إلى { $provider }
commenting-using = أنت تعلّق باستخدام حسابك في { $provider }.
log-out = تسجيل الخروج
change = تغيير
auth-error-unknown = خيار تسجيل الدخول هذا غير متاح في هذا الموقع. تعليقك ما زال هنا.
auth-error-denied = لم تسمح بتسجيل الدخول، فلم تُسجَّل. تعليقك ما زال هنا.
auth-error-state = لم يبدأ تسجيل الدخول هذا في هذا المتصفح، أو استُخدم من قبل. يُرجى المحاولة مرة أخرى؛ تعليقك ما زال هنا.
auth-error-expired = استغرق تسجيل الدخول وقتًا طويلًا. يُرجى المحاولة مرة أخرى؛ تعليقك ما زال هنا.
auth-error-code = لم يقبل المزوّد تسجيل الدخول (ربما استُخدم مرتين). يُرجى المحاولة مرة أخرى؛ تعليقك ما زال هنا.
auth-error-token = تعذّر التحقق من ردّ المزوّد، فلم تُسجَّل. تعليقك ما زال هنا.
auth-error-down = تعذّر الوصول إلى المزوّد. حاول لاحقًا أو علّق زائرًا؛ تعليقك ما زال هنا.
auth-error-profile = لم يخبرنا المزوّد من أنت. جرّب خيارًا آخر؛ تعليقك ما زال هنا.
auth-error-nostaff = لا يوجد حساب لفريق العمل بالبريد الإلكتروني الموثّق لهذا الدخول. اطلب من مدير الموقع أن يضيفك.
field-approve-returning = المعلّقون المسجَّلون الذين لهم تعليق موافق عليه يتجاوزون المراجعة
settings-signin = مزوّدو تسجيل الدخول
staff-sso = يسجّل فريق العمل الدخول هنا أيضًا
providers-hint = أدخل معرّف العميل والسرّ اللذين حصلت عليهما عند تسجيل هذا الموقع لدى المزوّد؛ اترك معرّف العميل فارغًا لإيقافه. يمكن ضبط المزوّدين أيضًا في tribune.toml أو في متغيرات TRIBUNE_AUTH_*‎ ‏(docs/sign-in.md).
callback-address = عنوان الرجوع الذي يجب تسجيله:
provider-configured = مضبوط في ملف الإعدادات أو في البيئة.
field-client-id = معرّف العميل
field-client-secret = سرّ العميل
secret-unchanged = (بلا تغيير)
error-provider-secret = يحتاج { $provider } إلى سرّ العميل مع معرّف العميل.

## Email
email-held-subject = [{ $site }] يُرجى المراجعة: «{ $title }»
email-held-intro = تعليق جديد على «{ $title }» ينتظر موافقتك:
email-held-queue = كل التعليقات التي تنتظر المراجعة:
email-digest-subject = [{ $site }] { PLURAL($count) ->
    [one] تعليق واحد ينتظر المراجعة
    [two] تعليقان ينتظران المراجعة
    [few] { $count } تعليقات تنتظر المراجعة
    [many] { $count } تعليقًا تنتظر المراجعة
   *[other] { $count } تعليق تنتظر المراجعة
}
email-digest-intro = { PLURAL($count) ->
    [one] تعليق واحد ينتظر موافقتك:
    [two] تعليقان ينتظران موافقتك:
    [few] { $count } تعليقات تنتظر موافقتك:
    [many] { $count } تعليقًا تنتظر موافقتك:
   *[other] { $count } تعليق تنتظر موافقتك:
}
moderate-title = مراجعة تعليق
moderate-on = على «{ $title }»:
nav-jobs = المهام
nav-privacy = البيانات الشخصية
privacy-intro = سأل أحدهم عمّا يحفظه هذا الموقع عنه، أو طلب أن يُنسى. يُعثر على كل شيء بعنوان بريده الإلكتروني: التعليقات التي كتبها (مع عنوان IP والمتصفح)، واشتراكاته بالبريد، والحسابات التي سجّل الدخول بها.
privacy-bad-email = أدخل عنوان البريد الإلكتروني للشخص، مثل name@example.org.
privacy-pick-action = اختر «تنزيل» أو أحد زرّي المحو.
privacy-confirm-needed = لا يمكن التراجع عن المحو: ضع العلامة للتأكيد، ثم اضغط الزر مرة أخرى.
privacy-export-legend = تصدير
privacy-export-help = ملف JSON فيه كل ما هو محفوظ عن هذا العنوان، لإرساله إلى الشخص.
privacy-export = تنزيل البيانات الشخصية (JSON)
privacy-erase-legend = محو
privacy-erase-help = «إخفاء الهوية» يُبقي التعليقات ويزيل الاسم والبريد والموقع وعنوان IP والمتصفح؛ «حذف» يزيل التعليقات أيضًا. تُحذف الاشتراكات وحسابات الدخول والرسائل إلى هذا العنوان في الحالتين.
privacy-confirm = أفهم أنه لا يمكن التراجع عن هذا
privacy-anonymise = إخفاء الهوية
privacy-delete = حذف التعليقات
privacy-anonymised = { PLURAL($count) ->
    [one] أُخفيت هوية تعليق واحد.
    [two] أُخفيت هوية تعليقين.
    [few] أُخفيت هوية { $count } تعليقات.
    [many] أُخفيت هوية { $count } تعليقًا.
   *[other] أُخفيت هوية { $count } تعليق.
}
privacy-deleted = { PLURAL($count) ->
    [one] حُذف تعليق واحد.
    [two] حُذف تعليقان.
    [few] حُذفت { $count } تعليقات.
    [many] حُذف { $count } تعليقًا.
   *[other] حُذف { $count } تعليق.
}
privacy-removed = أُزيل: اشتراكات { $subscriptions }، حسابات دخول { $identities }، رسائل { $emails }.
privacy-staff-kept = حساب لفريق العمل يستخدم هذا العنوان؛ أُبقي عليه.
anonymous = مجهول
jobs-intro = البريد والأعمال الأخرى التي يؤديها Tribune في الخلفية. المهمة التي تستمر في الفشل تتوقف هنا مع آخر خطأ.
job-kind = النوع
job-status = الحالة
job-attempts = المحاولات
job-error = آخر خطأ
job-next = المحاولة التالية
retry = أعد المحاولة
no-jobs = لا توجد مهام هنا.
job-retried = أُعيدت المهمة إلى الطابور.
status-queued = في الطابور
status-running = قيد التنفيذ
status-done = منجزة
status-failed = فاشلة
tab-failed = الفاشلة
tab-queued = في الطابور
tab-done = المنجزة

## Subscriptions
notify-comments = أعلمني بالتعليقات الجديدة عبر البريد الإلكتروني.
notify-posts = أعلمني بالمقالات الجديدة عبر البريد الإلكتروني.
email-comment-subject = [{ $site }] تعليق جديد على «{ $title }»
email-comment-intro = علّق { $author } على «{ $title }»:
email-read-reply = اقرأه وردّ عليه:
email-unsubscribe = إلغاء الاشتراك
email-manage = إدارة اشتراكاتك:
email-post-subject = [{ $site }] { $title }
email-post-intro = نشر { $site } مقالة جديدة:
email-confirm-subject = [{ $site }] يُرجى تأكيد اشتراكك
email-confirm-intro = طلب أحدهم، ونرجو أن تكون أنت، من { $site } أن يرسل رسائل إلى هذا العنوان عن «{ $title }».
email-confirm-action = للتأكيد:
email-confirm-ignore = إن لم تكن أنت فتجاهل هذه الرسالة: لن يُرسل شيء.
subs-title = الاشتراكات بالبريد الإلكتروني
subs-for = للعنوان { $email }
subs-confirm = تأكيد
subs-confirmed = شكرًا لك: تأكدت اشتراكاتك.
subs-ended = أُلغي اشتراكك. لن تصلك رسائل أخرى عن ذلك.
subs-yours = اشتراكاتك
subs-posts = المقالات الجديدة
subs-comments-on = التعليقات الجديدة على «{ $title }»
subs-unconfirmed = لم يُؤكَّد بعد
subs-none = ليس لديك اشتراكات أخرى.
email-comment-digest-subject = [{ $site }] { PLURAL($count) ->
    [one] تعليق جديد على «{ $title }»
    [two] تعليقان جديدان على «{ $title }»
    [few] { $count } تعليقات جديدة على «{ $title }»
    [many] { $count } تعليقًا جديدًا على «{ $title }»
   *[other] { $count } تعليق جديد على «{ $title }»
}
email-comment-digest-intro = { PLURAL($count) ->
    [one] تعليق جديد على «{ $title }»:
    [two] تعليقان جديدان على «{ $title }»:
    [few] { $count } تعليقات جديدة على «{ $title }»:
    [many] { $count } تعليقًا جديدًا على «{ $title }»:
   *[other] { $count } تعليق جديد على «{ $title }»:
}


## Errors
error-forbidden-title = غير مسموح
error-bad-request-title = لا يمكن تلبية هذا الطلب
error-too-many-title = طلبات كثيرة جدًا
error-too-many-text = ترسل الطلبات أسرع مما يقبله هذا الموقع. انتظر دقيقة ثم حاول مرة أخرى.
error-busy-title = الموقع مشغول
error-busy-text = لا يستطيع الموقع حفظ أي شيء الآن. لم يتغير شيء؛ ارجع وحاول مرة أخرى بعد دقيقة.
error-internal-title = حدث خطأ ما
error-internal-text = سُجّل الخطأ. إن تكرر فأخبر صاحب الموقع برقم الطلب أدناه.
error-request-id = رقم الطلب:
error-unknown-list = لا توجد قائمة تعليقات كهذه. اختر أحد الألسنة أعلاها.
error-already-set-up = هذا الموقع مُعدّ بالفعل. سجّل الدخول من ‎/admin/login‎ بدلًا من ذلك.
error-link-invalid = رابط المراجعة هذا غير صالح. استخدم قائمة التعليقات في ‎/admin/comments‎.
error-link-expired = انتهت صلاحية رابط المراجعة هذا. استخدم قائمة التعليقات في ‎/admin/comments‎.
error-no-post = لم يذكر نموذج التعليق المقالة التي يتبعها. ارجع إلى المقالة وأرسله من هناك.
error-subscription-gone = رابط الاشتراك هذا لم يعد صالحًا: ربما انتهى الاشتراك بالفعل.
error-form-expired = انتهت صلاحية هذا النموذج أو لم يُرسل من هذا الموقع. ارجع وأعد تحميل الصفحة ثم حاول مرة أخرى.
error-cross-site-title = نموذج مُرسل من موقع آخر
error-cross-site-text = أُرسل هذا النموذج من صفحة على موقع آخر، فرُفض. افتح الصفحة على هذا الموقع وأرسله من هناك.
error-staff-provider = لا يمكن لفريق العمل تسجيل الدخول بهذا المزوّد.
error-signin-button = يجب استخدام زر تسجيل الدخول من نموذج التعليق في مقالة.
error-role = دورك ({ $role }) لا يسمح بهذا. اسأل مدير الموقع.
error-bad-address-title = عنوان غير صالح
error-bad-address-text = يحتوي هذا العنوان على محارف لا توجد في أي عنوان صفحة. تحقّق من الرابط، أو ابدأ من الصفحة الرئيسية.
comment-lost-title = لم يُحفظ تعليقك
comment-lost-text = لا يستطيع الموقع حفظ أي شيء الآن. هذا ما كتبته؛ انسخه وأرسله مرة أخرى بعد دقيقة.
comment-lost-label = تعليقك

## Command line: moving in
import-posts = { PLURAL($count) ->
        [zero] لا مقالات
        [one] مقالة واحدة
        [two] مقالتان
        [few] { $count } مقالات
        [many] { $count } مقالةً
       *[other] { $count } مقالة
    }
import-pages = { PLURAL($count) ->
        [zero] لا صفحات
        [one] صفحة واحدة
        [two] صفحتان
        [few] { $count } صفحات
        [many] { $count } صفحةً
       *[other] { $count } صفحة
    }
import-comments = { PLURAL($count) ->
        [zero] لا تعليقات
        [one] تعليق واحد
        [two] تعليقان
        [few] { $count } تعليقات
        [many] { $count } تعليقًا
       *[other] { $count } تعليق
    }
import-users = { PLURAL($count) ->
        [zero] لا مستخدمين
        [one] مستخدم واحد
        [two] مستخدمان
        [few] { $count } مستخدمين
        [many] { $count } مستخدمًا
       *[other] { $count } مستخدم
    }
import-terms = { PLURAL($count) ->
        [zero] لا تصنيفات ولا وسوم
        [one] تصنيف أو وسم واحد
        [two] تصنيفان أو وسمان
        [few] { $count } تصنيفات ووسوم
        [many] { $count } تصنيفًا ووسمًا
       *[other] { $count } تصنيف ووسم
    }
import-summary = استُورد: { $posts }، { $pages }، { $comments }، { $users }، { $terms }.
import-summary-dry = سيُستورد: { $posts }، { $pages }، { $comments }، { $users }، { $terms }.
import-already = موجود من استيراد سابق (تُرك كما هو): { $count }.
import-skipped-heading = تُخطّي ({ $count }):
import-changed-heading = غُيّر ({ $count }):
import-tally = { $count } × { $reason }
import-took = استغرق { $seconds } ث ({ $rate } تعليق/ث).
import-took-memory = استغرق { $seconds } ث ({ $rate } تعليق/ث)، وبلغت الذاكرة { $mb } ميغابايت في ذروتها.
import-skip-trash = في مهملات ووردبريس
import-skip-revision = مراجعة أو مرفق
import-skip-attachment = مرفق (تبقى ملفات الوسائط حيث هي؛ وترتبط بها المقالات)
import-skip-post-type = نوع المحتوى `{ $what }` ليس مما يعرضه Tribune
import-skip-no-post-id = عنصر بلا <wp:post_id>
import-skip-no-comment-id = تعليق بلا <wp:comment_id>
import-skip-no-dsq-id = تعليق بلا dsq:id
import-skip-comment-type = نوع التعليق `{ $what }` ليس تعليقًا من قارئ
import-skip-empty-comment = تعليق فارغ
import-skip-no-thread = تعليق على نقاش غير موجود في الملف
import-skip-parent-skipped = تعليق على عنصر تُخطّي
import-skip-unmatched-thread = تعليقات على نقاش في Disqus لا تقابله مقالة هنا
import-note-language = لغة عُرفت من النص: { $what }
import-note-no-date = بلا تاريخ: أُرّخ بالوقت الحالي
import-note-orphan-reply = رد تعليقه الأصلي ليس في الملف: يُعرض في المستوى الأول
import-note-password = محمي بكلمة مرور: استُورد خاصًّا
import-note-slug-renamed = المُعرّف النصي مستخدم هنا: أُعيدت تسميته (ولا يزال رابط ‎/?p=‎ القديم يعمل)
import-label-item = السطر { $line }: { $type } «{ $title }»
import-label-line = السطر { $line }: { $title }
import-label-comment = السطر { $line }: التعليق { $id }
import-label-comment-on = السطر { $line }: التعليق { $id } على «{ $title }»
import-label-comment-id = التعليق { $id }
import-label-renamed = { $label }: { $old } ← { $new }
import-label-thread = { $link } (التعليقات: { $count })
import-cannot-open = تعذّر فتح { $path }: { $reason }
import-at-line = السطر { $line }، العمود { $column }: { $message }. لم يُستورد شيء.
import-nothing = { $message } لم يُستورد شيء.
import-database = رفضت قاعدة البيانات الاستيراد ({ $reason }). لم يُستورد شيء.
import-format-wordpress = ملف تصدير من ووردبريس
import-format-disqus = ملف تصدير من Disqus
import-not-format = { $path } ليس { $format }: يبدأ بـ <{ $found }> بينما يبدأ { $format } بـ <{ $root }> (السطر { $line }).
import-with-hint = { $message } { $hint }
import-hint-disqus = إنه ملف تصدير من Disqus: استخدم `tribune import disqus`.
import-hint-wordpress = يبدو أنه ملف تصدير من ووردبريس: استخدم `tribune import wordpress`.
import-empty-file = { $path } فارغ: يبدأ { $format } بـ <{ $root }>
import-not-wxr = لا يحوي { $path } ‏<wp:wxr_version>: إنه خلاصة RSS وليس ملف تصدير من ووردبريس (في ووردبريس: أدوات ← تصدير ← كل المحتوى)
import-wxr-version = إصدار WXR ‏{ $version } ليس مما يقرؤه Tribune ‏(1.0، 1.1، 1.2)
import-cut-short = ينتهي الملف داخل <{ $name }> (المفتوح في السطر { $line }): يبدو مبتورًا؛ صدّره من جديد
import-bad-attribute = سمة غير صالحة: { $detail }
import-bad-attribute-named = سمة غير صالحة `{ $name }`: { $detail }
import-bad-reference = مرجع محرف غير صالح: { $detail }
import-text-not-utf8 = النص ليس بترميز UTF-8: { $detail }
import-cdata-not-utf8 = CDATA ليس بترميز UTF-8: { $detail }
import-text-outside = نص خارج أي عنصر: هذا ليس ملف تصدير XML
import-mismatched-end = ‏</{ $found }> يغلق <{ $expected }>: الملف ليس XML سليم البنية
import-unmatched-end = ‏</{ $name }> يغلق عنصرًا لم يُفتح قط
import-not-xml = ليس XML سليم البنية: { $detail }

## Command line
cli-error = خطأ: { $message }
cli-warning = تحذير: { $message }
cli-no-site = لا يوجد موقع Tribune في { $place }: تحقق من --data-dir أو --database-url، أو أضف --create-site لإنشاء موقع جديد هناك (و`tribune serve` ينشئ واحدًا أيضًا)
cli-cannot-create-dir = تعذّر إنشاء مجلد البيانات { $path }
cli-cannot-open-database = تعذّر فتح قاعدة البيانات { $place }
cli-cannot-listen = تعذّر الاستماع على { $bind }
cli-not-an-email = `{ $email }` ليس عنوان بريد إلكتروني
cli-cannot-read-password = تعذّرت قراءة كلمة المرور من الدخل القياسي
cli-role = { $role ->
        [admin] مدير
        [editor] محرر
        [author] كاتب
        [moderator] مشرف
       *[other] { $role }
    }
cli-status = { $status ->
        [pending] بانتظار المراجعة
        [approved] موافق عليه
        [spam] مزعج
        [trash] في المهملات
       *[other] { $status }
    }
cli-user-added = أُضيف { $role } { $email } (المعرّف { $id })
cli-generated-password = كلمة المرور: { $password }
cli-user-exists = يوجد مستخدم بالبريد { $email } من قبل
cli-column-id = المعرّف
cli-column-role = الدور
cli-column-email = البريد
cli-column-name = الاسم
cli-column-status = الحالة
cli-column-date = التاريخ (UTC)
cli-column-author = الكاتب
cli-column-post = المقالة
cli-column-comment = التعليق
cli-cannot-read-post = تعذّرت قراءة المقالة من الدخل القياسي
cli-cannot-read = تعذّرت قراءة { $path }
cli-cannot-create = تعذّر إنشاء { $path }
cli-cannot-write = تعذّرت الكتابة في { $path }
cli-no-staff-account = لا يوجد حساب فريق عمل بالبريد { $email }
cli-no-admin = لا يوجد مدير بعد: شغّل `tribune user add --admin --email …` أولًا، أو مرّر --author
cli-unknown-language = لغة غير معروفة `{ $tag }`: استخدم إحدى هذه: { $tags }
cli-not-language-tag = `{ $tag }` ليس رمز لغة: استخدم رمزًا مثل en أو ar أو ckb
cli-slug-taken = المُعرّف النصي `{ $slug }` تستخدمه مقالة أخرى؛ مرّر --slug
cli-post-published = نُشرت المقالة { $id } في { $path }
cli-post-draft = حُفظت مسودة المقالة { $id }؛ حرّرها في ‎/admin/posts/{ $id }
cli-no-comment = لا يوجد تعليق بالمعرّف { $ids }؛ لم يتغير شيء
cli-moderated = { $status ->
        [approved] وُوفق على
        [spam] عُلّم مزعجًا
        [trash] نُقل إلى المهملات
       *[other] عُلّق للمراجعة
    }: { PLURAL($count) ->
        [zero] لا تعليقات
        [one] تعليق واحد
        [two] تعليقان
        [few] { $count } تعليقات
        [many] { $count } تعليقًا
       *[other] { $count } تعليق
    }
cli-unknown-name = { $what } غير معروف `{ $value }`: استخدم أحد هذه: { $choices }
name-role = دور
name-comment-status = حالة تعليق
name-post-status = حالة مقالة
name-post-type = نوع محتوى
name-comment-type = نوع تعليق
name-body-format = تنسيق نص
name-job-kind = نوع مهمة
name-job-status = حالة مهمة
name-subscription = اشتراك
name-term-kind = نوع تصنيف
cli-bad-site-url = `{ $url }` ليس عنوان موقع: اكتبه بالشكل http(s)://host[:port][/path]، مثل https://example.org، بلا مستخدم ولا استعلام ولا جزء بعد #
cli-bad-base-url = يجب أن يكون العنوان الأساسي `{ $url }` عنوانًا مثل https://example.org
cli-no-base-url = العنوان العام للموقع غير معروف بعد: مرّر --base-url https://example.org (أو اضبط TRIBUNE_BASE_URL)
cli-count-posts-pages = { PLURAL($count) ->
        [zero] لا مقالات ولا صفحات
        [one] مقالة أو صفحة واحدة
        [two] مقالتان أو صفحتان
        [few] { $count } مقالات وصفحات
        [many] { $count } مقالةً وصفحةً
       *[other] { $count } مقالة وصفحة
    }
cli-count-subscriptions = { PLURAL($count) ->
        [zero] لا اشتراكات
        [one] اشتراك واحد
        [two] اشتراكان
        [few] { $count } اشتراكات
        [many] { $count } اشتراكًا
       *[other] { $count } اشتراك
    }
cli-count-identities = { PLURAL($count) ->
        [zero] لا هويات دخول
        [one] هوية دخول واحدة
        [two] هويتا دخول
        [few] { $count } هويات دخول
        [many] { $count } هويةَ دخول
       *[other] { $count } هوية دخول
    }
cli-count-emails = { PLURAL($count) ->
        [zero] لا رسائل بريد
        [one] رسالة بريد واحدة
        [two] رسالتا بريد
        [few] { $count } رسائل بريد
        [many] { $count } رسالةَ بريد
       *[other] { $count } رسالة بريد
    }
cli-exported = صُدّر: { $posts } مع { $comments }.
cli-deleted = حُذف: { $comments }.
cli-anonymised = أُخفيت هوية الكاتب: { $comments }.
cli-removed = أُزيل: { $subscriptions }، { $identities }، { $emails }.
cli-staff-kept = يستخدم حساب من فريق العمل هذا العنوان؛ فأُبقي عليه (تُدار حسابات فريق العمل بـ `tribune user`).
cli-erase-needs-yes = لا يمكن التراجع عن المحو: أضف --yes لمحو بيانات { $email } دون سؤال
cli-erase-confirm = سيمحو هذا ما خُزّن عن { $email } ولا يمكن التراجع عنه. اكتب العنوان مرة أخرى للمتابعة:
cli-erase-mismatch = العنوان المكتوب غير مطابق؛ لم يُمحَ شيء
cli-importing = جارٍ الاستيراد
cli-time-left = بقي { $eta }
cli-dry-run-done = تجربة فقط: لم يُكتب شيء. شغّله مرة أخرى بلا --dry-run للاستيراد.
cli-backup-postgres = هذا الموقع على PostgreSQL: انسخه احتياطيًّا بـ pg_dump، مثل pg_dump --format=custom --file { $file } "$TRIBUNE_DATABASE_URL" (انظر docs/operations.md)
cli-backup-exists = { $path } موجود من قبل: اختر اسم ملف جديدًا، فالنسخ الاحتياطية لا تكتب فوق ملف
cli-backup-damaged = فشلت النسخة في فحص السلامة ({ $problem })؛ لم يُحتفظ بشيء
cli-backup-cannot-check = تعذّر فحص النسخة
cli-backed-up = نُسخ احتياطيًّا { $posts } و{ $comments } إلى { $path } ‏({ $mb } ميغابايت) في { $seconds } ث.

## Command line: settings
config-base-url = العنوان الأساسي
config-bad-bind = عنوان الاستماع `{ $bind }` ليس بالشكل HOST:PORT، مثل 127.0.0.1:8080
config-bad-log-format = تنسيق السجل `{ $format }` ليس text ولا json
config-no-theme = مجلد القالب { $path } غير موجود
config-cannot-read = تعذّرت قراءة ملف الإعدادات { $path }: { $reason }
config-file-problem = ملف الإعدادات { $path }: { $reason }
config-unknown-setting = إعداد غير معروف `{ $setting }` في ملف الإعدادات؛ تجوهل
config-cannot-read-secret = تعذّرت قراءة { $name } ‏{ $path }: { $reason }
config-preset-needs-both = يحتاج { $section } إلى client_id وclient_secret معًا (أو { $env } و_CLIENT_SECRET)
config-oidc-bad-name = { $section }: اسم المزوّد حروف لاتينية صغيرة وأرقام و- ، وليس اسم مزوّد جاهز
config-oidc-needs = يحتاج { $section } إلى issuer وclient_id وclient_secret
config-oidc-https = يجب أن يكون issuer في { $section } عنوان https://‎
config-oauth2-bad-name = { $section }: اسم المزوّد حروف لاتينية صغيرة وأرقام و- ، ويُستخدم مرة واحدة
config-oauth2-needs = يحتاج { $section } إلى authorize_url وtoken_url وuserinfo_url وclient_id وclient_secret
config-staff-provider = يجب أن يسمّي auth.staff_provider ‏`{ $name }` مزوّد OpenID Connect مفعّلًا

## Command line: arguments
cli-arg-unknown-command = لا يوجد أمر `{ $command }`
cli-arg-unknown-option = لا يوجد خيار `{ $option }` هنا
cli-arg-missing = يحتاج هذا الأمر إلى { $options }
cli-arg-invalid-value = `{ $value }` ليست قيمة يقبلها { $option }
cli-arg-choices = { $message }: استخدم إحدى هذه: { $choices }
cli-arg-conflict = لا يمكن استخدام { $option } مع { $other }
cli-arg-did-you-mean = { $message } (هل تقصد { $suggestion }؟)
cli-arg-more = لمزيد من المعلومات، جرّب ‎--help.

## Command line: WordPress types
import-type-post = مقالة
import-type-page = صفحة
import-type-attachment = مرفق

## Command line: help (English is the doc comments in src/cli.rs; a test keeps them equal)
help-tribune = Tribune: انشر البيانات والمقالات، واستقبل الردود.
help-tribune--config = اقرأ الإعدادات من هذا الملف [الافتراضي: ./tribune.toml إن وُجد]
help-tribune--data-dir = مجلد قاعدة بيانات SQLite وسائر البيانات [الافتراضي: ./tribune-data]
help-tribune--database-url = قاعدة البيانات المستخدمة: sqlite://PATH أو postgres://USER@HOST/DB [الافتراضي: SQLite في مجلد البيانات]
help-tribune--create-site = أنشئ موقعًا جديدًا فارغًا إن لم يوجد موقع في مجلد البيانات أو عنوان قاعدة البيانات (و`serve` يفعل ذلك دائمًا)
help-tribune-serve = شغّل الموقع (على http://127.0.0.1:8080 افتراضيًّا)
help-tribune-serve--bind = العنوان الذي يُستمع عليه [الافتراضي: 127.0.0.1:8080]
help-tribune-serve--base-url = العنوان العام للموقع، مثل https://example.org (للروابط وملفات تعريف الارتباط الآمنة)
help-tribune-serve--theme = مجلد قالب تحل ملفاته في templates/ وassets/ محل القالب المدمج
help-tribune-serve--log-format = تنسيق السجل: text أو json [الافتراضي: text]
help-tribune-serve--comments-per-minute = عدد التعليقات التي يرسلها عنوان واحد في الدقيقة؛ 0 يرفع الحد [الافتراضي: 10]
help-tribune-serve--login-lockout-after = محاولات دخول فاشلة لفريق العمل (لكل حساب ولكل عنوان) قبل قفل لمدة 15 دقيقة؛ يبدأ إبطاء الردود عند ثلثها؛ 0 يرفعه [الافتراضي: 10]
help-tribune-serve--trusted-proxies = الوكلاء العكسيون الذين تُصدَّق ترويسات X-Forwarded-For / Forwarded / X-Forwarded-Proto منهم، عناوين أو شبكات مفصولة بفواصل، مثل 127.0.0.1,::1 [الافتراضي: لا أحد]
help-tribune-serve--smtp-url = خادم SMTP للبريد، مثل smtp://user:pass@host:587?tls=required [الافتراضي: ملفات .eml في DATA_DIR/mail]
help-tribune-serve--mail-from = مرسل بريد الموقع، مثل "Ministry <news@example.org>" [الافتراضي: Tribune <tribune@localhost>]
help-tribune-user = أدر حسابات فريق العمل
help-tribune-user-add = أضف حساب فريق عمل
help-tribune-user-add--email = عنوان البريد الذي يُدخل به
help-tribune-user-add--name = الاسم الظاهر على المقالات [الافتراضي: ما قبل @ في البريد]
help-tribune-user-add--role = admin (مدير) أو editor (محرر) أو author (كاتب) أو moderator (مشرف)
help-tribune-user-add--admin = مثل --role admin
help-tribune-user-add--password-stdin = اقرأ كلمة المرور من السطر الأول للدخل القياسي (وإلا وُلّدت كلمة وطُبعت)
help-tribune-user-list = اعرض حسابات فريق العمل
help-tribune-post = اكتب المقالات
help-tribune-post-new = أنشئ مقالة من ملف Markdown (و- يقرأ الدخل القياسي)
help-tribune-post-new--title = عنوان المقالة
help-tribune-post-new--file = ملف Markdown الذي فيه النص
help-tribune-post-new--publish = انشر الآن بدل حفظ مسودة
help-tribune-post-new--slug = المُعرّف النصي في الرابط [الافتراضي: يُصنع من العنوان]
help-tribune-post-new--lang = لغة المقالة، رمز BCP 47 مثل en أو ar أو ckb [الافتراضي: لغة الموقع]
help-tribune-post-new--excerpt = ملخص قصير للقوائم
help-tribune-post-new--author = بريد الكاتب [الافتراضي: أول مدير]
help-tribune-comments = راجع التعليقات
help-tribune-comments-list = اعرض التعليقات، الأحدث أولًا
help-tribune-comments-list--status = pending (بانتظار المراجعة) أو approved (موافق عليه) أو spam (مزعج) أو trash (المهملات) [الافتراضي: pending وapproved]
help-tribune-comments-list--post = تعليقات هذه المقالة فقط (بمعرّفها)
help-tribune-comments-list--limit = هذا العدد على الأكثر
help-tribune-comments-approve = وافق على التعليقات ليراها القرّاء
help-tribune-comments-spam = علّم التعليقات مزعجة
help-tribune-comments-trash = انقل التعليقات إلى المهملات
help-tribune-import = استورد المقالات والتعليقات من ووردبريس أو Disqus
help-tribune-import-wordpress = استورد ملف تصدير من ووردبريس (WXR 1.0–1.2: أدوات ← تصدير ← كل المحتوى)
help-tribune-import-wordpress--file = ملف ‎.xml الذي أعطاك إياه ووردبريس
help-tribune-import-wordpress--lang = لغة كل مقالة مستوردة، رمز BCP 47 مثل en أو ar أو ckb [الافتراضي: لغة كل مقالة (Polylang)، وإلا لغة الملف، وإلا لغة الموقع]
help-tribune-import-wordpress--dry-run = اقرأ الملف كله وأخبر بما سيُستورد، دون كتابة شيء
help-tribune-import-disqus = استورد ملف تصدير من Disqus، مطابقًا نقاشاته بالمقالات هنا حسب الرابط
help-tribune-import-disqus--file = ملف ‎.xml الذي أرسله إليك Disqus (فكّ ضغطه بـ gunzip أولًا)
help-tribune-import-disqus--dry-run = اقرأ الملف كله وأخبر بما سيُستورد، دون كتابة شيء
help-tribune-export = صدّر الموقع كله (WXR من ووردبريس)
help-tribune-export-wordpress = اكتب الموقع كله بصيغة WordPress eXtended RSS 1.2 (إلى الخرج القياسي افتراضيًّا)
help-tribune-export-wordpress--output = اكتب في هذا الملف بدل الخرج القياسي
help-tribune-export-wordpress--base-url = العنوان العام للموقع، للروابط في الملف [الافتراضي: base_url من الإعدادات، وإلا العنوان المسجل عند الإعداد]
help-tribune-privacy = صدّر أو امحُ كل ما خُزّن عن عنوان بريد واحد
help-tribune-privacy-export = اطبع كل ما خُزّن عن عنوان بريد، بصيغة JSON
help-tribune-privacy-erase = امحُ بيانات عنوان بريد: تُخفى هوية كاتب التعليقات (أو تُحذف)، وتُزال الاشتراكات وهويات الدخول والرسائل. يسأل أولًا، ما لم يُعطَ --yes
help-tribune-privacy-erase--delete-comments = احذف تعليقاته بدل إخفاء هوية كاتبها
help-tribune-privacy-erase--yes = امحُ دون سؤال (للسكربتات)
help-tribune-backup = انسخ الموقع كله نسخة متسقة وهو يعمل (SQLite؛ أما PostgreSQL فبـ pg_dump)
help-tribune-backup--file = أين تُكتب النسخة (ملف قاعدة بيانات SQLite؛ يجب ألا يكون موجودًا)
cli-help-usage = الاستخدام:
cli-help-commands = الأوامر
cli-help-options = الخيارات
cli-help-arguments = المعاملات
cli-help-help = اطبع المساعدة
cli-help-version = اطبع الإصدار

## Command line: help around the lines
cli-help-default = الافتراضي
cli-help-env = متغير البيئة
cli-help-subcommand = اطبع هذه الرسالة أو مساعدة الأمر الفرعي المذكور

## Administration: jobs
job-kind-email = بريد
job-kind-held_digest = ملخص التعليقات المعلقة
job-kind-comment_digest = ملخص التعليقات الجديدة
job-kind-comment_approved = تعليق موافق عليه
job-kind-post_published = مقالة منشورة
job-summary-email = { $subject } ← { $to }
job-summary-held-digest = تعليقات معلقة، إلى { $to }
job-summary-comment-digest = تعليقات جديدة على المقالة { $post }، إلى { $to }
job-summary-comment-approved = التعليق { $id }
job-summary-post-published = المقالة { $id }

## Administration: jobs, how email leaves
jobs-transport-smtp = يُرسل البريد عبر SMTP
jobs-transport-files = لا خادم SMTP: يُكتب البريد ملفاتٍ في { $dir }

## Administration: discussion rules
field-require-name-email = على كاتب التعليق إدخال الاسم والبريد الإلكتروني
field-close_after_days = أغلق التعليقات على المقالات الأقدم من (أيام)
close-after-days-hint = القيمة 0 تبقيها مفتوحة.
field-max_links = علّق التعليق للمراجعة إن احتوى هذا العدد من الروابط أو أكثر
max-links-hint = كثرة الروابط سمة شائعة في الرسائل المزعجة. القيمة 0 توقف هذا.
field-moderation-keys = مراجعة التعليقات: كلمات تعلّق التعليق للمراجعة
moderation-keys-hint = كلمة أو عبارة أو عنوان في كل سطر، يُبحث عنها في النص والاسم والبريد والموقع وعنوان IP والمتصفح، حتى داخل كلمات أخرى («ميزانية» تطابق «الميزانية»)؛ اكتب /ميزانية/ لتطابق الكلمة كاملة فقط.
field-disallowed-keys = كلمات محظورة: كلمات ترسل التعليق إلى المزعج
disallowed-keys-hint = تُطابق كالقائمة أعلاه. يذهب هذا التعليق إلى المزعج: يُحفظ هناك ولا يُعرض ولا يُرسل عنه بريد.

## Administration: previously approved
field-previously-approved = يجب أن يكون لكاتب التعليق تعليق سابق موافق عليه

## Administration: why a rule decided
rule-links = علّقته قاعدة: { $count } روابط (الحد { $max }).
rule-moderation-word = علّقته قاعدة: «{ $word }» من كلمات المراجعة (في { $field }).
rule-disallowed-word = أرسلته قاعدة إلى المزعج: «{ $word }» كلمة محظورة (في { $field }).
rule-field-ip = عنوان IP
rule-field-user-agent = المتصفح

## Administration: where a rule matched
rule-field-body = النص
rule-field-name = الاسم
rule-field-email = البريد
rule-field-url = الموقع

## Administration: rules from the configuration
discussion-fixed-hint = الحقول الرمادية مضبوطة في ملف الإعدادات ([discussion] في tribune.toml).

## Administration: the spam folder
action-not-spam = ليس مزعجًا
empty-spam = أفرغ المزعج
empty-trash = أفرغ المهملات
moderated-deleted = { PLURAL($count) ->
        [zero] لا شيء للحذف.
        [one] حُذف تعليق واحد نهائيًّا.
        [two] حُذف تعليقان نهائيًّا.
        [few] حُذفت { $count } تعليقات نهائيًّا.
        [many] حُذف { $count } تعليقًا نهائيًّا.
       *[other] حُذف { $count } تعليق نهائيًّا.
    }

## Comment form: the honeypot
honeypot-label = اترك هذا الحقل فارغًا

## Administration: why Tribune decided before a moderator
rule-blocked = أُرسل إلى المزعجة: { $field } «{ $value }» في قائمة الحظر.
trap-honeypot = أرسله فخّ الروبوتات إلى المزعجة: مُلئ الحقل المخفي الذي لا تملؤه إلا البرامج.
trap-forged = أرسله فخّ الروبوتات إلى المزعجة: وقت النموذج لم يوقّعه هذا الموقع.
trap-too-fast =
    أرسله فخّ الروبوتات إلى المزعجة: أُرسل بعد { PLURAL($count) ->
        [zero] أقل من ثانية
        [one] ثانية واحدة
        [two] ثانيتين
        [few] { $count } ثوانٍ
        [many] { $count } ثانية
       *[other] { $count } ثانية
    } من ظهور النموذج.
trap-expired =
    عُلّق: كانت الصفحة مفتوحة { PLURAL($count) ->
        [zero] أقل من ساعة
        [one] ساعة واحدة
        [two] ساعتين
        [few] { $count } ساعات
        [many] { $count } ساعة
       *[other] { $count } ساعة
    } قبل إرسال التعليق.
trap-no-script = عُلّق: أُرسل بلا جافاسكربت، فتعذّر التحقق من وقت النموذج.
filter-score = مرشّح المزعج: احتمال أنه مزعج { $score }٪. أبرز الدلائل: { $clues }

## Administration: blocking from the queue
block-email = حظر البريد
block-ip = حظر عنوان IP
block-name = حظر الاسم
moderated-blocked =
    { PLURAL($count) ->
        [zero] موجود في قائمة الحظر من قبل؛ التعليق في المزعجة.
        [one] حُظر إدخال واحد؛ التعليق في المزعجة.
        [two] حُظر إدخالان؛ التعليقات في المزعجة.
        [few] حُظرت { $count } إدخالات؛ التعليقات في المزعجة.
        [many] حُظر { $count } إدخالًا؛ التعليقات في المزعجة.
       *[other] حُظر { $count } إدخال؛ التعليقات في المزعجة.
    }

## Administration: spam settings
settings-spam = المزعج
settings-comments-display = التعليقات في الصفحة
field-block-list = قائمة الحظر: عناوين البريد وعناوين IP والأسماء التي تذهب تعليقاتها إلى المزعجة
block-list-hint = واحد في كل سطر: email someone@example.org أو ip 203.0.113.9 أو name الاسم، يُطابَق كاملًا دون اعتبار لحالة الأحرف. أزرار الحظر في التعليقات تضيف إليها.
filter-learned = يتعلّم مرشّح المزعج من كل «موافقة» و«مزعج» و«ليس مزعجًا». تعلّم حتى الآن من { $spam } تعليقًا مزعجًا و{ $ham } تعليقًا آخر؛ يبدأ القرار حين يتعلّم من { $min } من كلٍّ منهما، ويقيّم كل تعليق حتى ذلك الحين.
field-spam_threshold = أرسل تعليق الزائر إلى المزعجة عند هذه الدرجة (٪) أو أعلى
spam-threshold-hint = لا يُرسَل المعلّقون المسجّلون إلى المزعجة بدرجتهم وحدها أبدًا: تُعلَّق تعليقاتهم.
field-hold_threshold = علّق التعليق للمراجعة عند هذه الدرجة (٪) أو أعلى
hold-threshold-hint = القيمة 0 تعني ألّا تعلّق الدرجة شيئًا.
field-form_min_seconds = النموذج المرسَل قبل هذا العدد من الثواني من ظهوره هو من روبوت
form-min-seconds-hint = تُحفَظ هذه التعليقات في المزعجة، ويمكن استرجاعها منها. القيمة 0 توقف هذا الفحص.
field-spam_days = احذف المزعج الأقدم من هذا العدد من الأيام
spam-days-hint = يُفحَص كل ساعة. القيمة 0 تُبقي المزعج حتى يفرغه أحد.

## Administration: the activity log
nav-activity = النشاط
activity-intro = كل إجراء مراجعة وكل تغيير في القواعد: من قام به، ومتى، ومن أين.
activity-from = المصدر
activity-any = الكل
activity-what = الإجراء
activity-email = بريد المعلّق
activity-filter = تصفية
activity-when = متى
activity-who = من
activity-comment = التعليق
activity-detail = التفاصيل
activity-someone = شخص يحمل رابط البريد
activity-none = لم يُسجَّل شيء بعد.
activity-source-admin = صفحات الإدارة
activity-source-email = رابط البريد
activity-source-cli = سطر الأوامر
activity-source-filter = مرشّح المزعج
activity-source-rule = قاعدة نقاش
activity-source-trap = فخّ الروبوتات
activity-source-job = مهمة مجدولة
activity-source-service = خدمة المزعج (Akismet)
activity-action-approve = وافق
activity-action-unapprove = سُحبت الموافقة
activity-action-spam = عُلِّم مزعجًا
activity-action-not-spam = ليس مزعجًا
activity-action-trash = نُقل إلى المهملات
activity-action-hold = عُلّق
activity-action-delete = حُذف نهائيًا
activity-action-block = حُظر
activity-action-settings = تغيّرت القواعد

## Jobs: spam
job-kind-purge_spam = تنظيف المزعج
job-kind-spam_check = فحص لدى خدمة المزعج
job-kind-spam_report = إبلاغ خدمة المزعج
job-kind-webmention_receive = إشارة ويب واردة (Webmention)
job-kind-webmentions_send = إشارات ويب للإرسال (Webmention)
job-kind-webmention_send = إرسال إشارة ويب (Webmention)
job-summary-purge-spam = حذف المزعج القديم، ثم مرة أخرى بعد ساعة
job-summary-spam-check = التعليق { $id }
job-summary-spam-report-spam = التعليق { $id } مزعج
job-summary-spam-report-ham = التعليق { $id } ليس مزعجًا

## Configuration: spam service and limits
config-akismet-endpoint = عنوان خدمة المزعج `{ $endpoint }` ليس عنوان http:// أو https://‏ ([akismet] endpoint، TRIBUNE_AKISMET_ENDPOINT)
config-env-number = { $key } قيمته `{ $value }`، وليست عددًا صحيحًا

## Command line: the activity log
cli-log-someone = (رابط البريد)
help-tribune-comments-not-spam = ليس مزعجًا: يعود إلى قائمة المراجعة، ويتعلّم منه مرشّح المزعج
help-tribune-comments-log = سجل النشاط: كل إجراء مراجعة وكل تغيير في القواعد، الأحدث أولًا
help-tribune-comments-log--source = admin أو email أو cli أو filter أو rule أو trap أو job أو service
help-tribune-comments-log--action = approve أو unapprove أو spam أو not-spam أو trash أو hold أو delete أو block أو settings
help-tribune-comments-log--email = فقط الإدخالات الخاصة ببريد هذا المعلّق
help-tribune-comments-log--limit = هذا العدد على الأكثر

## Administration: a score with nothing to go on
filter-score-unknown = مرشّح المزعج: لا شيء في هذا التعليق مما تعلّمه حتى الآن.

## Comment form: remember me
save-my-details = احفظ اسمي وبريدي الإلكتروني وموقعي في هذا المتصفح للمرة القادمة التي أعلّق فيها.

## Administration: staff accounts
nav-users = المستخدمون
users-name = الاسم
field-role = الدور
users-state = الحالة
users-actions = الإجراءات
users-you = أنت
users-change-role = غيّر الدور
users-state-off = معطَّل
users-state-invited = مدعوّ، لم يختر كلمة مرور بعد
users-state-active = نشط منذ { $date }
users-resend = أعد إرسال الدعوة
users-deactivate = عطّل
users-activate = فعّل
users-delete = احذف
users-invite = ادعُ شخصًا
users-invite-help = تصله رسالة فيها رابط ليختار كلمة مروره. يعمل الرابط أسبوعًا.
users-role-hint = المدير يدير كل شيء؛ المحرر يكتب كل المقالات ويحرّرها ويشرف على التعليقات؛ الكاتب يكتب مقالاته؛ المشرف يعتني بالتعليقات.
users-send-invitation = أرسل الدعوة
users-invited = أُرسلت الدعوة.
users-invitation-resent = أُعيد إرسال الدعوة.
users-invitation-wait = أُرسلت رسالة إلى هذا العنوان قبل أقل من دقيقة. حاول مجددًا بعد دقيقة.
users-role-changed = تغيّر الدور.
users-deactivated = عُطّل الحساب: لم يعد يستطيع الدخول وانتهت جلساته. تبقى مقالاته.
users-activated = الحساب نشط من جديد.
users-removed = حُذف الحساب.
users-delete-title = أتحذف { $name }؟
users-reassign = { PLURAL($count) ->
    [zero] مقالاته تنتقل إلى:
    [one] مقاله ينتقل إلى:
    [two] مقالاه ينتقلان إلى:
    [few] مقالاته الـ{ $count } تنتقل إلى:
    [many] مقالاته الـ{ $count } تنتقل إلى:
   *[other] مقالاته الـ{ $count } تنتقل إلى:
}
users-no-posts = لم يكتب أي مقال.
users-delete-warning = تنتهي جلساته ويزول الحساب نهائيًا؛ ويحتفظ سجلّ النشاط بما فعله باسمه.
users-delete-confirm = احذف الحساب
cancel = إلغاء
error-last-admin = يحتاج الموقع إلى مدير نشط واحد على الأقل: اجعل شخصًا آخر مديرًا أولًا.
error-user-has-posts = ما زالت لهذا الحساب مقالات: اختر من يأخذها.
error-reassign-self = لا يمكن أن تنتقل مقالاته إلى الحساب الذي يُحذف: اختر شخصًا آخر.
error-not-yourself = لا يمكنك فعل هذا بحسابك أنت هنا: اطلب من مدير آخر، أو استعمل ملفك الشخصي.
error-already-has-password = لهذا الحساب كلمة مرور؛ يمكن لصاحبه أن يستعمل «نسيت كلمة المرور؟».
error-unknown-role = اختر أحد الأدوار في القائمة.
error-unknown-action = هذا الإجراء غير معروف هنا. عُد واستعمل أحد أزرار الصفحة.
error-user-exists = حساب آخر يستعمل هذا البريد الإلكتروني.
error-current-password = هذه ليست كلمة مرورك الحالية.
name-account-link = رابط الحساب

## Administration: lost password and emailed links
lost-password = نسيت كلمة المرور؟
lost-password-link = نسيت كلمة المرور؟
lost-password-help = أدخل البريد الإلكتروني لحسابك في فريق العمل. سيصلك رابط لتختار كلمة مرور جديدة.
lost-password-send = أرسل إليّ رابطًا
lost-password-sent = { PLURAL($count) ->
    [zero] إن كان { $email } لحساب في فريق العمل فرابط اختيار كلمة مرور جديدة في طريقه إليه. يعمل مرة واحدة، لمدة { $count } ساعة.
    [one] إن كان { $email } لحساب في فريق العمل فرابط اختيار كلمة مرور جديدة في طريقه إليه. يعمل مرة واحدة، لمدة ساعة.
    [two] إن كان { $email } لحساب في فريق العمل فرابط اختيار كلمة مرور جديدة في طريقه إليه. يعمل مرة واحدة، لمدة ساعتين.
    [few] إن كان { $email } لحساب في فريق العمل فرابط اختيار كلمة مرور جديدة في طريقه إليه. يعمل مرة واحدة، لمدة { $count } ساعات.
    [many] إن كان { $email } لحساب في فريق العمل فرابط اختيار كلمة مرور جديدة في طريقه إليه. يعمل مرة واحدة، لمدة { $count } ساعة.
   *[other] إن كان { $email } لحساب في فريق العمل فرابط اختيار كلمة مرور جديدة في طريقه إليه. يعمل مرة واحدة، لمدة { $count } ساعة.
}
back-to-login = العودة إلى تسجيل الدخول
choose-password = اختر كلمة مرور
choose-password-welcome = أهلًا { $name }. اختر كلمة المرور التي ستدخل بها.
choose-password-help = اختر كلمة مرور جديدة. تنتهي كل جلسات هذا الحساب؛ ثم ادخل بها.
field-new-password = كلمة المرور الجديدة
save-password = احفظ كلمة المرور
account-link-gone = لم يعد هذا الرابط يعمل: انتهت مدته أو استُعمل من قبل. اطلب رابطًا جديدًا.
lost-password-again = اطلب رابطًا جديدًا
password-set-log-in = حُفظت كلمة مرورك. ادخل بها.
email-reset-subject = [{ $site }] اختر كلمة مرور جديدة
email-reset-intro = طلب أحدهم إعادة تعيين كلمة مرور الحساب { $email } في { $site }.
email-reset-action = اختر كلمة مرور جديدة:
email-reset-expires = { PLURAL($count) ->
    [zero] يعمل الرابط مرة واحدة، لمدة { $count } ساعة.
    [one] يعمل الرابط مرة واحدة، لمدة ساعة.
    [two] يعمل الرابط مرة واحدة، لمدة ساعتين.
    [few] يعمل الرابط مرة واحدة، لمدة { $count } ساعات.
    [many] يعمل الرابط مرة واحدة، لمدة { $count } ساعة.
   *[other] يعمل الرابط مرة واحدة، لمدة { $count } ساعة.
}
email-reset-ignore = إن لم تطلب ذلك فتجاهل هذه الرسالة: تبقى كلمة مرورك كما هي.
email-invite-subject = [{ $site }] أنت مدعوّ
email-invite-intro = دعاك { $name } إلى المشاركة في إدارة { $site }.
email-invite-action = اختر كلمة مرورك:
email-invite-expires = { PLURAL($count) ->
    [zero] يعمل الرابط { $count } يوم.
    [one] يعمل الرابط يومًا واحدًا.
    [two] يعمل الرابط يومين.
    [few] يعمل الرابط { $count } أيام.
    [many] يعمل الرابط { $count } يومًا.
   *[other] يعمل الرابط { $count } يوم.
}
email-account-sign-in = بعد ذلك ادخل بـ{ $email } من

## Administration: your profile and sessions
profile-about = عنك
field-current-password = كلمة المرور الحالية
profile-email-needs-password = لا تلزم إلا لتغيير بريدك الإلكتروني.
profile-password = كلمة المرور
profile-password-signs-out = تنتهي جلساتك الأخرى.
profile-change-password = غيّر كلمة المرور
profile-password-changed = تغيّرت كلمة المرور. انتهت جلساتك الأخرى.
profile-signed-out-others = خرجت من كل مكان آخر.
profile-signed-out-one = انتهت تلك الجلسة.
profile-sessions = أين أنت مسجَّل الدخول
profile-sessions-help = كل متصفح دخل إلى هذا الحساب. أنهِ أي جلسة لا تعرفها.
session-browser = المتصفح
session-address = العنوان
session-started = دخل
session-this = هذا المتصفح
session-sign-out = اخرج
sign-out-others = اخرج من كل مكان آخر
sign-out-everywhere = اخرج من كل مكان

## Command line: staff accounts
cli-password-set = عُيّنت كلمة مرور { $email }؛ وانتهت جلساته
cli-role-changed = { $email } الآن { $role }
cli-user-removed = حُذف { $email }
cli-posts-reassigned = { PLURAL($count) ->
    [zero] لا مقالات لنقلها
    [one] مقال واحد صار لـ{ $email }
    [two] مقالان صارا لـ{ $email }
    [few] { $count } مقالات صارت لـ{ $email }
    [many] { $count } مقالًا صارت لـ{ $email }
   *[other] { $count } مقال صارت لـ{ $email }
}
help-tribune-user-passwd = عيّن كلمة مرور أحد أفراد فريق العمل وأخرجه من كل مكان
help-tribune-user-passwd--user = بريده الإلكتروني أو رقمه
help-tribune-user-passwd--password-stdin = اقرأ كلمة المرور من السطر الأول للدخل القياسي (وإلا وُلّدت كلمة وطُبعت)
help-tribune-user-role = غيّر دور أحد أفراد فريق العمل
help-tribune-user-role--user = بريده الإلكتروني أو رقمه
help-tribune-user-role--role = admin (مدير) أو editor (محرر) أو author (كاتب) أو moderator (مشرف)
help-tribune-user-remove = احذف حسابًا من فريق العمل
help-tribune-user-remove--user = بريده الإلكتروني أو رقمه
help-tribune-user-remove--reassign = أعطِ مقالاته لهذا الفرد من فريق العمل (بريد إلكتروني أو رقم)

## Comment pages
comment-pages = صفحات التعليقات
comment-pages-below = أسفل التعليقات
comment-page-of = صفحة التعليقات { $page } من { $count }
older-comments = تعليقات أقدم
newer-comments = تعليقات أحدث
field-page_comments = قسّم التعليقات إلى صفحات
field-comments_per_page = عدد التعليقات الرئيسية في كل صفحة
field-default_comments_page = الصفحة التي تُعرض أولًا
comments-page-newest = الصفحة الأخيرة (أحدث التعليقات)
comments-page-oldest = الصفحة الأولى (أقدم التعليقات)
field-comment_order = في أعلى كل صفحة
comment-order-asc = أقدم تعليق
comment-order-desc = أحدث تعليق
field-edit_minutes = يستطيع المعلّق تعديل تعليقه أو حذفه خلال (دقائق)
edit-minutes-hint = من المتصفح الذي كُتب منه. 0: أبدًا.

## Comments: editing your own
edit-your-comment = عدّل تعليقك
edit-comment-on = على «{ $title }»
back-to-post = العودة إلى المقال
edit-until = { PLURAL($count) ->
    [zero] يمكنك تغييره أو حذفه حتى { $until } (بقيت { $count } دقيقة تقريبًا).
    [one] يمكنك تغييره أو حذفه حتى { $until } (بقيت دقيقة تقريبًا).
    [two] يمكنك تغييره أو حذفه حتى { $until } (بقيت دقيقتان تقريبًا).
    [few] يمكنك تغييره أو حذفه حتى { $until } (بقيت { $count } دقائق تقريبًا).
    [many] يمكنك تغييره أو حذفه حتى { $until } (بقيت { $count } دقيقة تقريبًا).
   *[other] يمكنك تغييره أو حذفه حتى { $until } (بقيت { $count } دقيقة تقريبًا).
}
save-changes = احفظ التغييرات
delete-my-comment = احذف تعليقي
edit-my-comment = عدّل أو احذف
edit-for-a-while = (تعليقك، لبضع دقائق من هذا المتصفح)
error-edit-window-over = لم يعد بالإمكان تغيير هذا التعليق من هذا المتصفح: انتهت مدة التعديل، أو كُتب من مكان آخر.
activity-source-author = صاحب التعليق
activity-action-edit = عدّله صاحبه

## Staff on the public site
staff-bar = فريق العمل
staff-bar-dashboard = لوحة التحكم
staff-bar-new-post = مقال جديد
staff-bar-edit-post = حرّر هذا المقال
staff-bar-waiting = { PLURAL($count) ->
    [zero] لا تعليقات بانتظار المراجعة هنا
    [one] تعليق واحد بانتظار المراجعة هنا
    [two] تعليقان بانتظار المراجعة هنا
    [few] { $count } تعليقات بانتظار المراجعة هنا
    [many] { $count } تعليقًا بانتظار المراجعة هنا
   *[other] { $count } تعليق بانتظار المراجعة هنا
}
action-edit = حرّر
edit-comment = تحرير التعليق

## Administration: editing a comment
comment-edited = حُفظ التعليق.

## Administration: the posts list
posts-filters = المقالات حسب الحالة
posts-tab-all = الكل
posts-tab-published = المنشورة
posts-tab-draft = المسودات
posts-tab-private = الخاصة
posts-tab-trash = المهملات
posts-search = ابحث في المقالات
posts-any = الكل
posts-category = التصنيف
posts-filter = صفِّ
posts-found = { PLURAL($count) ->
    [zero] لا مقالات
    [one] مقال واحد
    [two] مقالان
    [few] { $count } مقالات
    [many] { $count } مقالًا
   *[other] { $count } مقال
}
posts-restore = استعِد
posts-delete = احذف نهائيًا
posts-trashed = نُقل المقال إلى المهملات.
posts-restored = استُعيد المقال من المهملات.
posts-deleted = حُذف المقال نهائيًا مع تعليقاته.
posts-pages = صفحات المقالات
posts-newer = مقالات أحدث
posts-older = مقالات أقدم
posts-page-of = الصفحة { $page } من { $count }
status-scheduled = مجدوَل

## Administration: the editor
post-published = نُشر المقال.
post-scheduled = جُدول المقال.
field-new-category = تصنيفات جديدة
field-tags = الوسوم
terms-hint = افصل بينها بفواصل.
update-post = حدّث
save-draft = احفظ المسودة
publish-post = انشر
schedule-post = جدوِل

## Administration: revisions and autosave
revisions = المراجعات
revisions-of = مراجعات «{ $title }»
revisions-count = { PLURAL($count) ->
    [zero] لا مراجعات
    [one] مراجعة واحدة
    [two] مراجعتان
    [few] { $count } مراجعات
    [many] { $count } مراجعة
   *[other] { $count } مراجعة
}
back-to-editor = العودة إلى المحرّر
compare-title = مراجعة { $date } مقابل المقال كما هو الآن
compare-part-excerpt = المقتطف
compare-part-body = النص
revision-by = حفظه
revision-autosave = حفظ تلقائي
revision-current = الحالية
revision-compare = قارن بالحالي
revision-restore = استعِد هذه المراجعة
revision-restored = استُعيدت المراجعة.
error-revision-invalid = لا يمكن استعادة هذه المراجعة كما هي: افتح المحرّر والصق نصها.
error-autosave-incomplete = لم يُحفظ تلقائيًا بعد: يحتاج المقال إلى عنوان.
autosaved-at = حُفظت المسودة في { $time }.

## Administration: revisions, the parts compared
compare-part-title = العنوان

## Administration: the editor, filing
categories-and-tags = التصنيفات والوسوم

## Administration: media
nav-media = الوسائط
media-uploaded = رُفع إلى المكتبة.
media-deleted = حُذف الملف.
media-choose-files = الملفات المراد رفعها
media-limits = صور JPEG أو PNG أو WebP أو GIF وملفات PDF، حتى { $max } ميغابايت لكل ملف. لا تُقبل SVG.
media-alt = النص البديل
media-alt-hint = صِف الصورة لمن لا يستطيع رؤيتها. اتركه فارغًا فقط إن كانت الصورة للزينة.
media-upload = رفع
media-search = البحث في المكتبة
media-kind = النوع
media-kind-image = الصور
media-kind-pdf = ملفات PDF
media-unused = الملفات غير المستخدمة فقط
media-found =
    { PLURAL($count) ->
        [zero] لا ملفات
        [one] ملف واحد
        [two] ملفان
        [few] { $count } ملفات
        [many] { $count } ملفًا
        *[other] { $count } ملف
    }
media-no-alt = لا نص بديل
media-used-count =
    { PLURAL($count) ->
        [one] مستخدم في تدوينة واحدة
        [two] مستخدم في تدوينتين
        [few] مستخدم في { $count } تدوينات
        [many] مستخدم في { $count } تدوينة
        *[other] مستخدم في { $count } تدوينة
    }
media-unused-label = غير مستخدم
media-none = لا ملفات بعد. ارفع أولها أعلاه.
media-saved = حُفظ.
media-open-pdf = افتح ملف PDF
media-address = العنوان
media-size = الحجم
media-uploaded-on = رُفع
media-markdown = في تدوينة
media-used-in = مستخدم في
media-delete-when-unused = يمكن حذف الملف متى لم تعد أي تدوينة تعرضه: أزِله من هذه التدوينات أولًا.
media-used-nowhere = لا تستخدم أي تدوينة هذا الملف.
media-delete = احذف نهائيًا
media-size-kb = { $size } ك.ب
media-size-mb = { $size } م.ب
media-error-empty = الملف فارغ.
media-error-too-large = حجم الملف { $size } ميغابايت، والحد { $max } ميغابايت. صغّره (صورة بعرض ٢٠٠٠ بكسل تكفي) ثم ارفعه مجددًا.
media-error-svg = لا تُقبل صور SVG: قد تحمل شيفرات تُنفَّذ على هذا الموقع. صدّر الصورة بصيغة PNG وارفعها.
media-error-type = هذا النوع من الملفات غير مقبول. ارفع صور JPEG أو PNG أو WebP أو GIF، أو ملفات PDF.
media-error-pixels = أبعاد الصورة { $width }×{ $height } بكسل، والحد { $max } ميغابكسل. صغّرها ثم ارفعها مجددًا.
media-error-unreadable = يبدأ الملف كملف { $kind } لكن تتعذر قراءته: ربما تلف أو نقص. احفظه من جديد ثم ارفعه.
media-error-broken-upload = لم يصل الملف كاملًا. حاول مجددًا.
media-error-no-file = اختر ملفًا لرفعه أولًا.
media-error-storage = تعذر حفظ الملف الآن، ولم يُحتفظ بشيء. حاول بعد قليل.
media-error-in-use = هذا الملف معروض في تدوينة، لذا لم يُحذف. أزِله من التدوينات المذكورة أدناه أولًا.
media-uploading = جارٍ الرفع
media-inserted = أُضيف:
media-open-library = ارفع الصور والملفات في مكتبة الوسائط (تُفتح في لسان جديد)، ثم الصق شيفرة Markdown الخاصة بها هنا.
media-add = أضف وسائط
media-from-library = من المكتبة
media-drop-hint = أو أفلت الصور في النص أو الصقها فيه
media-alt-for = النص البديل لـ
media-alt-save = احفظ النص البديل
media-insert = أدرج
media-set-featured = اجعلها الصورة البارزة
close = إغلاق
featured-image = الصورة البارزة
featured-image-choose = الصورة المعروضة أعلى التدوينة وفي معاينات الروابط
featured-image-none = لا شيء
config-s3-endpoint = عنوان حاوية الوسائط `{ $endpoint }` ليس عنوان http:// أو https:// ‏([media] s3_endpoint، TRIBUNE_S3_ENDPOINT)
config-s3-incomplete = تحتاج حاوية S3 للوسائط إلى s3_endpoint وs3_bucket وs3_access_key وs3_secret_key جميعًا ‏([media] أو TRIBUNE_S3_*)

## Moving in: media
help-tribune-import-wordpress--fetch-media = اجلب صور الملف وملفاته إلى مكتبة الوسائط (من عناوينها في ملف التصدير) واعرضها من هنا
import-label-attachment = السطر { $line }: { $url }
import-note-media-failed = تعذر جلب مرفق ({ $reason })؛ تبقى التدوينات مرتبطة بعنوانه القديم
import-media =
    { PLURAL($count) ->
        [zero] لم يُجلب أي ملف إلى مكتبة الوسائط.
        [one] جُلب ملف واحد إلى مكتبة الوسائط.
        [two] جُلب ملفان إلى مكتبة الوسائط.
        [few] جُلبت { $count } ملفات إلى مكتبة الوسائط.
        [many] جُلب { $count } ملفًا إلى مكتبة الوسائط.
        *[other] جُلب { $count } ملف إلى مكتبة الوسائط.
    }

## Administration: media, back
media-back = → الوسائط

## Feeds
feed-comments-title = التعليقات على { $site }
feed-post-comments-title = التعليقات على: { $title }
feed-comment-by = بواسطة: { $author }
feed-comment-on = تعليق على { $title } بواسطة { $author }
feed-posts-link = { $site } » الخلاصة
feed-comments-link = { $site } » خلاصة التعليقات
feed-archive-link = { $site } » خلاصة { $name }
feed-post-comments-link = { $site } » خلاصة التعليقات على { $title }
field-posts_per_rss = عدد المقالات في كل خلاصة
field-rss_use_excerpt = ما تعرضه الخلاصة من كل مقالة
feed-full-text = النص الكامل
feed-summary = الملخص
feed-follow = تابع عبر الخلاصة

## Search
search-label = بحث
search-button = ابحث
search-placeholder = ابحث في الموقع
search-title = نتائج البحث عن «{ $query }»
search-count =
    { PLURAL($count) ->
        [0] لا توجد نتائج.
        [one] نتيجة واحدة.
        [two] نتيجتان.
        [few] { $count } نتائج.
        [many] { $count } نتيجة.
       *[other] { $count } نتيجة.
    }
search-count-more = أكثر من { $count } نتيجة.
search-slow-down = بحثت مرات كثيرة خلال هذه الدقيقة. حاول مرة أخرى بعد دقيقة.
search-nothing = لا شيء يطابق هذه الكلمات. جرّب كلمات أقل أو تهجئة أخرى.
search-more = نتائج أخرى
search-back = النتائج السابقة

## Webmention
comment-type-webmention = إشارة من موقع:
webmention-accepted = تم الاستلام. سيُتحقَّق من المصدر، وتظهر الإشارة بعد موافقة أحد المشرفين.
webmention-bad-urls = أرسل المصدر والهدف عنوانين يبدآن بـ http أو https.
webmention-same = المصدر والهدف عنوان واحد.
webmention-not-here = الهدف ليس على هذا الموقع.
webmention-no-post = الهدف ليس مقالة أو صفحة منشورة هنا.
webmention-closed = لم تعد هذه المقالة تقبل الردود.
webmention-slow-down = إشارات كثيرة من عنوانك؛ حاول بعد دقيقة.
job-summary-webmention-receive = التحقق من إشارة إلى المقالة { $id } من { $source }
job-summary-webmentions-send = إيجاد الصفحات التي تربط إليها المقالة { $id } لإبلاغها
job-summary-webmention-send = إبلاغ { $target } بأن المقالة { $id } تربط إليه
