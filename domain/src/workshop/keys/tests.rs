use super::*;

const MODES: [Mode; 3] = [Mode::Map, Mode::Vote, Mode::Arrange];

/// Eight categories (the 8th chosen), five proposals (the 2nd selected).
fn state(mode: Mode) -> KeyState {
    KeyState {
        mode,
        categories: 8,
        proposals: 5,
        category: 7,
        proposal: 1,
    }
}

fn on_page(key: &str) -> Press<'_> {
    Press {
        key,
        modifier: false,
        command: false,
        target: Target::Page,
    }
}

fn act(key: &str, s: KeyState) -> Option<KeyAction> {
    action(on_page(key), s)
}

#[test]
fn number_keys_choose_a_category_on_the_map_and_in_layout_mode() {
    for mode in [Mode::Map, Mode::Arrange] {
        for (i, key) in ["1", "2", "3", "4", "5", "6", "7", "8"].iter().enumerate() {
            assert_eq!(
                act(key, state(mode)),
                Some(KeyAction::ChooseCategory(i)),
                "{mode:?} {key}"
            );
        }
        // Beyond the eight categories: the key is the workshop's, nothing changes.
        assert_eq!(act("9", state(mode)), Some(KeyAction::Nothing));
        let none = KeyState {
            categories: 0,
            ..state(mode)
        };
        assert_eq!(act("1", none), Some(KeyAction::Nothing));
    }
}

#[test]
fn number_keys_select_a_proposal_when_voting() {
    let s = state(Mode::Vote);
    for (i, key) in ["1", "2", "3", "4", "5"].iter().enumerate() {
        assert_eq!(act(key, s), Some(KeyAction::SelectProposal(i)), "{key}");
    }
    for key in ["6", "7", "8", "9"] {
        assert_eq!(act(key, s), Some(KeyAction::Nothing), "{key}");
    }
    // Nine keys for the first nine of many proposals.
    let many = KeyState { proposals: 12, ..s };
    assert_eq!(act("9", many), Some(KeyAction::SelectProposal(8)));
    // Categories do not count when voting, nor proposals on the map.
    let no_proposals = KeyState { proposals: 0, ..s };
    assert_eq!(act("1", no_proposals), Some(KeyAction::Nothing));
    let few_categories = KeyState {
        categories: 1,
        ..state(Mode::Map)
    };
    assert_eq!(act("2", few_categories), Some(KeyAction::Nothing));
}

#[test]
fn zero_and_other_keys_are_left_to_the_browser() {
    for mode in MODES {
        for key in [
            "0",
            "a",
            "x",
            "Tab",
            "Escape",
            "Backspace",
            "Home",
            "End",
            "F5",
            "12",
            "",
            "Shift",
            "ß",
        ] {
            assert_eq!(act(key, state(mode)), None, "{mode:?} {key:?}");
        }
    }
}

#[test]
fn arrows_move_the_cursor_except_when_voting() {
    for mode in [Mode::Map, Mode::Arrange] {
        let s = state(mode);
        assert_eq!(act("ArrowLeft", s), Some(KeyAction::MoveCursor { dx: -1, dy: 0 }));
        assert_eq!(act("ArrowRight", s), Some(KeyAction::MoveCursor { dx: 1, dy: 0 }));
        assert_eq!(act("ArrowUp", s), Some(KeyAction::MoveCursor { dx: 0, dy: -1 }));
        assert_eq!(act("ArrowDown", s), Some(KeyAction::MoveCursor { dx: 0, dy: 1 }));
    }
}

#[test]
fn arrows_and_the_clicker_step_through_proposals_wrapping_around() {
    let s = state(Mode::Vote); // proposal 1 of 5
    assert_eq!(act("ArrowUp", s), Some(KeyAction::SelectProposal(0)));
    assert_eq!(act("ArrowLeft", s), Some(KeyAction::SelectProposal(0)));
    assert_eq!(act("PageUp", s), Some(KeyAction::SelectProposal(0)));
    assert_eq!(act("ArrowDown", s), Some(KeyAction::SelectProposal(2)));
    assert_eq!(act("ArrowRight", s), Some(KeyAction::SelectProposal(2)));
    assert_eq!(act("PageDown", s), Some(KeyAction::SelectProposal(2)));
    let first = KeyState { proposal: 0, ..s };
    assert_eq!(act("ArrowUp", first), Some(KeyAction::SelectProposal(4)));
    let last = KeyState { proposal: 4, ..s };
    assert_eq!(act("ArrowDown", last), Some(KeyAction::SelectProposal(0)));
    assert_eq!(act("PageDown", last), Some(KeyAction::SelectProposal(0)));
    let empty = KeyState { proposals: 0, ..s };
    for key in [
        "ArrowUp",
        "ArrowDown",
        "ArrowLeft",
        "ArrowRight",
        "PageUp",
        "PageDown",
    ] {
        assert_eq!(act(key, empty), Some(KeyAction::Nothing), "{key}");
    }
}

#[test]
fn the_clicker_steps_through_categories_on_the_map_and_in_layout_mode() {
    for mode in [Mode::Map, Mode::Arrange] {
        let s = state(mode); // category 7 of 8
        assert_eq!(act("PageDown", s), Some(KeyAction::StepCategory(0)));
        assert_eq!(act("PageUp", s), Some(KeyAction::StepCategory(6)));
        let first = KeyState { category: 0, ..s };
        assert_eq!(act("PageUp", first), Some(KeyAction::StepCategory(7)));
        assert_eq!(act("PageDown", first), Some(KeyAction::StepCategory(1)));
        let none = KeyState {
            categories: 0,
            category: 0,
            ..s
        };
        assert_eq!(act("PageDown", none), Some(KeyAction::Nothing));
        assert_eq!(act("PageUp", none), Some(KeyAction::Nothing));
    }
}

#[test]
fn enter_places_votes_or_moves_a_building_by_mode() {
    assert_eq!(act("Enter", state(Mode::Map)), Some(KeyAction::PlaceDot));
    assert_eq!(act("Enter", state(Mode::Vote)), Some(KeyAction::Vote));
    assert_eq!(act("Enter", state(Mode::Arrange)), Some(KeyAction::PickUpOrDrop));
    // Even with nothing to vote on or no category: the page says why.
    let empty = KeyState {
        categories: 0,
        proposals: 0,
        ..KeyState::default()
    };
    assert_eq!(act("Enter", empty), Some(KeyAction::PlaceDot));
}

#[test]
fn z_undoes_except_in_layout_mode_where_it_puts_the_building_back() {
    for key in ["z", "Z"] {
        assert_eq!(act(key, state(Mode::Map)), Some(KeyAction::Undo));
        assert_eq!(act(key, state(Mode::Vote)), Some(KeyAction::Undo));
        assert_eq!(act(key, state(Mode::Arrange)), Some(KeyAction::CancelHold));
    }
}

#[test]
fn n_hands_over_to_the_next_participant_only_when_voting() {
    for key in ["n", "N"] {
        assert_eq!(act(key, state(Mode::Vote)), Some(KeyAction::NextParticipant));
        assert_eq!(act(key, state(Mode::Map)), None);
        assert_eq!(act(key, state(Mode::Arrange)), None);
    }
}

#[test]
fn the_same_keys_in_every_mode() {
    let same = [
        (" ", KeyAction::ToggleTimer),
        ("+", KeyAction::AddMinute),
        ("=", KeyAction::AddMinute),
        ("-", KeyAction::RemoveMinute),
        ("_", KeyAction::RemoveMinute),
        ("r", KeyAction::ResetTimer),
        ("R", KeyAction::ResetTimer),
        ("f", KeyAction::FullScreen),
        ("F", KeyAction::FullScreen),
        ("v", KeyAction::ToggleVoting),
        ("V", KeyAction::ToggleVoting),
        ("l", KeyAction::ToggleArrange),
        ("L", KeyAction::ToggleArrange),
        ("h", KeyAction::ToggleDots),
        ("H", KeyAction::ToggleDots),
        ("s", KeyAction::Save),
        ("S", KeyAction::Save),
        ("?", KeyAction::ToggleHelp),
    ];
    for mode in MODES {
        for (key, a) in same {
            assert_eq!(act(key, state(mode)), Some(a), "{mode:?} {key:?}");
        }
    }
}

#[test]
fn modifiers_and_form_fields_leave_every_key_to_the_browser() {
    let keys = [
        "1", "9", "ArrowUp", "PageDown", "Enter", "z", " ", "+", "r", "f", "v", "n", "l", "h", "s", "?",
    ];
    for mode in MODES {
        for key in keys {
            let held = Press {
                key,
                modifier: true,
                command: false,
                target: Target::Page,
            };
            assert_eq!(action(held, state(mode)), None, "{mode:?} alt+{key:?}");
            if key != "z" {
                let held = Press {
                    command: true,
                    ..held
                };
                assert_eq!(action(held, state(mode)), None, "{mode:?} modifier+{key:?}");
            }
            let typed = Press {
                key,
                modifier: false,
                command: false,
                target: Target::Field,
            };
            assert_eq!(action(typed, state(mode)), None, "{mode:?} field {key:?}");
        }
    }
}

#[test]
fn enter_and_space_on_a_button_or_link_activate_it_other_keys_stay_the_workshops() {
    for mode in MODES {
        let on = |key| Press {
            key,
            modifier: false,
            command: false,
            target: Target::Control,
        };
        assert_eq!(action(on("Enter"), state(mode)), None);
        assert_eq!(action(on(" "), state(mode)), None);
        assert_eq!(action(on("s"), state(mode)), Some(KeyAction::Save));
        assert_eq!(action(on("z"), state(mode)), act("z", state(mode)));
        assert_eq!(action(on("1"), state(mode)), act("1", state(mode)));
    }
}

#[test]
fn targets_by_tag_name() {
    for tag in ["INPUT", "input", "SELECT", "TEXTAREA"] {
        assert_eq!(Target::of_tag(tag), Target::Field, "{tag}");
    }
    for tag in ["BUTTON", "A", "a", "SUMMARY"] {
        assert_eq!(Target::of_tag(tag), Target::Control, "{tag}");
    }
    for tag in ["ARTICLE", "BODY", "DIV", "LABEL", "CANVAS", ""] {
        assert_eq!(Target::of_tag(tag), Target::Page, "{tag}");
    }
}

#[test]
fn the_cursor_stays_on_the_plan() {
    let extent = (6, 4);
    assert_eq!(step_cursor((0, 0), -1, 0, extent), (0, 0));
    assert_eq!(step_cursor((0, 0), 0, -1, extent), (0, 0));
    assert_eq!(step_cursor((0, 0), 1, 0, extent), (1, 0));
    assert_eq!(step_cursor((0, 0), 0, 1, extent), (0, 1));
    assert_eq!(step_cursor((5, 3), 1, 0, extent), (5, 3));
    assert_eq!(step_cursor((5, 3), 0, 1, extent), (5, 3));
    assert_eq!(step_cursor((2, 2), -1, -1, extent), (1, 1));
    // A cursor left outside by a smaller plan comes back onto it.
    assert_eq!(step_cursor((9, 9), 0, 0, extent), (5, 3));
    // A degenerate extent never panics.
    assert_eq!(step_cursor((3, 3), 1, 1, (0, 0)), (0, 0));
}

#[test]
fn ctrl_z_and_cmd_z_undo_as_z_does_but_not_in_a_field_nor_with_alt() {
    for mode in MODES {
        for key in ["z", "Z"] {
            let plain = act(key, state(mode));
            let chord = Press {
                key,
                modifier: true,
                command: true,
                target: Target::Page,
            };
            assert_eq!(action(chord, state(mode)), plain, "{mode:?} ctrl+{key}");
            assert!(matches!(plain, Some(KeyAction::Undo | KeyAction::CancelHold)));
            let alt = Press {
                command: false,
                ..chord
            };
            assert_eq!(action(alt, state(mode)), None);
            let field = Press {
                target: Target::Field,
                ..chord
            };
            assert_eq!(action(field, state(mode)), None);
        }
    }
}

#[test]
fn number_key_n_selects_the_proposal_labelled_n() {
    for proposals in 0..14usize {
        let st = KeyState {
            mode: Mode::Vote,
            proposals,
            ..KeyState::default()
        };
        for n in 1..=9usize {
            let key = n.to_string();
            let labelled = (0..proposals).find(|&i| number_label(i) == Some(n));
            let want = labelled.map_or(KeyAction::Nothing, KeyAction::SelectProposal);
            assert_eq!(act(&key, st), Some(want), "{proposals} proposals, key {n}");
        }
        // Every proposal up to the ninth has a label, and labels are distinct.
        let labels: Vec<usize> = (0..proposals).filter_map(number_label).collect();
        assert_eq!(labels.len(), proposals.min(9));
        assert!(labels.windows(2).all(|w| w[0] < w[1]));
    }
}
