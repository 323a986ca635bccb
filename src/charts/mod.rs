//! Charts drawn with plotters (SVG backend only) and shown as images; every
//! chart has a text equivalent (a table) next to it.

pub mod alloc;
pub mod heatmap;
pub mod workshop_plan;
