# Tribune — Türkçe. Çeviri bu proje için yazıldı; çoğul CLDR kuralıyla: one ve other.
# Türkçede sayıdan sonra ad tekil kalır ("3 yorum"); yer tutuculara ek getirilmez.

## Times (dates and numbers themselves come from CLDR)
time-ago = { $unit ->
    [seconds] { PLURAL($count) ->
        [one] 1 saniye önce
       *[other] { $count } saniye önce
    }
    [minutes] { PLURAL($count) ->
        [one] 1 dakika önce
       *[other] { $count } dakika önce
    }
    [hours] { PLURAL($count) ->
        [one] 1 saat önce
       *[other] { $count } saat önce
    }
   *[days] { PLURAL($count) ->
        [one] dün
       *[other] { $count } gün önce
    }
}
time-in = { $unit ->
    [seconds] { PLURAL($count) ->
        [one] 1 saniye sonra
       *[other] { $count } saniye sonra
    }
    [minutes] { PLURAL($count) ->
        [one] 1 dakika sonra
       *[other] { $count } dakika sonra
    }
    [hours] { PLURAL($count) ->
        [one] 1 saat sonra
       *[other] { $count } saat sonra
    }
   *[days] { PLURAL($count) ->
        [one] yarın
       *[other] { $count } gün sonra
    }
}

## Site
skip-to-content = İçeriğe geç
powered-by = Tribune ile yayımlandı
latest-posts = Son yazılar
page-n = Sayfa { $n }
no-posts = Henüz hiçbir şey yayımlanmadı.
continue-reading = Okumaya devam et
posts-navigation = Diğer yazılar
older-posts = ← Eski yazılar
newer-posts = Yeni yazılar →
posted-on-by = Yayın tarihi: { $date } · Yazar: { $author }
comment-count = { PLURAL($count) ->
    [0] Yorum yapın
    [one] 1 yorum
   *[other] { $count } yorum
}
not-found-title = Sayfa bulunamadı
not-found-text = Bu adreste bir şey yok. Taşınmış olabilir ya da bağlantı yanlış yazılmış olabilir.
back-home = Ana sayfaya git

## Comments
responses = { PLURAL($count) ->
    [0] “{ $title }” için yanıt yok
    [one] “{ $title }” için 1 yanıt
   *[other] “{ $title }” için { $count } yanıt
}
awaiting-moderation = Yorumunuz onay bekliyor.
comment-type-pingback = Geri bildirim:
comment-type-trackback = Geri izleme:
filed-under-category = Kategoriler:
filed-under-tag = Etiketler:
archive-category = Kategori: { $name }
archive-tag = Etiket: { $name }
reply = Yanıtla
reply-to = Yanıtla: { $name }
leave-a-reply = Bir yanıt yazın
leave-a-reply-to = Yanıt yazın: { $name }
cancel-reply = Yanıtı iptal et
email-not-published = E-posta adresiniz yayımlanmayacak.
required-fields-marked = Zorunlu alanlar * ile işaretlenmiştir
field-body = Yorum
field-name = Ad
field-email = E-posta
field-url = İnternet sitesi
post-comment = Yorum gönder
comments-closed = Yorumlar kapalı.
comment-not-posted = Yorumunuz gönderilmedi. Lütfen şunlara bakın:

## Form problems
error-too-long = { $field } çok uzun: { $len } karakter. Sınır { $max }.
error-body-required = Lütfen yorumunuzu yazın.
error-name-required = Lütfen adınızı girin.
error-email-required = Lütfen e-posta adresinizi girin. Asla gösterilmez.
error-email-invalid = Bu e-posta adresi doğru görünmüyor. Yazım hatası olup olmadığına bakın.
error-url-invalid = İnternet sitesi https://example.org gibi bir web adresi olmalı.
error-rate-limited = Çok hızlı gönderiyorsunuz. Bir dakika bekleyip yeniden gönderin: yorumunuz burada duruyor.
error-parent-invalid = Bu yanıt formu yolda bozuldu (yanıtladığınız yorum bir sayı değil). Yorumunuz burada duruyor; yazıyı yeniden yükleyip tekrar gönderin.
error-duplicate = Yinelenen yorum algılandı; bunu daha önce söylemişsiniz gibi görünüyor. Zaten yolda; yeniden göndermenize gerek yok.
error-unavailable = Yorumunuz şu anda kaydedilemedi: site meşgul ya da şu an yazamıyor. Hiçbir şey kaybolmadı; aşağıdaki formda duruyor. Bir dakika sonra yeniden gönderin.
error-not-stored = Sitedeki bir hata nedeniyle yorumunuz kaydedilemedi. Aşağıdaki formda duruyor; yeniden deneyin, hata sürerse site sahibine şu istek kimliğini bildirin: { $id }.
error-parent-gone = Yanıtladığınız yorum artık yok. Yorumunuz burada duruyor; yeni bir yorum olarak gönderin.
error-title-required = Lütfen yazıya bir başlık verin.
error-slug-invalid = Kısa ad yalnızca harf, rakam, - ve _ içerebilir.
error-slug-taken = Bu kısa adı başka bir yazı kullanıyor. Başka bir ad seçin.
error-lang-invalid = Listeden bir dil seçin.
error-status-invalid = Taslak, yayımlandı ya da özel seçin.
error-date-invalid = Tarih 2026-11-26T09:30 biçiminde olmalı.
error-site-title-required = Lütfen siteye bir başlık verin.
error-display-name-required = Lütfen adınızı girin.
error-password-short = Parola en az { $min } karakter olmalı.
error-password-mismatch = İki parola aynı değil.
error-login-failed = E-posta ya da parola yanlış.
error-site-url-invalid = Site adresi https://example.org gibi bir web adresi olmalı (? ya da # olmadan).
error-login-slow-down = Çok fazla başarısız giriş var. Yeniden denemeden önce { $unit ->
        [minutes] { PLURAL($count) ->
            [one] bir dakika
           *[other] { $count } dakika
        }
       *[seconds] { PLURAL($count) ->
            [one] bir saniye
           *[other] { $count } saniye
        }
    } bekleyin.
error-login-locked = Çok fazla başarısız denemeden sonra giriş kilitlendi. { $unit ->
        [minutes] { PLURAL($count) ->
            [one] Bir dakika
           *[other] { $count } dakika
        }
       *[seconds] { PLURAL($count) ->
            [one] Bir saniye
           *[other] { $count } saniye
        }
    } sonra yeniden deneyin. Parolanızı unuttuysanız bir yöneticiden yenisini belirlemesini isteyin.
error-number-range = { $field } alanı { $min } ile { $max } arasında bir sayı olmalı.

## Administration
admin = Yönetim
view-site = Siteyi görüntüle
dashboard = Başlangıç
welcome = Hoş geldiniz, { $name }.
nav-posts = Yazılar
nav-comments = Yorumlar
nav-settings = Ayarlar
log-in = Giriş yap
log-out-name = Çıkış yap ({ $name })
pending-count = { PLURAL($count) ->
    [0] Onay bekleyen yorum yok
    [one] 1 yorum onay bekliyor
   *[other] { $count } yorum onay bekliyor
}
pending-count-over = { $count } yorumdan fazlası onay bekliyor
count-over = { $count }+
setup-title = Sitenizi kurun
setup-intro = Yönetici hesabını oluşturun. Diğer çalışanları sonra `tribune user add` ile ekleyebilirsiniz.
setup-submit = Siteyi oluştur
field-site-title = Site başlığı
field-display-name = Adınız
field-password = Parola
field-password-again = Parola (yeniden)
password-hint = En az { $min } karakter.
new-post = Yeni yazı
edit-post = Yazıyı düzenle
post-saved = Yazı kaydedildi.
view-post = Yazıyı görüntüle
post-not-saved = Yazı kaydedilmedi. Lütfen şunlara bakın:
preview = Önizleme
save = Kaydet
field-title = Başlık
field-status = Durum
field-post-body = Metin
markdown-hint = Markdown ile yazın.
field-excerpt = Özet
field-slug = Kısa ad
slug-hint = Adresin son kısmı. Başlıktan oluşturulması için boş bırakın.
field-lang = Dil
lang-hint = Yazının dili: sayfası bu dilde ve bu yönde gösterilir.
field-published_at = Yayın tarihi (UTC)
date-hint = Hemen yayımlamak için boş bırakın. İleri bir tarih yazıyı zamanlar.
translation-group-hint = Bağlı yazılar birbirinin çevirisidir: her sayfa diğerlerine bağlantı verir ve bunu arama motorlarına da bildirir.
field-comments-open = Yorumlara izin ver
author = Yazar
column-date = Tarih
view = Görüntüle
status-draft = Taslak
status-published = Yayımlandı
status-private = Özel
status-pending = Beklemede
status-approved = Onaylandı
status-spam = İstenmeyen
status-trash = Çöp
comment-filters = Yorumları süz
tab-pending = Bekleyen
tab-approved = Onaylanan
tab-spam = İstenmeyen
tab-trash = Çöp
tab-all = Tümü
bulk-actions = Toplu işlemler
bulk-choose = Bir işlem seçin
moderation-choose-action = Uygula'ya basmadan önce bir işlem seçin (Onayla, Onayı kaldır, İstenmeyen ya da Çöpe at). Hiçbir şey değişmedi.
moderation-select-some = Uygula'ya basmadan önce işlem yapılacak yorumları işaretleyin. Hiçbir şey değişmedi.
action-approve = Onayla
action-unapprove = Onayı kaldır
action-spam = İstenmeyen
action-trash = Çöpe at
apply = Uygula
select = Seç
select-comment-by = Yorumu seç: { $name }
in-response-to = Yanıtlanan
submitted-on = Gönderilme tarihi
in-reply-to = Yanıtlanan yorum: { $id }
pages = Sayfalar
newer = Daha yeni
older = Daha eski
no-comments-here = Burada yorum yok.
moderated-approved = { PLURAL($count) ->
    [one] 1 yorum onaylandı.
   *[other] { $count } yorum onaylandı.
}
moderated-pending = { PLURAL($count) ->
    [one] 1 yorumun onayı kaldırıldı.
   *[other] { $count } yorumun onayı kaldırıldı.
}
moderated-spam = { PLURAL($count) ->
    [one] 1 yorum istenmeyen olarak işaretlendi.
   *[other] { $count } yorum istenmeyen olarak işaretlendi.
}
moderated-trash = { PLURAL($count) ->
    [one] 1 yorum çöpe atıldı.
   *[other] { $count } yorum çöpe atıldı.
}
settings-saved = Ayarlar kaydedildi.
settings-general = Genel
settings-discussion = Tartışma
field-tagline = Slogan
field-site-url = Site adresi (URL)
site-url-hint = Okurların kullandığı adres, örneğin https://example.org. E-postalardaki, beslemelerdeki ve girişteki bağlantılar bunu kullanır.
site-url-from-config = Yapılandırmadaki base_url ile belirlendi (--base-url, TRIBUNE_BASE_URL).
field-site-language = Site dili
field-posts_per_page = Sayfa başına yazı
field-hold-new-comments = Yorumlar elle onaylanmalı
field-thread_depth = Yanıt derinliği
field-max_comment_chars = En uzun yorum (karakter)
field-avatars = Avatarlar
avatars-identicon = Tribune'ün çizdiği simgeler (üçüncü taraflara istek yok)
avatars-gravatar = Gravatar
languages-nav = Diller
all-languages = Tüm diller
translations-nav = Çeviriler
also-in = Diğer dillerde:
field-translations = Çeviriler
unlink-translations = Bu yazı bunların çevirisi değil
field-translation-of = Çevirisine bağla
translation-none = — yok —
site-lang-hint = Listeler, yönetim ve e-postalar bu dildedir; her yazının sayfası yazının kendi dilindedir.
field-digits = Rakamlar
digits-native = Her dilin kendi rakamları (Arapça ve Kürtçede ١٢٣, Farsçada ۱۲۳)
digits-latin = Her dilde Latin rakamları (0–9)
role-admin = Yönetici
role-editor = Editör
role-author = Yazar
role-moderator = Moderatör
nav-profile = Profil
profile-saved = Profil kaydedildi.
field-admin-language = Yönetim sayfalarınızın ve e-postalarınızın dili
admin-language-site = Sitenin dili ({ $language })
admin-language-hint = Sizi bekleyen yorumlarla ilgili e-postalar da bu dilde yazılır.

## Sign-in with an identity provider
fill-in-or-click-icon = Bilgilerinizi aşağıya girin ya da giriş yapmak için bir simgeye tıklayın:
sign-in-to-comment = Yorum yapmak için giriş yapın
sign-in-with = { $provider }
connecting-to = Bağlanılıyor: { $provider }…
continue-to = Devam et: { $provider }
commenting-using = { $provider } hesabınızla yorum yapıyorsunuz.
log-out = Çıkış yap
change = Değiştir
auth-error-unknown = Bu giriş seçeneği bu sitede yok. Yorumunuz burada duruyor.
auth-error-denied = Girişe izin vermediniz, bu yüzden giriş yapılmadı. Yorumunuz burada duruyor.
auth-error-state = Bu giriş bu tarayıcıda başlamadı ya da zaten kullanıldı. Lütfen yeniden deneyin; yorumunuz burada duruyor.
auth-error-expired = Giriş çok uzun sürdü. Lütfen yeniden deneyin; yorumunuz burada duruyor.
auth-error-code = Sağlayıcı girişi kabul etmedi (iki kez kullanılmış olabilir). Lütfen yeniden deneyin; yorumunuz burada duruyor.
auth-error-token = Sağlayıcının yanıtı doğrulanamadı, bu yüzden giriş yapılmadı. Yorumunuz burada duruyor.
auth-error-down = Sağlayıcıya ulaşılamadı. Daha sonra deneyin ya da konuk olarak yorum yapın; yorumunuz burada duruyor.
auth-error-profile = Sağlayıcı kim olduğunuzu söylemedi. Başka bir seçenek deneyin; yorumunuz burada duruyor.
auth-error-nostaff = Bu girişin doğrulanmış e-postasını kullanan bir çalışan hesabı yok. Bir yöneticiden sizi eklemesini isteyin.
field-approve-returning = Onaylanmış yorumu olan giriş yapmış yorumcular onay beklemez
settings-signin = Giriş sağlayıcıları
staff-sso = çalışanlar da buradan giriş yapar
providers-hint = Bu siteyi bir sağlayıcıya kaydederken aldığınız istemci kimliğini ve gizli anahtarı girin; kapatmak için istemci kimliğini boş bırakın. Sağlayıcılar tribune.toml dosyasında ya da TRIBUNE_AUTH_* değişkenlerinde de belirlenebilir (docs/sign-in.md).
callback-address = Kaydedilecek geri dönüş adresi:
provider-configured = Yapılandırma dosyasında ya da ortamda belirlendi.
field-client-id = İstemci kimliği
field-client-secret = İstemci gizli anahtarı
secret-unchanged = (değişmedi)
error-provider-secret = { $provider } için istemci kimliğinin yanında istemci gizli anahtarı da gerekli.

## Email
email-held-subject = [{ $site }] Lütfen denetleyin: “{ $title }”
email-held-intro = “{ $title }” yazısına gelen yeni bir yorum onayınızı bekliyor:
email-held-queue = Denetim bekleyen tüm yorumlar:
email-digest-subject = [{ $site }] { PLURAL($count) ->
    [one] 1 yorum denetim bekliyor
   *[other] { $count } yorum denetim bekliyor
}
email-digest-intro = { PLURAL($count) ->
    [one] 1 yorum onayınızı bekliyor:
   *[other] { $count } yorum onayınızı bekliyor:
}
moderate-title = Bir yorumu denetle
moderate-on = Yazı: “{ $title }”
nav-jobs = İşler
nav-privacy = Kişisel veriler
privacy-intro = Biri bu sitenin kendisi hakkında ne tuttuğunu sordu ya da unutulmayı istedi. Her şey e-posta adresiyle bulunur: yazdığı yorumlar (IP adresi ve tarayıcıyla), e-posta abonelikleri ve giriş yaptığı hesaplar.
privacy-bad-email = Kişinin e-posta adresini girin, örneğin name@example.org.
privacy-pick-action = İndir'i ya da silme düğmelerinden birini seçin.
privacy-confirm-needed = Silme geri alınamaz: onaylamak için kutuyu işaretleyin, sonra düğmeye yeniden basın.
privacy-export-legend = Dışa aktar
privacy-export-help = Bu adres hakkında saklanan her şeyi içeren, kişiye gönderilecek bir JSON dosyası.
privacy-export = Kişisel verileri indir (JSON)
privacy-erase-legend = Sil
privacy-erase-help = Anonimleştir yorumları tutar ama adı, e-postayı, siteyi, IP adresini ve tarayıcıyı kaldırır; Yorumları sil yorumları da kaldırır. Abonelikler, giriş hesapları ve bu adrese giden e-postalar her iki durumda da silinir.
privacy-confirm = Bunun geri alınamayacağını anlıyorum
privacy-anonymise = Anonimleştir
privacy-delete = Yorumları sil
privacy-anonymised = { PLURAL($count) ->
    [one] 1 yorum anonimleştirildi.
   *[other] { $count } yorum anonimleştirildi.
}
privacy-deleted = { PLURAL($count) ->
    [one] 1 yorum silindi.
   *[other] { $count } yorum silindi.
}
privacy-removed = Kaldırılanlar: { $subscriptions } abonelik, { $identities } giriş hesabı, { $emails } e-posta.
privacy-staff-kept = Bu adresi bir çalışan hesabı kullanıyor; korundu.
anonymous = Anonim
jobs-intro = Tribune'ün arka planda yaptığı e-posta ve diğer işler. Sürekli başarısız olan bir iş son hatasıyla burada durur.
job-kind = Tür
job-status = Durum
job-attempts = Deneme
job-error = Son hata
job-next = Sonraki deneme
retry = Yeniden dene
no-jobs = Burada iş yok.
job-retried = İş yeniden kuyruğa alındı.
status-queued = Kuyrukta
status-running = Çalışıyor
status-done = Tamamlandı
status-failed = Başarısız
tab-failed = Başarısız
tab-queued = Kuyrukta
tab-done = Tamamlanan

## Subscriptions
notify-comments = Yeni yorumları bana e-postayla bildir.
notify-posts = Yeni yazıları bana e-postayla bildir.
email-comment-subject = [{ $site }] “{ $title }” yazısına yeni yorum
email-comment-intro = { $author }, “{ $title }” yazısına yorum yaptı:
email-read-reply = Okuyun ve yanıtlayın:
email-unsubscribe = Abonelikten çık
email-manage = Aboneliklerinizi yönetin:
email-post-subject = [{ $site }] { $title }
email-post-intro = { $site } yeni bir yazı yayımladı:
email-confirm-subject = [{ $site }] Lütfen aboneliğinizi onaylayın
email-confirm-intro = Biri, umarız sizsiniz, { $site } sitesinden bu adrese “{ $title }” hakkında e-posta gönderilmesini istedi.
email-confirm-action = Onayla:
email-confirm-ignore = Siz değilseniz bu e-postayı yok sayın: hiçbir şey gönderilmeyecek.
subs-title = E-posta abonelikleri
subs-for = Adres: { $email }
subs-confirm = Onayla
subs-confirmed = Teşekkürler: abonelikleriniz onaylandı.
subs-ended = Abonelikten çıktınız. Bu konuda artık e-posta gelmeyecek.
subs-yours = Abonelikleriniz
subs-posts = Yeni yazılar
subs-comments-on = “{ $title }” yazısına yeni yorumlar
subs-unconfirmed = henüz onaylanmadı
subs-none = Başka aboneliğiniz yok.
email-comment-digest-subject = [{ $site }] { PLURAL($count) ->
    [one] “{ $title }” yazısına 1 yeni yorum
   *[other] “{ $title }” yazısına { $count } yeni yorum
}
email-comment-digest-intro = { PLURAL($count) ->
    [one] “{ $title }” yazısına 1 yeni yorum:
   *[other] “{ $title }” yazısına { $count } yeni yorum:
}


## Errors
error-forbidden-title = İzin verilmiyor
error-bad-request-title = Bu istek yanıtlanamıyor
error-too-many-title = Çok fazla istek
error-too-many-text = İstekleri bu sitenin kabul ettiğinden hızlı gönderiyorsunuz. Bir dakika bekleyip yeniden deneyin.
error-busy-title = Meşgul
error-busy-text = Site şu anda hiçbir şey kaydedemiyor. Hiçbir şey değişmedi; geri dönüp bir dakika sonra yeniden deneyin.
error-internal-title = Bir şeyler ters gitti
error-internal-text = Hata kaydedildi. Sürerse aşağıdaki istek kimliğini site sahibine bildirin.
error-request-id = İstek kimliği:
error-unknown-list = Böyle bir yorum listesi yok. Yukarıdaki sekmelerden birini seçin.
error-already-set-up = Bu site zaten kurulmuş. Bunun yerine /admin/login adresinden giriş yapın.
error-link-invalid = Bu denetim bağlantısı geçerli değil. /admin/comments adresindeki yorum kuyruğunu kullanın.
error-link-expired = Bu denetim bağlantısının süresi doldu. /admin/comments adresindeki yorum kuyruğunu kullanın.
error-no-post = Yorum formu hangi yazıya ait olduğunu söylemedi. Yazıya dönüp oradan gönderin.
error-subscription-gone = Bu abonelik bağlantısı artık geçerli değil: abonelik zaten bitmiş olabilir.
error-form-expired = Bu formun süresi doldu ya da bu siteden gönderilmedi. Geri dönün, sayfayı yenileyip yeniden deneyin.
error-cross-site-title = Form başka bir siteden gönderildi
error-cross-site-text = Bu form başka bir sitedeki bir sayfadan gönderildiği için reddedildi. Sayfayı bu sitede açıp oradan gönderin.
error-staff-provider = Çalışanlar bu sağlayıcıyla giriş yapamaz.
error-signin-button = Giriş düğmesi bir yazının yorum formundan kullanılmalı.
error-role = Rolünüz ({ $role }) buna izin vermiyor. Bir yöneticiye danışın.
error-bad-address-title = Hatalı adres
error-bad-address-text = Bu adreste hiçbir sayfa adresinde olmayan karakterler var. Bağlantıyı kontrol edin ya da ana sayfadan başlayın.
comment-lost-title = Yorumunuz kaydedilmedi
comment-lost-text = Site şu anda hiçbir şey kaydedemiyor. Yazdığınız burada; kopyalayıp bir dakika sonra yeniden gönderin.
comment-lost-label = Yorumunuz

## Command line: moving in
import-posts = { $count } yazı
import-pages = { $count } sayfa
import-comments = { $count } yorum
import-users = { $count } kullanıcı
import-terms = { $count } kategori ve etiket
import-summary = İçe aktarıldı: { $posts }, { $pages }, { $comments }, { $users }, { $terms }.
import-summary-dry = İçe aktarılacak: { $posts }, { $pages }, { $comments }, { $users }, { $terms }.
import-already = Önceki bir içe aktarmadan zaten var (olduğu gibi bırakıldı): { $count }.
import-skipped-heading = Atlandı ({ $count }):
import-changed-heading = Değiştirildi ({ $count }):
import-tally = { $count } × { $reason }
import-took = { $seconds } sn sürdü (saniyede { $rate } yorum).
import-took-memory = { $seconds } sn sürdü (saniyede { $rate } yorum), en yüksek bellek { $mb } MB.
import-skip-trash = WordPress'in çöpünde
import-skip-revision = bir revizyon veya ek
import-skip-attachment = ek (medya dosyaları yerinde kalır; yazılar onlara bağlantı verir)
import-skip-post-type = `{ $what }` içerik türü Tribune'un gösterdiği bir şey değil
import-skip-no-post-id = <wp:post_id> olmayan öğe
import-skip-no-comment-id = <wp:comment_id> olmayan yorum
import-skip-no-dsq-id = dsq:id olmayan yorum
import-skip-comment-type = `{ $what }` yorum türü bir okur yorumu değil
import-skip-empty-comment = boş yorum
import-skip-no-thread = dosyada olmayan bir tartışmaya yorum
import-skip-parent-skipped = atlanan bir öğeye yorum
import-skip-unmatched-thread = burada karşılığı olan yazı bulunmayan bir Disqus tartışmasındaki yorumlar
import-note-language = metinden bulunan dil: { $what }
import-note-no-date = tarih yok: şimdiki tarih verildi
import-note-orphan-reply = üst yorumu dosyada olmayan yanıt: en üst düzeyde gösterilir
import-note-password = parolayla korunuyor: özel olarak içe aktarıldı
import-note-slug-renamed = kısa ad burada zaten kullanılıyor: yeniden adlandırıldı (eski /?p= bağlantısı hâlâ çalışır)
import-label-item = satır { $line }: { $type } “{ $title }”
import-label-line = satır { $line }: { $title }
import-label-comment = satır { $line }: { $id } numaralı yorum
import-label-comment-on = satır { $line }: “{ $title }” yazısına { $id } numaralı yorum
import-label-comment-id = { $id } numaralı yorum
import-label-renamed = { $label }: { $old } → { $new }
import-label-thread = { $link } (yorumlar: { $count })
import-cannot-open = { $path } açılamıyor: { $reason }
import-at-line = satır { $line }, sütun { $column }: { $message }. Hiçbir şey içe aktarılmadı.
import-nothing = { $message } Hiçbir şey içe aktarılmadı.
import-database = veritabanı içe aktarmayı reddetti ({ $reason }). Hiçbir şey içe aktarılmadı.
import-format-wordpress = bir WordPress dışa aktarımı
import-format-disqus = bir Disqus dışa aktarımı
import-not-format = { $path } { $format } değil: <{ $found }> ile başlıyor, oysa { $format } <{ $root }> ile başlar (satır { $line }).
import-with-hint = { $message } { $hint }
import-hint-disqus = Bu bir Disqus dışa aktarımı: `tribune import disqus` kullanın.
import-hint-wordpress = Bir WordPress dışa aktarımına benziyor: `tribune import wordpress` kullanın.
import-empty-file = { $path } boş: { $format } <{ $root }> ile başlar
import-not-wxr = { $path } içinde <wp:wxr_version> yok: bu bir RSS beslemesi, WordPress dışa aktarımı değil (WordPress: Araçlar → Dışa aktar → Tüm içerik)
import-wxr-version = WXR sürümü { $version } Tribune'un okuduklarından değil (1.0, 1.1, 1.2)
import-cut-short = dosya <{ $name }> içinde bitiyor ({ $line }. satırda açıldı): yarım kalmış görünüyor; yeniden dışa aktarın
import-bad-attribute = hatalı öznitelik: { $detail }
import-bad-attribute-named = hatalı öznitelik `{ $name }`: { $detail }
import-bad-reference = hatalı karakter başvurusu: { $detail }
import-text-not-utf8 = metin UTF-8 değil: { $detail }
import-cdata-not-utf8 = CDATA UTF-8 değil: { $detail }
import-text-outside = herhangi bir öğenin dışında metin: bu bir XML dışa aktarımı değil
import-mismatched-end = </{ $found }>, <{ $expected }> öğesini kapatıyor: dosya düzgün biçimli XML değil
import-unmatched-end = </{ $name }> hiç açılmamış bir öğeyi kapatıyor
import-not-xml = düzgün biçimli XML değil: { $detail }

## Command line
cli-error = hata: { $message }
cli-warning = uyarı: { $message }
cli-no-site = { $place } konumunda Tribune sitesi yok: --data-dir veya --database-url değerini denetleyin ya da orada yeni bir site başlatmak için --create-site ekleyin (`tribune serve` de bir tane oluşturur)
cli-cannot-create-dir = { $path } veri dizini oluşturulamıyor
cli-cannot-open-database = { $place } veritabanı açılamıyor
cli-cannot-listen = { $bind } adresinde dinlenemiyor
cli-not-an-email = `{ $email }` bir e-posta adresi değil
cli-cannot-read-password = parola standart girdiden okunamıyor
cli-role = { $role ->
        [admin] yönetici
        [editor] editör
        [author] yazar
        [moderator] moderatör
       *[other] { $role }
    }
cli-status = { $status ->
        [pending] beklemede
        [approved] onaylandı
        [spam] istenmeyen
        [trash] çöpte
       *[other] { $status }
    }
cli-user-added = { $role } { $email } eklendi (kimlik { $id })
cli-generated-password = parola: { $password }
cli-user-exists = { $email } e-postalı bir kullanıcı zaten var
cli-column-id = KİMLİK
cli-column-role = ROL
cli-column-email = E-POSTA
cli-column-name = AD
cli-column-status = DURUM
cli-column-date = TARİH (UTC)
cli-column-author = YAZAR
cli-column-post = YAZI
cli-column-comment = YORUM
cli-cannot-read-post = yazı standart girdiden okunamıyor
cli-cannot-read = { $path } okunamıyor
cli-cannot-create = { $path } oluşturulamıyor
cli-cannot-write = { $path } yazılamıyor
cli-no-staff-account = { $email } e-postalı bir ekip hesabı yok
cli-no-admin = henüz yönetici yok: önce `tribune user add --admin --email …` çalıştırın ya da --author verin
cli-unknown-language = bilinmeyen dil `{ $tag }`: şunlardan birini kullanın: { $tags }
cli-not-language-tag = `{ $tag }` bir dil kodu değil: en, ar veya ckb gibi bir kod kullanın
cli-slug-taken = `{ $slug }` kısa adı başka bir yazıda kullanılıyor; --slug verin
cli-post-published = { $id } numaralı yazı { $path } adresinde yayımlandı
cli-post-draft = { $id } numaralı taslak yazı kaydedildi; /admin/posts/{ $id } adresinde düzenleyin
cli-no-comment = { $ids } kimlikli yorum yok; hiçbir şey değiştirilmedi
cli-moderated = { $status ->
        [approved] onaylandı
        [spam] istenmeyen olarak işaretlendi
        [trash] çöpe taşındı
       *[other] bekletildi
    }: { $count } yorum
cli-unknown-name = bilinmeyen { $what } `{ $value }`: şunlardan birini kullanın: { $choices }
name-role = rol
name-comment-status = yorum durumu
name-post-status = yazı durumu
name-post-type = içerik türü
name-comment-type = yorum türü
name-body-format = metin biçimi
name-job-kind = iş türü
name-job-status = iş durumu
name-subscription = abonelik
name-term-kind = terim türü
cli-bad-site-url = `{ $url }` bir site adresi değil: http(s)://host[:port][/path] biçiminde yazın, örneğin https://example.org; kullanıcı, sorgu veya # sonrası kısım olmadan
cli-bad-base-url = temel adres `{ $url }`, https://example.org gibi bir adres olmalı
cli-no-base-url = sitenin genel adresi henüz bilinmiyor: --base-url https://example.org verin (ya da TRIBUNE_BASE_URL ayarlayın)
cli-count-posts-pages = { $count } yazı ve sayfa
cli-count-subscriptions = { $count } abonelik
cli-count-identities = { $count } oturum açma kimliği
cli-count-emails = { $count } e-posta
cli-exported = Dışa aktarıldı: { $posts }, { $comments } ile.
cli-deleted = Silindi: { $comments }.
cli-anonymised = Anonimleştirildi: { $comments }.
cli-removed = Kaldırıldı: { $subscriptions }, { $identities }, { $emails }.
cli-staff-kept = Bu adresi bir ekip hesabı kullanıyor; korundu (ekip hesapları `tribune user` ile yönetilir).
cli-erase-needs-yes = silme geri alınamaz: { $email } verilerini sormadan silmek için --yes ekleyin
cli-erase-confirm = Bu, { $email } hakkında saklananları siler ve geri alınamaz. Devam etmek için adresi yeniden yazın:
cli-erase-mismatch = yazılan adres eşleşmedi; hiçbir şey silinmedi
cli-importing = içe aktarılıyor
cli-time-left = { $eta } kaldı
cli-dry-run-done = Deneme: hiçbir şey yazılmadı. İçe aktarmak için --dry-run olmadan yeniden çalıştırın.
cli-backup-postgres = bu site PostgreSQL üzerinde: pg_dump ile yedekleyin, örneğin pg_dump --format=custom --file { $file } "$TRIBUNE_DATABASE_URL" (bkz. docs/operations.md)
cli-backup-exists = { $path } zaten var: yeni bir dosya adı seçin, yedekler asla üzerine yazmaz
cli-backup-damaged = kopya bütünlük denetiminden geçemedi ({ $problem }); hiçbir şey saklanmadı
cli-backup-cannot-check = kopya denetlenemiyor
cli-backed-up = Yedeklendi: { $posts } ve { $comments }, { $path } dosyasına ({ $mb } MB), { $seconds } sn içinde.

## Command line: settings
config-base-url = temel adres
config-bad-bind = dinleme adresi `{ $bind }` HOST:PORT biçiminde değil, örneğin 127.0.0.1:8080
config-bad-log-format = günlük biçimi `{ $format }` text veya json değil
config-no-theme = { $path } tema dizini yok
config-cannot-read = { $path } yapılandırma dosyası okunamıyor: { $reason }
config-file-problem = { $path } yapılandırma dosyası: { $reason }
config-unknown-setting = yapılandırma dosyasında bilinmeyen ayar `{ $setting }`; yok sayıldı
config-cannot-read-secret = { $name } { $path } okunamıyor: { $reason }
config-preset-needs-both = { $section } hem client_id hem client_secret ister (ya da { $env } ve _CLIENT_SECRET)
config-oidc-bad-name = { $section }: sağlayıcı adı küçük harf, rakam ve - karakterinden oluşur ve hazır bir sağlayıcının adı olamaz
config-oidc-needs = { $section } issuer, client_id ve client_secret ister
config-oidc-https = { $section } issuer değeri bir https:// adresi olmalı
config-oauth2-bad-name = { $section }: sağlayıcı adı küçük harf, rakam ve - karakterinden oluşur ve bir kez kullanılır
config-oauth2-needs = { $section } authorize_url, token_url, userinfo_url, client_id ve client_secret ister
config-staff-provider = auth.staff_provider `{ $name }` etkin bir OpenID Connect sağlayıcısını adlandırmalı

## Command line: arguments
cli-arg-unknown-command = `{ $command }` diye bir komut yok
cli-arg-unknown-option = burada `{ $option }` diye bir seçenek yok
cli-arg-missing = bu komut { $options } ister
cli-arg-invalid-value = `{ $value }`, { $option } seçeneğinin aldığı bir değer değil
cli-arg-choices = { $message }: şunlardan birini kullanın: { $choices }
cli-arg-conflict = { $option }, { $other } ile birlikte kullanılamaz
cli-arg-did-you-mean = { $message } ({ $suggestion } mı demek istediniz?)
cli-arg-more = Daha fazla bilgi için '--help' deneyin.

## Command line: WordPress types
import-type-post = yazı
import-type-page = sayfa
import-type-attachment = ek

## Command line: help (English is the doc comments in src/cli.rs; a test keeps them equal)
help-tribune = Tribune: açıklamalar ve makaleler yayımlayın, yanıtlar alın.
help-tribune--config = Ayarları bu dosyadan oku [varsayılan: varsa ./tribune.toml]
help-tribune--data-dir = SQLite veritabanı ve diğer veriler için dizin [varsayılan: ./tribune-data]
help-tribune--database-url = Kullanılacak veritabanı: sqlite://PATH veya postgres://USER@HOST/DB [varsayılan: veri dizininde SQLite]
help-tribune--create-site = Veri dizininde veya veritabanı adresinde site yoksa yeni, boş bir site oluştur (`serve` bunu hep yapar)
help-tribune-serve = Siteyi çalıştır (varsayılan olarak http://127.0.0.1:8080)
help-tribune-serve--bind = Dinlenecek adres [varsayılan: 127.0.0.1:8080]
help-tribune-serve--base-url = Sitenin genel adresi, örneğin https://example.org (bağlantılar ve güvenli çerezler için)
help-tribune-serve--theme = templates/ ve assets/ klasörleri yerleşik temanın yerine geçen tema dizini
help-tribune-serve--log-format = Günlük biçimi: text veya json [varsayılan: text]
help-tribune-serve--comments-per-minute = Bir adresin dakikada gönderebileceği yorum sayısı; 0 sınırı kaldırır [varsayılan: 10]
help-tribune-serve--login-lockout-after = 15 dakikalık kilitten önce ekip için başarısız oturum açma sayısı (hesap ve adres başına); yavaşlatma üçte birinde başlar; 0 kaldırır [varsayılan: 10]
help-tribune-serve--trusted-proxies = X-Forwarded-For / Forwarded / X-Forwarded-Proto başlıklarına güvenilen ters vekiller, virgülle ayrılmış adresler veya ağlar, örneğin 127.0.0.1,::1 [varsayılan: hiçbiri]
help-tribune-serve--smtp-url = E-posta için SMTP sunucusu, örneğin smtp://user:pass@host:587?tls=required [varsayılan: DATA_DIR/mail içinde .eml dosyaları]
help-tribune-serve--mail-from = Site e-postalarının göndereni, örneğin "Ministry <news@example.org>" [varsayılan: Tribune <tribune@localhost>]
help-tribune-user = Ekip hesaplarını yönet
help-tribune-user-add = Bir ekip hesabı ekle
help-tribune-user-add--email = Oturum açmak için e-posta adresi
help-tribune-user-add--name = Yazılarda görünen ad [varsayılan: e-postanın @ öncesi kısmı]
help-tribune-user-add--role = admin (yönetici), editor (editör), author (yazar) veya moderator (moderatör)
help-tribune-user-add--admin = --role admin ile aynı
help-tribune-user-add--password-stdin = Parolayı standart girdinin ilk satırından oku (yoksa biri üretilip yazdırılır)
help-tribune-user-list = Ekip hesaplarını listele
help-tribune-post = Yazı yaz
help-tribune-post-new = Bir Markdown dosyasından yazı oluştur (- standart girdiyi okur)
help-tribune-post-new--title = Yazının başlığı
help-tribune-post-new--file = Metni içeren Markdown dosyası
help-tribune-post-new--publish = Taslak kaydetmek yerine şimdi yayımla
help-tribune-post-new--slug = Adres kısa adı [varsayılan: başlıktan üretilir]
help-tribune-post-new--lang = Yazının dili, en, ar, ckb gibi bir BCP 47 kodu [varsayılan: sitenin dili]
help-tribune-post-new--excerpt = Listeler için kısa özet
help-tribune-post-new--author = Yazarın e-postası [varsayılan: ilk yönetici]
help-tribune-comments = Yorumları denetle
help-tribune-comments-list = Yorumları listele, en yenisi önce
help-tribune-comments-list--status = pending (beklemede), approved (onaylı), spam (istenmeyen) veya trash (çöp) [varsayılan: pending ve approved]
help-tribune-comments-list--post = Yalnızca bu kimlikli yazının yorumları
help-tribune-comments-list--limit = En fazla bu kadar
help-tribune-comments-approve = Okurların görmesi için yorumları onayla
help-tribune-comments-spam = Yorumları istenmeyen olarak işaretle
help-tribune-comments-trash = Yorumları çöpe taşı
help-tribune-import = WordPress veya Disqus'tan yazıları ve yorumları içe aktar
help-tribune-import-wordpress = Bir WordPress dışa aktarımını içe aktar (WXR 1.0–1.2: Araçlar → Dışa aktar → Tüm içerik)
help-tribune-import-wordpress--file = WordPress'in size verdiği .xml dosyası
help-tribune-import-wordpress--lang = İçe aktarılan her yazının dili, en, ar, ckb gibi bir BCP 47 kodu [varsayılan: her yazının kendi dili (Polylang), yoksa dışa aktarımınki, yoksa sitenin]
help-tribune-import-wordpress--dry-run = Dosyanın tamamını oku ve neyin geleceğini bildir, hiçbir şey yazma
help-tribune-import-disqus = Bir Disqus dışa aktarımını içe aktar, tartışmalarını adresine göre buradaki yazılarla eşleştir
help-tribune-import-disqus--file = Disqus'ın size gönderdiği .xml dosyası (önce gunzip ile açın)
help-tribune-import-disqus--dry-run = Dosyanın tamamını oku ve neyin geleceğini bildir, hiçbir şey yazma
help-tribune-export = Tüm siteyi dışa aktar (WordPress WXR)
help-tribune-export-wordpress = Tüm siteyi WordPress eXtended RSS 1.2 olarak yaz (varsayılan olarak standart çıktıya)
help-tribune-export-wordpress--output = Standart çıktı yerine bu dosyaya yaz
help-tribune-export-wordpress--base-url = Dosyadaki bağlantılar için sitenin genel adresi [varsayılan: yapılandırmadaki base_url, yoksa kurulumda kaydedilen adres]
help-tribune-privacy = Bir e-posta adresi hakkında saklanan her şeyi dışa aktar veya sil
help-tribune-privacy-export = Bir e-posta adresi hakkında saklanan her şeyi JSON olarak yazdır
help-tribune-privacy-erase = Bir e-posta adresinin verilerini sil: yorumlar anonimleştirilir (veya silinir), abonelikler, oturum açma kimlikleri ve e-postalar kaldırılır. --yes verilmedikçe önce sorar
help-tribune-privacy-erase--delete-comments = Yorumlarını anonimleştirmek yerine sil
help-tribune-privacy-erase--yes = Sormadan sil (betikler için)
help-tribune-backup = Tüm siteyi çalışırken tutarlı biçimde kopyala (SQLite; PostgreSQL için pg_dump)
help-tribune-backup--file = Kopyanın yazılacağı yer (bir SQLite veritabanı dosyası; henüz var olmamalı)
cli-help-usage = Kullanım:
cli-help-commands = Komutlar
cli-help-options = Seçenekler
cli-help-arguments = Argümanlar
cli-help-help = Yardımı yazdır
cli-help-version = Sürümü yazdır

## Command line: help around the lines
cli-help-default = varsayılan
cli-help-env = ortam değişkeni
cli-help-subcommand = Bu iletiyi ya da verilen alt komutun yardımını yazdır

## Administration: jobs
job-kind-email = E-posta
job-kind-held_digest = Bekleyen yorumların özeti
job-kind-comment_digest = Yeni yorumların özeti
job-kind-comment_approved = Onaylanan yorum
job-kind-post_published = Yayımlanan yazı
job-summary-email = { $subject } → { $to }
job-summary-held-digest = bekleyen yorumlar, { $to } adresine
job-summary-comment-digest = { $post } numaralı yazıya yeni yorumlar, { $to } adresine
job-summary-comment-approved = { $id } numaralı yorum
job-summary-post-published = { $id } numaralı yazı

## Administration: jobs, how email leaves
jobs-transport-smtp = e-posta SMTP ile gönderilir
jobs-transport-files = SMTP sunucusu yok: e-postalar { $dir } içine dosya olarak yazılır

## Administration: discussion rules
field-require-name-email = Yorum yazarı adını ve e-postasını yazmalı
field-close_after_days = Şundan eski yazılarda yorumları kapat (gün)
close-after-days-hint = 0 açık tutar.
field-max_links = Bu kadar veya daha fazla bağlantı içeren yorumu kuyrukta beklet
max-links-hint = Çok sayıda bağlantı istenmeyen yorumların ortak özelliğidir. 0 kapatır.
field-moderation-keys = Yorum denetimi: yorumu bekleten sözcükler
moderation-keys-hint = Her satıra bir sözcük, ifade veya adres; metinde, adda, e-postada, web sitesinde, IP adresinde veya tarayıcıda, başka sözcüklerin içinde de aranır (“press”, “WordPress” ile eşleşir); yalnızca tam sözcük için /press/ yazın.
field-disallowed-keys = Yasaklı sözcükler: yorumu istenmeyene gönderen sözcükler
disallowed-keys-hint = Yukarıdaki liste gibi eşleşir. Böyle bir yorum İstenmeyen’e gider: orada saklanır, hiç gösterilmez ve kimseye e-posta gitmez.

## Administration: previously approved
field-previously-approved = Yorum yazarının daha önce onaylanmış bir yorumu olmalı

## Administration: why a rule decided
rule-links = Bir kural bekletti: { $count } bağlantı (sınır { $max }).
rule-moderation-word = Bir kural bekletti: “{ $word }” bir denetim sözcüğü ({ $field } içinde).
rule-disallowed-word = Bir kural istenmeyene gönderdi: “{ $word }” yasaklı bir sözcük ({ $field } içinde).
rule-field-ip = IP adresi
rule-field-user-agent = tarayıcı

## Administration: where a rule matched
rule-field-body = metin
rule-field-name = ad
rule-field-email = e-posta
rule-field-url = web sitesi

## Administration: rules from the configuration
discussion-fixed-hint = Gri görünen alanlar yapılandırma dosyasında ayarlanmıştır (tribune.toml içinde [discussion]).

## Administration: the spam folder
action-not-spam = İstenmeyen değil
empty-spam = İstenmeyenleri boşalt
empty-trash = Çöpü boşalt
moderated-deleted = { PLURAL($count) ->
        [one] 1 yorum kalıcı olarak silindi.
       *[other] { $count } yorum kalıcı olarak silindi.
    }

## Comment form: the honeypot
honeypot-label = Bu alanı boş bırakın

## Administration: why Tribune decided before a moderator
rule-blocked = İstenmeyene gönderildi: { $field } “{ $value }” engel listesinde.
trap-honeypot = Bot tuzağı istenmeyene gönderdi: yalnızca programların doldurduğu gizli alan doldurulmuştu.
trap-forged = Bot tuzağı istenmeyene gönderdi: formun zamanı bu site tarafından imzalanmamıştı.
trap-too-fast =
    Bot tuzağı istenmeyene gönderdi: form gösterildikten { PLURAL($count) ->
        [one] { $count } saniye
       *[other] { $count } saniye
    } sonra gönderildi.
trap-expired =
    Bekletildi: yorum gönderilmeden önce sayfa { PLURAL($count) ->
        [one] { $count } saat
       *[other] { $count } saat
    } açık kalmıştı.
trap-no-script = Bekletildi: JavaScript olmadan gönderildi, bu yüzden formun zamanı denetlenemedi.
filter-score = İstenmeyen süzgeci: %{ $score } olasılıkla istenmeyen. En belirleyici: { $clues }

## Administration: blocking from the queue
block-email = E-postayı engelle
block-ip = IP’yi engelle
block-name = Adı engelle
moderated-blocked =
    { PLURAL($count) ->
        [one] { $count } kayıt engellendi; yorum istenmeyenlerde.
       *[other] { $count } kayıt engellendi; yorumlar istenmeyenlerde.
    }

## Administration: spam settings
settings-spam = İstenmeyen yorumlar
settings-comments-display = Sayfadaki yorumlar
field-block-list = Engel listesi: yorumları istenmeyene giden e-postalar, IP adresleri ve adlar
block-list-hint = Her satıra bir tane: email someone@example.org, ip 203.0.113.9 veya name Ad; büyük-küçük harf gözetmeden tam eşleşir. Yorumlar’daki Engelle düğmeleri buna ekler.
filter-learned = İstenmeyen süzgeci her Onayla, İstenmeyen ve İstenmeyen değil kararından öğrenir. Şimdiye dek { $spam } istenmeyen ve { $ham } başka yorumdan öğrendi; her birinden { $min } tane öğrendiğinde karar verir, o zamana dek her yoruma puan verir.
field-spam_threshold = Bir ziyaretçinin yorumunu bu puanda (%) veya üstünde istenmeyene gönder
spam-threshold-hint = Giriş yapmış yorumcular yalnızca puanları yüzünden asla istenmeyene gönderilmez: bekletilirler.
field-hold_threshold = Yorumu bu puanda (%) veya üstünde denetim için beklet
hold-threshold-hint = 0: puan hiçbir şeyi bekletmez.
field-form_min_seconds = Gösterildikten sonra bu kadar saniyeden önce gönderilen form bir bota aittir
form-min-seconds-hint = Bu yorumlar istenmeyenlerde tutulur ve oradan geri alınabilir. 0 bu denetimi kapatır.
field-spam_days = Bu kadar günden eski istenmeyenleri sil
spam-days-hint = Her saat denetlenir. 0, biri boşaltana dek istenmeyenleri tutar.

## Administration: the activity log
nav-activity = Etkinlik
activity-intro = Her denetim işlemi ve kural değişikliği: kim yaptı, ne zaman ve nereden.
activity-from = Kaynak
activity-any = Tümü
activity-what = Ne
activity-email = Yorumcunun e-postası
activity-filter = Süz
activity-when = Ne zaman
activity-who = Kim
activity-comment = Yorum
activity-detail = Ayrıntı
activity-someone = e-posta bağlantısına sahip biri
activity-none = Henüz kaydedilen bir şey yok.
activity-source-admin = yönetim sayfaları
activity-source-email = e-posta bağlantısı
activity-source-cli = komut satırı
activity-source-filter = istenmeyen süzgeci
activity-source-rule = tartışma kuralı
activity-source-trap = bot tuzağı
activity-source-job = zamanlanmış iş
activity-source-service = istenmeyen hizmeti (Akismet)
activity-action-approve = Onaylandı
activity-action-unapprove = Onay kaldırıldı
activity-action-spam = İstenmeyen olarak işaretlendi
activity-action-not-spam = İstenmeyen değil
activity-action-trash = Çöpe atıldı
activity-action-hold = Bekletildi
activity-action-delete = Kalıcı olarak silindi
activity-action-block = Engellendi
activity-action-settings = Kurallar değişti

## Jobs: spam
job-kind-purge_spam = İstenmeyen temizliği
job-kind-spam_check = İstenmeyen hizmeti denetimi
job-kind-spam_report = İstenmeyen hizmetine bildirim
job-kind-webmention_receive = Gelen Webmention
job-kind-webmentions_send = Gönderilecek Webmention'lar
job-kind-webmention_send = Webmention gönderimi
job-summary-purge-spam = eski istenmeyenler silinir, bir saat sonra yeniden
job-summary-spam-check = yorum { $id }
job-summary-spam-report-spam = yorum { $id } istenmeyen
job-summary-spam-report-ham = yorum { $id } istenmeyen değil

## Configuration: spam service and limits
config-akismet-endpoint = istenmeyen hizmeti adresi `{ $endpoint }` bir http:// veya https:// adresi değil ([akismet] endpoint, TRIBUNE_AKISMET_ENDPOINT)
config-env-number = { $key } değeri `{ $value }`, tam sayı değil

## Command line: the activity log
cli-log-someone = (e-posta bağlantısı)
help-tribune-comments-not-spam = İstenmeyen değil: denetim kuyruğuna döner ve istenmeyen süzgeci bundan öğrenir
help-tribune-comments-log = Etkinlik kaydı: her denetim işlemi ve kural değişikliği, en yenisi önce
help-tribune-comments-log--source = admin, email, cli, filter, rule, trap, job veya service
help-tribune-comments-log--action = approve, unapprove, spam, not-spam, trash, hold, delete, block veya settings
help-tribune-comments-log--email = Yalnızca bu yorumcunun e-posta adresiyle ilgili kayıtlar
help-tribune-comments-log--limit = En fazla bu kadar

## Administration: a score with nothing to go on
filter-score-unknown = İstenmeyen süzgeci: bu yorumda henüz öğrendiği bir şey yok.

## Comment form: remember me
save-my-details = Bir dahaki yorumumda kullanılmak üzere adımı, e-posta adresimi ve web site adresimi bu tarayıcıya kaydet.

## Administration: staff accounts
nav-users = Kullanıcılar
users-name = Ad
field-role = Rol
users-state = Durum
users-actions = İşlemler
users-you = siz
users-change-role = Rolü değiştir
users-state-off = Devre dışı
users-state-invited = Davet edildi, henüz parolası yok
users-state-active = { $date } tarihinden beri etkin
users-resend = Daveti yeniden gönder
users-deactivate = Devre dışı bırak
users-activate = Etkinleştir
users-delete = Sil
users-invite = Birini davet et
users-invite-help = Parolasını seçmesi için bağlantı içeren bir e-posta alır. Bağlantı bir hafta geçerlidir.
users-role-hint = Yönetici her şeyi yönetir; editör tüm yazıları yazar, düzenler ve yorumları denetler; yazar kendi yazılarını yazar; moderatör yorumlarla ilgilenir.
users-send-invitation = Daveti gönder
users-invited = Davet gönderildi.
users-invitation-resent = Davet yeniden gönderildi.
users-invitation-wait = Bu adrese bir dakikadan kısa süre önce e-posta gitti. Bir dakika sonra yeniden deneyin.
users-role-changed = Rol değiştirildi.
users-deactivated = Hesap devre dışı bırakıldı: artık giriş yapamaz ve oturumları sona erdi. Yazıları kalır.
users-activated = Hesap yeniden etkin.
users-removed = Hesap silindi.
users-delete-title = { $name } silinsin mi?
users-reassign = { PLURAL($count) ->
    [one] Yazısı şu kişiye geçer:
   *[other] { $count } yazısı şu kişiye geçer:
}
users-no-posts = Hiç yazı yazmamış.
users-delete-warning = Oturumları sona erer ve hesap kalıcı olarak gider; etkinlik günlüğü yaptıklarını onun adıyla saklar.
users-delete-confirm = Hesabı sil
cancel = Vazgeç
error-last-admin = Sitenin en az bir etkin yöneticisi olmalı: önce başka birini yönetici yapın.
error-user-has-posts = Bu hesabın hâlâ yazıları var: kime geçeceğini seçin.
error-reassign-self = Yazıları silinen hesaba geçemez: başka birini seçin.
error-not-yourself = Bunu burada kendi hesabınıza yapamazsınız: başka bir yöneticiden isteyin ya da profilinizi kullanın.
error-already-has-password = Bu hesabın zaten parolası var; sahibi “Parolanızı mı unuttunuz?” bağlantısını kullanabilir.
error-unknown-role = Listeden bir rol seçin.
error-unknown-action = Bu işlem burada bilinmiyor. Geri dönüp sayfadaki düğmelerden birini kullanın.
error-user-exists = Bu e-posta adresini başka bir hesap kullanıyor.
error-current-password = Bu, şu anki parolanız değil.
name-account-link = hesap bağlantısı

## Administration: lost password and emailed links
lost-password = Parolanızı mı unuttunuz?
lost-password-link = Parolanızı mı unuttunuz?
lost-password-help = Ekip hesabınızın e-posta adresini girin. Yeni parola seçmeniz için bir bağlantı alacaksınız.
lost-password-send = Bana bağlantı gönder
lost-password-sent = { PLURAL($count) ->
    [one] { $email } bir ekip hesabına aitse yeni parola seçmek için bir bağlantı yolda. Bir kez ve bir saat boyunca çalışır.
   *[other] { $email } bir ekip hesabına aitse yeni parola seçmek için bir bağlantı yolda. Bir kez ve { $count } saat boyunca çalışır.
}
back-to-login = Girişe dön
choose-password = Bir parola seçin
choose-password-welcome = Hoş geldiniz { $name }. Giriş yapacağınız parolayı seçin.
choose-password-help = Yeni bir parola seçin. Bu hesabın tüm oturumları sona erer; sonra onunla giriş yapın.
field-new-password = Yeni parola
save-password = Parolayı kaydet
account-link-gone = Bu bağlantı artık çalışmıyor: süresi doldu ya da daha önce kullanıldı. Yenisini isteyin.
lost-password-again = Yeni bağlantı iste
password-set-log-in = Parolanız kaydedildi. Onunla giriş yapın.
email-reset-subject = [{ $site }] Yeni bir parola seçin
email-reset-intro = Birisi { $site } sitesindeki { $email } ekip hesabının parolasını sıfırlamak istedi.
email-reset-action = Yeni bir parola seçin:
email-reset-expires = { PLURAL($count) ->
    [one] Bağlantı bir kez ve bir saat boyunca çalışır.
   *[other] Bağlantı bir kez ve { $count } saat boyunca çalışır.
}
email-reset-ignore = Siz istemediyseniz bu e-postayı yok sayın: parolanız olduğu gibi kalır.
email-invite-subject = [{ $site }] Davet edildiniz
email-invite-intro = { $name } sizi { $site } sitesini yönetmeye yardım etmeye davet etti.
email-invite-action = Parolanızı seçin:
email-invite-expires = { PLURAL($count) ->
    [one] Bağlantı bir gün geçerlidir.
   *[other] Bağlantı { $count } gün geçerlidir.
}
email-account-sign-in = Ardından { $email } ile şuradan giriş yapın:

## Administration: your profile and sessions
profile-about = Hakkınızda
field-current-password = Şu anki parola
profile-email-needs-password = Yalnızca e-posta adresinizi değiştirmek için gerekir.
profile-password = Parola
profile-password-signs-out = Diğer oturumlarınız sona erer.
profile-change-password = Parolayı değiştir
profile-password-changed = Parola değiştirildi. Diğer oturumlarınız sona erdi.
profile-signed-out-others = Diğer her yerden çıkış yapıldı.
profile-signed-out-one = O oturum sona erdi.
profile-sessions = Nerede oturum açıksınız
profile-sessions-help = Bu hesaba giriş yapmış her tarayıcı. Tanımadıklarınızı sonlandırın.
session-browser = Tarayıcı
session-address = Adres
session-started = Giriş
session-this = bu tarayıcı
session-sign-out = Çıkış yap
sign-out-others = Diğer her yerden çıkış yap
sign-out-everywhere = Her yerden çıkış yap

## Command line: staff accounts
cli-password-set = { $email } için parola ayarlandı; oturumları sona erdi
cli-role-changed = { $email } artık { $role }
cli-user-removed = { $email } silindi
cli-posts-reassigned = { PLURAL($count) ->
    [one] bir yazı artık { $email } hesabına ait
   *[other] { $count } yazı artık { $email } hesabına ait
}
help-tribune-user-passwd = Bir ekip üyesinin parolasını ayarla ve her yerden çıkışını yap
help-tribune-user-passwd--user = E-posta adresi ya da kimliği
help-tribune-user-passwd--password-stdin = Parolayı standart girdinin ilk satırından oku (yoksa biri üretilip yazdırılır)
help-tribune-user-role = Bir ekip üyesinin rolünü değiştir
help-tribune-user-role--user = E-posta adresi ya da kimliği
help-tribune-user-role--role = admin (yönetici), editor (editör), author (yazar) veya moderator (moderatör)
help-tribune-user-remove = Bir ekip hesabını sil
help-tribune-user-remove--user = E-posta adresi ya da kimliği
help-tribune-user-remove--reassign = Yazılarını bu ekip üyesine ver (e-posta adresi ya da kimlik)

## Comment pages
comment-pages = Yorum sayfaları
comment-pages-below = yorumların altında
comment-page-of = Yorum sayfası { $page } / { $count }
older-comments = Daha eski yorumlar
newer-comments = Daha yeni yorumlar
field-page_comments = Yorumları sayfalara böl
field-comments_per_page = Sayfa başına üst düzey yorum
field-default_comments_page = İlk gösterilen sayfa
comments-page-newest = Son sayfa (en yeni yorumlar)
comments-page-oldest = İlk sayfa (en eski yorumlar)
field-comment_order = Her sayfanın üstünde
comment-order-asc = En eski yorum
comment-order-desc = En yeni yorum
field-edit_minutes = Yorumcular yorumlarını şu süre boyunca düzenleyip silebilir (dakika)
edit-minutes-hint = Yazıldığı tarayıcıdan. 0: hiçbir zaman.

## Comments: editing your own
edit-your-comment = Yorumunuzu düzenleyin
edit-comment-on = “{ $title }” hakkında
back-to-post = Yazıya dön
edit-until = { PLURAL($count) ->
    [one] { $until } saatine kadar değiştirebilir ya da silebilirsiniz (yaklaşık bir dakika kaldı).
   *[other] { $until } saatine kadar değiştirebilir ya da silebilirsiniz (yaklaşık { $count } dakika kaldı).
}
save-changes = Değişiklikleri kaydet
delete-my-comment = Yorumumu sil
edit-my-comment = Düzenle ya da sil
edit-for-a-while = (yorumunuz, bu tarayıcıdan birkaç dakika boyunca)
error-edit-window-over = Bu yorum artık bu tarayıcıdan değiştirilemez: düzenleme süresi doldu ya da başka bir yerde yazıldı.
activity-source-author = yorumcu
activity-action-edit = Yazarı düzenledi

## Staff on the public site
staff-bar = Ekip
staff-bar-dashboard = Pano
staff-bar-new-post = Yeni yazı
staff-bar-edit-post = Bu yazıyı düzenle
staff-bar-waiting = { PLURAL($count) ->
    [one] Burada bir yorum bekliyor
   *[other] Burada { $count } yorum bekliyor
}
action-edit = Düzenle
edit-comment = Yorumu düzenle

## Administration: editing a comment
comment-edited = Yorum kaydedildi.

## Administration: the posts list
posts-filters = Duruma göre yazılar
posts-tab-all = Tümü
posts-tab-published = Yayımlanan
posts-tab-draft = Taslaklar
posts-tab-private = Özel
posts-tab-trash = Çöp
posts-search = Yazılarda ara
posts-any = Hepsi
posts-category = Kategori
posts-filter = Süz
posts-found = { PLURAL($count) ->
    [one] Bir yazı
   *[other] { $count } yazı
}
posts-restore = Geri yükle
posts-delete = Kalıcı olarak sil
posts-trashed = Yazı çöpe taşındı.
posts-restored = Yazı çöpten geri yüklendi.
posts-deleted = Yazı yorumlarıyla birlikte kalıcı olarak silindi.
posts-pages = Yazı sayfaları
posts-newer = Daha yeni yazılar
posts-older = Daha eski yazılar
posts-page-of = Sayfa { $page } / { $count }
status-scheduled = Zamanlanmış

## Administration: the editor
post-published = Yazı yayımlandı.
post-scheduled = Yazı zamanlandı.
field-new-category = Yeni kategoriler
field-tags = Etiketler
terms-hint = Virgülle ayırın.
update-post = Güncelle
save-draft = Taslağı kaydet
publish-post = Yayımla
schedule-post = Zamanla

## Administration: revisions and autosave
revisions = Sürümler
revisions-of = “{ $title }” sürümleri
revisions-count = { PLURAL($count) ->
    [one] Bir sürüm
   *[other] { $count } sürüm
}
back-to-editor = Düzenleyiciye dön
compare-title = { $date } sürümü ile yazının şimdiki hâli
compare-part-excerpt = Özet
compare-part-body = Metin
revision-by = Kaydeden
revision-autosave = otomatik kayıt
revision-current = şimdiki
revision-compare = Şimdikiyle karşılaştır
revision-restore = Bu sürümü geri yükle
revision-restored = Sürüm geri yüklendi.
error-revision-invalid = Bu sürüm olduğu gibi geri yüklenemez: düzenleyiciyi açıp metnini yapıştırın.
error-autosave-incomplete = Henüz otomatik kaydedilmedi: yazının bir başlığı olmalı.
autosaved-at = Taslak { $time } itibarıyla kaydedildi.

## Administration: revisions, the parts compared
compare-part-title = Başlık

## Administration: the editor, filing
categories-and-tags = Kategoriler ve etiketler

## Administration: media
nav-media = Ortam
media-uploaded = Kitaplığa yüklendi.
media-deleted = Dosya silindi.
media-choose-files = Yüklenecek dosyalar
media-limits = JPEG, PNG, WebP veya GIF görselleri ve PDF dosyaları, her biri en çok { $max } MB. SVG kabul edilmez.
media-alt = Alternatif metin
media-alt-hint = Görseli göremeyenler için anlatın. Yalnızca görsel süs amaçlıysa boş bırakın.
media-upload = Yükle
media-search = Kitaplıkta ara
media-kind = Tür
media-kind-image = Görseller
media-kind-pdf = PDF dosyaları
media-unused = Yalnızca hiçbir yazının kullanmadığı dosyalar
media-found =
    { PLURAL($count) ->
        [0] Dosya yok
        *[other] { $count } dosya
    }
media-no-alt = Alternatif metin yok
media-used-count =
    { PLURAL($count) ->
        *[other] { $count } yazıda kullanılıyor
    }
media-unused-label = Kullanılmıyor
media-none = Henüz dosya yok. İlkini yukarıdan yükleyin.
media-saved = Kaydedildi.
media-open-pdf = PDF dosyasını aç
media-address = Adres
media-size = Boyut
media-uploaded-on = Yüklenme
media-markdown = Yazıda
media-used-in = Kullanıldığı yerler
media-delete-when-unused = Bir dosya, hiçbir yazı onu göstermediğinde silinebilir: önce bu yazılardan çıkarın.
media-used-nowhere = Bu dosyayı hiçbir yazı kullanmıyor.
media-delete = Kalıcı olarak sil
media-size-kb = { $size } KB
media-size-mb = { $size } MB
media-error-empty = Dosya boş.
media-error-too-large = Dosya { $size } MB; sınır { $max } MB. Küçültüp (2.000 piksel genişliğinde bir fotoğraf yeter) yeniden yükleyin.
media-error-svg = SVG görselleri kabul edilmez: bu sitede çalışacak betikler taşıyabilirler. Görseli PNG olarak dışa aktarıp onu yükleyin.
media-error-type = Bu tür dosya kabul edilmez. JPEG, PNG, WebP veya GIF görselleri ya da PDF dosyaları yükleyin.
media-error-pixels = Görsel { $width }×{ $height } piksel; sınır { $max } megapiksel. Küçültüp yeniden yükleyin.
media-error-unreadable = Dosya bir { $kind } dosyası gibi başlıyor ama okunamıyor: bozulmuş ya da yarım kalmış olabilir. Yeniden kaydedip yükleyin.
media-error-broken-upload = Yükleme eksiksiz ulaşmadı. Yeniden deneyin.
media-error-no-file = Önce yüklenecek bir dosya seçin.
media-error-storage = Dosya şu anda saklanamadı; hiçbir şey tutulmadı. Birazdan yeniden deneyin.
media-error-in-use = Bu dosya bir yazıda gösteriliyor, bu yüzden silinmedi. Önce aşağıdaki yazılardan çıkarın.
media-uploading = Yükleniyor
media-inserted = Eklendi:
media-open-library = Görselleri ve dosyaları ortam kitaplığında yükleyin (yeni sekmede açılır), sonra Markdown kodlarını buraya yapıştırın.
media-add = Ortam ekle
media-from-library = Kitaplıktan
media-drop-hint = ya da görselleri metne bırakın veya yapıştırın
media-alt-for = Alternatif metin:
media-alt-save = Alternatif metni kaydet
media-insert = Ekle
media-set-featured = Öne çıkan görsel yap
close = Kapat
featured-image = Öne çıkan görsel
featured-image-choose = Yazının üstünde ve bağlantı önizlemelerinde gösterilen görsel
featured-image-none = Yok
config-s3-endpoint = ortam kovası adresi `{ $endpoint }` bir http:// veya https:// adresi değil ([media] s3_endpoint, TRIBUNE_S3_ENDPOINT)
config-s3-incomplete = ortam için bir S3 kovası s3_endpoint, s3_bucket, s3_access_key ve s3_secret_key değerlerinin hepsini ister ([media] veya TRIBUNE_S3_*)

## Moving in: media
help-tribune-import-wordpress--fetch-media = Dışa aktarımın görsellerini ve dosyalarını ortam kitaplığına getir (dışa aktarımdaki adreslerinden) ve buradan göster
import-label-attachment = satır { $line }: { $url }
import-note-media-failed = bir ek getirilemedi ({ $reason }); yazılar eski adresine bağlantı vermeyi sürdürür
import-media =
    { PLURAL($count) ->
        *[other] { $count } dosya ortam kitaplığına getirildi.
    }

## Administration: media, back
media-back = ← Ortam

## Feeds
feed-comments-title = { $site } için yorumlar
feed-post-comments-title = Yorumlar: { $title }
feed-comment-by = Yazan: { $author }
feed-comment-on = { $author } tarafından { $title } yazısına yorum
feed-posts-link = { $site } » Besleme
feed-comments-link = { $site } » Yorum beslemesi
feed-archive-link = { $site } » { $name } beslemesi
feed-post-comments-link = { $site } » { $title } yorum beslemesi
field-posts_per_rss = Her beslemedeki yazı sayısı
field-rss_use_excerpt = Beslemede her yazı için gösterilen
feed-full-text = Tam metin
feed-summary = Özet
feed-follow = Beslemeyle takip et

## Search
search-label = Ara
search-button = Ara
search-placeholder = Bu sitede ara
search-title = “{ $query }” için arama sonuçları
search-count =
    { PLURAL($count) ->
        [one] Bir sonuç.
       *[other] { $count } sonuç.
    }
search-count-more = { $count } sonuçtan fazla.
search-slow-down = Bu dakika içinde çok sayıda arama yaptınız. Bir dakika sonra yeniden deneyin.
search-nothing = Bu sözcüklerle eşleşen bir şey bulunamadı. Daha az sözcük ya da başka bir yazım deneyin.
search-more = Daha fazla sonuç
search-back = Önceki sonuçlar

## Webmention
comment-type-webmention = Bahsetme:
webmention-accepted = Alındı. Kaynak denetlenecek; bahsetme bir moderatör onayladıktan sonra gösterilecek.
webmention-bad-urls = Kaynağı ve hedefi http ya da https adresi olarak verin.
webmention-same = Kaynak ile hedef aynı adres.
webmention-not-here = Hedef bu sitede değil.
webmention-no-post = Hedef burada yayımlanmış bir yazı ya da sayfa değil.
webmention-closed = Bu yazı artık yanıt kabul etmiyor.
webmention-slow-down = Adresinizden çok fazla bahsetme geldi; bir dakika sonra yeniden deneyin.
job-summary-webmention-receive = { $source } tarafından { $id } numaralı yazıdan bahsetmeyi denetle
job-summary-webmentions-send = { $id } numaralı yazının bağlantı verdiği sayfaları bulup haber ver
job-summary-webmention-send = { $target } adresine { $id } numaralı yazının ona bağlantı verdiğini bildir
