"""Build-time code (`make data`, bench.match): reference import, E-7 resolution, pipeline training.
Never imported by the run-time wings."""
