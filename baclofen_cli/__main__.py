"""Allow ``python -m baclofen_cli``."""

from baclofen_cli.cli import main

if __name__ == "__main__":
    main()
