//! Maps each provider's profile to a [`NewIdentity`]: name, avatar, profile URL and,
//! where the provider says it is verified, email.

use serde_json::Value;

use super::ProfileShape;
use crate::store::NewIdentity;

fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn http_url(s: Option<String>) -> Option<String> {
    s.filter(|u| u.starts_with("https://") || u.starts_with("http://"))
}

fn truthy(v: &Value, key: &str) -> bool {
    matches!(v.get(key), Some(Value::Bool(true)))
        || matches!(v.get(key), Some(Value::String(s)) if s == "true")
}

/// Maps a profile document. `None` when it has no stable subject.
pub fn map(provider: &str, shape: ProfileShape, v: &Value) -> Option<NewIdentity> {
    let (subject, name, email, avatar, profile) = match shape {
        ProfileShape::Oidc => (
            text(v, "sub"),
            text(v, "name")
                .or_else(|| text(v, "preferred_username"))
                .or_else(|| text(v, "nickname")),
            text(v, "email").filter(|_| truthy(v, "email_verified")),
            text(v, "picture"),
            text(v, "profile").or_else(|| text(v, "website")),
        ),
        // Graph API /me: {id, name, email, link, picture: {data: {url}}}. Facebook only
        // returns an email the person has confirmed.
        ProfileShape::Facebook => (
            text(v, "id"),
            text(v, "name"),
            text(v, "email"),
            v.pointer("/picture/data/url")
                .and_then(Value::as_str)
                .map(str::to_string),
            text(v, "link"),
        ),
        // X API v2 /2/users/me: {data: {id, name, username, profile_image_url}}; no email.
        ProfileShape::Twitter => {
            let d = v.get("data").unwrap_or(v);
            let username = text(d, "username");
            (
                text(d, "id"),
                text(d, "name").or_else(|| username.clone()),
                None,
                text(d, "profile_image_url"),
                username.map(|u| format!("https://x.com/{u}")),
            )
        }
        // WordPress.com /rest/v1/me: {ID, display_name, username, email, email_verified,
        // avatar_URL, profile_URL}.
        ProfileShape::WordPress => (
            text(v, "ID"),
            text(v, "display_name").or_else(|| text(v, "username")),
            text(v, "email").filter(|_| truthy(v, "email_verified")),
            text(v, "avatar_URL"),
            text(v, "profile_URL"),
        ),
        // GitHub /user: {id, login, name, avatar_url, html_url, email}. The public email
        // is not marked verified, so it is not used.
        ProfileShape::GitHub => (
            text(v, "id"),
            text(v, "name").or_else(|| text(v, "login")),
            None,
            text(v, "avatar_url"),
            text(v, "html_url"),
        ),
    };
    let subject = subject?;
    Some(NewIdentity {
        provider: provider.to_string(),
        name: name
            .unwrap_or_else(|| subject.clone())
            .chars()
            .take(100)
            .collect(),
        subject,
        email: email
            .filter(|e| crate::domain::comment::plausible_email(e))
            .map(|e| e.to_lowercase()),
        avatar_url: http_url(avatar),
        profile_url: http_url(profile),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn google_claims_map_with_a_verified_email() {
        let v = json!({"sub": "1184", "name": "Amina Haddad", "email": "Amina@gmail.com",
            "email_verified": true, "picture": "https://lh3.googleusercontent.com/a/x"});
        let i = map("google", ProfileShape::Oidc, &v).unwrap();
        assert_eq!(i.subject, "1184");
        assert_eq!(i.name, "Amina Haddad");
        assert_eq!(i.email.as_deref(), Some("amina@gmail.com"));
        assert_eq!(
            i.avatar_url.as_deref(),
            Some("https://lh3.googleusercontent.com/a/x")
        );
    }

    #[test]
    fn an_unverified_email_is_dropped() {
        let v = json!({"sub": "1", "name": "A", "email": "a@example.org", "email_verified": false});
        assert_eq!(map("x", ProfileShape::Oidc, &v).unwrap().email, None);
        let v = json!({"sub": "1", "preferred_username": "ann"});
        assert_eq!(map("x", ProfileShape::Oidc, &v).unwrap().name, "ann");
    }

    #[test]
    fn facebook_graph_me_maps() {
        let v = json!({"id": "10158", "name": "John Miller", "email": "john@example.net",
            "link": "https://www.facebook.com/app_scoped_user_id/10158/",
            "picture": {"data": {"height": 200, "is_silhouette": false,
                "url": "https://platform-lookaside.fbsbx.com/p.jpg", "width": 200}}});
        let i = map("facebook", ProfileShape::Facebook, &v).unwrap();
        assert_eq!(
            (i.subject.as_str(), i.name.as_str()),
            ("10158", "John Miller")
        );
        assert_eq!(i.email.as_deref(), Some("john@example.net"));
        assert_eq!(
            i.avatar_url.as_deref(),
            Some("https://platform-lookaside.fbsbx.com/p.jpg")
        );
    }

    #[test]
    fn twitter_users_me_maps_without_email() {
        let v = json!({"data": {"id": "2244994945", "name": "X Dev", "username": "XDevelopers",
            "profile_image_url": "https://pbs.twimg.com/profile_images/1/x_normal.jpg"}});
        let i = map("twitter", ProfileShape::Twitter, &v).unwrap();
        assert_eq!(i.subject, "2244994945");
        assert_eq!(i.email, None);
        assert_eq!(i.profile_url.as_deref(), Some("https://x.com/XDevelopers"));
    }

    #[test]
    fn wordpress_me_maps() {
        let v = json!({"ID": 12345, "display_name": "Sara Lind", "username": "saralind",
            "email": "sara@example.com", "email_verified": true,
            "avatar_URL": "https://0.gravatar.com/avatar/abc", "profile_URL": "https://gravatar.com/saralind"});
        let i = map("wordpress", ProfileShape::WordPress, &v).unwrap();
        assert_eq!(i.subject, "12345");
        assert_eq!(i.name, "Sara Lind");
        assert_eq!(i.email.as_deref(), Some("sara@example.com"));
        assert_eq!(
            i.profile_url.as_deref(),
            Some("https://gravatar.com/saralind")
        );
    }

    #[test]
    fn github_user_maps_and_falls_back_to_login() {
        let v = json!({"login": "octocat", "id": 583231, "name": null,
            "avatar_url": "https://avatars.githubusercontent.com/u/583231?v=4",
            "html_url": "https://github.com/octocat", "email": "octocat@github.com"});
        let i = map("github", ProfileShape::GitHub, &v).unwrap();
        assert_eq!((i.subject.as_str(), i.name.as_str()), ("583231", "octocat"));
        assert_eq!(i.email, None);
        assert_eq!(i.profile_url.as_deref(), Some("https://github.com/octocat"));
    }

    #[test]
    fn no_subject_no_identity_and_no_script_urls() {
        assert!(map("x", ProfileShape::Oidc, &json!({"name": "A"})).is_none());
        let v = json!({"sub": "1", "picture": "javascript:alert(1)", "profile": "data:x"});
        let i = map("x", ProfileShape::Oidc, &v).unwrap();
        assert_eq!((i.avatar_url, i.profile_url), (None, None));
    }
}
