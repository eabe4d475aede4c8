# Tribune — English. Every string people read comes from a catalogue like this one.
# To add a language, copy this file to locales/<tag>.ftl, translate the values, and
# list it in src/i18n/languages.rs and src/i18n/mod.rs. Plurals use Fluent selectors
# with CLDR's categories for the language (zero, one, two, few, many, other); a test
# checks every catalogue has the same messages and placeholders as this one.

## Times (dates and numbers themselves come from CLDR)
time-ago = { $unit ->
    [seconds] { PLURAL($count) ->
        [one] a second ago
       *[other] { $count } seconds ago
    }
    [minutes] { PLURAL($count) ->
        [one] a minute ago
       *[other] { $count } minutes ago
    }
    [hours] { PLURAL($count) ->
        [one] an hour ago
       *[other] { $count } hours ago
    }
   *[days] { PLURAL($count) ->
        [one] yesterday
       *[other] { $count } days ago
    }
}
time-in = { $unit ->
    [seconds] { PLURAL($count) ->
        [one] in a second
       *[other] in { $count } seconds
    }
    [minutes] { PLURAL($count) ->
        [one] in a minute
       *[other] in { $count } minutes
    }
    [hours] { PLURAL($count) ->
        [one] in an hour
       *[other] in { $count } hours
    }
   *[days] { PLURAL($count) ->
        [one] tomorrow
       *[other] in { $count } days
    }
}

## Site
skip-to-content = Skip to content
powered-by = Published with Tribune
latest-posts = Latest posts
page-n = Page { $n }
no-posts = Nothing has been published yet.
continue-reading = Continue reading
posts-navigation = More posts
older-posts = ← Older posts
newer-posts = Newer posts →
posted-on-by = Posted on { $date } by { $author }
comment-count = { PLURAL($count) ->
    [0] Leave a comment
    [one] One comment
   *[other] { $count } comments
}
not-found-title = Page not found
not-found-text = Nothing lives at this address. It may have moved, or the link may be mistyped.
back-home = Go to the home page

## Comments
responses = { PLURAL($count) ->
    [0] No Responses to “{ $title }”
    [one] One Response to “{ $title }”
   *[other] { $count } Responses to “{ $title }”
}
awaiting-moderation = Your comment is awaiting moderation.
comment-type-pingback = Pingback:
comment-type-trackback = Trackback:
filed-under-category = Categories:
filed-under-tag = Tags:
archive-category = Category: { $name }
archive-tag = Tag: { $name }
reply = Reply
reply-to = Reply to { $name }
leave-a-reply = Leave a Reply
leave-a-reply-to = Leave a Reply to { $name }
cancel-reply = Cancel reply
email-not-published = Your email address will not be published.
required-fields-marked = Required fields are marked *
field-body = Comment
field-name = Name
field-email = Email
field-url = Website
post-comment = Post Comment
comments-closed = Comments are closed.
comment-not-posted = Your comment was not posted. Please check:

## Form problems
error-too-long = { $field } is too long: { $len } characters. The limit is { $max }.
error-body-required = Please type your comment.
error-name-required = Please enter your name.
error-email-required = Please enter your email address. It is never shown.
error-email-invalid = That email address does not look right. Check it for typos.
error-url-invalid = The website must be a web address such as https://example.org.
error-rate-limited = You are posting too quickly. Wait a minute, then send it again: your comment is still here.
error-parent-invalid = This reply form was damaged on its way (the comment it answers is not a number). Your comment is still here; reload the post and send it again.
error-duplicate = Duplicate comment detected; it looks as though you have already said that. It is already on its way; there is no need to send it again.
error-unavailable = Your comment could not be saved just now: the site is busy or cannot write at the moment. Nothing was lost; it is still in the form below. Send it again in a minute.
error-not-stored = Your comment could not be saved because of an error on the site. It is still in the form below; try again, and if it keeps failing, tell the site's owner this request id: { $id }.
error-parent-gone = The comment you are replying to is no longer available. Your comment is still here; send it as a new comment.
error-title-required = Please give the post a title.
error-slug-invalid = The slug may only contain letters, digits, - and _.
error-slug-taken = Another post already uses this slug. Choose a different one.
error-lang-invalid = Choose a language from the list.
error-status-invalid = Choose draft, published or private.
error-date-invalid = The date must look like 2026-11-26T09:30.
error-site-title-required = Please give the site a title.
error-display-name-required = Please enter your name.
error-password-short = The password must have at least { $min } characters.
error-password-mismatch = The two passwords are not the same.
error-login-failed = Wrong email or password.
error-site-url-invalid = The site address must be a web address such as https://example.org (no ? or #).
error-login-slow-down = Too many failed sign-ins. Wait { $unit ->
        [minutes] { PLURAL($count) ->
            [one] a minute
           *[other] { $count } minutes
        }
       *[seconds] { PLURAL($count) ->
            [one] a second
           *[other] { $count } seconds
        }
    } before trying again.
error-login-locked = Sign-in is locked after too many failed attempts. Try again in { $unit ->
        [minutes] { PLURAL($count) ->
            [one] a minute
           *[other] { $count } minutes
        }
       *[seconds] { PLURAL($count) ->
            [one] a second
           *[other] { $count } seconds
        }
    }. If you have forgotten your password, ask an administrator to set a new one.
error-number-range = { $field } must be a number from { $min } to { $max }.

## Administration
admin = Administration
view-site = View site
dashboard = Dashboard
welcome = Welcome, { $name }.
nav-posts = Posts
nav-comments = Comments
nav-settings = Settings
log-in = Log In
log-out-name = Log Out ({ $name })
pending-count = { PLURAL($count) ->
    [0] No comments awaiting moderation
    [one] One comment awaiting moderation
   *[other] { $count } comments awaiting moderation
}
pending-count-over = More than { $count } comments awaiting moderation
count-over = { $count }+
setup-title = Set up your site
setup-intro = Create the administrator account. You can add more staff later with `tribune user add`.
setup-submit = Create site
field-site-title = Site title
field-display-name = Your name
field-password = Password
field-password-again = Password again
password-hint = At least { $min } characters.
new-post = New post
edit-post = Edit post
post-saved = Post saved.
view-post = View post
post-not-saved = The post was not saved. Please check:
preview = Preview
save = Save
field-title = Title
field-status = Status
field-post-body = Text
markdown-hint = Write in Markdown.
field-excerpt = Excerpt
field-slug = Slug
slug-hint = The last part of the address. Leave empty to make it from the title.
field-lang = Language
lang-hint = The post’s language: its page speaks it, in its direction.
field-published_at = Publish date (UTC)
date-hint = Leave empty to publish now. A future date schedules the post.
translation-group-hint = Linked posts are translations of each other: each page links to the others and tells search engines so.
field-comments-open = Allow comments
author = Author
column-date = Date
view = View
status-draft = Draft
status-published = Published
status-private = Private
status-pending = Pending
status-approved = Approved
status-spam = Spam
status-trash = Trash
comment-filters = Filter comments
tab-pending = Pending
tab-approved = Approved
tab-spam = Spam
tab-trash = Trash
tab-all = All
bulk-actions = Bulk actions
bulk-choose = Choose an action
moderation-choose-action = Choose an action (Approve, Unapprove, Spam or Trash) before pressing Apply. Nothing was changed.
moderation-select-some = Tick the comments to act on before pressing Apply. Nothing was changed.
action-approve = Approve
action-unapprove = Unapprove
action-spam = Spam
action-trash = Trash
apply = Apply
select = Select
select-comment-by = Select comment by { $name }
in-response-to = In response to
submitted-on = Submitted on
in-reply-to = In reply to comment { $id }
pages = Pages
newer = Newer
older = Older
no-comments-here = No comments here.
moderated-approved = { PLURAL($count) ->
    [one] One comment approved.
   *[other] { $count } comments approved.
}
moderated-pending = { PLURAL($count) ->
    [one] One comment unapproved.
   *[other] { $count } comments unapproved.
}
moderated-spam = { PLURAL($count) ->
    [one] One comment marked as spam.
   *[other] { $count } comments marked as spam.
}
moderated-trash = { PLURAL($count) ->
    [one] One comment moved to the trash.
   *[other] { $count } comments moved to the trash.
}
settings-saved = Settings saved.
settings-general = General
settings-discussion = Discussion
field-tagline = Tagline
field-site-url = Site address (URL)
site-url-hint = The address readers use, e.g. https://example.org. Links in emails, feeds and sign-in use it.
site-url-from-config = Set by base_url in the configuration (--base-url, TRIBUNE_BASE_URL).
field-site-language = Site language
field-posts_per_page = Posts per page
field-hold-new-comments = Comments must be manually approved
field-thread_depth = Reply depth
field-max_comment_chars = Longest comment (characters)
field-avatars = Avatars
avatars-identicon = Identicons drawn by Tribune (no third-party requests)
avatars-gravatar = Gravatar
languages-nav = Languages
all-languages = All languages
translations-nav = Translations
also-in = Also in:
field-translations = Translations
unlink-translations = This post is not a translation of these
field-translation-of = Link to its translation
translation-none = — none —
site-lang-hint = Listings, the administration and emails speak it; each post’s page speaks the post’s language.
field-digits = Digits
digits-native = Each language’s own (١٢٣ in Arabic and Kurdish, ۱۲۳ in Persian)
digits-latin = Latin (0–9) in every language
role-admin = Administrator
role-editor = Editor
role-author = Author
role-moderator = Moderator
nav-profile = Profile
profile-saved = Profile saved.
field-admin-language = Language of your administration pages and emails
admin-language-site = The site’s language ({ $language })
admin-language-hint = Emails about comments waiting for you are written in it too.

## Sign-in with an identity provider
fill-in-or-click-icon = Fill in your details below or click an icon to log in:
sign-in-to-comment = Log in to comment
sign-in-with = { $provider }
connecting-to = Connecting to { $provider }…
continue-to = Continue to { $provider }
commenting-using = You are commenting using your { $provider } account.
log-out = Log Out
change = Change
auth-error-unknown = That sign-in option is not available on this site. Your comment is still here.
auth-error-denied = You did not allow the sign-in, so you are not logged in. Your comment is still here.
auth-error-state = This sign-in did not start in this browser, or was already used. Please try again; your comment is still here.
auth-error-expired = The sign-in took too long. Please try again; your comment is still here.
auth-error-code = The provider did not accept the sign-in (it may have been used twice). Please try again; your comment is still here.
auth-error-token = The provider's answer could not be verified, so you are not logged in. Your comment is still here.
auth-error-down = The provider could not be reached. Try again later, or comment as a guest; your comment is still here.
auth-error-profile = The provider did not say who you are. Try another option; your comment is still here.
auth-error-nostaff = No staff account uses the verified email of that sign-in. Ask an administrator to add you.
field-approve-returning = Signed-in commenters with an approved comment skip moderation
settings-signin = Sign-in providers
staff-sso = staff sign in here too
providers-hint = Enter the client id and secret you got when you registered this site with a provider; leave the client id empty to turn it off. Providers can also be set in tribune.toml or TRIBUNE_AUTH_* variables (docs/sign-in.md).
callback-address = Callback address to register:
provider-configured = Set in the configuration file or environment.
field-client-id = Client id
field-client-secret = Client secret
secret-unchanged = (unchanged)
error-provider-secret = { $provider } needs a client secret as well as a client id.

## Email
email-held-subject = [{ $site }] Please moderate: “{ $title }”
email-held-intro = A new comment on “{ $title }” is waiting for your approval:
email-held-queue = All comments waiting for moderation:
email-digest-subject = [{ $site }] { PLURAL($count) ->
    [one] One comment is waiting for moderation
   *[other] { $count } comments are waiting for moderation
}
email-digest-intro = { PLURAL($count) ->
    [one] One comment is waiting for your approval:
   *[other] { $count } comments are waiting for your approval:
}
moderate-title = Moderate a comment
moderate-on = On “{ $title }”:
nav-jobs = Jobs
nav-privacy = Personal data
privacy-intro = Someone asked what this site holds about them, or asked to be forgotten. Everything is found by their email address: the comments they wrote (with IP address and browser), their email subscriptions and the accounts they signed in with.
privacy-bad-email = Enter the person's email address, for example name@example.org.
privacy-pick-action = Choose Download or one of the erase buttons.
privacy-confirm-needed = Erasing cannot be undone: tick the box to confirm, then press the button again.
privacy-export-legend = Export
privacy-export-help = A JSON file with everything stored about this address, to send to the person.
privacy-export = Download personal data (JSON)
privacy-erase-legend = Erase
privacy-erase-help = Anonymise keeps the comments but removes the name, email, website, IP address and browser; Delete removes the comments too. Subscriptions, sign-in accounts and emails to this address are deleted either way.
privacy-confirm = I understand this cannot be undone
privacy-anonymise = Anonymise
privacy-delete = Delete comments
privacy-anonymised = { PLURAL($count) ->
    [one] One comment anonymised.
   *[other] { $count } comments anonymised.
}
privacy-deleted = { PLURAL($count) ->
    [one] One comment deleted.
   *[other] { $count } comments deleted.
}
privacy-removed = Removed: { $subscriptions } subscriptions, { $identities } sign-in accounts, { $emails } emails.
privacy-staff-kept = A staff account uses this address; it was kept.
anonymous = Anonymous
jobs-intro = Email and other work Tribune does in the background. A job that keeps failing stops here with its last error.
job-kind = Kind
job-status = Status
job-attempts = Attempts
job-error = Last error
job-next = Next try
retry = Retry
no-jobs = No jobs here.
job-retried = The job is queued again.
status-queued = Queued
status-running = Running
status-done = Done
status-failed = Failed
tab-failed = Failed
tab-queued = Queued
tab-done = Done

## Subscriptions
notify-comments = Notify me of new comments via email.
notify-posts = Notify me of new posts via email.
email-comment-subject = [{ $site }] New comment on “{ $title }”
email-comment-intro = { $author } commented on “{ $title }”:
email-read-reply = Read it and reply:
email-unsubscribe = Unsubscribe
email-manage = Manage your subscriptions:
email-post-subject = [{ $site }] { $title }
email-post-intro = { $site } published a new post:
email-confirm-subject = [{ $site }] Please confirm your subscription
email-confirm-intro = Someone, hopefully you, asked { $site } to send email to this address about “{ $title }”.
email-confirm-action = Confirm:
email-confirm-ignore = If it was not you, ignore this email: nothing will be sent.
subs-title = Email subscriptions
subs-for = For { $email }
subs-confirm = Confirm
subs-confirmed = Thank you: your subscriptions are confirmed.
subs-ended = You are unsubscribed. No more email about that.
subs-yours = Your subscriptions
subs-posts = New posts
subs-comments-on = New comments on “{ $title }”
subs-unconfirmed = not confirmed yet
subs-none = You have no other subscriptions.
email-comment-digest-subject = [{ $site }] { PLURAL($count) ->
    [one] One new comment on “{ $title }”
   *[other] { $count } new comments on “{ $title }”
}
email-comment-digest-intro = { PLURAL($count) ->
    [one] One new comment on “{ $title }”:
   *[other] { $count } new comments on “{ $title }”:
}


## Errors
error-forbidden-title = Not allowed
error-bad-request-title = This request cannot be answered
error-too-many-title = Too many requests
error-too-many-text = You are sending requests faster than this site accepts. Wait a minute and try again.
error-busy-title = Busy
error-busy-text = The site cannot save anything right now. Nothing was changed; go back and try again in a minute.
error-internal-title = Something went wrong
error-internal-text = The error has been logged. If it keeps happening, tell the site's owner the request id below.
error-request-id = Request id:
error-unknown-list = There is no such list of comments. Choose one of the tabs above it.
error-already-set-up = This site is already set up. Sign in at /admin/login instead.
error-link-invalid = This moderation link is not valid. Use the comment queue in /admin/comments.
error-link-expired = This moderation link has expired. Use the comment queue in /admin/comments.
error-no-post = The comment form did not say which post it belongs to. Go back to the post and send it from there.
error-subscription-gone = This subscription link is no longer valid: the subscription may have ended already.
error-form-expired = This form has expired or was not sent from this site. Go back, reload the page and try again.
error-cross-site-title = Form sent from another site
error-cross-site-text = This form was sent from a page on another site, so it was refused. Open the page on this site and send it from there.
error-staff-provider = Staff cannot sign in with this provider.
error-signin-button = The sign-in button must be used from a post's comment form.
error-role = Your role ({ $role }) does not allow this. Ask an administrator.
error-bad-address-title = Bad address
error-bad-address-text = This address contains characters no page address has. Check the link, or start from the home page.
comment-lost-title = Your comment was not saved
comment-lost-text = The site cannot save anything right now. Here is what you wrote; copy it and send it again in a minute.
comment-lost-label = Your comment

## Command line: moving in
import-posts = { PLURAL($count) ->
        [one] { $count } post
       *[other] { $count } posts
    }
import-pages = { PLURAL($count) ->
        [one] { $count } page
       *[other] { $count } pages
    }
import-comments = { PLURAL($count) ->
        [one] { $count } comment
       *[other] { $count } comments
    }
import-users = { PLURAL($count) ->
        [one] { $count } user
       *[other] { $count } users
    }
import-terms = { PLURAL($count) ->
        [one] { $count } category or tag
       *[other] { $count } categories and tags
    }
import-summary = Imported { $posts }, { $pages }, { $comments }, { $users }, { $terms }.
import-summary-dry = Would import { $posts }, { $pages }, { $comments }, { $users }, { $terms }.
import-already = Already here from an earlier import (left as they are): { $count }.
import-skipped-heading = Skipped ({ $count }):
import-changed-heading = Changed ({ $count }):
import-tally = { $count } × { $reason }
import-took = Took { $seconds } s ({ $rate } comments/s).
import-took-memory = Took { $seconds } s ({ $rate } comments/s), peak memory { $mb } MB.
import-skip-trash = in WordPress's trash
import-skip-revision = a revision or attachment
import-skip-attachment = attachment (media files stay where they are; posts link to them)
import-skip-post-type = post type `{ $what }` is not something Tribune shows
import-skip-no-post-id = item without <wp:post_id>
import-skip-no-comment-id = comment without <wp:comment_id>
import-skip-no-dsq-id = comment without dsq:id
import-skip-comment-type = comment type `{ $what }` is not a reader's comment
import-skip-empty-comment = empty comment
import-skip-no-thread = comment on a thread that is not in the file
import-skip-parent-skipped = comment on an item that was skipped
import-skip-unmatched-thread = comments on a Disqus thread with no matching post here
import-note-language = language found in the text: { $what }
import-note-no-date = no date: dated now
import-note-orphan-reply = reply whose parent comment is not in the file: shown at the top level
import-note-password = password-protected: imported as private
import-note-slug-renamed = slug already used here: renamed (the old /?p= link still works)
import-label-item = line { $line }: { $type } “{ $title }”
import-label-line = line { $line }: { $title }
import-label-comment = line { $line }: comment { $id }
import-label-comment-on = line { $line }: comment { $id } on “{ $title }”
import-label-comment-id = comment { $id }
import-label-renamed = { $label }: { $old } → { $new }
import-label-thread = { $link } (comments: { $count })
import-cannot-open = cannot open { $path }: { $reason }
import-at-line = line { $line }, column { $column }: { $message }. Nothing was imported.
import-nothing = { $message } Nothing was imported.
import-database = the database refused the import ({ $reason }). Nothing was imported.
import-format-wordpress = a WordPress export
import-format-disqus = a Disqus export
import-not-format = { $path } is not { $format }: it starts with <{ $found }> where { $format } starts with <{ $root }> (line { $line }).
import-with-hint = { $message } { $hint }
import-hint-disqus = It is a Disqus export: use `tribune import disqus`.
import-hint-wordpress = It looks like a WordPress export: use `tribune import wordpress`.
import-empty-file = { $path } is empty: { $format } starts with <{ $root }>
import-not-wxr = { $path } has no <wp:wxr_version>: it is an RSS feed, not a WordPress export (WordPress: Tools → Export → All content)
import-wxr-version = WXR version { $version } is not one Tribune reads (1.0, 1.1, 1.2)
import-cut-short = the file ends inside <{ $name }> (opened on line { $line }): it looks cut short; export it again
import-bad-attribute = bad attribute: { $detail }
import-bad-attribute-named = bad attribute `{ $name }`: { $detail }
import-bad-reference = bad character reference: { $detail }
import-text-not-utf8 = text is not UTF-8: { $detail }
import-cdata-not-utf8 = CDATA is not UTF-8: { $detail }
import-text-outside = text outside any element: this is not an XML export
import-mismatched-end = </{ $found }> closes <{ $expected }>: the file is not well-formed XML
import-unmatched-end = </{ $name }> closes an element that was never opened
import-not-xml = not well-formed XML: { $detail }

## Command line
cli-error = error: { $message }
cli-warning = warning: { $message }
cli-no-site = there is no Tribune site at { $place }: check --data-dir or --database-url, or add --create-site to start a new one there (`tribune serve` creates one too)
cli-cannot-create-dir = cannot create data directory { $path }
cli-cannot-open-database = cannot open database { $place }
cli-cannot-listen = cannot listen on { $bind }
cli-not-an-email = `{ $email }` is not an email address
cli-cannot-read-password = cannot read the password from standard input
cli-role = { $role }
cli-status = { $status }
cli-user-added = added { $role } { $email } (id { $id })
cli-generated-password = password: { $password }
cli-user-exists = a user with email { $email } already exists
cli-column-id = ID
cli-column-role = ROLE
cli-column-email = EMAIL
cli-column-name = NAME
cli-column-status = STATUS
cli-column-date = DATE (UTC)
cli-column-author = AUTHOR
cli-column-post = POST
cli-column-comment = COMMENT
cli-cannot-read-post = cannot read the post from standard input
cli-cannot-read = cannot read { $path }
cli-cannot-create = cannot create { $path }
cli-cannot-write = cannot write { $path }
cli-no-staff-account = no staff account with email { $email }
cli-no-admin = no administrator yet: run `tribune user add --admin --email …` first, or pass --author
cli-unknown-language = unknown language `{ $tag }`: use one of { $tags }
cli-not-language-tag = `{ $tag }` is not a language tag: use one such as en, ar or ckb
cli-slug-taken = the slug `{ $slug }` is used by another post; pass --slug
cli-post-published = published post { $id } at { $path }
cli-post-draft = saved draft post { $id }; edit it at /admin/posts/{ $id }
cli-no-comment = no comment with id { $ids }; nothing was changed
cli-moderated = { $status ->
        [approved] approved
        [spam] marked as spam
        [trash] moved to the trash
       *[other] held
    }: { PLURAL($count) ->
        [one] { $count } comment
       *[other] { $count } comments
    }
cli-unknown-name = unknown { $what } `{ $value }`: use { $choices }
name-role = role
name-comment-status = comment status
name-post-status = post status
name-post-type = post type
name-comment-type = comment type
name-body-format = body format
name-job-kind = job kind
name-job-status = job status
name-subscription = subscription
name-term-kind = term kind
cli-bad-site-url = `{ $url }` is not a site address: write it as http(s)://host[:port][/path], e.g. https://example.org, without a user, a query or a fragment
cli-bad-base-url = base URL `{ $url }` must be an address such as https://example.org
cli-no-base-url = the site's public address is not known yet: pass --base-url https://example.org (or set TRIBUNE_BASE_URL)
cli-count-posts-pages = { PLURAL($count) ->
        [one] { $count } post or page
       *[other] { $count } posts and pages
    }
cli-count-subscriptions = { PLURAL($count) ->
        [one] { $count } subscription
       *[other] { $count } subscriptions
    }
cli-count-identities = { PLURAL($count) ->
        [one] { $count } sign-in identity
       *[other] { $count } sign-in identities
    }
cli-count-emails = { PLURAL($count) ->
        [one] { $count } email
       *[other] { $count } emails
    }
cli-exported = Exported { $posts } with { $comments }.
cli-deleted = Deleted { $comments }.
cli-anonymised = Anonymised { $comments }.
cli-removed = Removed { $subscriptions }, { $identities }, { $emails }.
cli-staff-kept = A staff account uses this address; it was kept (staff accounts are managed with `tribune user`).
cli-erase-needs-yes = erasing cannot be undone: add --yes to erase the data of { $email } without being asked
cli-erase-confirm = This erases what is stored about { $email } and cannot be undone. Type the address again to go on:
cli-erase-mismatch = the address typed did not match; nothing was erased
cli-importing = importing
cli-time-left = { $eta } left
cli-dry-run-done = Dry run: nothing was written. Run it again without --dry-run to import.
cli-backup-postgres = this site is on PostgreSQL: back it up with pg_dump, e.g. pg_dump --format=custom --file { $file } "$TRIBUNE_DATABASE_URL" (see docs/operations.md)
cli-backup-exists = { $path } already exists: choose a new file name, backups never overwrite
cli-backup-damaged = the copy failed its integrity check ({ $problem }); nothing was kept
cli-backup-cannot-check = cannot check the copy
cli-backed-up = Backed up { $posts } and { $comments } to { $path } ({ $mb } MB) in { $seconds } s.

## Command line: settings
config-base-url = base URL
config-bad-bind = bind address `{ $bind }` is not HOST:PORT, e.g. 127.0.0.1:8080
config-bad-log-format = log format `{ $format }` is not text or json
config-no-theme = theme directory { $path } does not exist
config-cannot-read = cannot read config file { $path }: { $reason }
config-file-problem = config file { $path }: { $reason }
config-unknown-setting = unknown setting `{ $setting }` in config file; ignored
config-cannot-read-secret = cannot read { $name } { $path }: { $reason }
config-preset-needs-both = { $section } needs both client_id and client_secret (or { $env } and _CLIENT_SECRET)
config-oidc-bad-name = { $section }: a provider name is lower-case letters, digits and -, and not a preset's name
config-oidc-needs = { $section } needs issuer, client_id and client_secret
config-oidc-https = { $section } issuer must be an https:// URL
config-oauth2-bad-name = { $section }: a provider name is lower-case letters, digits and -, used once
config-oauth2-needs = { $section } needs authorize_url, token_url, userinfo_url, client_id and client_secret
config-staff-provider = auth.staff_provider `{ $name }` must name an enabled OpenID Connect provider

## Command line: arguments
cli-arg-unknown-command = there is no command `{ $command }`
cli-arg-unknown-option = there is no option `{ $option }` here
cli-arg-missing = this command needs { $options }
cli-arg-invalid-value = `{ $value }` is not a value { $option } takes
cli-arg-choices = { $message }: use one of { $choices }
cli-arg-conflict = { $option } cannot be used with { $other }
cli-arg-did-you-mean = { $message } (did you mean { $suggestion }?)
cli-arg-more = For more information, try '--help'.

## Command line: WordPress types
import-type-post = post
import-type-page = page
import-type-attachment = attachment

## Command line: help (English is the doc comments in src/cli.rs; a test keeps them equal)
help-tribune = Tribune: publish statements and articles, take replies.
help-tribune--config = Read settings from this file [default: ./tribune.toml if present]
help-tribune--data-dir = Directory for the SQLite database and other data [default: ./tribune-data]
help-tribune--database-url = Database to use: sqlite://PATH or postgres://USER@HOST/DB [default: SQLite in the data directory]
help-tribune--create-site = Create a new, empty site if there is none at the data directory or database URL (`serve` always does)
help-tribune-serve = Run the site (http://127.0.0.1:8080 by default)
help-tribune-serve--bind = Address to listen on [default: 127.0.0.1:8080]
help-tribune-serve--base-url = Public address of the site, e.g. https://example.org (for links and secure cookies)
help-tribune-serve--theme = Theme directory whose templates/ and assets/ override the built-in theme
help-tribune-serve--log-format = Log format: text or json [default: text]
help-tribune-serve--comments-per-minute = Comments one address may post per minute; 0 lifts the limit [default: 10]
help-tribune-serve--login-lockout-after = Failed staff sign-ins (per account, and per address) before a 15-minute lock; slower answers start at a third of it; 0 lifts it [default: 10]
help-tribune-serve--trusted-proxies = Reverse proxies whose X-Forwarded-For / Forwarded / X-Forwarded-Proto are believed, comma-separated addresses or networks, e.g. 127.0.0.1,::1 [default: none]
help-tribune-serve--smtp-url = SMTP server for email, e.g. smtp://user:pass@host:587?tls=required [default: .eml files in DATA_DIR/mail]
help-tribune-serve--mail-from = Sender of the site's email, e.g. "Ministry <news@example.org>" [default: Tribune <tribune@localhost>]
help-tribune-user = Manage staff accounts
help-tribune-user-add = Add a staff account
help-tribune-user-add--email = Email address to sign in with
help-tribune-user-add--name = Name shown on posts [default: the part of the email before @]
help-tribune-user-add--role = admin, editor, author or moderator
help-tribune-user-add--admin = Same as --role admin
help-tribune-user-add--password-stdin = Read the password from the first line of standard input (otherwise one is generated and printed)
help-tribune-user-list = List staff accounts
help-tribune-post = Write posts
help-tribune-post-new = Create a post from a Markdown file (- reads standard input)
help-tribune-post-new--title = The post's title
help-tribune-post-new--file = Markdown file with the body
help-tribune-post-new--publish = Publish now instead of saving a draft
help-tribune-post-new--slug = URL slug [default: made from the title]
help-tribune-post-new--lang = Language of the post, a BCP 47 tag such as en, ar, ckb [default: the site's]
help-tribune-post-new--excerpt = Short summary for listings
help-tribune-post-new--author = Email of the author [default: the first administrator]
help-tribune-comments = Moderate comments
help-tribune-comments-list = List comments, newest first
help-tribune-comments-list--status = pending, approved, spam or trash [default: pending and approved]
help-tribune-comments-list--post = Only comments on this post id
help-tribune-comments-list--limit = At most this many
help-tribune-comments-approve = Approve comments so readers see them
help-tribune-comments-spam = Mark comments as spam
help-tribune-comments-trash = Move comments to the trash
help-tribune-import = Bring posts and comments in from WordPress or Disqus
help-tribune-import-wordpress = Import a WordPress export (WXR 1.0–1.2: Tools → Export → All content)
help-tribune-import-wordpress--file = The .xml file WordPress gave you
help-tribune-import-wordpress--lang = Language of every imported post, a BCP 47 tag such as en, ar, ckb [default: each post's own (Polylang), else the export's, else the site's]
help-tribune-import-wordpress--dry-run = Read the whole file and report what would come in, writing nothing
help-tribune-import-disqus = Import a Disqus export, matching its threads to posts here by URL
help-tribune-import-disqus--file = The .xml file Disqus mailed you (gunzip it first)
help-tribune-import-disqus--dry-run = Read the whole file and report what would come in, writing nothing
help-tribune-export = Write the whole site out (WordPress WXR)
help-tribune-export-wordpress = Write the whole site as WordPress eXtended RSS 1.2 (to standard output by default)
help-tribune-export-wordpress--output = Write to this file instead of standard output
help-tribune-export-wordpress--base-url = The site's public address, for links in the file [default: base_url from the config, else the address recorded at setup]
help-tribune-privacy = Export or erase everything stored about one email address
help-tribune-privacy-export = Print everything stored about an email address, as JSON
help-tribune-privacy-erase = Erase an email address's data: comments anonymised (or deleted), subscriptions, sign-in identities and emails removed. Asks first, unless --yes
help-tribune-privacy-erase--delete-comments = Delete their comments instead of anonymising them
help-tribune-privacy-erase--yes = Erase without asking (for scripts)
help-tribune-backup = Copy the whole site, consistently, while it runs (SQLite; PostgreSQL uses pg_dump)
help-tribune-backup--file = Where to write the copy (an SQLite database file; it must not exist yet)
cli-help-usage = Usage:
cli-help-commands = Commands
cli-help-options = Options
cli-help-arguments = Arguments
cli-help-help = Print help
cli-help-version = Print version

## Command line: help around the lines
cli-help-default = default
cli-help-env = env
cli-help-subcommand = Print this message or the help of the given subcommand(s)

## Administration: jobs
job-kind-email = Email
job-kind-held_digest = Digest of held comments
job-kind-comment_digest = Digest of new comments
job-kind-comment_approved = Approved comment
job-kind-post_published = Published post
job-summary-email = { $subject } → { $to }
job-summary-held-digest = held comments, to { $to }
job-summary-comment-digest = new comments on post { $post }, to { $to }
job-summary-comment-approved = comment { $id }
job-summary-post-published = post { $id }

## Administration: jobs, how email leaves
jobs-transport-smtp = email is sent by SMTP
jobs-transport-files = no SMTP server: email is written as files in { $dir }

## Administration: discussion rules
field-require-name-email = Comment author must fill out name and email
field-close_after_days = Close comments on posts older than (days)
close-after-days-hint = 0 keeps them open.
field-max_links = Hold a comment in the queue if it contains this many links or more
max-links-hint = A common trait of spam is many links. 0 turns this off.
field-moderation-keys = Comment moderation: words that hold a comment
moderation-keys-hint = One word, phrase or address per line, found in the text, name, email, website, IP address or browser, inside other words too (“press” matches “WordPress”); write /press/ for the whole word only.
field-disallowed-keys = Disallowed comment keys: words that send a comment to spam
disallowed-keys-hint = Matched like the list above. Such a comment goes to Spam: it is kept there, never shown, and no one is emailed.

## Administration: previously approved
field-previously-approved = Comment author must have a previously approved comment

## Administration: why a rule decided
rule-links = Held by a rule: { $count } links (the limit is { $max }).
rule-moderation-word = Held by a rule: “{ $word }” is a moderation word (in the { $field }).
rule-disallowed-word = Sent to spam by a rule: “{ $word }” is a disallowed word (in the { $field }).
rule-field-ip = IP address
rule-field-user-agent = browser

## Administration: where a rule matched
rule-field-body = text
rule-field-name = name
rule-field-email = email
rule-field-url = website

## Administration: rules from the configuration
discussion-fixed-hint = Fields shown greyed out are set in the configuration file ([discussion] in tribune.toml).

## Administration: the spam folder
action-not-spam = Not spam
empty-spam = Empty spam
empty-trash = Empty trash
moderated-deleted = { PLURAL($count) ->
        [0] Nothing to delete.
        [one] One comment deleted for good.
       *[other] { $count } comments deleted for good.
    }

## Comment form: the honeypot
honeypot-label = Leave this field empty

## Administration: why Tribune decided before a moderator
rule-blocked = Sent to spam: the { $field } “{ $value }” is on the block list.
trap-honeypot = Sent to spam by a bot trap: the hidden field that only programs fill in was filled in.
trap-forged = Sent to spam by a bot trap: the form’s time was not signed by this site.
trap-too-fast =
    Sent to spam by a bot trap: sent { PLURAL($count) ->
        [0] less than a second
        [one] one second
       *[other] { $count } seconds
    } after the form was shown.
trap-expired =
    Held: the page had been open for { PLURAL($count) ->
        [one] an hour
       *[other] { $count } hours
    } before the comment was sent.
trap-no-script = Held: sent without JavaScript, so the form’s time could not be checked.
filter-score = Spam filter: { $score } % likely spam. Most telling: { $clues }

## Administration: blocking from the queue
block-email = Block email
block-ip = Block IP
block-name = Block name
moderated-blocked =
    { PLURAL($count) ->
        [0] Already on the block list; the comment is in spam.
        [one] Blocked one entry; the comment is in spam.
       *[other] Blocked { $count } entries; the comments are in spam.
    }

## Administration: spam settings
settings-spam = Spam
settings-comments-display = Comments on the page
field-block-list = Block list: emails, IP addresses and names whose comments go to spam
block-list-hint = One per line: email someone@example.org, ip 203.0.113.9 or name Cheap Pills, matched whole, in any case. The Block buttons in Comments add to it.
filter-learned = The spam filter learns from every Approve, Spam and Not spam. It has learned from { $spam } spam and { $ham } other comments; it decides once it has learned from { $min } of each, and scores every comment until then.
field-spam_threshold = Send a guest’s comment to spam at this score (%) or above
spam-threshold-hint = Signed-in commenters are never sent to spam by their score alone: they are held.
field-hold_threshold = Hold a comment for moderation at this score (%) or above
hold-threshold-hint = 0 lets the score hold nothing.
field-form_min_seconds = A form sent sooner than this many seconds after it was shown is a bot’s
form-min-seconds-hint = Such comments are kept in spam, where they can be restored. 0 turns the check off.
field-spam_days = Delete spam older than this many days
spam-days-hint = Checked every hour. 0 keeps spam until someone empties it.

## Administration: the activity log
nav-activity = Activity
activity-intro = Every moderation action and rule change: who did it, when, and from where.
activity-from = From
activity-any = Any
activity-what = What
activity-email = Commenter’s email
activity-filter = Filter
activity-when = When
activity-who = Who
activity-comment = Comment
activity-detail = Detail
activity-someone = someone with the email link
activity-none = Nothing recorded yet.
activity-source-admin = admin pages
activity-source-email = email link
activity-source-cli = command line
activity-source-filter = spam filter
activity-source-rule = discussion rule
activity-source-trap = bot trap
activity-source-job = scheduled job
activity-source-service = spam service (Akismet)
activity-action-approve = Approved
activity-action-unapprove = Unapproved
activity-action-spam = Marked spam
activity-action-not-spam = Not spam
activity-action-trash = Trashed
activity-action-hold = Held
activity-action-delete = Deleted for good
activity-action-block = Blocked
activity-action-settings = Rules changed

## Jobs: spam
job-kind-purge_spam = Spam clean-up
job-kind-spam_check = Spam service check
job-kind-spam_report = Report to the spam service
job-kind-webmention_receive = Webmention received
job-kind-webmentions_send = Webmentions to send
job-kind-webmention_send = Webmention sent
job-summary-purge-spam = old spam deleted, then again in an hour
job-summary-spam-check = comment { $id }
job-summary-spam-report-spam = comment { $id } is spam
job-summary-spam-report-ham = comment { $id } is not spam

## Configuration: spam service and limits
config-akismet-endpoint = the spam service endpoint `{ $endpoint }` is not an http:// or https:// address ([akismet] endpoint, TRIBUNE_AKISMET_ENDPOINT)
config-env-number = { $key } is `{ $value }`, not a whole number

## Command line: the activity log
cli-log-someone = (email link)
help-tribune-comments-not-spam = Not spam: back to the moderation queue, and the spam filter learns from it
help-tribune-comments-log = The activity log: every moderation action and rule change, newest first
help-tribune-comments-log--source = admin, email, cli, filter, rule, trap, job or service
help-tribune-comments-log--action = approve, unapprove, spam, not-spam, trash, hold, delete, block or settings
help-tribune-comments-log--email = Only entries about this commenter's email address
help-tribune-comments-log--limit = At most this many

## Administration: a score with nothing to go on
filter-score-unknown = Spam filter: nothing in this comment it has learned about yet.

## Comment form: remember me
save-my-details = Save my name, email, and website in this browser for the next time I comment.

## Administration: staff accounts
nav-users = Users
users-name = Name
field-role = Role
users-state = Status
users-actions = Actions
users-you = you
users-change-role = Change role
users-state-off = Deactivated
users-state-invited = Invited, no password yet
users-state-active = Active since { $date }
users-resend = Resend invitation
users-deactivate = Deactivate
users-activate = Activate
users-delete = Delete
users-invite = Invite someone
users-invite-help = They get an email with a link to choose their password. The link works for a week.
users-role-hint = Administrators manage everything; editors write and edit every post and moderate; authors write their own posts; moderators look after the comments.
users-send-invitation = Send invitation
users-invited = Invitation sent.
users-invitation-resent = Invitation sent again.
users-invitation-wait = An email went to this address less than a minute ago. Try again in a minute.
users-role-changed = Role changed.
users-deactivated = Account deactivated: it can no longer log in and its sessions have ended. Its posts stay.
users-activated = Account active again.
users-removed = Account deleted.
users-delete-title = Delete { $name }?
users-reassign = { PLURAL($count) ->
    [one] Their post goes to:
   *[other] Their { $count } posts go to:
}
users-no-posts = They have written no posts.
users-delete-warning = Their sessions end and the account is gone for good; the activity log keeps what they did under their name.
users-delete-confirm = Delete the account
cancel = Cancel
error-last-admin = The site needs at least one active administrator: make someone else an administrator first.
error-user-has-posts = This account still has posts: choose who gets them.
error-reassign-self = Their posts cannot go to the account being deleted: choose someone else.
error-not-yourself = You cannot do this to your own account here: ask another administrator, or use your profile.
error-already-has-password = This account already has a password; its owner can use “Lost your password?”.
error-unknown-role = Choose one of the roles in the list.
error-unknown-action = That action is not known here. Go back and use one of the page’s buttons.
error-user-exists = Another account already uses this email address.
error-current-password = That is not your current password.
name-account-link = account link

## Administration: lost password and emailed links
lost-password = Lost your password?
lost-password-link = Lost your password?
lost-password-help = Enter the email address of your staff account. You will get a link to choose a new password.
lost-password-send = Email me a link
lost-password-sent = { PLURAL($count) ->
    [one] If { $email } belongs to a staff account, a link to choose a new password is on its way. It works once, for an hour.
   *[other] If { $email } belongs to a staff account, a link to choose a new password is on its way. It works once, for { $count } hours.
}
back-to-login = Back to log in
choose-password = Choose a password
choose-password-welcome = Welcome, { $name }. Choose the password you will log in with.
choose-password-help = Choose a new password. Every session of this account ends; then log in with it.
field-new-password = New password
save-password = Save password
account-link-gone = This link no longer works: it has expired, or it was used already. Ask for a new one.
lost-password-again = Ask for a new link
password-set-log-in = Your password is saved. Log in with it.
email-reset-subject = [{ $site }] Choose a new password
email-reset-intro = Someone asked to reset the password of the staff account { $email } on { $site }.
email-reset-action = Choose a new password:
email-reset-expires = { PLURAL($count) ->
    [one] The link works once, for an hour.
   *[other] The link works once, for { $count } hours.
}
email-reset-ignore = If you did not ask, ignore this email: your password stays as it is.
email-invite-subject = [{ $site }] You are invited
email-invite-intro = { $name } invited you to help run { $site }.
email-invite-action = Choose your password:
email-invite-expires = { PLURAL($count) ->
    [one] The link works for a day.
   *[other] The link works for { $count } days.
}
email-account-sign-in = Afterwards, log in with { $email } at

## Administration: your profile and sessions
profile-about = About you
field-current-password = Current password
profile-email-needs-password = Needed only to change your email address.
profile-password = Password
profile-password-signs-out = Your other sessions end.
profile-change-password = Change password
profile-password-changed = Password changed. Your other sessions have ended.
profile-signed-out-others = Signed out everywhere else.
profile-signed-out-one = That session has ended.
profile-sessions = Where you are logged in
profile-sessions-help = Every browser logged in to this account. End any you do not recognise.
session-browser = Browser
session-address = Address
session-started = Logged in
session-this = this browser
session-sign-out = Sign out
sign-out-others = Sign out everywhere else
sign-out-everywhere = Sign out everywhere

## Command line: staff accounts
cli-password-set = password set for { $email }; their sessions have ended
cli-role-changed = { $email } is now { $role }
cli-user-removed = removed { $email }
cli-posts-reassigned = { PLURAL($count) ->
    [0] no posts to move
    [one] one post now belongs to { $email }
   *[other] { $count } posts now belong to { $email }
}
help-tribune-user-passwd = Set a staff member's password and sign them out everywhere
help-tribune-user-passwd--user = Their email address or id
help-tribune-user-passwd--password-stdin = Read the password from the first line of standard input (otherwise one is generated and printed)
help-tribune-user-role = Change a staff member's role
help-tribune-user-role--user = Their email address or id
help-tribune-user-role--role = admin, editor, author or moderator
help-tribune-user-remove = Delete a staff account
help-tribune-user-remove--user = Their email address or id
help-tribune-user-remove--reassign = Give their posts to this staff member (email address or id)

## Comment pages
comment-pages = Comment pages
comment-pages-below = below the comments
comment-page-of = Comment page { $page } of { $count }
older-comments = Older comments
newer-comments = Newer comments
field-page_comments = Break comments into pages
field-comments_per_page = Top-level comments per page
field-default_comments_page = Page shown first
comments-page-newest = The last page (newest comments)
comments-page-oldest = The first page (oldest comments)
field-comment_order = On each page, at the top
comment-order-asc = The oldest comment
comment-order-desc = The newest comment
field-edit_minutes = Commenters may edit or delete their comment for (minutes)
edit-minutes-hint = From the browser that wrote it. 0: never.

## Comments: editing your own
edit-your-comment = Edit your comment
edit-comment-on = On “{ $title }”
back-to-post = Back to the post
edit-until = { PLURAL($count) ->
    [one] You can change or delete it until { $until } (about a minute left).
   *[other] You can change or delete it until { $until } (about { $count } minutes left).
}
save-changes = Save changes
delete-my-comment = Delete my comment
edit-my-comment = Edit or delete
edit-for-a-while = (your comment, for a few minutes from this browser)
error-edit-window-over = This comment can no longer be changed from this browser: the time to edit it is over, or it was written elsewhere.
activity-source-author = the commenter
activity-action-edit = Edited by its author

## Staff on the public site
staff-bar = Staff
staff-bar-dashboard = Dashboard
staff-bar-new-post = New post
staff-bar-edit-post = Edit this post
staff-bar-waiting = { PLURAL($count) ->
    [0] No comments waiting here
    [one] One comment waiting here
   *[other] { $count } comments waiting here
}
action-edit = Edit
edit-comment = Edit comment

## Administration: editing a comment
comment-edited = Comment saved.

## Administration: the posts list
posts-filters = Posts by status
posts-tab-all = All
posts-tab-published = Published
posts-tab-draft = Drafts
posts-tab-private = Private
posts-tab-trash = Trash
posts-search = Search posts
posts-any = Any
posts-category = Category
posts-filter = Filter
posts-found = { PLURAL($count) ->
    [0] No posts
    [one] One post
   *[other] { $count } posts
}
posts-restore = Restore
posts-delete = Delete permanently
posts-trashed = Post moved to the Trash.
posts-restored = Post restored from the Trash.
posts-deleted = Post deleted permanently, with its comments.
posts-pages = Pages of posts
posts-newer = Newer posts
posts-older = Older posts
posts-page-of = Page { $page } of { $count }
status-scheduled = Scheduled

## Administration: the editor
post-published = Post published.
post-scheduled = Post scheduled.
field-new-category = New categories
field-tags = Tags
terms-hint = Separate with commas.
update-post = Update
save-draft = Save draft
publish-post = Publish
schedule-post = Schedule

## Administration: revisions and autosave
revisions = Revisions
revisions-of = Revisions of “{ $title }”
revisions-count = { PLURAL($count) ->
    [one] One revision
   *[other] { $count } revisions
}
back-to-editor = Back to the editor
compare-title = The revision of { $date } beside the post as it is now
compare-part-excerpt = Excerpt
compare-part-body = Text
revision-by = Saved by
revision-autosave = autosave
revision-current = current
revision-compare = Compare with now
revision-restore = Restore this revision
revision-restored = Revision restored.
error-revision-invalid = This revision cannot be restored as it is: open the editor and paste its text instead.
error-autosave-incomplete = Not autosaved yet: the post needs a title.
autosaved-at = Draft saved at { $time }.

## Administration: revisions, the parts compared
compare-part-title = Title

## Administration: the editor, filing
categories-and-tags = Categories and tags

## Administration: media
nav-media = Media
media-uploaded = Uploaded to the library.
media-deleted = The file was deleted.
media-choose-files = Files to upload
media-limits = JPEG, PNG, WebP or GIF images and PDF files, up to { $max } MB each. SVG is not accepted.
media-alt = Alt text
media-alt-hint = Describe the image for people who cannot see it. Leave it empty only if the image is decoration.
media-upload = Upload
media-search = Search the library
media-kind = Type
media-kind-image = Images
media-kind-pdf = PDF files
media-unused = Only files no post uses
media-found =
    { PLURAL($count) ->
        [0] No files
        [one] 1 file
        *[other] { $count } files
    }
media-no-alt = No alt text
media-used-count =
    { PLURAL($count) ->
        [one] Used in 1 post
        *[other] Used in { $count } posts
    }
media-unused-label = Not used
media-none = No files yet. Upload the first one above.
media-saved = Saved.
media-open-pdf = Open the PDF
media-address = Address
media-size = Size
media-uploaded-on = Uploaded
media-markdown = In a post
media-used-in = Used in
media-delete-when-unused = A file can be deleted once no post shows it: take it out of these posts first.
media-used-nowhere = No post uses this file.
media-delete = Delete permanently
media-size-kb = { $size } KB
media-size-mb = { $size } MB
media-error-empty = The file is empty.
media-error-too-large = The file is { $size } MB; the limit is { $max } MB. Make it smaller (a photo of 2,000 pixels across is plenty) and upload it again.
media-error-svg = SVG images are not accepted: they can carry scripts that would run on this site. Export the image as PNG and upload that.
media-error-type = This kind of file is not accepted. Upload JPEG, PNG, WebP or GIF images, or PDF files.
media-error-pixels = The image is { $width }×{ $height } pixels; the limit is { $max } megapixels. Make it smaller and upload it again.
media-error-unreadable = The file starts like a { $kind } file but cannot be read as one: it may be damaged or cut short. Save it again and upload it.
media-error-broken-upload = The upload did not arrive whole. Try again.
media-error-no-file = Choose a file to upload first.
media-error-storage = The file could not be stored right now; nothing was kept. Try again in a moment.
media-error-in-use = This file is shown in a post, so it was not deleted. Take it out of the posts listed below first.
media-uploading = Uploading
media-inserted = Added:
media-open-library = Upload images and files in the media library (opens in a new tab), then paste their Markdown here.
media-add = Add media
media-from-library = From the library
media-drop-hint = or drop or paste images into the text
media-alt-for = Alt text for
media-alt-save = Save alt text
media-insert = Insert
media-set-featured = Set as featured image
close = Close
featured-image = Featured image
featured-image-choose = Image shown above the post and in link previews
featured-image-none = None
config-s3-endpoint = the media bucket address `{ $endpoint }` is not an http:// or https:// address ([media] s3_endpoint, TRIBUNE_S3_ENDPOINT)
config-s3-incomplete = an S3 bucket for media needs all of s3_endpoint, s3_bucket, s3_access_key and s3_secret_key ([media] or TRIBUNE_S3_*)

## Moving in: media
help-tribune-import-wordpress--fetch-media = Bring the export's images and files into the media library (fetched from their addresses in the export) and show them from here
import-label-attachment = line { $line }: { $url }
import-note-media-failed = an attachment could not be fetched ({ $reason }); posts keep linking to its old address
import-media =
    { PLURAL($count) ->
        [one] { $count } file brought into the media library.
        *[other] { $count } files brought into the media library.
    }

## Administration: media, back
media-back = ← Media

## Feeds
feed-comments-title = Comments for { $site }
feed-post-comments-title = Comments on: { $title }
feed-comment-by = By: { $author }
feed-comment-on = Comment on { $title } by { $author }
feed-posts-link = { $site } » Feed
feed-comments-link = { $site } » Comments Feed
feed-archive-link = { $site } » { $name } Feed
feed-post-comments-link = { $site } » { $title } Comments Feed
field-posts_per_rss = Posts in each feed
field-rss_use_excerpt = Each post in a feed shows
feed-full-text = Full text
feed-summary = Summary
feed-follow = Follow by feed

## Search
search-label = Search
search-button = Search
search-placeholder = Search this site
search-title = Search results for “{ $query }”
search-count =
    { PLURAL($count) ->
        [one] One post or page matches.
       *[other] { $count } posts and pages match.
    }
search-count-more = More than { $count } posts and pages match.
search-slow-down = You have searched many times this minute. Try again in a minute.
search-nothing = Nothing matched these words. Try fewer words, or other spellings.
search-more = More results
search-back = Earlier results

## Webmention
comment-type-webmention = Mention:
webmention-accepted = Accepted. The source will be checked, and the mention shown once a moderator approves it.
webmention-bad-urls = Give source and target as http or https addresses.
webmention-same = The source and the target are the same address.
webmention-not-here = The target is not on this site.
webmention-no-post = The target is not a post or page published here.
webmention-closed = This post does not take responses any more.
webmention-slow-down = Too many mentions from your address; try again in a minute.
job-summary-webmention-receive = Check a mention of post { $id } by { $source }
job-summary-webmentions-send = Find the pages post { $id } links to, to tell them
job-summary-webmention-send = Tell { $target } that post { $id } links to it
