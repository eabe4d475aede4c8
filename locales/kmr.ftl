# Tribune — Kurdî (Kurmancî). Werger ji bo vê projeyê hatiye nivîsîn; pirjimar li gorî
# CLDR (ku): one û other. Piştî hejmarê nav yekjimar dimîne ("3 şîrove").

## Times (dates and numbers themselves come from CLDR)
time-ago = { $unit ->
    [seconds] { PLURAL($count) ->
        [one] berî çirkeyekê
       *[other] berî { $count } çirkeyan
    }
    [minutes] { PLURAL($count) ->
        [one] berî deqeyekê
       *[other] berî { $count } deqeyan
    }
    [hours] { PLURAL($count) ->
        [one] berî saetekê
       *[other] berî { $count } saetan
    }
   *[days] { PLURAL($count) ->
        [one] duh
       *[other] berî { $count } rojan
    }
}
time-in = { $unit ->
    [seconds] { PLURAL($count) ->
        [one] piştî çirkeyekê
       *[other] piştî { $count } çirkeyan
    }
    [minutes] { PLURAL($count) ->
        [one] piştî deqeyekê
       *[other] piştî { $count } deqeyan
    }
    [hours] { PLURAL($count) ->
        [one] piştî saetekê
       *[other] piştî { $count } saetan
    }
   *[days] { PLURAL($count) ->
        [one] sibê
       *[other] piştî { $count } rojan
    }
}

## Site
skip-to-content = Here naverokê
powered-by = Bi Tribune hatiye weşandin
latest-posts = Nivîsên dawî
page-n = Rûpela { $n }
no-posts = Hê tiştek nehatiye weşandin.
continue-reading = Xwendinê bidomîne
posts-navigation = Nivîsên din
older-posts = ← Nivîsên kevntir
newer-posts = Nivîsên nûtir →
posted-on-by = Di { $date } de ji aliyê { $author } ve hatiye weşandin
comment-count = { PLURAL($count) ->
    [0] Şîroveyekê binivîse
    [one] Şîroveyek
   *[other] { $count } şîrove
}
not-found-title = Rûpel nehat dîtin
not-found-text = Li vê navnîşanê tiştek tune. Dibe ku hatibe guhastin, an jî girêdan şaş hatibe nivîsîn.
back-home = Here rûpela sereke

## Comments
responses = { PLURAL($count) ->
    [0] Ji bo “{ $title }” tu bersiv tune
    [one] Ji bo “{ $title }” bersivek
   *[other] Ji bo “{ $title }” { $count } bersiv
}
awaiting-moderation = Şîroveya te li benda pejirandinê ye.
comment-type-pingback = Pingback:
comment-type-trackback = Trackback:
filed-under-category = Kategorî:
filed-under-tag = Etîket:
archive-category = Kategorî: { $name }
archive-tag = Etîket: { $name }
reply = Bersiv bide
reply-to = Bersiva { $name } bide
leave-a-reply = Bersivekê binivîse
leave-a-reply-to = Bersivekê ji { $name } re binivîse
cancel-reply = Bersivê betal bike
email-not-published = Navnîşana e-nameya te nayê weşandin.
required-fields-marked = Qadên pêwîst bi * hatine nîşankirin
field-body = Şîrove
field-name = Nav
field-email = E-name
field-url = Malper
post-comment = Şîroveyê bişîne
comments-closed = Şîrove girtî ne.
comment-not-posted = Şîroveya te nehat şandin. Ji kerema xwe van kontrol bike:

## Form problems
error-too-long = { $field } pir dirêj e: { $len } tîp. Sînor { $max } e.
error-body-required = Ji kerema xwe şîroveya xwe binivîse.
error-name-required = Ji kerema xwe navê xwe binivîse.
error-email-required = Ji kerema xwe navnîşana e-nameya xwe binivîse. Qet nayê nîşandan.
error-email-invalid = Ev navnîşana e-nameyê rast xuya nake. Ji bo xeletiyên nivîsînê kontrol bike.
error-url-invalid = Malper divê navnîşaneke webê be, wek https://example.org.
error-rate-limited = Tu pir zû dişînî. Deqeyekê bisekine, paşê dîsa bişîne: şîroveya te hê li vir e.
error-parent-invalid = Ev forma bersivê di rê de xirab bûye (şîroveya ku tu bersiv didî ne hejmar e). Şîroveya te hê li vir e; nivîsê ji nû ve veke û dîsa bişîne.
error-duplicate = Şîroveya dubare hat dîtin; xuya ye te ev berê gotiye. Ew jixwe di rê de ye; ne hewce ye dîsa bişînî.
error-unavailable = Niha şîroveya te nehat tomarkirin: malper mijûl e an jî niha nikare binivîse. Tiştek winda nebû; hê di forma jêrîn de ye. Piştî deqeyekê dîsa bişîne.
error-not-stored = Ji ber xeletiyeke malperê şîroveya te nehat tomarkirin. Hê di forma jêrîn de ye; dîsa biceribîne, û heke her têk biçe, vê nasnameya daxwazê ji xwediyê malperê re bibêje: { $id }.
error-parent-gone = Şîroveya ku tu bersiv didî êdî tune. Şîroveya te hê li vir e; wek şîroveyeke nû bişîne.
error-title-required = Ji kerema xwe sernavekî bide nivîsê.
error-slug-invalid = Navê kurt tenê dikare tîp, hejmar, - û _ hebe.
error-slug-taken = Nivîseke din vî navê kurt bi kar tîne. Navekî din hilbijêre.
error-lang-invalid = Ji lîsteyê zimanekî hilbijêre.
error-status-invalid = Reşnivîs, weşandî an taybet hilbijêre.
error-date-invalid = Dîrok divê wek 2026-11-26T09:30 be.
error-site-title-required = Ji kerema xwe sernavekî bide malperê.
error-display-name-required = Ji kerema xwe navê xwe binivîse.
error-password-short = Şîfre divê herî kêm { $min } tîp be.
error-password-mismatch = Her du şîfre ne wek hev in.
error-login-failed = E-name an şîfre şaş e.
error-site-url-invalid = Navnîşana malperê divê navnîşaneke webê be, wek https://example.org (bê ? an #).
error-login-slow-down = Gelek têketinên têkçûyî hene. Berî ku dîsa biceribînî { $unit ->
        [minutes] { PLURAL($count) ->
            [one] deqeyekê
           *[other] { $count } deqeyan
        }
       *[seconds] { PLURAL($count) ->
            [one] çirkeyekê
           *[other] { $count } çirkeyan
        }
    } bisekine.
error-login-locked = Piştî gelek hewldanên têkçûyî têketin hat girtin. Piştî { $unit ->
        [minutes] { PLURAL($count) ->
            [one] deqeyekê
           *[other] { $count } deqeyan
        }
       *[seconds] { PLURAL($count) ->
            [one] çirkeyekê
           *[other] { $count } çirkeyan
        }
    } dîsa biceribîne. Heke te şîfreya xwe ji bîr kiriye, ji rêveberekî bixwaze ku şîfreyeke nû deyne.
error-number-range = { $field } divê hejmarek ji { $min } heta { $max } be.

## Administration
admin = Rêvebirin
view-site = Malperê bibîne
dashboard = Panel
welcome = Bi xêr hatî, { $name }.
nav-posts = Nivîs
nav-comments = Şîrove
nav-settings = Mîheng
log-in = Têkeve
log-out-name = Derkeve ({ $name })
pending-count = { PLURAL($count) ->
    [0] Tu şîrove li benda pejirandinê nîne
    [one] Şîroveyek li benda pejirandinê ye
   *[other] { $count } şîrove li benda pejirandinê ne
}
pending-count-over = Zêdetirî { $count } şîrove li benda pejirandinê ne
count-over = { $count }+
setup-title = Malpera xwe saz bike
setup-intro = Hesabê rêveberiyê biafirîne. Paşê tu dikarî bi `tribune user add` karmendên din lê zêde bikî.
setup-submit = Malperê biafirîne
field-site-title = Sernavê malperê
field-display-name = Navê te
field-password = Şîfre
field-password-again = Şîfre (dîsa)
password-hint = Herî kêm { $min } tîp.
new-post = Nivîsa nû
edit-post = Nivîsê biguherîne
post-saved = Nivîs hat tomarkirin.
view-post = Nivîsê bibîne
post-not-saved = Nivîs nehat tomarkirin. Ji kerema xwe van kontrol bike:
preview = Pêşdîtin
save = Tomar bike
field-title = Sernav
field-status = Rewş
field-post-body = Nivîsar
markdown-hint = Bi Markdown binivîse.
field-excerpt = Kurte
field-slug = Navê kurt
slug-hint = Beşa dawî ya navnîşanê. Vala bihêle da ku ji sernavê çêbibe.
field-lang = Ziman
lang-hint = Zimanê nivîsê: rûpela wê bi vî zimanî û bi vê alî tê nîşandan.
field-published_at = Dîroka weşanê (UTC)
date-hint = Ji bo niha weşandinê vala bihêle. Dîrokeke pêşerojê nivîsê dide demê.
translation-group-hint = Nivîsên girêdayî wergera hev in: her rûpel girêdanên yên din dide û vê ji motorên lêgerînê re jî dibêje.
field-comments-open = Destûra şîroveyan bide
author = Nivîskar
column-date = Dîrok
view = Bibîne
status-draft = Reşnivîs
status-published = Weşandî
status-private = Taybet
status-pending = Li bendê
status-approved = Pejirandî
status-spam = Spam
status-trash = Çop
comment-filters = Şîroveyan parzûn bike
tab-pending = Li bendê
tab-approved = Pejirandî
tab-spam = Spam
tab-trash = Çop
tab-all = Hemû
bulk-actions = Karên bi kom
bulk-choose = Karekî hilbijêre
moderation-choose-action = Berî ku “Bisepîne” bitikînî karekî hilbijêre (Bipejirîne, Pejirandinê rake, Spam an Bavêje çopê). Tiştek nehat guhertin.
moderation-select-some = Berî ku “Bisepîne” bitikînî şîroveyên ku dê kar li ser wan bê kirin nîşan bike. Tiştek nehat guhertin.
action-approve = Bipejirîne
action-unapprove = Pejirandinê rake
action-spam = Spam
action-trash = Bavêje çopê
apply = Bisepîne
select = Hilbijêre
select-comment-by = Şîroveya { $name } hilbijêre
in-response-to = Bersiv ji bo
submitted-on = Hatiye şandin
in-reply-to = Bersiv ji şîroveya { $id } re
pages = Rûpel
newer = Nûtir
older = Kevntir
no-comments-here = Li vir şîrove tune.
moderated-approved = { PLURAL($count) ->
    [one] Şîroveyek hat pejirandin.
   *[other] { $count } şîrove hatin pejirandin.
}
moderated-pending = { PLURAL($count) ->
    [one] Pejirandina şîroveyekê hat rakirin.
   *[other] Pejirandina { $count } şîroveyan hat rakirin.
}
moderated-spam = { PLURAL($count) ->
    [one] Şîroveyek wek spam hat nîşankirin.
   *[other] { $count } şîrove wek spam hatin nîşankirin.
}
moderated-trash = { PLURAL($count) ->
    [one] Şîroveyek hat avêtin çopê.
   *[other] { $count } şîrove hatin avêtin çopê.
}
settings-saved = Mîheng hatin tomarkirin.
settings-general = Giştî
settings-discussion = Gotûbêj
field-tagline = Dirûşm
field-site-url = Navnîşana malperê (URL)
site-url-hint = Navnîşana ku xwîner bi kar tînin, wek https://example.org. Girêdanên di e-name, feed û têketinê de wê bi kar tînin.
site-url-from-config = Ji aliyê base_url ve di mîhengan de hatiye danîn (--base-url, TRIBUNE_BASE_URL).
field-site-language = Zimanê malperê
field-posts_per_page = Nivîs di her rûpelê de
field-hold-new-comments = Divê şîrove bi destan bên pejirandin
field-thread_depth = Kûrahiya bersivan
field-max_comment_chars = Şîroveya herî dirêj (tîp)
field-avatars = Avatar
avatars-identicon = Îkonên ku Tribune bi xwe diçêke (bê daxwaz ji aliyên sêyem)
avatars-gravatar = Gravatar
languages-nav = Ziman
all-languages = Hemû ziman
translations-nav = Werger
also-in = Bi zimanên din jî:
field-translations = Werger
unlink-translations = Ev nivîs ne wergera van e
field-translation-of = Bi wergera wê ve girêde
translation-none = — tu tişt —
site-lang-hint = Lîste, rêvebirin û e-name bi vî zimanî ne; rûpela her nivîsê bi zimanê nivîsê ye.
field-digits = Hejmar
digits-native = Hejmarên her zimanî (١٢٣ di erebî û soranî de, ۱۲۳ di farisî de)
digits-latin = Latînî (0–9) di hemû zimanan de
role-admin = Rêvebir
role-editor = Edîtor
role-author = Nivîskar
role-moderator = Moderator
nav-profile = Profîl
profile-saved = Profîl hat tomarkirin.
field-admin-language = Zimanê rûpelên rêvebirinê û e-nameyên te
admin-language-site = Zimanê malperê ({ $language })
admin-language-hint = E-nameyên şîroveyên ku li benda te ne jî bi vî zimanî tên nivîsîn.

## Sign-in with an identity provider
fill-in-or-click-icon = Agahiyên xwe li jêr binivîse an jî ji bo têketinê li îkonekê bitikîne:
sign-in-to-comment = Ji bo şîroveyê têkeve
sign-in-with = { $provider }
connecting-to = Girêdan bi { $provider } re…
continue-to = Berdewam bike: { $provider }
commenting-using = Tu bi hesabê xwe yê { $provider } şîroveyê dinivîsî.
log-out = Derkeve
change = Biguherîne
auth-error-unknown = Ev vebijarka têketinê li vê malperê tune. Şîroveya te hê li vir e.
auth-error-denied = Te destûr neda têketinê, ji ber vê tu têneketî. Şîroveya te hê li vir e.
auth-error-state = Ev têketin di vê gerokê de dest pê nekiriye, an jî berê hatiye bikaranîn. Ji kerema xwe dîsa biceribîne; şîroveya te hê li vir e.
auth-error-expired = Têketin pir dirêj kişand. Ji kerema xwe dîsa biceribîne; şîroveya te hê li vir e.
auth-error-code = Peydakar têketin qebûl nekir (dibe ku du caran hatibe bikaranîn). Ji kerema xwe dîsa biceribîne; şîroveya te hê li vir e.
auth-error-token = Bersiva peydakar nehat piştrastkirin, ji ber vê tu têneketî. Şîroveya te hê li vir e.
auth-error-down = Negihîşt peydakar. Paşê biceribîne, an jî wek mêvan şîrove binivîse; şîroveya te hê li vir e.
auth-error-profile = Peydakar negot tu kî yî. Vebijarkeke din biceribîne; şîroveya te hê li vir e.
auth-error-nostaff = Tu hesabê karmendan e-nameya piştrastkirî ya vê têketinê bi kar nayîne. Ji rêveberekî bixwaze ku te lê zêde bike.
field-approve-returning = Şîrovekarên têketî yên ku şîroveyeke wan a pejirandî heye pejirandinê derbas dikin
settings-signin = Peydakarên têketinê
staff-sso = karmend jî ji vir têdikevin
providers-hint = Nasnameya xerîdar û nehêniya ku te dema tomarkirina vê malperê li cem peydakarekî wergirt binivîse; ji bo vemirandinê nasnameya xerîdar vala bihêle. Peydakar dikarin di tribune.toml an guhêrbarên TRIBUNE_AUTH_* de jî bên danîn (docs/sign-in.md).
callback-address = Navnîşana vegerê ya ji bo tomarkirinê:
provider-configured = Di pelê mîhengan an hawirdorê de hatiye danîn.
field-client-id = Nasnameya xerîdar
field-client-secret = Nehêniya xerîdar
secret-unchanged = (nehatiye guhertin)
error-provider-secret = { $provider } ji bilî nasnameya xerîdar hewceyê nehêniya xerîdar e jî.

## Email
email-held-subject = [{ $site }] Ji kerema xwe binirxîne: “{ $title }”
email-held-intro = Şîroveyeke nû li ser “{ $title }” li benda pejirandina te ye:
email-held-queue = Hemû şîroveyên li benda nirxandinê:
email-digest-subject = [{ $site }] { PLURAL($count) ->
    [one] Şîroveyek li benda nirxandinê ye
   *[other] { $count } şîrove li benda nirxandinê ne
}
email-digest-intro = { PLURAL($count) ->
    [one] Şîroveyek li benda pejirandina te ye:
   *[other] { $count } şîrove li benda pejirandina te ne:
}
moderate-title = Şîroveyekê binirxîne
moderate-on = Li ser “{ $title }”:
nav-jobs = Kar
nav-privacy = Daneyên kesane
privacy-intro = Kesekî pirsî ev malper çi li ser wî digire, an jî xwest were jibîrkirin. Her tişt bi navnîşana e-nameya wî tê dîtin: şîroveyên ku nivîsîne (bi navnîşana IP û gerokê), abonetiyên wî yên e-nameyê û hesabên ku pê ketiye.
privacy-bad-email = Navnîşana e-nameya kesî binivîse, wek name@example.org.
privacy-pick-action = “Daxîne” an yek ji bişkokên jêbirinê hilbijêre.
privacy-confirm-needed = Jêbirin venagere: ji bo piştrastkirinê qutîkê nîşan bike, paşê dîsa li bişkokê bitikîne.
privacy-export-legend = Derxistin
privacy-export-help = Pelekî JSON bi her tiştê ku li ser vê navnîşanê hatiye tomarkirin, ji bo şandina ji kesî re.
privacy-export = Daneyên kesane daxîne (JSON)
privacy-erase-legend = Jêbirin
privacy-erase-help = “Bênav bike” şîroveyan dihêle lê nav, e-name, malper, navnîşana IP û gerokê radike; “Şîroveyan jê bibe” şîroveyan jî radike. Abonetî, hesabên têketinê û e-nameyên ji vê navnîşanê re di her du rewşan de tên jêbirin.
privacy-confirm = Ez fêm dikim ku ev venagere
privacy-anonymise = Bênav bike
privacy-delete = Şîroveyan jê bibe
privacy-anonymised = { PLURAL($count) ->
    [one] Şîroveyek hat bênavkirin.
   *[other] { $count } şîrove hatin bênavkirin.
}
privacy-deleted = { PLURAL($count) ->
    [one] Şîroveyek hat jêbirin.
   *[other] { $count } şîrove hatin jêbirin.
}
privacy-removed = Hatin rakirin: { $subscriptions } abonetî, { $identities } hesabên têketinê, { $emails } e-name.
privacy-staff-kept = Hesabekî karmendan vê navnîşanê bi kar tîne; hat parastin.
anonymous = Bênav
jobs-intro = E-name û karên din ên ku Tribune di paşxanê de dike. Karekî ku her têk diçe bi xeletiya xwe ya dawî li vir disekine.
job-kind = Cure
job-status = Rewş
job-attempts = Hewldan
job-error = Xeletiya dawî
job-next = Hewldana din
retry = Dîsa biceribîne
no-jobs = Li vir kar tune.
job-retried = Kar dîsa ket rêzê.
status-queued = Di rêzê de
status-running = Dixebite
status-done = Qediya
status-failed = Têk çû
tab-failed = Têkçûyî
tab-queued = Di rêzê de
tab-done = Qediyayî

## Subscriptions
notify-comments = Şîroveyên nû bi e-nameyê ji min re ragihîne.
notify-posts = Nivîsên nû bi e-nameyê ji min re ragihîne.
email-comment-subject = [{ $site }] Şîroveyeke nû li ser “{ $title }”
email-comment-intro = { $author } li ser “{ $title }” şîrove nivîsî:
email-read-reply = Bixwîne û bersiv bide:
email-unsubscribe = Abonetiyê betal bike
email-manage = Abonetiyên xwe birêve bibe:
email-post-subject = [{ $site }] { $title }
email-post-intro = { $site } nivîseke nû weşand:
email-confirm-subject = [{ $site }] Ji kerema xwe abonetiya xwe piştrast bike
email-confirm-intro = Kesekî, em hêvî dikin ku tu bî, ji { $site } xwest ku derbarê “{ $title }” de e-nameyan ji vê navnîşanê re bişîne.
email-confirm-action = Piştrast bike:
email-confirm-ignore = Heke ne tu bûyî, guh nede vê e-nameyê: tiştek nayê şandin.
subs-title = Abonetiyên e-nameyê
subs-for = Ji bo { $email }
subs-confirm = Piştrast bike
subs-confirmed = Spas: abonetiyên te hatin piştrastkirin.
subs-ended = Abonetiya te bi dawî bû. Êdî li ser wê e-name nayê.
subs-yours = Abonetiyên te
subs-posts = Nivîsên nû
subs-comments-on = Şîroveyên nû li ser “{ $title }”
subs-unconfirmed = hê nehatiye piştrastkirin
subs-none = Abonetiyên te yên din tune ne.
email-comment-digest-subject = [{ $site }] { PLURAL($count) ->
    [one] Şîroveyeke nû li ser “{ $title }”
   *[other] { $count } şîroveyên nû li ser “{ $title }”
}
email-comment-digest-intro = { PLURAL($count) ->
    [one] Şîroveyeke nû li ser “{ $title }”:
   *[other] { $count } şîroveyên nû li ser “{ $title }”:
}


## Errors
error-forbidden-title = Destûr tune
error-bad-request-title = Bersiva vê daxwazê nayê dayîn
error-too-many-title = Pir zêde daxwaz
error-too-many-text = Tu daxwazan ji ya ku ev malper qebûl dike zûtir dişînî. Deqeyekê bisekine û dîsa biceribîne.
error-busy-title = Mijûl e
error-busy-text = Malper niha nikare tiştekî tomar bike. Tiştek nehat guhertin; vegere û piştî deqeyekê dîsa biceribîne.
error-internal-title = Tiştek xelet çû
error-internal-text = Xeletî hat tomarkirin. Heke dubare bibe, nasnameya daxwazê ya li jêr ji xwediyê malperê re bibêje.
error-request-id = Nasnameya daxwazê:
error-unknown-list = Lîsteyeke şîroveyan a wisa tune. Yek ji tabên li jor hilbijêre.
error-already-set-up = Ev malper berê hatiye sazkirin. Li şûna wê li /admin/login têkeve.
error-link-invalid = Ev girêdana nirxandinê ne derbasdar e. Rêza şîroveyan li /admin/comments bi kar bîne.
error-link-expired = Dema vê girêdana nirxandinê derbas bûye. Rêza şîroveyan li /admin/comments bi kar bîne.
error-no-post = Forma şîroveyê negot ku ya kîjan nivîsê ye. Vegere nivîsê û ji wir bişîne.
error-subscription-gone = Ev girêdana abonetiyê êdî ne derbasdar e: dibe ku abonetî berê bi dawî bûbe.
error-form-expired = Dema vê formê derbas bûye an jî ji vê malperê nehatiye şandin. Vegere, rûpelê nû bike û dîsa biceribîne.
error-cross-site-title = Form ji malpereke din hatiye şandin
error-cross-site-text = Ev form ji rûpeleke malpereke din hat şandin, ji ber vê hat redkirin. Rûpelê li vê malperê veke û ji wir bişîne.
error-staff-provider = Karmend nikarin bi vî peydakarî têkevin.
error-signin-button = Divê bişkoka têketinê ji forma şîroveyê ya nivîsekê bê bikaranîn.
error-role = Rola te ({ $role }) destûrê nade vê. Ji rêveberekî bipirse.
error-bad-address-title = Navnîşana xelet
error-bad-address-text = Di vê navnîşanê de tîp hene ku tu navnîşana rûpelê nîne. Girêdanê kontrol bike, an ji rûpela sereke dest pê bike.
comment-lost-title = Şîroveya te nehat tomarkirin
comment-lost-text = Malper niha nikare tiştekî tomar bike. Ya ku te nivîsî ev e; kopî bike û piştî deqeyekê dîsa bişîne.
comment-lost-label = Şîroveya te

## Command line: moving in
import-posts = { $count } nivîs
import-pages = { $count } rûpel
import-comments = { $count } şîrove
import-users = { $count } bikarhêner
import-terms = { $count } kategorî û etîket
import-summary = Hat anîn: { $posts }, { $pages }, { $comments }, { $users }, { $terms }.
import-summary-dry = Dê bê anîn: { $posts }, { $pages }, { $comments }, { $users }, { $terms }.
import-already = Ji anîneke berê ve jixwe heye (wek xwe hat hiştin): { $count }.
import-skipped-heading = Hat derbaskirin ({ $count }):
import-changed-heading = Hat guhertin ({ $count }):
import-tally = { $count } × { $reason }
import-took = { $seconds } s kişand ({ $rate } şîrove/s).
import-took-memory = { $seconds } s kişand ({ $rate } şîrove/s), herî zêde bîr { $mb } MB.
import-skip-trash = di çopa WordPressê de
import-skip-revision = guhertoyek an pêvek
import-skip-attachment = pêvek (pelên medyayê li cihê xwe dimînin; nivîs girêdanê didin wan)
import-skip-post-type = cureyê naverokê `{ $what }` ne tiştekî ye ku Tribune nîşan dide
import-skip-no-post-id = hêmanek bê <wp:post_id>
import-skip-no-comment-id = şîroveyek bê <wp:comment_id>
import-skip-no-dsq-id = şîroveyek bê dsq:id
import-skip-comment-type = cureyê şîroveyê `{ $what }` ne şîroveya xwendevanekî ye
import-skip-empty-comment = şîroveya vala
import-skip-no-thread = şîrove li ser gotûbêjeke ku ne di pelê de ye
import-skip-parent-skipped = şîrove li ser hêmaneke ku hat derbaskirin
import-skip-unmatched-thread = şîroveyên li ser gotûbêjeke Disqusê ku li vir nivîseke wê ya hevber tune
import-note-language = ziman ji nivîsê hat dîtin: { $what }
import-note-no-date = bê dîrok: dîroka niha lê hat danîn
import-note-orphan-reply = bersivek ku şîroveya wê ya jorîn ne di pelê de ye: di asta yekem de tê nîşandan
import-note-password = bi şîfreyê parastî: wek taybet hat anîn
import-note-slug-renamed = navê girêdanê li vir jixwe tê bikaranîn: nav hat guhertin (girêdana kevn a /?p= hê jî dixebite)
import-label-item = rêza { $line }: { $type } “{ $title }”
import-label-line = rêza { $line }: { $title }
import-label-comment = rêza { $line }: şîroveya { $id }
import-label-comment-on = rêza { $line }: şîroveya { $id } li ser “{ $title }”
import-label-comment-id = şîroveya { $id }
import-label-renamed = { $label }: { $old } → { $new }
import-label-thread = { $link } (şîrove: { $count })
import-cannot-open = { $path } nayê vekirin: { $reason }
import-at-line = rêza { $line }, stûna { $column }: { $message }. Tiştek nehat anîn.
import-nothing = { $message } Tiştek nehat anîn.
import-database = danegehê anîn red kir ({ $reason }). Tiştek nehat anîn.
import-format-wordpress = hinardeyeke WordPressê
import-format-disqus = hinardeyeke Disqusê
import-not-format = { $path } ne { $format } e: bi <{ $found }> dest pê dike, lê { $format } bi <{ $root }> dest pê dike (rêza { $line }).
import-with-hint = { $message } { $hint }
import-hint-disqus = Ev hinardeyeke Disqusê ye: `tribune import disqus` bi kar bîne.
import-hint-wordpress = Wisa xuya ye ku hinardeyeke WordPressê ye: `tribune import wordpress` bi kar bîne.
import-empty-file = { $path } vala ye: { $format } bi <{ $root }> dest pê dike
import-not-wxr = Di { $path } de <wp:wxr_version> tune: ew herikeke RSS e, ne hinardeyeke WordPressê (WordPress: Amûr → Hinarde → Hemû naverok)
import-wxr-version = guhertoya WXR { $version } ne yek ji yên ku Tribune dixwîne ye (1.0, 1.1, 1.2)
import-cut-short = pel di nav <{ $name }> de diqede (li rêza { $line } vebûye): xuya ye ku qut bûye; dîsa hinarde bike
import-bad-attribute = taybetmendiya xelet: { $detail }
import-bad-attribute-named = taybetmendiya xelet `{ $name }`: { $detail }
import-bad-reference = referansa tîpê ya xelet: { $detail }
import-text-not-utf8 = nivîs ne UTF-8 e: { $detail }
import-cdata-not-utf8 = CDATA ne UTF-8 e: { $detail }
import-text-outside = nivîs li derveyî her hêmanê: ev ne hinardeyeke XML e
import-mismatched-end = </{ $found }> <{ $expected }> digire: pel ne XMLeke rast e
import-unmatched-end = </{ $name }> hêmaneke ku qet venebûye digire
import-not-xml = ne XMLeke rast e: { $detail }

## Command line
cli-error = çewtî: { $message }
cli-warning = hişyarî: { $message }
cli-no-site = li { $place } malpereke Tribune tune: --data-dir an --database-url kontrol bike, an jî --create-site lê zêde bike da ku li wir yeke nû dest pê bike (`tribune serve` jî yekê çêdike)
cli-cannot-create-dir = peldanka daneyan { $path } nayê çêkirin
cli-cannot-open-database = danegeha { $place } nayê vekirin
cli-cannot-listen = li { $bind } nayê guhdarîkirin
cli-not-an-email = `{ $email }` ne navnîşaneke e-nameyê ye
cli-cannot-read-password = şîfre ji têketina standard nayê xwendin
cli-role = { $role ->
        [admin] rêvebir
        [editor] edîtor
        [author] nivîskar
        [moderator] moderator
       *[other] { $role }
    }
cli-status = { $status ->
        [pending] li bendê
        [approved] pejirandî
        [spam] spam
        [trash] di çopê de
       *[other] { $status }
    }
cli-user-added = { $role } { $email } hat zêdekirin (nasname { $id })
cli-generated-password = şîfre: { $password }
cli-user-exists = bikarhênerek bi e-nameya { $email } jixwe heye
cli-column-id = NASNAME
cli-column-role = ROL
cli-column-email = E-NAME
cli-column-name = NAV
cli-column-status = REWŞ
cli-column-date = DÎROK (UTC)
cli-column-author = NIVÎSKAR
cli-column-post = NIVÎS
cli-column-comment = ŞÎROVE
cli-cannot-read-post = nivîs ji têketina standard nayê xwendin
cli-cannot-read = { $path } nayê xwendin
cli-cannot-create = { $path } nayê çêkirin
cli-cannot-write = { $path } nayê nivîsandin
cli-no-staff-account = hesabekî karmendan bi e-nameya { $email } tune
cli-no-admin = hêj rêvebir tune: pêşî `tribune user add --admin --email …` bixebitîne, an jî --author bide
cli-unknown-language = zimanê nenas `{ $tag }`: yek ji van bi kar bîne: { $tags }
cli-not-language-tag = `{ $tag }` ne koda zimanekî ye: yekê wek en, ar an ckb bi kar bîne
cli-slug-taken = navê girêdanê `{ $slug }` ji aliyê nivîseke din ve tê bikaranîn; --slug bide
cli-post-published = nivîsa { $id } li { $path } hat weşandin
cli-post-draft = reşnivîsa nivîsa { $id } hat tomarkirin; li /admin/posts/{ $id } biguherîne
cli-no-comment = şîroveyek bi nasnameya { $ids } tune; tiştek nehat guhertin
cli-moderated = { $status ->
        [approved] hat pejirandin
        [spam] wek spam hat nîşankirin
        [trash] çû çopê
       *[other] hat ragirtin
    }: { $count } şîrove
cli-unknown-name = { $what } ya nenas `{ $value }`: yek ji van bi kar bîne: { $choices }
name-role = rol
name-comment-status = rewşa şîroveyê
name-post-status = rewşa nivîsê
name-post-type = cureyê naverokê
name-comment-type = cureyê şîroveyê
name-body-format = formata nivîsê
name-job-kind = cureyê karî
name-job-status = rewşa karî
name-subscription = abonetî
name-term-kind = cureyê kategoriyê
cli-bad-site-url = `{ $url }` ne navnîşana malperekê ye: wek http(s)://host[:port][/path] binivîse, mînak https://example.org, bê bikarhêner, pirs an beşa piştî #
cli-bad-base-url = navnîşana bingehîn `{ $url }` divê navnîşanek wek https://example.org be
cli-no-base-url = navnîşana giştî ya malperê hêj nayê zanîn: --base-url https://example.org bide (an jî TRIBUNE_BASE_URL saz bike)
cli-count-posts-pages = { $count } nivîs û rûpel
cli-count-subscriptions = { $count } abonetî
cli-count-identities = { $count } nasnameya têketinê
cli-count-emails = { $count } e-name
cli-exported = Hat hinardekirin: { $posts } bi { $comments } re.
cli-deleted = Hat jêbirin: { $comments }.
cli-anonymised = Bênav hat kirin: { $comments }.
cli-removed = Hat rakirin: { $subscriptions }, { $identities }, { $emails }.
cli-staff-kept = Hesabekî karmendan vê navnîşanê bi kar tîne; hat hiştin (hesabên karmendan bi `tribune user` tên birêvebirin).
cli-erase-needs-yes = jêbirin venagere: --yes lê zêde bike da ku daneyên { $email } bê pirsîn were jêbirin
cli-erase-confirm = Ev tiştên li ser { $email } hatine tomarkirin jê dibe û venagere. Ji bo berdewamiyê navnîşanê dîsa binivîse:
cli-erase-mismatch = navnîşana hatî nivîsandin li hev nehat; tiştek nehat jêbirin
cli-importing = tê anîn
cli-time-left = { $eta } maye
cli-dry-run-done = Ceribandin: tiştek nehat nivîsandin. Ji bo anînê bê --dry-run dîsa bixebitîne.
cli-backup-postgres = ev malper li ser PostgreSQL e: bi pg_dump paşeşan bike, mînak pg_dump --format=custom --file { $file } "$TRIBUNE_DATABASE_URL" (binêre docs/operations.md)
cli-backup-exists = { $path } jixwe heye: navekî nû yê pelê hilbijêre, paşeşan qet li ser pelekî nanivîsin
cli-backup-damaged = kopî di kontrola tevahiyê de derneket ({ $problem }); tiştek nehat hiştin
cli-backup-cannot-check = kopî nayê kontrolkirin
cli-backed-up = Paşeşan hat kirin: { $posts } û { $comments } li { $path } ({ $mb } MB) di { $seconds } s de.

## Command line: settings
config-base-url = navnîşana bingehîn
config-bad-bind = navnîşana guhdarîkirinê `{ $bind }` ne bi şêweya HOST:PORT e, mînak 127.0.0.1:8080
config-bad-log-format = formata tomarê `{ $format }` ne text e ne jî json
config-no-theme = peldanka temayê { $path } tune
config-cannot-read = pelê mîhengan { $path } nayê xwendin: { $reason }
config-file-problem = pelê mîhengan { $path }: { $reason }
config-unknown-setting = mîhenga nenas `{ $setting }` di pelê mîhengan de; hat paşguhkirin
config-cannot-read-secret = { $name } { $path } nayê xwendin: { $reason }
config-preset-needs-both = { $section } hem client_id hem client_secret dixwaze (an { $env } û _CLIENT_SECRET)
config-oidc-bad-name = { $section }: navê pêşkêşkerê tîpên biçûk, jimar û - ye, û ne navê yekî amade ye
config-oidc-needs = { $section } issuer, client_id û client_secret dixwaze
config-oidc-https = issuer a { $section } divê navnîşaneke https:// be
config-oauth2-bad-name = { $section }: navê pêşkêşkerê tîpên biçûk, jimar û - ye, û tenê carekê tê bikaranîn
config-oauth2-needs = { $section } authorize_url, token_url, userinfo_url, client_id û client_secret dixwaze
config-staff-provider = auth.staff_provider `{ $name }` divê navê pêşkêşkerekî OpenID Connect ê çalak be

## Command line: arguments
cli-arg-unknown-command = fermana `{ $command }` tune
cli-arg-unknown-option = li vir vebijêrka `{ $option }` tune
cli-arg-missing = ev ferman { $options } dixwaze
cli-arg-invalid-value = `{ $value }` ne nirxeke ku { $option } distîne ye
cli-arg-choices = { $message }: yek ji van bi kar bîne: { $choices }
cli-arg-conflict = { $option } bi { $other } re nayê bikaranîn
cli-arg-did-you-mean = { $message } (mebesta te { $suggestion } bû?)
cli-arg-more = Ji bo agahiyên zêdetir, '--help' biceribîne.

## Command line: WordPress types
import-type-post = nivîs
import-type-page = rûpel
import-type-attachment = pêvek

## Command line: help (English is the doc comments in src/cli.rs; a test keeps them equal)
help-tribune = Tribune: daxuyanî û gotaran biweşîne, bersivan bistîne.
help-tribune--config = Mîhengan ji vî pelî bixwîne [standard: ./tribune.toml heke hebe]
help-tribune--data-dir = Peldanka danegeha SQLite û daneyên din [standard: ./tribune-data]
help-tribune--database-url = Danegeha ku tê bikaranîn: sqlite://PATH an postgres://USER@HOST/DB [standard: SQLite di peldanka daneyan de]
help-tribune--create-site = Heke li peldanka daneyan an navnîşana danegehê malper tune be, malpereke nû û vala çêke (`serve` her tim wisa dike)
help-tribune-serve = Malperê bixebitîne (bi awayê standard li http://127.0.0.1:8080)
help-tribune-serve--bind = Navnîşana ku lê tê guhdarîkirin [standard: 127.0.0.1:8080]
help-tribune-serve--base-url = Navnîşana giştî ya malperê, mînak https://example.org (ji bo girêdan û cookieyên ewle)
help-tribune-serve--theme = Peldanka temayê ku templates/ û assets/ ên wê şûna temaya hundirîn digirin
help-tribune-serve--log-format = Formata tomarê: text an json [standard: text]
help-tribune-serve--comments-per-minute = Hejmara şîroveyên ku navnîşanek di deqeyekê de dikare bişîne; 0 sînor radike [standard: 10]
help-tribune-serve--login-lockout-after = Têketinên karmendan ên têkçûyî (ji bo her hesabî û her navnîşanê) beriya girtina 15 deqeyan; bersivên hêdîtir ji sêyeka wê dest pê dikin; 0 wê radike [standard: 10]
help-tribune-serve--trusted-proxies = Proxyyên berevajî yên ku X-Forwarded-For / Forwarded / X-Forwarded-Proto ya wan tê bawerkirin, navnîşan an tor bi bêhnokê veqetandî, mînak 127.0.0.1,::1 [standard: tu yek]
help-tribune-serve--smtp-url = Servera SMTP ji bo e-nameyê, mînak smtp://user:pass@host:587?tls=required [standard: pelên .eml di DATA_DIR/mail de]
help-tribune-serve--mail-from = Şandyarê e-nameyên malperê, mînak "Ministry <news@example.org>" [standard: Tribune <tribune@localhost>]
help-tribune-user = Hesabên karmendan birêve bibe
help-tribune-user-add = Hesabekî karmendan zêde bike
help-tribune-user-add--email = Navnîşana e-nameyê ya ji bo têketinê
help-tribune-user-add--name = Navê ku li ser nivîsan tê nîşandan [standard: beşa e-nameyê ya beriya @]
help-tribune-user-add--role = admin (rêvebir), editor (edîtor), author (nivîskar) an moderator (moderator)
help-tribune-user-add--admin = Wek --role admin
help-tribune-user-add--password-stdin = Şîfreyê ji rêza yekem a têketina standard bixwîne (wekî din yek tê çêkirin û çapkirin)
help-tribune-user-list = Hesabên karmendan rêz bike
help-tribune-post = Nivîsan binivîse
help-tribune-post-new = Ji pelekî Markdown nivîsekê çêke (- têketina standard dixwîne)
help-tribune-post-new--title = Sernavê nivîsê
help-tribune-post-new--file = Pelê Markdown ê ku nivîs tê de ye
help-tribune-post-new--publish = Niha biweşîne li şûna tomarkirina reşnivîsê
help-tribune-post-new--slug = Navê girêdanê [standard: ji sernavê tê çêkirin]
help-tribune-post-new--lang = Zimanê nivîsê, kodeke BCP 47 wek en, ar, ckb [standard: zimanê malperê]
help-tribune-post-new--excerpt = Kurteyek ji bo lîsteyan
help-tribune-post-new--author = E-nameya nivîskar [standard: rêvebirê yekem]
help-tribune-comments = Şîroveyan kontrol bike
help-tribune-comments-list = Şîroveyan rêz bike, yên herî nû pêşî
help-tribune-comments-list--status = pending (li bendê), approved (pejirandî), spam an trash (çop) [standard: pending û approved]
help-tribune-comments-list--post = Tenê şîroveyên li ser vê nivîsê (bi nasname)
help-tribune-comments-list--limit = Herî zêde ev qas
help-tribune-comments-approve = Şîroveyan bipejirîne da ku xwendevan wan bibînin
help-tribune-comments-spam = Şîroveyan wek spam nîşan bike
help-tribune-comments-trash = Şîroveyan bibe çopê
help-tribune-import = Nivîs û şîroveyan ji WordPress an Disqusê bîne
help-tribune-import-wordpress = Hinardeyeke WordPressê bîne (WXR 1.0–1.2: Amûr → Hinarde → Hemû naverok)
help-tribune-import-wordpress--file = Pelê .xml ê ku WordPressê da te
help-tribune-import-wordpress--lang = Zimanê her nivîseke hatî anîn, kodeke BCP 47 wek en, ar, ckb [standard: zimanê her nivîsê bi xwe (Polylang), wekî din yê hinardeyê, wekî din yê malperê]
help-tribune-import-wordpress--dry-run = Tevahiya pelê bixwîne û bêje dê çi were, bêyî ku tiştekî binivîsî
help-tribune-import-disqus = Hinardeyeke Disqusê bîne, gotûbêjên wê li gorî URLê bi nivîsên vir re li hev bîne
help-tribune-import-disqus--file = Pelê .xml ê ku Disqusê ji te re şand (pêşî bi gunzip veke)
help-tribune-import-disqus--dry-run = Tevahiya pelê bixwîne û bêje dê çi were, bêyî ku tiştekî binivîsî
help-tribune-export = Tevahiya malperê derxe (WordPress WXR)
help-tribune-export-wordpress = Tevahiya malperê wek WordPress eXtended RSS 1.2 binivîse (bi awayê standard li derketina standard)
help-tribune-export-wordpress--output = Li şûna derketina standard di vî pelî de binivîse
help-tribune-export-wordpress--base-url = Navnîşana giştî ya malperê, ji bo girêdanên di pelê de [standard: base_url ji mîhengan, wekî din navnîşana ku di sazkirinê de hat tomarkirin]
help-tribune-privacy = Hemû tiştên li ser navnîşaneke e-nameyê hatine tomarkirin derxe an jê bibe
help-tribune-privacy-export = Hemû tiştên li ser navnîşaneke e-nameyê hatine tomarkirin wek JSON çap bike
help-tribune-privacy-erase = Daneyên navnîşaneke e-nameyê jê bibe: şîrove bênav dibin (an tên jêbirin), abonetî, nasnameyên têketinê û e-name tên rakirin. Pêşî dipirse, heke --yes nebe
help-tribune-privacy-erase--delete-comments = Şîroveyên wî/wê jê bibe li şûna bênavkirinê
help-tribune-privacy-erase--yes = Bê pirsîn jê bibe (ji bo skrîptan)
help-tribune-backup = Tevahiya malperê dema ku dixebite bi awayekî hevgirtî kopî bike (SQLite; PostgreSQL bi pg_dump)
help-tribune-backup--file = Kopî li ku were nivîsandin (pelê danegeha SQLite; divê hêj tune be)
cli-help-usage = Bikaranîn:
cli-help-commands = Ferman
cli-help-options = Vebijêrk
cli-help-arguments = Arguman
cli-help-help = Alîkariyê çap bike
cli-help-version = Guhertoyê çap bike

## Command line: help around the lines
cli-help-default = standard
cli-help-env = guherbara jîngehê
cli-help-subcommand = Vê peyamê an alîkariya jêrfermana diyarkirî çap bike

## Administration: jobs
job-kind-email = E-name
job-kind-held_digest = Kurteya şîroveyên ragirtî
job-kind-comment_digest = Kurteya şîroveyên nû
job-kind-comment_approved = Şîroveya pejirandî
job-kind-post_published = Nivîsa weşandî
job-summary-email = { $subject } → { $to }
job-summary-held-digest = şîroveyên ragirtî, ji { $to } re
job-summary-comment-digest = şîroveyên nû li ser nivîsa { $post }, ji { $to } re
job-summary-comment-approved = şîroveya { $id }
job-summary-post-published = nivîsa { $id }

## Administration: jobs, how email leaves
jobs-transport-smtp = e-name bi SMTP tê şandin
jobs-transport-files = servera SMTP tune: e-name wek pel di { $dir } de tê nivîsandin

## Administration: discussion rules
field-require-name-email = Nivîskarê şîroveyê divê nav û e-nameyê binivîse
field-close_after_days = Şîroveyan li ser nivîsên ji vê kevntir bigire (roj)
close-after-days-hint = 0 wan vekirî dihêle.
field-max_links = Şîroveyê di rêzê de bigire heke ev qas girêdan an zêdetir tê de hebin
max-links-hint = Gelek girêdan taybetiyeke spamê ya berbelav e. 0 vê digire.
field-moderation-keys = Kontrola şîroveyan: peyvên ku şîroveyê digirin
moderation-keys-hint = Di her rêzê de peyvek, gotinek an navnîşanek, di nivîs, nav, e-name, malper, navnîşana IP an gerokê de tê dîtin, di nav peyvên din de jî (“press” li “WordPress” tê); ji bo tenê peyva tevahî /press/ binivîse.
field-disallowed-keys = Peyvên qedexe: peyvên ku şîroveyê dişînin spamê
disallowed-keys-hint = Wek lîsteya jorîn li hev tên. Şîroveyeke wisa diçe Spamê: li wir tê hilanîn, qet nayê nîşandan û e-name ji kesî re nayê şandin.

## Administration: previously approved
field-previously-approved = Divê nivîskarê şîroveyê şîroveyeke berê ya pejirandî hebe

## Administration: why a rule decided
rule-links = Qaîdeyekê ew girt: { $count } girêdan (sînor { $max }).
rule-moderation-word = Qaîdeyekê ew girt: “{ $word }” peyveke kontrolê ye (di { $field } de).
rule-disallowed-word = Qaîdeyekê ew şand spamê: “{ $word }” peyveke qedexe ye (di { $field } de).
rule-field-ip = navnîşana IP
rule-field-user-agent = gerok

## Administration: where a rule matched
rule-field-body = nivîsê
rule-field-name = navê
rule-field-email = e-nameyê
rule-field-url = malperê

## Administration: rules from the configuration
discussion-fixed-hint = Qadên ku bi rengê gewr tên nîşandan di pelê mîhengan de hatine danîn ([discussion] di tribune.toml de).

## Administration: the spam folder
action-not-spam = Ne spam e
empty-spam = Spamê vala bike
empty-trash = Çopê vala bike
moderated-deleted = { PLURAL($count) ->
        [one] Şîroveyek bi temamî hat jêbirin.
       *[other] { $count } şîrove bi temamî hatin jêbirin.
    }

## Comment form: the honeypot
honeypot-label = Vê qadê vala bihêle

## Administration: why Tribune decided before a moderator
rule-blocked = Hat şandin spamê: { $field } “{ $value }” di lîsteya astengkirinê de ye.
trap-honeypot = Xefika botan ew şand spamê: qada veşartî ya ku tenê bername tijî dikin hatibû tijîkirin.
trap-forged = Xefika botan ew şand spamê: dema formê ji aliyê vê malperê ve nehatibû îmzekirin.
trap-too-fast =
    Xefika botan ew şand spamê: { PLURAL($count) ->
        [one] { $count } çirke
       *[other] { $count } çirke
    } piştî ku form hat nîşandan hat şandin.
trap-expired =
    Hat girtin: rûpel { PLURAL($count) ->
        [one] { $count } saet
       *[other] { $count } saet
    } vekirî bû berî ku şîrove bê şandin.
trap-no-script = Hat girtin: bê JavaScript hat şandin, ji ber vê dema formê nehat kontrolkirin.
filter-score = Parzûna spamê: { $score } % îhtîmala spamê. Nîşanên herî girîng: { $clues }

## Administration: blocking from the queue
block-email = E-nameyê asteng bike
block-ip = IP-yê asteng bike
block-name = Navê asteng bike
moderated-blocked =
    { PLURAL($count) ->
        [one] { $count } tomar hat astengkirin; şîrove di spamê de ye.
       *[other] { $count } tomar hatin astengkirin; şîrove di spamê de ne.
    }

## Administration: spam settings
settings-spam = Spam
settings-comments-display = Şîrove li ser rûpelê
field-block-list = Lîsteya astengkirinê: e-name, navnîşanên IP û navên ku şîroveyên wan diçin spamê
block-list-hint = Her rêzekê yek: email someone@example.org, ip 203.0.113.9 an name Nav, bi tevahî tê berhevkirin, tîpên mezin û biçûk ne girîng in. Bişkokên Asteng bike yên di Şîroveyan de lê zêde dikin.
filter-learned = Parzûna spamê ji her Bipejirîne, Spam û Ne spam e fêr dibe. Heta niha ji { $spam } spam û { $ham } şîroveyên din fêr bûye; gava ji her yekê { $min } fêr bibe biryarê dide, û heta wê demê her şîroveyê puan dike.
field-spam_threshold = Şîroveya mêvanekî di vê puanê (%) an jortir de bişîne spamê
spam-threshold-hint = Şîrovekerên têketî qet tenê bi puana xwe naçin spamê: tên girtin.
field-hold_threshold = Şîroveyê ji bo kontrolê di vê puanê (%) an jortir de bigire
hold-threshold-hint = 0: puan tiştekî nagire.
field-form_min_seconds = Forma ku ji van çend çirkeyan zûtir piştî nîşandanê bê şandin ya botekî ye
form-min-seconds-hint = Şîroveyên wisa di spamê de tên hilanîn, ji wir dikarin werin vegerandin. 0 vê kontrolê digire.
field-spam_days = Spamên ji van çend rojan kevintir jê bibe
spam-days-hint = Her saet tê kontrolkirin. 0 spamê dihêle heta ku kesek vala bike.

## Administration: the activity log
nav-activity = Çalakî
activity-intro = Her karê kontrolê û guherîna qaîdeyan: kê kir, kengê û ji ku derê.
activity-from = Ji
activity-any = Her
activity-what = Çi
activity-email = E-nameya şîrovekerê
activity-filter = Parzûn
activity-when = Kengê
activity-who = Kî
activity-comment = Şîrove
activity-detail = Hûrgilî
activity-someone = kesek bi girêdana e-nameyê
activity-none = Hê tiştek nehatiye tomarkirin.
activity-source-admin = rûpelên rêveberiyê
activity-source-email = girêdana e-nameyê
activity-source-cli = rêza fermanan
activity-source-filter = parzûna spamê
activity-source-rule = qaîdeya gotûbêjê
activity-source-trap = xefika botan
activity-source-job = karê demkirî
activity-source-service = servîsa spamê (Akismet)
activity-action-approve = Hat pejirandin
activity-action-unapprove = Pejirandin hat rakirin
activity-action-spam = Wek spam hat nîşankirin
activity-action-not-spam = Ne spam e
activity-action-trash = Çû çopê
activity-action-hold = Hat girtin
activity-action-delete = Bi temamî hat jêbirin
activity-action-block = Hat astengkirin
activity-action-settings = Qaîde hatin guhertin

## Jobs: spam
job-kind-purge_spam = Paqijkirina spamê
job-kind-spam_check = Kontrola servîsa spamê
job-kind-spam_report = Rapor ji servîsa spamê re
job-kind-webmention_receive = Webmentiona hatî
job-kind-webmentions_send = Webmentionên ji bo şandinê
job-kind-webmention_send = Şandina Webmentionê
job-summary-purge-spam = spamên kevin tên jêbirin, paşê piştî saetekê dîsa
job-summary-spam-check = şîroveya { $id }
job-summary-spam-report-spam = şîroveya { $id } spam e
job-summary-spam-report-ham = şîroveya { $id } ne spam e

## Configuration: spam service and limits
config-akismet-endpoint = navnîşana servîsa spamê `{ $endpoint }` ne navnîşaneke http:// an https:// ye ([akismet] endpoint, TRIBUNE_AKISMET_ENDPOINT)
config-env-number = { $key } `{ $value }` e, ne hejmareke tam e

## Command line: the activity log
cli-log-someone = (girêdana e-nameyê)
help-tribune-comments-not-spam = Ne spam e: vedigere rêza kontrolê, û parzûna spamê jê fêr dibe
help-tribune-comments-log = Tomara çalakiyan: her karê kontrolê û guherîna qaîdeyan, yê herî nû pêşî
help-tribune-comments-log--source = admin, email, cli, filter, rule, trap, job an service
help-tribune-comments-log--action = approve, unapprove, spam, not-spam, trash, hold, delete, block an settings
help-tribune-comments-log--email = Tenê tomarên li ser e-nameya vî şîrovekerî
help-tribune-comments-log--limit = Herî zêde ev qas

## Administration: a score with nothing to go on
filter-score-unknown = Parzûna spamê: di vê şîroveyê de hê tiştek tune ku jê fêr bûbe.

## Comment form: remember me
save-my-details = Nav, e-name û malpera min di vê gerokê de tomar bike ji bo cara din ku şîrove dinivîsim.

## Administration: staff accounts
nav-users = Bikarhêner
users-name = Nav
field-role = Rol
users-state = Rewş
users-actions = Çalakî
users-you = tu
users-change-role = Rolê biguherîne
users-state-off = Neçalak
users-state-invited = Hatiye vexwendin, hêj şîfre tune
users-state-active = Ji { $date } ve çalak e
users-resend = Vexwendinê dîsa bişîne
users-deactivate = Neçalak bike
users-activate = Çalak bike
users-delete = Jê bibe
users-invite = Kesekî vexwîne
users-invite-help = E-nameyek bi girêdanekê ji bo hilbijartina şîfreyê digihêje wan. Girêdan hefteyekê dixebite.
users-role-hint = Rêvebir her tiştî birêve dibe; edîtor hemû nivîsan dinivîse, sererast dike û şîroveyan kontrol dike; nivîskar nivîsên xwe dinivîse; moderator li şîroveyan dinêre.
users-send-invitation = Vexwendinê bişîne
users-invited = Vexwendin hat şandin.
users-invitation-resent = Vexwendin dîsa hat şandin.
users-invitation-wait = Kêmtir ji deqeyekê berê e-nameyek çû vê navnîşanê. Piştî deqeyekê dîsa biceribîne.
users-role-changed = Rol hat guhertin.
users-deactivated = Hesab hat neçalakkirin: êdî nikare têkeve û danişînên wê bi dawî bûn. Nivîsên wê dimînin.
users-activated = Hesab dîsa çalak e.
users-removed = Hesab hat jêbirin.
users-delete-title = { $name } were jêbirin?
users-reassign = { PLURAL($count) ->
    [one] Nivîsa wî/wê diçe ba:
   *[other] { $count } nivîsên wî/wê diçin ba:
}
users-no-posts = Tu nivîs nenivîsandine.
users-delete-warning = Danişînên wî/wê bi dawî dibin û hesab bi carekê diçe; tomara çalakiyê tiştên wî/wê kirine bi navê wî/wê diparêze.
users-delete-confirm = Hesab jê bibe
cancel = Betal bike
error-last-admin = Malper herî kêm rêvebirekî çalak hewce dike: pêşî kesekî din bike rêvebir.
error-user-has-posts = Hê nivîsên vî hesabî hene: hilbijêre ka ew ê biçin ba kê.
error-reassign-self = Nivîsên wî/wê nikarin biçin ba hesabê ku tê jêbirin: kesekî din hilbijêre.
error-not-yourself = Tu li vir nikarî vê bi hesabê xwe bikî: ji rêvebirekî din bixwaze, an profîla xwe bikar bîne.
error-already-has-password = Şîfreya vî hesabî heye; xwediyê wê dikare “Te şîfreya xwe ji bîr kir?” bikar bîne.
error-unknown-role = Ji lîsteyê rolekê hilbijêre.
error-unknown-action = Ev çalakî li vir nayê naskirin. Vegere û yek ji bişkojên rûpelê bikar bîne.
error-user-exists = Hesabekî din vê navnîşana e-nameyê bikar tîne.
error-current-password = Ev ne şîfreya te ya niha ye.
name-account-link = girêdana hesab

## Administration: lost password and emailed links
lost-password = Te şîfreya xwe ji bîr kir?
lost-password-link = Te şîfreya xwe ji bîr kir?
lost-password-help = Navnîşana e-nameyê ya hesabê xwe yê karmendiyê binivîse. Girêdanek ji bo hilbijartina şîfreyeke nû dê bigihêje te.
lost-password-send = Girêdanekê ji min re bişîne
lost-password-sent = { PLURAL($count) ->
    [one] Heke { $email } yê hesabekî karmendiyê be, girêdanek ji bo hilbijartina şîfreyeke nû di rê de ye. Tenê carekê û saetekê dixebite.
   *[other] Heke { $email } yê hesabekî karmendiyê be, girêdanek ji bo hilbijartina şîfreyeke nû di rê de ye. Tenê carekê û { $count } saetan dixebite.
}
back-to-login = Vegere têketinê
choose-password = Şîfreyekê hilbijêre
choose-password-welcome = Bi xêr hatî { $name }. Şîfreya ku tu ê pê têkevî hilbijêre.
choose-password-help = Şîfreyeke nû hilbijêre. Hemû danişînên vî hesabî bi dawî dibin; paşê pê têkeve.
field-new-password = Şîfreya nû
save-password = Şîfreyê tomar bike
account-link-gone = Ev girêdan êdî naxebite: dema wê qediya an berê hatiye bikaranîn. Yeke nû bixwaze.
lost-password-again = Girêdaneke nû bixwaze
password-set-log-in = Şîfreya te hat tomarkirin. Pê têkeve.
email-reset-subject = [{ $site }] Şîfreyeke nû hilbijêre
email-reset-intro = Kesekî xwest ku şîfreya hesabê karmendiyê { $email } li ser { $site } were nûkirin.
email-reset-action = Şîfreyeke nû hilbijêre:
email-reset-expires = { PLURAL($count) ->
    [one] Girêdan carekê û saetekê dixebite.
   *[other] Girêdan carekê û { $count } saetan dixebite.
}
email-reset-ignore = Heke te nexwestibe, guh nede vê e-nameyê: şîfreya te wek xwe dimîne.
email-invite-subject = [{ $site }] Tu hatî vexwendin
email-invite-intro = { $name } tu vexwendî ku di birêvebirina { $site } de alîkarî bikî.
email-invite-action = Şîfreya xwe hilbijêre:
email-invite-expires = { PLURAL($count) ->
    [one] Girêdan rojekê dixebite.
   *[other] Girêdan { $count } rojan dixebite.
}
email-account-sign-in = Paşê bi { $email } têkeve li

## Administration: your profile and sessions
profile-about = Derbarê te de
field-current-password = Şîfreya niha
profile-email-needs-password = Tenê ji bo guhertina navnîşana e-nameya te pêwîst e.
profile-password = Şîfre
profile-password-signs-out = Danişînên te yên din bi dawî dibin.
profile-change-password = Şîfreyê biguherîne
profile-password-changed = Şîfre hat guhertin. Danişînên te yên din bi dawî bûn.
profile-signed-out-others = Tu ji her derê din derketî.
profile-signed-out-one = Ew danişîn bi dawî bû.
profile-sessions = Tu li ku derê têketî yî
profile-sessions-help = Her gerokê ku ketiye vî hesabî. Yên ku tu nas nakî bi dawî bike.
session-browser = Gerok
session-address = Navnîşan
session-started = Têketin
session-this = ev gerok
session-sign-out = Derkeve
sign-out-others = Ji her derê din derkeve
sign-out-everywhere = Ji her derê derkeve

## Command line: staff accounts
cli-password-set = şîfre ji bo { $email } hat danîn; danişînên wî/wê bi dawî bûn
cli-role-changed = { $email } niha { $role } e
cli-user-removed = { $email } hat jêbirin
cli-posts-reassigned = { PLURAL($count) ->
    [one] nivîsek niha ya { $email } e
   *[other] { $count } nivîs niha yên { $email } in
}
help-tribune-user-passwd = Şîfreya karmendekî deyne û wî/wê ji her derê derxe
help-tribune-user-passwd--user = Navnîşana e-nameyê an id ya wî/wê
help-tribune-user-passwd--password-stdin = Şîfreyê ji rêza yekem a têketina standard bixwîne (wekî din yek tê çêkirin û çapkirin)
help-tribune-user-role = Rolê karmendekî biguherîne
help-tribune-user-role--user = Navnîşana e-nameyê an id ya wî/wê
help-tribune-user-role--role = admin (rêvebir), editor (edîtor), author (nivîskar) an moderator (moderator)
help-tribune-user-remove = Hesabekî karmendiyê jê bibe
help-tribune-user-remove--user = Navnîşana e-nameyê an id ya wî/wê
help-tribune-user-remove--reassign = Nivîsên wî/wê bide vî karmendî (navnîşana e-nameyê an id)

## Comment pages
comment-pages = Rûpelên şîroveyan
comment-pages-below = li binê şîroveyan
comment-page-of = Rûpela şîroveyan { $page } ji { $count }
older-comments = Şîroveyên kevintir
newer-comments = Şîroveyên nûtir
field-page_comments = Şîroveyan li rûpelan parve bike
field-comments_per_page = Şîroveyên asta jor di her rûpelê de
field-default_comments_page = Rûpela ku pêşî tê nîşandan
comments-page-newest = Rûpela dawî (şîroveyên herî nû)
comments-page-oldest = Rûpela yekem (şîroveyên herî kevn)
field-comment_order = Li serê her rûpelê
comment-order-asc = Şîroveya herî kevn
comment-order-desc = Şîroveya herî nû
field-edit_minutes = Şîrovekar dikare şîroveya xwe sererast bike an jê bibe heta (deqe)
edit-minutes-hint = Ji geroka ku pê hatiye nivîsandin. 0: qet.

## Comments: editing your own
edit-your-comment = Şîroveya xwe sererast bike
edit-comment-on = Li ser “{ $title }”
back-to-post = Vegere nivîsê
edit-until = { PLURAL($count) ->
    [one] Tu dikarî heta { $until } wê biguherînî an jê bibî (nêzî deqeyekê maye).
   *[other] Tu dikarî heta { $until } wê biguherînî an jê bibî (nêzî { $count } deqe mane).
}
save-changes = Guhertinan tomar bike
delete-my-comment = Şîroveya min jê bibe
edit-my-comment = Sererast bike an jê bibe
edit-for-a-while = (şîroveya te, ji bo çend deqeyan ji vê gerokê)
error-edit-window-over = Êdî ev şîrove ji vê gerokê nayê guhertin: dema sererastkirinê qediya, an li cihekî din hatiye nivîsandin.
activity-source-author = şîrovekar
activity-action-edit = Ji aliyê nivîskarê xwe ve hat sererastkirin

## Staff on the public site
staff-bar = Karmend
staff-bar-dashboard = Panel
staff-bar-new-post = Nivîsa nû
staff-bar-edit-post = Vê nivîsê sererast bike
staff-bar-waiting = { PLURAL($count) ->
    [one] Li vir şîroveyek li bendê ye
   *[other] Li vir { $count } şîrove li bendê ne
}
action-edit = Sererast bike
edit-comment = Şîroveyê sererast bike

## Administration: editing a comment
comment-edited = Şîrove hat tomarkirin.

## Administration: the posts list
posts-filters = Nivîs li gorî rewşê
posts-tab-all = Hemû
posts-tab-published = Weşandî
posts-tab-draft = Reşnivîs
posts-tab-private = Taybet
posts-tab-trash = Çop
posts-search = Di nivîsan de bigere
posts-any = Her yek
posts-category = Kategorî
posts-filter = Parzûn bike
posts-found = { PLURAL($count) ->
    [one] Nivîsek
   *[other] { $count } nivîs
}
posts-restore = Vegerîne
posts-delete = Bi temamî jê bibe
posts-trashed = Nivîs çû çopê.
posts-restored = Nivîs ji çopê hat vegerandin.
posts-deleted = Nivîs bi şîroveyên xwe ve bi temamî hat jêbirin.
posts-pages = Rûpelên nivîsan
posts-newer = Nivîsên nûtir
posts-older = Nivîsên kevintir
posts-page-of = Rûpel { $page } ji { $count }
status-scheduled = Demkirî

## Administration: the editor
post-published = Nivîs hat weşandin.
post-scheduled = Nivîs hat demkirin.
field-new-category = Kategoriyên nû
field-tags = Etîket
terms-hint = Bi bêhnokê ji hev veqetîne.
update-post = Nû bike
save-draft = Reşnivîsê tomar bike
publish-post = Biweşîne
schedule-post = Dem bike

## Administration: revisions and autosave
revisions = Guhertoyan
revisions-of = Guhertoyên “{ $title }”
revisions-count = { PLURAL($count) ->
    [one] Guhertoyek
   *[other] { $count } guherto
}
back-to-editor = Vegere edîtorê
compare-title = Guhertoya { $date } li kêleka nivîsê wek niha
compare-part-excerpt = Kurte
compare-part-body = Nivîs
revision-by = Tomarkirin ji aliyê
revision-autosave = tomarkirina xweber
revision-current = niha
revision-compare = Bi niha re bide ber hev
revision-restore = Vê guhertoyê vegerîne
revision-restored = Guherto hat vegerandin.
error-revision-invalid = Ev guherto wek xwe nayê vegerandin: edîtorê veke û nivîsa wê tê de bike.
error-autosave-incomplete = Hêj bixweber nehatiye tomarkirin: nivîs sernavekî hewce dike.
autosaved-at = Reşnivîs di { $time } de hat tomarkirin.

## Administration: revisions, the parts compared
compare-part-title = Sernav

## Administration: the editor, filing
categories-and-tags = Kategorî û etîket

## Administration: media
nav-media = Medya
media-uploaded = Li pirtûkxaneyê hat barkirin.
media-deleted = Pel hat jêbirin.
media-choose-files = Pelên ji bo barkirinê
media-limits = Wêneyên JPEG, PNG, WebP an GIF û pelên PDF, her yek heta { $max } MB. SVG nayê qebûlkirin.
media-alt = Nivîsa alternatîf
media-alt-hint = Wêneyê ji bo kesên ku nikarin bibînin rave bike. Tenê heke wêne ji bo xemilandinê be vala bihêle.
media-upload = Bar bike
media-search = Di pirtûkxaneyê de bigere
media-kind = Cure
media-kind-image = Wêne
media-kind-pdf = Pelên PDF
media-unused = Tenê pelên ku tu nivîs bi kar naynin
media-found =
    { PLURAL($count) ->
        [one] 1 pel
        *[other] { $count } pel
    }
media-no-alt = Nivîsa alternatîf tune
media-used-count =
    { PLURAL($count) ->
        [one] Di 1 nivîsê de tê bikaranîn
        *[other] Di { $count } nivîsan de tê bikaranîn
    }
media-unused-label = Nayê bikaranîn
media-none = Hê tu pel tune. Yê yekem li jor bar bike.
media-saved = Hat tomarkirin.
media-open-pdf = PDFê veke
media-address = Navnîşan
media-size = Mezinahî
media-uploaded-on = Hat barkirin
media-markdown = Di nivîsê de
media-used-in = Tê bikaranîn di
media-delete-when-unused = Pel dikare were jêbirin dema ku tu nivîs wî nîşan nede: pêşî wî ji van nivîsan derxe.
media-used-nowhere = Tu nivîs vê pelê bi kar nayne.
media-delete = Bi temamî jê bibe
media-size-kb = { $size } KB
media-size-mb = { $size } MB
media-error-empty = Pel vala ye.
media-error-too-large = Pel { $size } MB ye; sînor { $max } MB ye. Biçûktir bike (wêneyek bi firehiya 2.000 pîkselan bes e) û dîsa bar bike.
media-error-svg = Wêneyên SVG nayên qebûlkirin: dikarin skrîptên ku li vê malperê bixebitin hilgirin. Wêneyê wek PNG derxe û wê bar bike.
media-error-type = Ev cure pel nayê qebûlkirin. Wêneyên JPEG, PNG, WebP an GIF, an pelên PDF bar bike.
media-error-pixels = Wêne { $width }×{ $height } pîksel e; sînor { $max } megapîksel e. Biçûktir bike û dîsa bar bike.
media-error-unreadable = Pel wek pelek { $kind } dest pê dike lê nayê xwendin: dibe ku xera bûbe an kêm be. Dîsa tomar bike û bar bike.
media-error-broken-upload = Barkirin bi temamî negihîşt. Dîsa biceribîne.
media-error-no-file = Pêşî pelekê ji bo barkirinê hilbijêre.
media-error-storage = Pel niha nehat hilanîn; tu tişt nehat parastin. Piştî demekê dîsa biceribîne.
media-error-in-use = Ev pel di nivîsekê de tê nîşandan, ji ber vê nehat jêbirin. Pêşî wî ji nivîsên jêrîn derxe.
media-uploading = Tê barkirin
media-inserted = Hat zêdekirin:
media-open-library = Wêne û pelan di pirtûkxaneya medyayê de bar bike (di hilpekîneke nû de vedibe), paşê Markdowna wan li vir bi cih bike.
media-add = Medya zêde bike
media-from-library = Ji pirtûkxaneyê
media-drop-hint = an wêneyan bavêje nav nivîsê an bi cih bike
media-alt-for = Nivîsa alternatîf ji bo
media-alt-save = Nivîsa alternatîf tomar bike
media-insert = Têxe
media-set-featured = Wek wêneya sereke deyne
close = Bigire
featured-image = Wêneya sereke
featured-image-choose = Wêneya ku li jora nivîsê û di pêşdîtinên girêdanan de tê nîşandan
featured-image-none = Tune
config-s3-endpoint = navnîşana sepeta medyayê `{ $endpoint }` ne navnîşaneke http:// an https:// e ([media] s3_endpoint, TRIBUNE_S3_ENDPOINT)
config-s3-incomplete = sepeteke S3 ji bo medyayê hewceyî hemû s3_endpoint, s3_bucket, s3_access_key û s3_secret_key ye ([media] an TRIBUNE_S3_*)

## Moving in: media
help-tribune-import-wordpress--fetch-media = Wêne û pelên derxistinê bîne pirtûkxaneya medyayê (ji navnîşanên wan ên di derxistinê de) û ji vir nîşan bide
import-label-attachment = rêza { $line }: { $url }
import-note-media-failed = pêvekek nehat anîn ({ $reason }); nivîs hê jî girêdana navnîşana wê ya kevn didin
import-media =
    { PLURAL($count) ->
        [one] { $count } pel anîn pirtûkxaneya medyayê.
        *[other] { $count } pel anîn pirtûkxaneya medyayê.
    }

## Administration: media, back
media-back = ← Medya

## Feeds
feed-comments-title = Şîroveyên { $site }
feed-post-comments-title = Şîroveyên li ser: { $title }
feed-comment-by = Ji aliyê: { $author }
feed-comment-on = Şîroveya { $author } li ser { $title }
feed-posts-link = { $site } » Feed
feed-comments-link = { $site } » Feeda şîroveyan
feed-archive-link = { $site } » Feeda { $name }
feed-post-comments-link = { $site } » Feeda şîroveyên { $title }
field-posts_per_rss = Hejmara nivîsan di her feedê de
field-rss_use_excerpt = Her nivîs di feedê de nîşan dide
feed-full-text = Nivîsa tevahî
feed-summary = Kurte
feed-follow = Bi feedê bişopîne

## Search
search-label = Lêgerîn
search-button = Bigere
search-placeholder = Di vê malperê de bigere
search-title = Encamên lêgerînê ji bo “{ $query }”
search-count =
    { PLURAL($count) ->
        [one] Encamek.
       *[other] { $count } encam.
    }
search-count-more = Ji { $count } encaman zêdetir.
search-slow-down = Te di vê deqîqeyê de gelek caran lê geriyaye. Piştî deqîqeyekê dîsa biceribîne.
search-nothing = Tiştek li van peyvan nehat. Kêmtir peyv an rastnivîsek din biceribîne.
search-more = Encamên din
search-back = Encamên berê

## Webmention
comment-type-webmention = Behskirin:
webmention-accepted = Hat wergirtin. Çavkanî dê were kontrolkirin, û behskirin piştî ku moderatorek bipejirîne wê xuya bibe.
webmention-bad-urls = Çavkanî û armancê wek navnîşanên http an https bide.
webmention-same = Çavkanî û armanc heman navnîşan in.
webmention-not-here = Armanc ne li ser vê malperê ye.
webmention-no-post = Armanc ne nivîsek an rûpelek e ku li vir hatiye weşandin.
webmention-closed = Ev nivîs êdî bersivan qebûl nake.
webmention-slow-down = Ji navnîşana te gelek behskirin hatin; piştî deqeyekê dîsa biceribîne.
job-summary-webmention-receive = Kontrolkirina behskirina nivîsa { $id } ji aliyê { $source }
job-summary-webmentions-send = Rûpelên ku nivîsa { $id } girêdide bibîne, da ku ji wan re bêje
job-summary-webmention-send = Ji { $target } re bêje ku nivîsa { $id } girê didê
