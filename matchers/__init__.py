"""Stage 2: match contracts to KSCO occupations and apply the visa rules."""
