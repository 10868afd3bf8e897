//! Predictive uncertainty from posterior draws of any engine: the aleatoric/epistemic split, BALD, OOD scoring with AUROC, calibration metrics and temperature scaling.

mod calibration;
mod classification;
mod input;
mod ood;
mod regression;
mod temperature;

pub use calibration::{calibration, reliability_diagram_svg, CalibrationReport, ReliabilityBin};
pub use classification::{
    bald_ranking, classification_decomposition, entropy, EntropyDecomposition,
};
pub use ood::auroc;
pub use regression::{regression_decomposition, VarianceDecomposition};
pub use temperature::{fit_temperature, scale_logits, softmax};
