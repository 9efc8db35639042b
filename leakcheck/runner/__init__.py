"""Running one probe in isolation: process, protocol, sampler, watchdogs, crash classification."""
