//! Writers: challenge layout, tidy CSV, and the synthetic submission layout (data-formats.md §4).
