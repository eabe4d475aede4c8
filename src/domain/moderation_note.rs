//! What Tribune noted on a comment before any moderator — the discussion rule, the
//! block-list entry or the bot trap that decided, and the spam filter's score with
//! its reasons — kept with it as JSON (`comments.moderation_note`) and shown in the
//! queue and the activity log.

use super::bot_trap::Trap;
use super::discussion::{Blocked, RuleHit};
use super::spam_filter::Score;

/// Why a comment was held or sent to spam, or how it scored: what Tribune decided on
/// it before any moderator, kept with it as JSON (`comments.moderation_note`) and
/// shown in the queue.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ModerationNote {
    /// The discussion rule it met.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<RuleHit>,
    /// The bot trap that caught it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trap: Option<Trap>,
    /// The spam filter's score and reasons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<Score>,
    /// An entry of the block list matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked: Option<Blocked>,
}

impl ModerationNote {
    /// Reads a stored note; a note from before scores (a bare `RuleHit`) too.
    pub fn parse(stored: &str) -> Option<ModerationNote> {
        serde_json::from_str::<ModerationNote>(stored)
            .ok()
            .or_else(|| {
                serde_json::from_str::<RuleHit>(stored)
                    .ok()
                    .map(|rule| ModerationNote {
                        rule: Some(rule),
                        ..ModerationNote::default()
                    })
            })
    }

    pub fn is_empty(&self) -> bool {
        self == &ModerationNote::default()
    }

    /// As stored; `None` when there is nothing to say.
    pub fn to_stored(&self) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        serde_json::to_string(self).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_from_before_scores_still_reads() {
        let old = r#"{"rule":"links","count":3,"max":2}"#;
        let note = ModerationNote::parse(old).unwrap();
        assert_eq!(note.rule, Some(RuleHit::Links { count: 3, max: 2 }));
        let new = ModerationNote {
            trap: Some(Trap::Honeypot),
            ..ModerationNote::default()
        };
        assert_eq!(ModerationNote::parse(&new.to_stored().unwrap()), Some(new));
        assert_eq!(ModerationNote::default().to_stored(), None);
    }
}
