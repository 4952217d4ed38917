"""Continual pretraining: what is new since the last release, what to replay, whether the
candidate may be released, and the release record. Pure functions; the Prefect flows in
``flows/`` call them."""
