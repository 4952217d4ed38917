"""Prefect flows over sslsci's library functions; no logic lives only here."""
