"""Run-time reference data: the KSCO tables, job dictionary, E-7 list and their indexes."""
