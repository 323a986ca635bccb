//! The keyboard (and presenter clicker): the `keydown` event is translated for
//! `linli_domain::workshop::keys::action`, whose answer is performed here.

use leptos::ev;
use leptos::prelude::*;
use linli_domain::workshop::keys::{action, KeyAction, KeyState, Press, Target};
use linli_domain::workshop::Timer;
use wasm_bindgen::JsCast;

use super::state::Ws;

impl Ws {
    /// What the key map needs to know of the page now.
    fn key_state(self) -> KeyState {
        KeyState {
            mode: self.mode.get_untracked(),
            categories: self.data.with_value(|d| d.categories.len()),
            proposals: self.data.with_value(|d| d.proposals.len()),
            category: self.category.get_untracked(),
            proposal: self.selected.get_untracked(),
        }
    }

    /// Performs what a key does.
    fn perform(self, a: KeyAction) {
        match a {
            KeyAction::Nothing => {}
            KeyAction::ChooseCategory(i) => {
                self.category.set(i);
                self.msg.set(None);
            }
            KeyAction::StepCategory(i) => self.category.set(i),
            KeyAction::SelectProposal(i) => self.selected.set(i),
            KeyAction::MoveCursor { dx, dy } => self.move_cursor(dx, dy),
            KeyAction::PlaceDot => self.place_dot(),
            KeyAction::Vote => self.vote(),
            KeyAction::PickUpOrDrop => self.pick_up_or_drop(),
            KeyAction::CancelHold => self.holding.set(None),
            KeyAction::Undo => self.undo(),
            KeyAction::NextParticipant => self.next_participant(),
            KeyAction::ToggleTimer => self.toggle_timer(),
            KeyAction::AddMinute => self.timer.update(|t| t.adjust(60_000)),
            KeyAction::RemoveMinute => self.timer.update(|t| t.adjust(-60_000)),
            KeyAction::ResetTimer => self.timer.update(Timer::reset),
            KeyAction::FullScreen => self.toggle_fullscreen(),
            KeyAction::ToggleVoting => self.toggle_vote(),
            KeyAction::ToggleArrange => self.toggle_arrange(),
            KeyAction::ToggleDots => self.show_dots.update(|v| *v = !*v),
            KeyAction::Save => self.save(),
            KeyAction::ToggleHelp => self.help.update(|h| *h = !*h),
        }
    }

    /// Handles a `keydown`: the browser's default is prevented for the
    /// workshop's keys.
    fn on_key(self, ev: &web_sys::KeyboardEvent) {
        if ev.default_prevented() {
            return;
        }
        let tag = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .map(|e| e.tag_name())
            .unwrap_or_default();
        let key = ev.key();
        let press = Press {
            key: &key,
            modifier: ev.ctrl_key() || ev.meta_key() || ev.alt_key(),
            command: (ev.ctrl_key() || ev.meta_key()) && !ev.alt_key(),
            target: Target::of_tag(&tag),
        };
        if let Some(a) = action(press, self.key_state()) {
            self.perform(a);
            ev.prevent_default();
        }
    }

    /// Listens to the keyboard and the window's size, and ticks the timer, until
    /// the workshop is left.
    pub fn listen(self) {
        let key_handle = window_event_listener(ev::keydown, move |ev| self.on_key(&ev));
        let resize_handle = window_event_listener(ev::resize, move |_| self.fit());
        let timer = self.timer;
        let now = self.now;
        let tick = set_interval_with_handle(
            move || {
                if timer.with_untracked(Timer::running) {
                    now.set(crate::browser::now_millis());
                }
            },
            std::time::Duration::from_millis(250),
        )
        .ok();
        on_cleanup(move || {
            key_handle.remove();
            resize_handle.remove();
            if let Some(t) = tick {
                t.clear();
            }
        });
    }
}
