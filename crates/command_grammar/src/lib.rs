//! Pure core of the aihat_ros command node: vocabulary, fast-path parser,
//! validator, GBNF generator and target grounding. No ROS, no LLM.

pub mod command;
mod english;
pub mod error;
pub mod eval;
pub mod fast_path;
pub mod gbnf;
pub mod grounding;
mod numbers;
pub mod support;
mod validate;
pub mod vocab;

pub use command::{Command, SlotValue, Source};
pub use error::{JsonCommandError, ValidationError, VocabularyError};
pub use fast_path::{fast_path, FastPathOutcome};
pub use gbnf::{gbnf, gbnf_for};
pub use grounding::{ground_target, Detection, Grounding, Position, Target, WorldState};
pub use support::{check_support, numbers_said, vet_llm_answer, words_said, NumberSlotSaid, Refused, Unsupported, WordSlotSaid};
pub use vocab::{ActionSpec, OutOfRange, SlotKind, SlotSpec, Vocabulary};

impl Command {
    /// Resolves this command's `target` against current detections.
    pub fn ground(&mut self, detections: &[Detection], min_score: f32) {
        if let Some(SlotValue::Text(t)) = self.slots.get(vocab::TARGET_SLOT) {
            self.grounding = Some(ground_target(t, detections, min_score));
        }
    }

    /// Resolves this command's `target` against what the robot has seen within `max_age`.
    pub fn ground_in(&mut self, world: &WorldState, now: std::time::Instant, max_age: std::time::Duration, min_score: f32) {
        if let Some(SlotValue::Text(t)) = self.slots.get(vocab::TARGET_SLOT) {
            self.grounding = Some(world.ground(t, now, max_age, min_score));
        }
    }
}
