//! Calibration statistics of a dataset (simulator.md §3), shown by `bench datasets describe`.
