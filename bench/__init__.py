"""Benchmarks: what persistence, the web and the database cost around the bare engine.

``python -m bench`` (from the repository root) runs every measure and prints one table;
``--quick`` runs the same measures, shorter. See docs/benchmarks.md for what each figure
means, the latest table and what the profiles found.

Every figure is a median with its spread over repeated rounds, and every comparison is a
ratio taken inside one round (the two sides run one after the other, interleaved), so a
noisy machine moves both sides together. Nothing here is asserted in the test suite.
"""
