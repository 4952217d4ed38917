"""Built-in modality plugins, registered through entry points like outside ones."""
