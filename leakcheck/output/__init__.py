"""Writers of a run's results: JSON (versioned, every series), JUnit XML, and the terminal."""
