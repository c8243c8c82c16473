//! The single gate every published command passes through.

use crate::command::{Command, SlotValue};
use crate::error::ValidationError;
use crate::vocab::{OutOfRange, SlotKind, Vocabulary, TARGET_SLOT, UNKNOWN_ACTION};

fn text_ok(vocab: &Vocabulary, s: &str) -> bool {
    let n = s.chars().count();
    n > 0
        && n <= vocab.text_max_chars
        && s.trim() == s
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, ' ' | '\'' | '-'))
}

impl Vocabulary {
    /// Strict check, no repair: `Ok` means the command may be published as is.
    pub fn check(&self, cmd: &Command) -> Result<(), ValidationError> {
        self.check_inner(cmd, false).map(|_| ())
    }

    /// Checks a command, clamps numbers whose slot says `clamp` and replaces
    /// a target alias by its target ("me" -> "person"). Anything
    /// else that does not fit is an error; callers publish
    /// [`Vocabulary::finalize`] instead of ever passing a failing command on.
    pub fn validate(&self, cmd: Command) -> Result<Command, ValidationError> {
        self.check_inner(&cmd, true)?;
        let mut cmd = cmd;
        if let Some(SlotValue::Text(t)) = cmd.slots.get_mut(TARGET_SLOT) {
            if let Some(c) = self.canonical_target(t) {
                if c != t {
                    *t = c.to_string();
                }
            }
        }
        if let Some(spec) = self.action(&cmd.action) {
            for slot in &spec.slots {
                if let (Some(SlotValue::Number { value, .. }), SlotKind::Number { min, max, .. }) =
                    (cmd.slots.get_mut(&slot.name), &slot.kind)
                {
                    if *value < *min || *value > *max {
                        tracing::info!(action = %cmd.action, slot = %slot.name, value = *value, "clamping");
                        *value = value.clamp(*min, *max);
                    }
                }
            }
        }
        debug_assert!(self.check(&cmd).is_ok());
        Ok(cmd)
    }

    /// Validates, turning any failure into `unknown` with the failure as
    /// reason, so the output is always publishable.
    pub fn finalize(&self, cmd: Command) -> Command {
        let (source, text) = (cmd.source, cmd.text.clone());
        match self.validate(cmd) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "command failed validation");
                Command::unknown(format!("rejected: {e}"), source, &text)
            }
        }
    }

    fn check_inner(&self, cmd: &Command, allow_clamp: bool) -> Result<(), ValidationError> {
        if !(0.0..=1.0).contains(&cmd.confidence) {
            return Err(ValidationError::BadConfidence(cmd.confidence));
        }
        if cmd.action == UNKNOWN_ACTION {
            return match &cmd.reason {
                Some(r) if !r.trim().is_empty() && cmd.slots.is_empty() => Ok(()),
                _ => Err(ValidationError::BadUnknown),
            };
        }
        let spec = self
            .action(&cmd.action)
            .ok_or_else(|| ValidationError::UnknownAction(cmd.action.clone()))?;
        let action = || spec.name.clone();
        for (name, value) in &cmd.slots {
            let slot = spec
                .slot(name)
                .ok_or_else(|| ValidationError::UnknownSlot {
                    action: action(),
                    slot: name.clone(),
                })?;
            let wrong = || ValidationError::WrongType {
                action: action(),
                slot: name.clone(),
            };
            match (&slot.kind, value) {
                (
                    SlotKind::Number {
                        min,
                        max,
                        out_of_range,
                        ..
                    },
                    SlotValue::Number { value, .. },
                ) => {
                    if !value.is_finite() {
                        return Err(ValidationError::NotFinite {
                            action: action(),
                            slot: name.clone(),
                        });
                    }
                    let inside = *value >= *min && *value <= *max;
                    let clampable = allow_clamp && *out_of_range == OutOfRange::Clamp;
                    if !(inside || clampable) {
                        return Err(ValidationError::OutOfRange {
                            action: action(),
                            slot: name.clone(),
                            value: *value,
                            min: *min,
                            max: *max,
                        });
                    }
                }
                (SlotKind::Enum { values }, SlotValue::Enum(v)) => {
                    if !values.contains_key(v) {
                        return Err(ValidationError::BadEnumValue {
                            action: action(),
                            slot: name.clone(),
                            value: v.clone(),
                        });
                    }
                }
                (SlotKind::Text, SlotValue::Text(t)) => {
                    if !text_ok(self, t) {
                        return Err(ValidationError::BadText { action: action() });
                    }
                }
                _ => return Err(wrong()),
            }
        }
        for slot in &spec.slots {
            if slot.required && !cmd.slots.contains_key(&slot.name) {
                return Err(ValidationError::MissingSlot {
                    action: action(),
                    slot: slot.name.clone(),
                });
            }
        }
        if !spec.require_any.is_empty()
            && !spec.require_any.iter().any(|s| cmd.slots.contains_key(s))
        {
            return Err(ValidationError::MissingAnyOf {
                action: action(),
                slots: spec.require_any.clone(),
            });
        }
        Ok(())
    }
}
