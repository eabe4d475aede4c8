-- Why a comment was held or sent to spam by a rule (domain::discussion::RuleHit, JSON); NULL when a moderator or the policy decided.
ALTER TABLE comments ADD COLUMN moderation_note TEXT;
