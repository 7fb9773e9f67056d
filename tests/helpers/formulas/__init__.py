"""Helpers of the formula tests: scopes and runners (support), the conformance vectors' loader
(conformance), Hypothesis strategies (generators) and the sample record (sample)."""
