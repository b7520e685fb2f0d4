"""Demo and synthetic data: the demo accounts, the demo cohort, a population of demo learners and generated course
packages. Only `flask lms demo|seed-demo` (lms/cli/demo.py), bench/ and tests use them; nothing else in lms/ imports
this package (tests/test_layering.py checks it), so the product never depends on demo code."""
