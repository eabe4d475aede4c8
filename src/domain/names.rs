//! Enums whose values have a name: statuses, roles and kinds. Each is declared once
//! with [`named!`], which writes its only mapping to and from text (`as_str`,
//! `FromStr`, `Display`, serde). The store encodes and decodes them with that mapping
//! (`store/codec.rs`), templates and JSON see the same names, and a typo in code is a
//! compile error rather than a branch that never runs.

use std::fmt;

/// A name that is not one of an enum's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    /// What the name was meant to be, e.g. "comment status".
    pub what: &'static str,
    pub value: String,
    pub expected: &'static [&'static str],
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} `{}`: use ", self.what, self.value)?;
        for (i, name) in self.expected.iter().enumerate() {
            match i {
                0 => {}
                i if i + 1 == self.expected.len() => f.write_str(" or ")?,
                _ => f.write_str(", ")?,
            }
            f.write_str(name)?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownName {}

/// Declares an enum whose variants have names:
///
/// ```text
/// named! {
///     /// A comment's place in moderation.
///     pub enum CommentStatus: "comment status" {
///         Pending = "pending",
///         Approved = "approved",
///     }
/// }
/// ```
macro_rules! named {
    (
        $(#[$meta:meta])*
        pub enum $name:ident : $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in the order declared.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Every name, in the order declared.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The name stored in the database and shown to templates.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::domain::names::UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::domain::names::UnknownName {
                        what: $what,
                        value: s.to_string(),
                        expected: Self::NAMES,
                    }),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(::serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use named;

#[cfg(test)]
mod tests {
    named! {
        /// A test enum.
        pub enum Colour: "colour" {
            Red = "red",
            Green = "green",
            Blue = "blue",
        }
    }

    #[test]
    fn names_round_trip_and_unknown_ones_list_the_choices() {
        for c in Colour::ALL {
            assert_eq!(c.as_str().parse::<Colour>(), Ok(*c));
            assert_eq!(c.to_string(), c.as_str());
        }
        let err = "mauve".parse::<Colour>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown colour `mauve`: use red, green or blue"
        );
        assert_eq!(serde_json::to_string(&Colour::Green).unwrap(), "\"green\"");
        assert_eq!(
            serde_json::from_str::<Colour>("\"blue\"").unwrap(),
            Colour::Blue
        );
        assert!(serde_json::from_str::<Colour>("\"pink\"").is_err());
    }
}
