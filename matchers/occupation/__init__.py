"""The occupation matcher: one decision per contract from its title and duties."""
