"""``python -m sslsci``: the CLI, re-launchable by DDP's subprocess launcher."""

from sslsci.cli import main

if __name__ == "__main__":
    main()
