"""Default file names, apart from the schema so the CLI's ``--help`` needs no pydantic."""

DEFAULT_CATALOG = "data_catalog.yaml"
DEFAULT_WORKDIR = ".sslsci"
