//! The workshop's keyboard map (keyboard and presenter clicker), as a pure function.
//!
//! The page translates a `keydown` event into a [`Press`] and its state into a
//! [`KeyState`], calls [`action`] and performs the [`KeyAction`] it gets:
//!
//! | key | map | voting | layout |
//! |---|---|---|---|
//! | 1–9 | choose a need category | choose a proposal | choose a category |
//! | arrows | move the cursor over the plan | previous / next proposal | move the cursor |
//! | PageUp / PageDown (clicker) | previous / next category | previous / next proposal | previous / next category |
//! | Enter | place a dot | place the participant's dot | pick up / drop a building |
//! | Z, Ctrl+Z, ⌘Z | undo (dots, votes, change of participant) | undo | put the held building back |
//! | N | | next participant | |
//! | space, + / −, R | start / stop the timer, a minute more / less, reset | same | same |
//! | V, L, H, S, F, ? | voting, layout, heat only, save, full screen, key help | same | same |
//!
//! A number beyond the list (a 9 with eight categories) and a step through an
//! empty list are still the workshop's keys ([`KeyAction::Nothing`]): the browser's
//! default is prevented, nothing changes. A key held with Ctrl, Alt or Meta (but
//! Ctrl+Z and ⌘Z, which undo as Z does), any key typed in a form field, and Enter or
//! space on a button or link are left to the browser (`None`).
//!
//! The number shown on a proposal of the voting list is its key: [`number_label`]
//! gives the label of the proposal at an index, and number key N selects the
//! proposal labelled N (tested for every N and list length).

/// The workshop's modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// The needs map: dots by category on the plan.
    #[default]
    Map,
    /// Dot voting on the period's proposals.
    Vote,
    /// Rearranging the buildings on the plan.
    Arrange,
}

/// Where a key was pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A form field (`input`, `select`, `textarea`): every key is the field's.
    Field,
    /// A button, link or `summary`: Enter and space activate it.
    Control,
    /// Anything else (the workshop itself).
    Page,
}

impl Target {
    /// The target kind of an element by its tag name (any case).
    pub fn of_tag(tag: &str) -> Self {
        match tag.to_ascii_lowercase().as_str() {
            "input" | "select" | "textarea" => Self::Field,
            "button" | "a" | "summary" => Self::Control,
            _ => Self::Page,
        }
    }
}

/// A key press as the page saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Press<'a> {
    /// `KeyboardEvent.key` (`"Enter"`, `"ArrowUp"`, `" "`, `"z"`, `"7"`, …).
    pub key: &'a str,
    /// Ctrl, Alt or Meta was held: the browser's and the system's shortcuts.
    pub modifier: bool,
    /// Ctrl or Meta (⌘) was held without Alt: Ctrl+Z / ⌘Z undo.
    pub command: bool,
    /// Where it was pressed.
    pub target: Target,
}

/// What the key map needs to know of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeyState {
    pub mode: Mode,
    /// Need categories on the keys (at most [`super::MAX_KEYED`]).
    pub categories: usize,
    /// Proposals on the voting list.
    pub proposals: usize,
    /// The chosen category (index).
    pub category: usize,
    /// The selected proposal (index).
    pub proposal: usize,
}

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAction {
    /// A workshop key that changes nothing now (a number beyond the list, a step
    /// through an empty list): only the browser's default is prevented.
    Nothing,
    /// A number key chose category `0`: choose it and clear the message line.
    ChooseCategory(usize),
    /// The clicker moved to category `0`; the message line stays.
    StepCategory(usize),
    /// Select proposal `0` (voting).
    SelectProposal(usize),
    /// Move the plan's cursor by `dx`, `dy` cells (see [`step_cursor`]).
    MoveCursor { dx: i32, dy: i32 },
    /// Place a needs dot of the chosen category under the cursor.
    PlaceDot,
    /// Place the current participant's dot on the selected proposal.
    Vote,
    /// Pick up the building under the cursor, or drop the held one there.
    PickUpOrDrop,
    /// Put the held building back (layout mode's Z).
    CancelHold,
    /// Take back the last dot, vote or change of participant.
    Undo,
    /// Hand the voting dots to the next participant.
    NextParticipant,
    /// Start or stop the timer.
    ToggleTimer,
    /// One minute more on the timer.
    AddMinute,
    /// One minute less on the timer.
    RemoveMinute,
    /// Stop the timer and set it back to its duration.
    ResetTimer,
    /// Enter or leave the browser's full screen.
    FullScreen,
    /// Voting on or off (leaving layout mode saves the layout).
    ToggleVoting,
    /// Layout mode on, or off and save the layout.
    ToggleArrange,
    /// Show or hide the dots (heat only).
    ToggleDots,
    /// Save the session.
    Save,
    /// Show or hide the key help.
    ToggleHelp,
}

/// The number shown on the voting list's proposal at index `i`: its key, 1–9;
/// `None` beyond the ninth (reached with the arrows or the clicker).
///
/// ```
/// use linli_domain::workshop::keys::number_label;
/// assert_eq!(number_label(6), Some(7));
/// assert_eq!(number_label(9), None);
/// ```
pub fn number_label(i: usize) -> Option<usize> {
    (i < 9).then_some(i + 1)
}

/// Index `i` moved by `step` through a list of `n`, wrapping around; `None` when
/// the list is empty.
fn wrap(i: usize, step: i32, n: usize) -> Option<usize> {
    (n > 0).then(|| (i as i64 + i64::from(step)).rem_euclid(n as i64) as usize)
}

/// What `press` does in `state`; `None` when the key is not the workshop's (the
/// browser handles it).
pub fn action(press: Press<'_>, state: KeyState) -> Option<KeyAction> {
    let Press {
        key,
        modifier,
        command,
        target,
    } = press;
    if target == Target::Field {
        return None;
    }
    if modifier {
        return (command && matches!(key, "z" | "Z")).then_some(if state.mode == Mode::Arrange {
            KeyAction::CancelHold
        } else {
            KeyAction::Undo
        });
    }
    if target == Target::Control && matches!(key, "Enter" | " ") {
        return None;
    }
    let vote = state.mode == Mode::Vote;
    let stepped = |step: i32| {
        let to = if vote {
            wrap(state.proposal, step, state.proposals).map(KeyAction::SelectProposal)
        } else {
            None
        };
        to.unwrap_or(KeyAction::Nothing)
    };
    Some(match key {
        "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" => {
            let i = usize::from(key.as_bytes()[0] - b'1');
            match vote {
                true if i < state.proposals => KeyAction::SelectProposal(i),
                false if i < state.categories => KeyAction::ChooseCategory(i),
                _ => KeyAction::Nothing,
            }
        }
        "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown" => {
            let (dx, dy) = match key {
                "ArrowLeft" => (-1, 0),
                "ArrowRight" => (1, 0),
                "ArrowUp" => (0, -1),
                _ => (0, 1),
            };
            if vote {
                stepped(if dx != 0 { dx } else { dy })
            } else {
                KeyAction::MoveCursor { dx, dy }
            }
        }
        "PageDown" | "PageUp" => {
            let step = if key == "PageDown" { 1 } else { -1 };
            if vote {
                stepped(step)
            } else {
                wrap(state.category, step, state.categories)
                    .map_or(KeyAction::Nothing, KeyAction::StepCategory)
            }
        }
        "Enter" => match state.mode {
            Mode::Map => KeyAction::PlaceDot,
            Mode::Vote => KeyAction::Vote,
            Mode::Arrange => KeyAction::PickUpOrDrop,
        },
        "z" | "Z" if state.mode == Mode::Arrange => KeyAction::CancelHold,
        "z" | "Z" => KeyAction::Undo,
        " " => KeyAction::ToggleTimer,
        "+" | "=" => KeyAction::AddMinute,
        "-" | "_" => KeyAction::RemoveMinute,
        "r" | "R" => KeyAction::ResetTimer,
        "f" | "F" => KeyAction::FullScreen,
        "v" | "V" => KeyAction::ToggleVoting,
        "n" | "N" if vote => KeyAction::NextParticipant,
        "l" | "L" => KeyAction::ToggleArrange,
        "h" | "H" => KeyAction::ToggleDots,
        "s" | "S" => KeyAction::Save,
        "?" => KeyAction::ToggleHelp,
        _ => return None,
    })
}

/// The cursor at `cursor` moved by `dx`, `dy`, kept on a plan of `extent`
/// (columns, rows; each at least 1).
pub fn step_cursor(cursor: (u16, u16), dx: i32, dy: i32, extent: (u16, u16)) -> (u16, u16) {
    let (cols, rows) = (i32::from(extent.0.max(1)), i32::from(extent.1.max(1)));
    (
        (i32::from(cursor.0) + dx).clamp(0, cols - 1) as u16,
        (i32::from(cursor.1) + dy).clamp(0, rows - 1) as u16,
    )
}

#[cfg(test)]
mod tests;
