"""Mutation testing of the leak suite: libpyjamaz built with one deliberate leak at a time, the suite run
against each, and a score of which probes, in which languages, caught which leak."""
