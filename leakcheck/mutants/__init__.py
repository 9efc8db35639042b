"""Mutation testing of the leak suite: the code under test built with one deliberate leak at a time, the suite run
against each, and a score of which probes, in which languages, caught which leak."""
