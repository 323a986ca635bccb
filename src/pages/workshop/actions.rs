//! What the facilitator does: dots, undo, voting, participants, the timer, full
//! screen, the modes and the layout. Each action is a method of [`Ws`], called by
//! a key, a button or the pointer.

use leptos::prelude::*;
use linli_domain::workshop::keys::{number_label, step_cursor, Mode};
use linli_domain::workshop::{Session, Spot, Undone, WorkshopError};

use super::save::js_error_text;
use super::state::{Msg, Ws};
use crate::browser::now_millis;
use crate::charts::workshop_plan as draw;
use crate::components::labels::is_zh;
use crate::i18n::*;

impl Ws {
    /// Places a needs dot of the chosen category under the cursor: draws that one
    /// marker and its heat cell (the whole heat layer when its top changed).
    pub fn place_dot(self) {
        let i18n = self.i18n;
        let (x, y) = self.cursor.get_untracked();
        let c = self.category.get_untracked();
        let placed = self.session.try_update_value(|s| {
            let spot = self.plan.with_value(|p| Spot::of_cell(p, x, y));
            let max_before = s.max_spot();
            let dot = *s.place(c, spot)?;
            Ok::<_, WorkshopError>((
                dot,
                s.spot(spot).map_or(1, |c| c.total),
                max_before != s.max_spot(),
            ))
        });
        match placed {
            Some(Ok((dot, n, max_changed))) => {
                if let Some((heat, dots)) = self.layers() {
                    let px = self.cell_px.get_untracked();
                    if self.show_dots.get_untracked() {
                        draw::dot_pen(&dots);
                        self.plan
                            .with_value(|p| draw::draw_dot(&dots, p, &dot, n - 1, px));
                    }
                    if max_changed {
                        self.redraw_heat();
                    } else {
                        self.plan.with_value(|p| {
                            self.session
                                .with_value(|s| draw::draw_heat_cell(&heat, p, s, dot.spot, px))
                        });
                    }
                }
                self.bump();
                self.msg.set(None);
            }
            _ => self.say(Msg::Error(
                t_string!(i18n, workshop.choose_category_first).to_string(),
            )),
        }
    }

    /// Takes back the last dot, vote or change of participant.
    pub fn undo(self) {
        let i18n = self.i18n;
        let undone = self.session.try_update_value(|s| {
            let max_before = s.max_spot();
            s.undo().map(|u| (u, max_before != s.max_spot()))
        });
        let Some((u, max_changed)) = undone.flatten() else {
            return self.say(Msg::Info(t_string!(i18n, workshop.nothing_to_undo).to_string()));
        };
        // Only the undone dot's cell is repainted (a full repaint of 5,000 dots
        // takes several frames); the whole heat layer when its top changed.
        if let (Undone::Dot(d), Some((heat, dots))) = (u, self.layers()) {
            let px = self.cell_px.get_untracked();
            let show_dots = self.show_dots.get_untracked();
            self.plan.with_value(|p| {
                self.session.with_value(|s| {
                    if show_dots {
                        draw::redraw_spot_dots(&dots, p, s, d.spot, px);
                    }
                    if !max_changed {
                        draw::draw_heat_cell(&heat, p, s, d.spot, px);
                    }
                })
            });
            if max_changed {
                self.redraw_heat();
            }
        }
        if let Undone::Vote(v) = u {
            if let Some(i) = self
                .session
                .with_value(|s| s.proposals.iter().position(|&p| p == v.proposal))
            {
                self.selected.set(i);
            }
        }
        self.bump();
        self.say(Msg::Info(match u {
            Undone::Dot(d) => t_string!(
                i18n,
                workshop.undone_dot,
                category = self.cat_name(usize::from(d.category)),
                spot = self.spot_name(d.spot)
            )
            .to_string(),
            Undone::Vote(v) => {
                let (number, title) = self.proposal_label(v.proposal);
                t_string!(
                    i18n,
                    workshop.undone_vote,
                    participant = v.participant,
                    number = number,
                    title = title
                )
                .to_string()
            }
            Undone::NextParticipant => t_string!(i18n, workshop.undone_participant).to_string(),
        }));
    }

    /// The number shown on proposal `id` in the voting list (its key, `·` beyond
    /// the ninth) and its title: how messages name a proposal, never by its id.
    pub fn proposal_label(self, id: u32) -> (String, String) {
        self.data.with_value(|d| {
            d.proposals
                .iter()
                .enumerate()
                .find(|(_, p)| p.id == id)
                .map(|(i, p)| {
                    (
                        number_label(i).map_or_else(|| "·".to_owned(), |n| n.to_string()),
                        p.title.clone(),
                    )
                })
                .unwrap_or_default()
        })
    }

    /// Places the current participant's dot on the selected proposal.
    pub fn vote(self) {
        let i18n = self.i18n;
        let i = self.selected.get_untracked();
        let r = self
            .session
            .try_update_value(|s| match s.proposals.get(i).copied() {
                Some(p) => s.vote(p),
                None => Err(WorkshopError::NotOnBallot(0)),
            });
        match r {
            Some(Ok(())) => {
                self.bump();
                self.msg.set(None);
            }
            Some(Err(WorkshopError::NoDotsLeft { participant, limit })) => self.say(Msg::Error(
                t_string!(
                    i18n,
                    workshop.no_dots_left,
                    participant = participant,
                    limit = limit
                )
                .to_string(),
            )),
            _ => self.say(Msg::Error(
                t_string!(i18n, workshop.no_proposal_to_vote).to_string(),
            )),
        }
    }

    /// Hands the voting dots to the next participant.
    pub fn next_participant(self) {
        let i18n = self.i18n;
        match self.session.try_update_value(Session::next_participant) {
            Some(Ok(n)) => {
                self.bump();
                self.say(Msg::Info(
                    t_string!(i18n, workshop.next_participant, n = n).to_string(),
                ));
            }
            _ => self.say(Msg::Error(
                t_string!(i18n, workshop.participant_unused).to_string(),
            )),
        }
    }

    /// Sets the voting dots per participant from the limit field's text.
    pub fn set_limit(self, text: &str) {
        let i18n = self.i18n;
        let v: u32 = text.parse().unwrap_or(0);
        match self.session.try_update_value(|s| s.set_dots_per_participant(v)) {
            Some(Ok(())) => {
                self.bump();
                self.msg.set(None);
            }
            Some(Err(WorkshopError::LimitBelowUsed {
                participant, used, ..
            })) => self.say(Msg::Error(
                t_string!(
                    i18n,
                    workshop.limit_below_used,
                    participant = participant,
                    used = used
                )
                .to_string(),
            )),
            _ => self.say(Msg::Error(t_string!(i18n, workshop.limit_min).to_string())),
        }
    }

    pub fn toggle_timer(self) {
        let t = now_millis();
        self.now.set(t);
        self.timer.update(|x| x.toggle(t));
    }

    /// Enters the browser's full screen with the workshop, or leaves it.
    pub fn toggle_fullscreen(self) {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        if doc.fullscreen_element().is_some() {
            doc.exit_fullscreen();
        } else if let Some(el) = doc.query_selector("article.ws").ok().flatten() {
            if let Err(e) = el.request_fullscreen() {
                self.say(Msg::Error(js_error_text(&e)));
            }
        }
    }

    pub fn move_cursor(self, dx: i32, dy: i32) {
        let extent = self.extent.get_untracked();
        self.cursor.update(|c| *c = step_cursor(*c, dx, dy, extent));
    }

    /// Layout mode on, or off and save the layout.
    pub fn toggle_arrange(self) {
        let i18n = self.i18n;
        if self.mode.get_untracked() == Mode::Arrange {
            self.holding.set(None);
            self.mode.set(Mode::Map);
            self.save_layout();
        } else {
            self.mode.set(Mode::Arrange);
            self.say(Msg::Info(t_string!(i18n, workshop.arrange_intro).to_string()));
        }
    }

    /// Picks up the building under the cursor, or drops the held one there (a
    /// building already there swaps places with it).
    pub fn pick_up_or_drop(self) {
        let i18n = self.i18n;
        let (x, y) = self.cursor.get_untracked();
        match self.holding.get_untracked() {
            None => match self.plan.with_value(|p| p.building_at(x, y).map(|b| b.id)) {
                Some(id) => self.holding.set(Some(id)),
                None => self.say(Msg::Error(t_string!(i18n, workshop.no_building_here).to_string())),
            },
            Some(id) => {
                self.plan.update_value(|p| {
                    p.move_building(id, x, y);
                });
                self.holding.set(None);
                self.layout_rev.update(|r| *r += 1);
                self.fit();
            }
        }
    }

    /// Voting on or off; leaving layout mode this way saves the layout.
    pub fn toggle_vote(self) {
        self.holding.set(None);
        if self.mode.get_untracked() == Mode::Arrange {
            self.save_layout();
        }
        self.mode
            .update(|m| *m = if *m == Mode::Vote { Mode::Map } else { Mode::Vote });
        self.msg.set(None);
    }

    pub fn toggle_lang(self) {
        let i18n = self.i18n;
        i18n.set_locale(if is_zh(i18n) { Locale::en } else { Locale::zh });
    }
}
