"""Benchmarks run on demand, not in the default test run:

    pytest benchmarks/ --benchmark-only

Figures measured on the project's 2-core machine are recorded in docs/performance.md.
"""
